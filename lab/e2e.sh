#!/usr/bin/env bash
# End-to-end checks of the Linux data path in the lab (DESIGN.md §3, §8).
#
#   lab/e2e.sh                      build nothing; needs lnlb.tap compiled with its test classes
#                                   (./mvnw -pl lnlb.core,lnlb.tap install) and root
#
# Node 1 runs $LNLB_NODE_MAIN (default: the one-node harness lnlb.tap.lab.AcceptAllNode, which
# accepts every frame for the cluster MAC) with $LNLB_NODE_ARGS; swap in the real launcher with
#   LNLB_NODE_MAIN=lnlb.launcher.Main LNLB_NODE_ARGS="..." lab/e2e.sh
# Node 2 only takes part in the cluster-message check (a link there receives what node 1 sends).
#
# Output: one line per check, "PASS name: detail" / "FAIL name: detail" / "SKIP name: detail",
# "METRIC name value unit" lines, and a last line "e2e: N passed, N failed". Exit status 0 when
# nothing failed. The lab is always torn down (trap EXIT); concurrent runs of the same lab name wait
# for each other (flock).
#
# Environment: LNLB_LAB, LNLB_VIP, LNLB_CP (see lab.sh); LNLB_IPERF_SECONDS (5);
# LNLB_MIN_VIP_GBPS (0.5): the least bulk TCP rate through the VIP that counts as sane.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB="${LNLB_LAB:-lnlb}"
VIP="${LNLB_VIP:-10.77.0.100}"
export LNLB_LAB="$LAB" LNLB_VIP="$VIP"
NODE_MAIN="${LNLB_NODE_MAIN:-lnlb.tap.lab.AcceptAllNode}"
NODE_ARGS="${LNLB_NODE_ARGS:---device eth0 --vip $VIP}"
SECONDS_IPERF="${LNLB_IPERF_SECONDS:-5}"
MIN_GBPS="${LNLB_MIN_VIP_GBPS:-0.5}"
RUN="$HERE/run/$LAB"
N1="$LAB-n1" N2="$LAB-n2" CL="$LAB-cl" SW="$LAB-sw"
NODE1_IP="10.77.0.11"
LAB_SH="$HERE/lab.sh"

[[ $(id -u) -eq 0 ]] || { echo "e2e: needs root (network namespaces)" >&2; exit 2; }

