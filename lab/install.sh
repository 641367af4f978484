#!/usr/bin/env bash
# Installs the Debian packages the lab needs, when some are missing. Idempotent; quiet when all are
# there. Not root: prints why it does nothing (the lab needs root anyway and skips without it).
#   iproute2 (ip, bridge, ss)  curl  iperf3  nginx-light  ethtool  tcpdump  util-linux (setpriv, unshare, flock)
#   apache2-utils (ab) and python3 for lab/hotswap.sh (HTTP load; UDP request/response), and for
#   lab/hostile.sh and lab/stall.sh (forge.py, udp-dup.py; jstat from the JDK, optional)
#   nftables (nft) and python3 for lab/faults.sh (loss, partition; the load and the jitter relay)
#   hping3 for lab/flood.sh (the SYN flood from spoofed sources)
#   prometheus (promtool: lnlb.shell's MetricsValidationTest lints the metrics text; 19 MB download,
#   96 MB installed, ~13 s here; its server is not started), python3-prometheus-client (the same test's
#   strict OpenMetrics parser), prometheus-node-exporter for lab/metrics.sh (the textfile collector)
#   dpkg-dev is not needed: dpkg-deb (package dpkg, always there) builds lnlb_VERSION_all.deb
#   tmux for ConsoleIT (types at the runtime jar's prompt and reads the screen)
#   lab/install.sh bench   also what lab/bench.sh needs: apache2-utils (ab), nftables (nft), haproxy
set -euo pipefail

declare -A package_of=(
    [ip]=iproute2 [bridge]=iproute2 [ss]=iproute2 [curl]=curl [iperf3]=iperf3 [nginx]=nginx-light
    [ethtool]=ethtool [tcpdump]=tcpdump [setpriv]=util-linux [unshare]=util-linux [flock]=util-linux
    [nft]=nftables [python3]=python3 [ab]=apache2-utils [hping3]=hping3
    [promtool]=prometheus [prometheus-node-exporter]=prometheus-node-exporter [dpkg-deb]=dpkg [tmux]=tmux
)
if [[ "${1:-}" == bench ]]; then
    package_of+=([ab]=apache2-utils [nft]=nftables [haproxy]=haproxy)
fi
missing=()
for command in "${!package_of[@]}"; do
    command -v "$command" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$command" >/dev/null 2>&1 \
        || missing+=("${package_of[$command]}")
done
# a Python module, not a command: Debian's own python3 must import it (a pyenv python3 on PATH may not)
/usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1 || missing+=(python3-prometheus-client)
[[ ${#missing[@]} -eq 0 ]] && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [[ $(id -u) -ne 0 ]]; then
    echo "lab/install.sh: not root, not installing ${missing[*]} (the lab tests need root and will skip)" >&2
    exit 0
fi
echo "lab/install.sh: installing ${missing[*]}" >&2
# Package scripts must not start nginx, iperf3, prometheus or node_exporter as services on this
# machine: the lab starts its own, inside its namespaces.
policy=/usr/sbin/policy-rc.d
made_policy=
if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made_policy=1
fi
trap '[[ -n "$made_policy" ]] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Prometheus' server (:9090) and node_exporter (:9100) would start at the next boot: the lab runs its
# own node_exporter inside a namespace, and promtool needs no server.
for unit in prometheus prometheus-node-exporter; do
    if [[ " ${missing[*]} " == *" $unit "* ]] && command -v systemctl >/dev/null 2>&1; then
        systemctl disable --quiet "$unit.service" 2>/dev/null || true
    fi
done
