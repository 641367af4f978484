#!/usr/bin/env bash
# The Debian package, installed on this machine as an operator would (issue 14 §4): apt-get install of
# lnlb.runtime/target/lnlb_VERSION_all.deb, the installed unit's ExecStart run as the unit would run it
# (no systemd here: its User=, Environment=, RuntimeDirectory= and capability lines done by hand with
# setpriv, as lab/caps.sh does), lnlbctl nodes through the installed /usr/sbin/lnlbctl on a cluster
# declared in /etc/lnlb (the in-memory link: no network needed), SIGTERM, then remove (only the
# configuration stays: the conffile, the operator's cluster file, ConfigAdmin's state) and purge
# (nothing stays: every file of dpkg -L and every *lnlb* path that was not there before is gone).
#
#   lab/package.sh          needs root; the package must not be installed, and /etc/lnlb, /var/lib/lnlb,
#                           /var/log/lnlb, /usr/share/lnlb, /run/lnlb must not exist (purge removes them)
#
# Output as the other lab scripts: PASS/FAIL lines, METRIC lines, "package: N passed, N failed" last.
# The package is purged and the node stopped on every exit (trap), even when a check failed.
#
# Environment: LNLB_RUNTIME_DIR (lnlb.runtime/target: lnlb_*_all.deb).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUNTIME_DIR="${LNLB_RUNTIME_DIR:-$HERE/../lnlb.runtime/target}"
UNIT=/usr/lib/systemd/system/lnlb.service
WORK="$(mktemp -d /tmp/lnlb-package.XXXXXX)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
lab_checks package
finish() { echo "package: $passed passed, $failed failed"; [[ $failed -eq 0 ]]; exit; }
[[ $(id -u) -eq 0 ]] || { echo "package: needs root (installs a package)" >&2; exit 2; }

# one run at a time on this machine, whatever the lab prefix: the package is the machine's
exec 8>/tmp/lnlb-package.lock
flock -w 600 8 || { fail prerequisites "another lab/package.sh holds /tmp/lnlb-package.lock"; finish; }

debs=("$RUNTIME_DIR"/lnlb_*_all.deb)
if [[ ! -f "${debs[0]}" ]]; then
    fail prerequisites "no $RUNTIME_DIR/lnlb_*_all.deb (./mvnw -B install -DskipTests builds it where dpkg-deb is)"
    finish