passed=0 failed=0
pass() { echo "PASS $1: $2"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
check() { local name="$1" detail="$2"; shift 2; if "$@"; then pass "$name" "$detail"; else fail "$name" "$detail"; fi; }
metric() { echo "METRIC $1 $2 $3"; }

mkdir -p "$HERE/run"
exec 9>"$HERE/run/$LAB.lock"
flock -w 900 9 || { echo "e2e: lab '$LAB' stays busy (another run holds $HERE/run/$LAB.lock)" >&2; exit 2; }

cleanup() {
    local status=$?
    [[ -n "${capture_pid:-}" ]] && kill "$capture_pid" 2>/dev/null
    [[ -n "${receiver_pid:-}" ]] && kill "$receiver_pid" 2>/dev/null
    "$LAB_SH" down >/dev/null 2>&1 || "$LAB_SH" down
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CP="$("$LAB_SH" classpath)" || exit 2
export LNLB_CP="$CP"
java_in() { local ns="$1"; shift; ip netns exec "$ns" "${LNLB_JAVA:-java}" -cp "$CP" "$@"; }
sysctl_in() { ip netns exec "$1" cat "/proc/sys/net/ipv4/conf/$2/$3"; }

"$LAB_SH" down >/dev/null 2>&1 || true
"$LAB_SH" up 2 >&2 || { fail lab-up "lab.sh up 2 failed"; exit 1; }
ip -n "$N1" link add lnlb-x0 type veth peer name lnlb-x1     # a device that stays down, for link-checks

cluster_mac="$(printf '02:00:%02x:%02x:%02x:%02x' ${VIP//./ })"
arp_ignore_before="$(sysctl_in "$N1" eth0 arp_ignore)"
arp_announce_before="$(sysctl_in "$N1" eth0 arp_announce)"

# ---- offloads are on (the data path must not need them off) --------------------------------------
offloads="$(ip netns exec "$CL" ethtool -k eth0 | grep -E '^(tcp-segmentation-offload|tx-checksumming):')"
check offloads-on "client eth0: $(echo "$offloads" | tr '\n' ' ')" \
    grep -q "tcp-segmentation-offload: on" <<<"$offloads"

# ---- node 1 up with the node main -----------------------------------------------------------------
# shellcheck disable=SC2086
if ! LNLB_JAVA_OPTS="${LNLB_JAVA_OPTS:-} -Dlnlb.tap.ring=true" "$LAB_SH" node-start 1 "$NODE_MAIN" $NODE_ARGS >&2; then
    fail node-start "$NODE_MAIN did not bring the VIP up in $N1 (log: $RUN/n1/node.log)"
    exit 1
fi
tap="$(ip -n "$N1" -4 -o addr show to "$VIP/32" | awk '{print $2}')"
tap_link="$(ip -n "$N1" -o link show "$tap")"
check tap-configured "$tap: $(grep -o 'link/ether [0-9a-f:]*' <<<"$tap_link"), $(ip -n "$N1" -4 -o addr show dev "$tap" | awk '{print $4}')" \
    bash -c "grep -q 'link/ether $cluster_mac' <<<\"$tap_link\" && grep -q ',UP' <<<\"$tap_link\" \
        && ip -n $N1 -4 -o addr show dev $tap | grep -q ' $VIP/32 '"
promisc="$(ip -n "$N1" -d link show eth0 | grep -o 'promiscuity [0-9]*')"
check device-promiscuous "eth0 $promisc" test "$promisc" != "promiscuity 0"
check sysctls-set "eth0 arp_ignore=$(sysctl_in "$N1" eth0 arp_ignore) arp_announce=$(sysctl_in "$N1" eth0 arp_announce) $tap rp_filter=$(sysctl_in "$N1" "$tap" rp_filter)" \
    test "$(sysctl_in "$N1" eth0 arp_ignore)$(sysctl_in "$N1" eth0 arp_announce)$(sysctl_in "$N1" "$tap" rp_filter)" = "122"

# ---- HTTP through the VIP -------------------------------------------------------------------------
body="$(ip netns exec "$CL" curl -s --max-time 10 "http://$VIP/")"
check curl-vip "GET http://$VIP/ -> '$body'" test "$body" = "$LAB-n1"
sources_ok=0
for s in 201 202 203 204 205 206 207 208; do
    b="$(ip netns exec "$CL" curl -s --max-time 10 --interface "10.77.0.$s" "http://$VIP/")"
    [[ "$b" == "$LAB-n1" ]] && sources_ok=$((sources_ok + 1))
done
check curl-vip-sources "$sources_ok/8 client source addresses served by $LAB-n1" test "$sources_ok" -eq 8
# 200 requests, each on a new connection (one curl process: the time is the network path's, not fork/exec's)
urls=(); for ((k = 0; k < 200; k++)); do urls+=("http://$VIP/?$k"); done
start=$(date +%s%N)
ok="$(ip netns exec "$CL" curl -s --max-time 30 -H 'Connection: close' "${urls[@]}" | grep -c "^$LAB-n1\$")"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
metric curl_200_connections_ms "$ms" ms
check curl-vip-200 "$ok/200 requests on new connections answered in ${ms} ms" test "$ok" -eq 200

# ---- ARP: the client knows the VIP by the cluster MAC; the switch never learns it ------------------
neigh="$(ip -n "$CL" neigh show "$VIP" dev eth0)"
check neighbour-is-cluster-mac "client: $neigh" grep -q "lladdr $cluster_mac" <<<"$neigh"
fdb="$(bridge -n "$SW" fdb show br lnlb-br0 | grep -v permanent)"
node_mac="$(ip -n "$N1" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | awk '{print $2}')"
check fdb-never-cluster-mac "lnlb-br0 learned: $(awk '{print $1}' <<<"$fdb" | tr '\n' ' ')" \
    bash -c "! grep -qi '$cluster_mac' <<<\"$fdb\" && grep -qi '$node_mac' <<<\"$fdb\""

# ---- bulk TCP with offloads on: via the VIP, and direct to the node for comparison ---------------
iperf() { # iperf NAME TARGET [ARGS...]: prints "Gbit/s retransmits" (receiver rate), or nothing on failure
    local name="$1" target="$2"; shift 2
    ip netns exec "$CL" timeout $((SECONDS_IPERF + 20)) iperf3 -c "$target" -t "$SECONDS_IPERF" -f g "$@" \
        >"$RUN/iperf-$name.txt" 2>&1 || return 0
    # "[  5]   0.00-5.00   sec  3.12 GBytes  5.36 Gbits/sec  1243   sender" / "... receiver"
    awk '/ sender$/ {retr = $9} / receiver$/ {rate = $7} END {if (rate != "") print rate, retr}' "$RUN/iperf-$name.txt"
}
read -r vip_gbps vip_retr <<<"$(iperf vip "$VIP")"
read -r direct_gbps direct_retr <<<"$(iperf direct "$NODE1_IP")"
read -r vip_rev_gbps _ <<<"$(iperf vip-reverse "$VIP" -R)"
metric iperf3_vip_gbps "${vip_gbps:-0}" Gbit/s
metric iperf3_vip_retransmits "${vip_retr:-?}" segments
metric iperf3_direct_gbps "${direct_gbps:-0}" Gbit/s
metric iperf3_direct_retransmits "${direct_retr:-?}" segments
metric iperf3_vip_reverse_gbps "${vip_rev_gbps:-0}" Gbit/s
check iperf3-vip "client -> VIP ${vip_gbps:-failed} Gbit/s (direct to $NODE1_IP: ${direct_gbps:-failed} Gbit/s; VIP -> client: ${vip_rev_gbps:-failed} Gbit/s)" \
    awk -v rate="${vip_gbps:-0}" -v min="$MIN_GBPS" 'BEGIN {exit !(rate + 0 >= min + 0)}'

# ---- clean teardown -------------------------------------------------------------------------------
"$LAB_SH" node-stop 1 >&2
closed="$(grep '^CLOSED' "$RUN/n1/node.log" || true)"
[[ -n "$closed" ]] && echo "# node 1 counters: ${closed#CLOSED }"
# the receive ring: GSO super-frames (iperf3) came through its copy path, every frame reached the TAP
ring_counters="$(grep -o 'received=.*' <<<"$closed" || true)"
counter_of() { grep -o "\b$1=[^ ]*" <<<"$ring_counters" | cut -d= -f2; }
check receive-ring "node 1: $(grep -m1 -o 'receive ring of [0-9]* slots\|recv(2)' "$RUN/n1/node.log"); $ring_counters" \
    bash -c "[[ '$(counter_of ring)' == true && '$(counter_of ringCopied)' -gt 0 && '$(counter_of received)' == '$(counter_of delivered)' && '$(counter_of receiveDropped)' == 0 ]]"
check teardown "after SIGTERM: $tap $(ip -n "$N1" -o link show "$tap" >/dev/null 2>&1 && echo present || echo gone), arp_ignore=$(sysctl_in "$N1" eth0 arp_ignore) arp_announce=$(sysctl_in "$N1" eth0 arp_announce), eth0 $(ip -n "$N1" -d link show eth0 | grep -o 'promiscuity [0-9]*')" \
    bash -c "! ip -n $N1 link show $tap >/dev/null 2>&1 \
        && [[ \$(ip netns exec $N1 cat /proc/sys/net/ipv4/conf/eth0/arp_ignore) == $arp_ignore_before ]] \
        && [[ \$(ip netns exec $N1 cat /proc/sys/net/ipv4/conf/eth0/arp_announce) == $arp_announce_before ]] \
        && ip -n $N1 -d link show eth0 | grep -q 'promiscuity 0'"

# ---- cluster messages: node 1 transmits, node 2's link receives, the bridge floods ----------------
relay() { # relay LABEL RC OUTPUT: counts the PASS/FAIL lines of a LinkChecks run
    local label="$1" rc="$2" out="$3" line
    while IFS= read -r line; do
        case "$line" in
            PASS*) echo "$line"; passed=$((passed + 1)) ;;
            FAIL*) echo "$line"; failed=$((failed + 1)) ;;
        esac
    done <<<"$out"
    if [[ $rc -ne 0 ]] && ! grep -q '^FAIL' <<<"$out"; then
        fail "$label" "exit $rc: $(tail -3 "$RUN/checks-$label.err" 2>/dev/null | tr '\n' ' ')"
    fi
}
run_checks() { # run_checks LABEL COMMAND...
    local label="$1" out rc; shift
    out="$("$@" 2>"$RUN/checks-$label.err")"; rc=$?
    relay "$label" "$rc" "$out"
}
listening() { grep -q "$1" "$2" || ! kill -0 "$3" 2>/dev/null; }
wait_until() { # wait_until SECONDS COMMAND...
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do ((SECONDS < deadline)) || return 1; sleep 0.1; done
}

