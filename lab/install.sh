#!/usr/bin/env bash
# Installs the Debian packages the lab needs, when some are missing. Idempotent; quiet when all are
# there. Not root: prints why it does nothing (the lab needs root anyway and skips without it).
#   iproute2 (ip, bridge, ss)  curl  iperf3  nginx-light  ethtool  tcpdump  util-linux (setpriv, unshare, flock)
#   apache2-utils (ab) and python3 for lab/hotswap.sh (HTTP load; UDP request/response), and for
#   lab/hostile.sh and lab/stall.sh (forge.py, udp-dup.py; jstat from the JDK, optional)
#   nftables (nft) and python3 for lab/faults.sh (loss, partition; the load and the jitter relay)
#   hping3 for lab/flood.sh (the SYN flood from spoofed sources)
#   lab/install.sh bench   also what lab/bench.sh needs: apache2-utils (ab), nftables (nft), haproxy
set -euo pipefail

declare -A package_of=(
    [ip]=iproute2 [bridge]=iproute2 [ss]=iproute2 [curl]=curl [iperf3]=iperf3 [nginx]=nginx-light
    [ethtool]=ethtool [tcpdump]=tcpdump [setpriv]=util-linux [unshare]=util-linux [flock]=util-linux
    [nft]=nftables [python3]=python3 [ab]=apache2-utils [hping3]=hping3
)
if [[ "${1:-}" == bench ]]; then
    package_of+=([ab]=apache2-utils [nft]=nftables [haproxy]=haproxy)
fi
missing=()
for command in "${!package_of[@]}"; do
    command -v "$command" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$command" >/dev/null 2>&1 \
        || missing+=("${package_of[$command]}")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [[ $(id -u) -ne 0 ]]; then
    echo "lab/install.sh: not root, not installing ${missing[*]} (the lab tests need root and will skip)" >&2
    exit 0
fi
echo "lab/install.sh: installing ${missing[*]}" >&2
# Package scripts must not start nginx or iperf3 as services on this machine: the lab starts its own,
# inside its namespaces.
policy=/usr/sbin/policy-rc.d
made_policy=
if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made_policy=1
fi
trap '[[ -n "$made_policy" ]] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
