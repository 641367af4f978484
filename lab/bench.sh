#!/usr/bin/env bash
# Data-path benchmark in the lab (issue 3; a measurement, not a test): one TCP stream (iperf3) and
# HTTP connections per second (ab, no keep-alive) from the client to
#   (a) one node's own address (10.77.0.11): the plain kernel path, the ceiling;
#   lnlb  the VIP served by three lnlb nodes (every node sees every frame, one accepts it), and by
#         one lnlb node alone (a diagnostic: the path without the two other nodes' work);
#   (b) the VIP served by the in-kernel stateless split of DESIGN.md §8 on the same namespaces:
#       the cluster MAC, promiscuous eth0, and a netdev ingress rule in every node that drops the
#       frames whose source-address hash is not its own and marks the others as for this host.
# The client uses one source address (10.77.0.200), so in every case one node serves it: the figures
# compare paths, not cluster capacity. Latency: ab with one connection at a time (mean per request).
#
#   lab/bench.sh            root; lnlb.tap built with its test classes; ab and nft (lab/install.sh bench)
#
# Prints METRIC lines and a Markdown table (for BENCHMARKS.md) with lnlb/(a) and lnlb/(b) ratios.
# Environment: LNLB_LAB, LNLB_VIP, LNLB_CP (see lab.sh); LNLB_BENCH_SECONDS (10, per iperf3 run),
# LNLB_BENCH_REQUESTS (20000), LNLB_BENCH_CONCURRENCY (16), LNLB_BENCH_ROUNDS (3: the best of N runs
# of each measurement is kept); LNLB_INTERVAL_MS (200), LNLB_TOLERANCE (15), LNLB_JAVA_OPTS.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB="${LNLB_LAB:-lnlb}"
VIP="${LNLB_VIP:-10.77.0.100}"
export LNLB_LAB="$LAB" LNLB_VIP="$VIP"
SECS="${LNLB_BENCH_SECONDS:-10}"
REQUESTS="${LNLB_BENCH_REQUESTS:-20000}"
CONCURRENCY="${LNLB_BENCH_CONCURRENCY:-16}"
ROUNDS="${LNLB_BENCH_ROUNDS:-3}"
INTERVAL="${LNLB_INTERVAL_MS:-200}"
TOLERANCE="${LNLB_TOLERANCE:-15}"
NODE_MAIN="${LNLB_CLUSTER_MAIN:-lnlb.tap.lab.LabNode}"
NODE_ARGS="${LNLB_CLUSTER_ARGS:---device eth0 --vip $VIP --interval $INTERVAL --tolerance $TOLERANCE}"
export LNLB_JAVA_OPTS="${LNLB_JAVA_OPTS:--XX:+UseSerialGC -Xmx256m -XX:MaxDirectMemorySize=512m}"
RUN="$HERE/run/$LAB"
LAB_SH="$HERE/lab.sh"
CL="$LAB-cl"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
SOURCE="$NET.200"

[[ $(id -u) -eq 0 ]] || { echo "bench: needs root (network namespaces)" >&2; exit 2; }
for tool in ab nft iperf3; do
    command -v "$tool" >/dev/null || { echo "bench: $tool missing (lab/install.sh bench)" >&2; exit 2; }
done
log() { echo "bench: $*" >&2; }

mkdir -p "$HERE/run"
exec 9>"$HERE/run/$LAB.lock"
flock -w 900 9 || { echo "bench: lab '$LAB' stays busy" >&2; exit 2; }
trap '"$LAB_SH" down >/dev/null 2>&1 || "$LAB_SH" down' EXIT
trap 'exit 130' INT TERM
CP="$("$LAB_SH" classpath)" || exit 2
export LNLB_CP="$CP"
"$LAB_SH" down >/dev/null 2>&1 || true
"$LAB_SH" up 3 >&2 || exit 1