payload="lnlb-e2e-$$"
# node 2 receives without the ring (recv(2), the default); node 1 above ran with it (-Dlnlb.tap.ring=true)
java_in "$N2" -Dlnlb.tap.ring=false lnlb.tap.lab.LinkChecks receive "$payload" recv >"$RUN/receive.out" 2>"$RUN/checks-receive.err" &
receiver_pid=$!
wait_until 30 listening '^LISTENING' "$RUN/receive.out" "$receiver_pid"
ip netns exec "$CL" timeout 20 tcpdump -l -n -e -c 1 -i eth0 "ether proto 0x88b5" >"$RUN/capture.out" 2>"$RUN/capture.err" &
capture_pid=$!
wait_until 20 listening 'listening on' "$RUN/capture.err" "$capture_pid"
run_checks transmit java_in "$N1" lnlb.tap.lab.LinkChecks transmit "$payload"
wait "$receiver_pid"; rc=$?; receiver_pid=
relay receive "$rc" "$(cat "$RUN/receive.out")"
wait "$capture_pid"; capture_pid=
captured="$(grep -m1 '0x88b5' "$RUN/capture.out" || true)"
check transmit-source-is-node-mac "client saw: ${captured:-nothing}" grep -q "$node_mac > $cluster_mac" <<<"$captured"

# ---- life cycle and failures of the link, inside node 1 -------------------------------------------
run_checks errors java_in "$N1" lnlb.tap.lab.LinkChecks errors
if command -v setpriv >/dev/null; then
    run_checks nocaps ip netns exec "$N1" setpriv --inh-caps=-all --bounding-set=-net_admin,-net_raw \
        "${LNLB_JAVA:-java}" -cp "$CP" lnlb.tap.lab.LinkChecks nocaps
else
    echo "SKIP no-capabilities: setpriv (util-linux) missing"
fi
run_checks tunmissing ip netns exec "$N1" unshare -m sh -c \
    'mount -t tmpfs lnlb-notun /dev/net && exec "$0" -cp "$1" lnlb.tap.lab.LinkChecks tunmissing' \
    "${LNLB_JAVA:-java}" "$CP"

echo "e2e: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