fi
DEB="${debs[-1]}"
VERSION="$(dpkg-deb -f "$DEB" Version)"
APT=(apt-get -qq -y -o DPkg::Lock::Timeout=300)
installed() { dpkg-query -W -f='${Status}' lnlb 2>/dev/null | grep -q 'installed\|config-files\|half'; }
owned=(/etc/lnlb /var/lib/lnlb /var/log/lnlb /usr/share/lnlb /usr/sbin/lnlbctl /run/lnlb)
present=()
for p in "${owned[@]}"; do [[ -e "$p" || -L "$p" ]] && present+=("$p"); done
if installed || [[ ${#present[@]} -gt 0 ]]; then
    fail prerequisites "this machine already has lnlb: $(dpkg-query -W -f='${Status}' lnlb 2>/dev/null) ${present[*]} (purge would remove it: not touched)"
    finish
fi

# every *lnlb* path of the system's trees now, to compare with what stays after purge
lnlb_paths() { find /etc /usr /var/lib /var/log /var/cache /opt -xdev -name '*lnlb*' 2>/dev/null | grep -v "^$WORK" | sort; }
lnlb_paths >"$WORK/before.txt"

pid=""
cleanup() {
    local status=$?
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait_until 30 stopped
    [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null
    if installed; then
        "${APT[@]}" purge lnlb >&2 || dpkg --purge lnlb >&2
    fi
    rm -rf /run/lnlb
    mkdir -p "$HERE/run" && cp "$WORK/node.log" "$HERE/run/package-node.log" 2>/dev/null
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
stopped() { ! kill -0 "$pid" 2>/dev/null; }

# ==== install ====================================================================================
t0=$(now_ms)
if DEBIAN_FRONTEND=noninteractive "${APT[@]}" install "$DEB" >"$WORK/apt.log" 2>&1 \
        && [[ "$(dpkg-query -W -f='${Status} ${Version}' lnlb)" == "install ok installed $VERSION" ]]; then
    install_ms=$(($(now_ms) - t0))
    pass installs "apt-get install $(basename "$DEB"): lnlb $VERSION installed in $install_ms ms"
    metric install_ms "$install_ms" ms
else
    fail installs "apt-get install $DEB failed: $(tail -3 "$WORK/apt.log" | tr '\n' ' ')"
    finish
fi
dpkg -L lnlb | sort >"$WORK/files.txt"
want=(/usr/share/lnlb/lnlb.jar /usr/share/lnlb/lnlbctl.jar /usr/sbin/lnlbctl "$UNIT" /etc/lnlb/lnlb.metrics.cfg
      /var/lib/lnlb /var/log/lnlb /usr/share/doc/lnlb/copyright)
missing=()
for f in "${want[@]}"; do grep -qx "$f" "$WORK/files.txt" && [[ -e "$f" ]] || missing+=("$f"); done
if [[ ${#missing[@]} -eq 0 && -x /usr/sbin/lnlbctl && "$(stat -c %a /var/lib/lnlb)" == 700 ]] \
        && grep -qx /etc/lnlb/lnlb.metrics.cfg /var/lib/dpkg/info/lnlb.conffiles; then
    pass files "$(wc -l <"$WORK/files.txt") paths (dpkg -L), ${want[*]} among them; /var/lib/lnlb 0700; lnlb.metrics.cfg a conffile"
else
    fail files "missing or wrong: ${missing[*]} (dpkg -L: $(tr '\n' ' ' <"$WORK/files.txt"))"
fi

# ==== the unit's command, as systemd would run it ================================================
# unit_value KEY: the value of KEY= in [Service] (the last one), continuation lines joined
unit_value() { awk -v k="$1=" '{ if (cont) { line = line " " $0 } else if (index($0, k) == 1) { line = substr($0, length(k) + 1) } else next
                                  cont = sub(/\\$/, "", line) } END { print line }' "$UNIT" | tr -s ' '; }
declare -A env_of=()
while IFS= read -r line; do
    line="${line#Environment=}"; line="${line#\"}"; line="${line%\"}"
    env_of["${line%%=*}"]="${line#*=}"
done < <(grep '^Environment=' "$UNIT")
user="$(unit_value User)"; user="${user:-root}"
exec_start="$(unit_value ExecStart)"
caps="$(unit_value AmbientCapabilities)"
argv=()
for word in $exec_start; do
    if [[ "$word" =~ ^\$([A-Za-z_]+)$ ]]; then
        argv+=(${env_of[${BASH_REMATCH[1]}]})          # $VAR: split into words, as systemd does
    else
        argv+=("$word")
    fi
done
set_caps="-all$(for c in $caps; do printf ',+%s' "$(tr 'A-Z' 'a-z' <<<"${c#CAP_}")"; done)"
if [[ "$exec_start" == *'"'* || "$exec_start" == *"'"* || "${argv[0]:-}" != /* || ! -x "${argv[0]:-}" ]] \
        || ! grep -q "^RuntimeDirectory=lnlb" "$UNIT" || [[ "$(unit_value CapabilityBoundingSet)" != "$caps" ]]; then
    fail unit "cannot run the unit's ExecStart as systemd would: [$exec_start] (User=$user, AmbientCapabilities=$caps)"
    finish
fi
pass unit "ExecStart=${argv[*]} (User=$user, capabilities $set_caps, RuntimeDirectory=/run/lnlb)"

# an operator's cluster, on the in-memory link (no network here)
printf 'vip = 10.77.250.10\ndevice = dev0\nlink.target = (lnlb.link.type=memory)\nheartbeat.interval.ms = 100\ntolerance = 3\n' \
    >/etc/lnlb/lnlb.cluster-pkg.cfg
# RuntimeDirectory=lnlb, RuntimeDirectoryMode=0700; StateDirectory= exists (the package's, 0700)
install -d -m 700 -o "$user" /run/lnlb
t0=$(now_ms)
envs=()
for k in "${!env_of[@]}"; do envs+=("$k=${env_of[$k]}"); done
# cd / and a clean environment with the unit's Environment=, as systemd; the subshell execs, so $! is the JVM
(cd / && exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "${envs[@]}" \
    setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups --bounding-set "$set_caps" --inh-caps "$set_caps" \
    --ambient-caps "$set_caps" --no-new-privs "${argv[@]}" </dev/null >"$WORK/node.log" 2>&1) &
pid=$!
member() { /usr/sbin/lnlbctl nodes pkg 2>/dev/null | grep -q '^pkg: 10.77.250.10 on dev0, member'; }
if wait_until 120 member; then
    start_ms=$(($(now_ms) - t0))
    pass starts "lnlbctl nodes after $start_ms ms: $(/usr/sbin/lnlbctl nodes | head -1)"
    metric start_ms "$start_ms" ms
else
    fail starts "no member cluster pkg in lnlbctl nodes: $(/usr/sbin/lnlbctl nodes 2>&1 | head -2) (log: lab/run/package-node.log)"
    finish
fi
java_pid="$pid"
eff="$(awk '$1 == "CapEff:" {print $2}' "/proc/$java_pid/status")"
if [[ "$(stat -c %U "/proc/$java_pid")" == "$user" && "$eff" == 0000000000003000 ]]; then
    pass capabilities "the node runs as $user with CapEff $eff (CAP_NET_ADMIN + CAP_NET_RAW only)"
else
    fail capabilities "the node runs as $(stat -c %U "/proc/$java_pid") with CapEff $eff"
fi

# ==== stop (KillSignal=SIGTERM, SuccessExitStatus=143) ===========================================
kill -TERM "$pid"
wait "$pid"; code=$?
if [[ $code -eq 143 || $code -eq 0 ]] && [[ ! -e /run/lnlb/lnlb.sock ]]; then
    pass stops "SIGTERM: exit $code (the unit's SuccessExitStatus), control socket removed"
else
    fail stops "SIGTERM: exit $code, socket $(ls -l /run/lnlb 2>&1 | tr '\n' ' ')"
fi
pid=""
rm -rf /run/lnlb                # systemd removes the RuntimeDirectory when the unit stops

# ==== remove: the configuration stays ============================================================
"${APT[@]}" remove lnlb >"$WORK/remove.log" 2>&1
left=()
while IFS= read -r f; do
    [[ -f "$f" || -L "$f" ]] && left+=("$f")
done <"$WORK/files.txt"
if [[ "$(dpkg-query -W -f='${Status}' lnlb 2>/dev/null)" == "deinstall ok config-files" && "${left[*]}" == /etc/lnlb/lnlb.metrics.cfg \
        && -f /etc/lnlb/lnlb.cluster-pkg.cfg && -d /var/lib/lnlb/config && ! -e /usr/sbin/lnlbctl ]]; then
    pass removes "dpkg -r: of the package's files only the conffile stays (${left[*]}), with the operator's cluster file and /var/lib/lnlb/config"
else
    fail removes "after remove: status $(dpkg-query -W -f='${Status}' lnlb 2>&1), files left: ${left[*]}; $(tail -2 "$WORK/remove.log")"
fi

# ==== purge: nothing stays =======================================================================
"${APT[@]}" purge lnlb >"$WORK/purge.log" 2>&1
lnlb_paths >"$WORK/after.txt"
new_paths="$(comm -13 "$WORK/before.txt" "$WORK/after.txt" | tr '\n' ' ')"
gone=()
while IFS= read -r f; do
    case "$f" in /|/.|/etc|/usr|/usr/*bin|/usr/lib|/usr/lib/systemd|/usr/lib/systemd/system|/usr/share|/usr/share/doc|/var|/var/lib|/var/log) continue;; esac
    [[ -e "$f" || -L "$f" ]] && gone+=("$f")
done <"$WORK/files.txt"
if ! installed && [[ -z "$new_paths" && ${#gone[@]} -eq 0 ]]; then
    pass purges "dpkg --purge: none of the $(wc -l <"$WORK/files.txt") paths stays, /etc/lnlb /var/lib/lnlb /var/log/lnlb gone, no new *lnlb* path under /etc /usr /var /opt"
else
    fail purges "after purge: status $(dpkg-query -W -f='${Status}' lnlb 2>&1), still there: ${gone[*]} $new_paths"
fi
finish
