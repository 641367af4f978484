#!/usr/bin/env bash
# Builds lnlb_VERSION_all.deb from what lnlb.runtime/target holds (lnlb.jar, lnlbctl, lnlbctl.jar,
# lnlb.service), called by lnlb.runtime's build (package phase):
#   build-deb.sh TARGET_DIR MAVEN_VERSION README
# Without dpkg-deb (not Debian) it says so and builds nothing: the jar is the product either way.
#
# The package (Debian policy for a daemon): the jars and lnlbctl under /usr/share/lnlb, lnlbctl in
# /usr/sbin, the unit in /usr/lib/systemd/system (enabled by the operator: systemctl enable --now
# lnlb), /etc/lnlb (cluster files; lnlb.metrics.cfg a conffile, kept on remove), /var/lib/lnlb
# (ConfigAdmin's store, jffi) and /var/log/lnlb. No system user: the unit runs as root with
# CAP_NET_ADMIN and CAP_NET_RAW only. Purge removes /etc/lnlb, /var/lib/lnlb and /var/log/lnlb.
set -euo pipefail
target="$1" version="$2" readme="$3"
if ! command -v dpkg-deb >/dev/null 2>&1; then
    echo "build-deb.sh: no dpkg-deb on this machine (not Debian): lnlb_*.deb not built" >&2
    exit 0
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Maven's 0.1.0-SNAPSHOT sorts before 0.1.0 in Debian's order as 0.1.0~SNAPSHOT
deb_version="${version//-/\~}"
root="$target/deb-root"
rm -rf "$root" "$target"/lnlb_*_all.deb
install -d -m 755 "$root/DEBIAN" "$root/usr/share/lnlb" "$root/usr/sbin" "$root/usr/lib/systemd/system" \
    "$root/usr/share/doc/lnlb" "$root/etc/lnlb" "$root/var/log/lnlb"
install -d -m 700 "$root/var/lib/lnlb"
install -m 644 "$target/lnlb.jar" "$target/lnlbctl.jar" "$root/usr/share/lnlb/"
install -m 755 "$target/lnlbctl" "$root/usr/share/lnlb/"
ln -s ../share/lnlb/lnlbctl "$root/usr/sbin/lnlbctl"     # lnlbctl finds its jar through the link
install -m 644 "$target/lnlb.service" "$root/usr/lib/systemd/system/"
install -m 644 "$here/lnlb.metrics.cfg" "$root/etc/lnlb/"
install -m 644 "$readme" "$root/usr/share/doc/lnlb/README.md"
install -m 644 "$here/copyright" "$root/usr/share/doc/lnlb/"
for script in postinst prerm postrm; do
    install -m 755 "$here/$script" "$root/DEBIAN/"
done
echo /etc/lnlb/lnlb.metrics.cfg >"$root/DEBIAN/conffiles"
size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
sed -e "s/@VERSION@/$deb_version/" -e "s/@SIZE@/$size/" "$here/control" >"$root/DEBIAN/control"
deb="$target/lnlb_${deb_version}_all.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
rm -rf "$root"
echo "build-deb.sh: $deb ($(du -k "$deb" | cut -f1) KiB)"