# best_of N COMMAND...: runs COMMAND N times (it prints one number), prints the largest
best_of() { local n="$1" best="" v k; shift; for ((k = 0; k < n; k++)); do v="$("$@")"; best="$(awk -v a="${best:-0}" -v b="${v:-0}" 'BEGIN {print (b + 0 > a + 0) ? b : a}')"; done; echo "$best"; }
# lowest_of N COMMAND...: the smallest
lowest_of() { local n="$1" best="" v k; shift; for ((k = 0; k < n; k++)); do v="$("$@")"; [[ -n "$v" ]] || continue; best="$(awk -v a="${best:-999999}" -v b="$v" 'BEGIN {print (b + 0 < a + 0) ? b : a}')"; done; echo "${best:-}"; }
gbps() { # gbps TARGET: receiver Gbit/s of one TCP stream
    ip netns exec "$CL" timeout $((SECS + 20)) iperf3 -c "$1" -B "$SOURCE" -t "$SECS" -f g 2>/dev/null \
        | awk '/ receiver$/ {print $7}'
}
rps() { # rps TARGET: HTTP requests per second, a new connection each ("" if any failed)
    ip netns exec "$CL" ab -q -B "$SOURCE" -n "$REQUESTS" -c "$CONCURRENCY" "http://$1/" 2>/dev/null \
        | awk '/^Failed requests:/ {f = $3} /^Requests per second:/ {r = $4} END {if (f == 0) print r}'
}
latency() { # latency TARGET: mean ms per request, one connection at a time
    ip netns exec "$CL" ab -q -B "$SOURCE" -n 2000 -c 1 "http://$1/" 2>/dev/null \
        | awk '/^Failed requests:/ {f = $3} /^Time per request:/ && !done {l = $4; done = 1} END {if (f == 0) print l}'
}
measure() { # measure LABEL TARGET: sets G_LABEL, R_LABEL, L_LABEL
    local label="$1" target="$2" g r l
    log "$label: iperf3 to $target ($ROUNDS x ${SECS}s)"
    g="$(best_of "$ROUNDS" gbps "$target")"
    log "$label: ab -n $REQUESTS -c $CONCURRENCY to $target ($ROUNDS x)"
    r="$(best_of "$ROUNDS" rps "$target")"
    log "$label: latency (ab -c 1) to $target ($ROUNDS x)"
    l="$(lowest_of "$ROUNDS" latency "$target")"
    echo "METRIC ${label}_tcp_gbps ${g:-0} Gbit/s"
    echo "METRIC ${label}_http_rps ${r:-0} req/s"
    echo "METRIC ${label}_http_latency_ms ${l:-0} ms"
    printf -v "G_$label" '%s' "${g:-0}"
    printf -v "R_$label" '%s' "${r:-0}"
    printf -v "L_$label" '%s' "${l:-0}"
}

# ---- (a) direct to node 1 ----------------------------------------------------------------------
measure direct "$(node_ip 1)"

# ---- lnlb: one node, then three ------------------------------------------------------------------
start_node() {
    # shellcheck disable=SC2086
    "$LAB_SH" node-start "$1" "$NODE_MAIN" $NODE_ARGS >&2 || exit 1
    wait_until 60 eval '[[ "$(status_of '"$1"' "$VIP" | cut -d" " -f1)" == MEMBER ]]' || { log "node $1 did not join"; exit 1; }
}
start_node 1
log "lnlb up on node 1 alone"
measure lnlb1 "$VIP"
start_node 2
start_node 3
wait_until 30 in_view "$VIP" 3 1 2 3 || { log "no common view"; exit 1; }
owner="$(client_get 200 "http://$VIP/")"
log "lnlb up on 3 nodes; $SOURCE is served by $owner"
measure lnlb "$VIP"
for i in 1 2 3; do "$LAB_SH" node-stop "$i" >&2; done
grep -h "^CLOSED" "$RUN"/n[123]/node.log | sed 's/^/# /'

# ---- (b) the in-kernel stateless split (nftables) ---------------------------------------------------
cmac="$(cluster_mac "$VIP")"
for i in 1 2 3; do
    ns="$LAB-n$i"
    ip -n "$ns" addr add "$VIP/32" dev lo
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.eth0.arp_ignore=1 \
        net.ipv4.conf.eth0.arp_announce=2
    ip -n "$ns" link set eth0 promisc on
    # every node hashes the source address with the same seed; node i keeps the frames of bucket i-1
    ip netns exec "$ns" nft -f - <<EOF
table netdev lnlb_split {
    chain ingress {
        type filter hook ingress device eth0 priority 0; policy accept;
        ether daddr $cmac jhash ip saddr mod 3 seed 0x6c6e6c62 != $((i - 1)) drop
        ether daddr $cmac meta pkttype set host
    }
}
EOF
done
ip -n "$CL" neigh replace "$VIP" lladdr "$cmac" dev eth0 nud permanent
log "nftables split up; $SOURCE is served by $(client_get 200 "http://$VIP/")"
measure nft "$VIP"

# ---- report --------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b + 0 > 0) printf "%.2f", a / b; else print "n/a"}'; }
added() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.3f", a - b}'; }
echo
echo "| path | TCP, 1 stream (Gbit/s) | HTTP, new connection each (req/s, c=$CONCURRENCY) | latency per request, c=1 (ms) |"
echo "|---|---|---|---|"
echo "| (a) direct to one node's own address | $G_direct | $R_direct | $L_direct |"
echo "| (b) nftables stateless split, VIP | $G_nft | $R_nft | $L_nft |"
echo "| lnlb, VIP, 3 nodes | $G_lnlb | $R_lnlb | $L_lnlb |"
echo "| lnlb, VIP, 1 node (diagnostic) | $G_lnlb1 | $R_lnlb1 | $L_lnlb1 |"
echo "| lnlb / (b) | $(ratio "$G_lnlb" "$G_nft") | $(ratio "$R_lnlb" "$R_nft") | $(added "$L_lnlb" "$L_nft") ms added |"
echo "| lnlb / (a) | $(ratio "$G_lnlb" "$G_direct") | $(ratio "$R_lnlb" "$R_direct") | $(added "$L_lnlb" "$L_direct") ms added |"
