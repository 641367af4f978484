#!/usr/bin/env bash
# Data-path benchmark in the lab (issue 3; a measurement, not a test): one TCP stream (iperf3) and
# HTTP connections per second (ab, no keep-alive) from the client to
#   (a) one node's own address (10.77.0.11): the plain kernel path, the ceiling;
#   lnlb  the VIP served by three lnlb nodes (every node sees every frame, one accepts it), and by
#         one lnlb node alone (a diagnostic: the path without the two other nodes' work);
#   (b) the VIP served by the in-kernel stateless split of DESIGN.md §8 on the same namespaces:
#       the cluster MAC, promiscuous eth0, and a netdev ingress rule in every node that drops the
#       frames whose source-address hash is not its own and marks the others as for this host;
#   (c) HAProxy (mode tcp, balance source) on a director namespace (node 4) on the same bridge,
#       in front of nodes 1-3, when haproxy is installed;
#   lnlb with the receive ring (-Dlnlb.tap.ring=true) and, in the same run, with recv(2) (the default).
# Per lnlb node and phase, during the HTTP runs: CPU time and voluntary context switches of its JVM
# per frame its eth0 received (/proc/PID/stat, /proc/PID/status, eth0 rx_packets).
# The client uses one source address (10.77.0.200), so in every case one node serves it: the figures
# compare paths, not cluster capacity. Latency: ab with one connection at a time (mean, p50 and p99
# per request from ab's percentile table, -e).
#
#   lab/bench.sh            root; lnlb.tap built with its test classes; ab and nft (lab/install.sh bench)
#   lab/bench.sh ring-ab    only lnlb with three nodes, the receive ring and recv(2) in turn
#                           (LNLB_BENCH_AB turns, 3), one run of each measurement per turn
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
HAPROXY="$(PATH="$PATH:/usr/sbin:/sbin" command -v haproxy || true)"
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
"$LAB_SH" up 4 >&2 || exit 1                     # node 4: the HAProxy director

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
latency() { # latency TARGET: "mean p50 p99" in ms per request, one connection at a time
    local csv="$RUN/latency.csv" mean
    mean="$(ip netns exec "$CL" ab -q -B "$SOURCE" -n 2000 -c 1 -e "$csv" "http://$1/" 2>/dev/null \
        | awk '/^Failed requests:/ {f = $3} /^Time per request:/ && !done {l = $4; done = 1} END {if (f == 0) print l}')"
    [[ -n "$mean" ]] || return 0
    echo "$mean $(awk -F, '$1 == 50 {p50 = $2} $1 == 99 {p99 = $2} END {print p50, p99}' "$csv")"
}
# lowest_latency N TARGET: the run with the lowest mean of N
lowest_latency() {
    local n="$1" best="" v k
    for ((k = 0; k < n; k++)); do
        v="$(latency "$2")"; [[ -n "$v" ]] || continue
        if [[ -z "$best" ]] || awk -v a="${v%% *}" -v b="${best%% *}" 'BEGIN {exit !(a + 0 < b + 0)}'; then best="$v"; fi
    done
    echo "$best"
}
# node_sample I: "utime+stime (ticks) voluntary-switches eth0-rx_packets" of lnlb node I's JVM (all its threads)
node_sample() {
    local pid; pid="$(cat "$RUN/n$1/node.pid" 2>/dev/null)" || return 0
    echo "$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)" \
        "$(cat "/proc/$pid"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ {s += $2} END {print s + 0}')" \
        "$(ip netns exec "$LAB-n$1" cat /sys/class/net/eth0/statistics/rx_packets)"
}
CLK_TCK="$(getconf CLK_TCK)"
NODES=""                                     # the lnlb nodes of the phase being measured
measure() { # measure LABEL TARGET: sets G_LABEL, R_LABEL, L_LABEL
    local label="$1" target="$2" g r l
    log "$label: iperf3 to $target ($ROUNDS x ${SECS}s)"
    g="$(best_of "$ROUNDS" gbps "$target")"
    log "$label: ab -n $REQUESTS -c $CONCURRENCY to $target ($ROUNDS x)"
    local i t0 v0 f0 t1 v1 f1 us csw frames cpu=""
    local -A before=() after=()
    for i in $NODES; do before[$i]="$(node_sample "$i")"; done
    r="$(best_of "$ROUNDS" rps "$target")"
    for i in $NODES; do after[$i]="$(node_sample "$i")"; done
    for i in $NODES; do
        read -r t0 v0 f0 <<<"${before[$i]}"; read -r t1 v1 f1 <<<"${after[$i]}"
        read -r us csw frames <<<"$(awk -v t="$((t1 - t0))" -v v="$((v1 - v0))" -v f="$((f1 - f0))" -v hz="$CLK_TCK" \
            'BEGIN {if (f > 0) printf "%.1f %.2f %d", t * 1e6 / hz / f, v / f, f; else print "0 0 0"}')"
        echo "METRIC ${label}_n${i}_cpu_us_per_frame $us us (voluntary switches per frame $csw, frames $frames)"
        cpu+="n$i $us µs, $csw sw; "
    done
    log "$label: latency (ab -c 1) to $target ($ROUNDS x)"
    l="$(lowest_latency "$ROUNDS" "$target")"
    local lmean lp50 lp99
    read -r lmean lp50 lp99 <<<"${l:-0 0 0}"
    echo "METRIC ${label}_tcp_gbps ${g:-0} Gbit/s"
    echo "METRIC ${label}_http_rps ${r:-0} req/s"
    echo "METRIC ${label}_http_latency_ms ${lmean:-0} ms (p50 ${lp50:-?} ms, p99 ${lp99:-?} ms)"
    printf -v "G_$label" '%s' "${g:-0}"
    printf -v "R_$label" '%s' "${r:-0}"
    printf -v "L_$label" '%s' "${lmean:-0}"
    printf -v "P50_$label" '%s' "${lp50:-0}"
    printf -v "P99_$label" '%s' "${lp99:-0}"
    printf -v "C_$label" '%s' "${cpu:--}"
}

start_node() {
    # shellcheck disable=SC2086
    "$LAB_SH" node-start "$1" "$NODE_MAIN" $NODE_ARGS >&2 || exit 1
    wait_until 60 eval '[[ "$(status_of '"$1"' "$VIP" | cut -d" " -f1)" == MEMBER ]]' || { log "node $1 did not join"; exit 1; }
}

# ---- ring-ab: three lnlb nodes with the receive ring and with recv(2) in turn, N times, one run of
# each measurement per turn: the drift of a shared machine hits both alike -------------------------
if [[ "${1:-}" == ring-ab ]]; then
    base_opts="$LNLB_JAVA_OPTS"
    for ((k = 1; k <= ${LNLB_BENCH_AB:-3}; k++)); do
        for mode in ring recv; do
            export LNLB_JAVA_OPTS="$base_opts -Dlnlb.tap.ring=true"
            [[ $mode == recv ]] && export LNLB_JAVA_OPTS="$base_opts -Dlnlb.tap.ring=false"
            for i in 1 2 3; do start_node "$i"; done
            wait_until 30 in_view "$VIP" 3 1 2 3 || { log "no common view"; exit 1; }
            log "turn $k, $mode: $SOURCE is served by $(client_get 200 "http://$VIP/")"
            NODES="1 2 3" ROUNDS=1 measure "$mode$k" "$VIP"
            for i in 1 2 3; do "$LAB_SH" node-stop "$i" >&2; done
        done
    done
    echo
    echo "| turn | TCP ring / recv (Gbit/s) | HTTP ring / recv (req/s) | p50 ring / recv (ms) | p99 ring / recv (ms) | CPU per frame during HTTP, ring | recv |"
    echo "|---|---|---|---|---|---|---|"
    for ((k = 1; k <= ${LNLB_BENCH_AB:-3}; k++)); do
        g1="G_ring$k" g2="G_recv$k" r1="R_ring$k" r2="R_recv$k" a1="P50_ring$k" a2="P50_recv$k" b1="P99_ring$k" b2="P99_recv$k" c1="C_ring$k" c2="C_recv$k"
        echo "| $k | ${!g1} / ${!g2} | ${!r1} / ${!r2} | ${!a1} / ${!a2} | ${!b1} / ${!b2} | ${!c1} | ${!c2} |"
    done
    exit 0
fi

# ---- (a) direct to node 1 ----------------------------------------------------------------------
measure direct "$(node_ip 1)"

# ---- lnlb: one node, then three ------------------------------------------------------------------
JAVA_OPTS_RING="${LNLB_JAVA_OPTS:-} -Dlnlb.tap.ring=true"
export LNLB_JAVA_OPTS="$JAVA_OPTS_RING"
start_node 1
log "lnlb up on node 1 alone"
NODES="1"
measure lnlb1 "$VIP"
start_node 2
start_node 3
wait_until 30 in_view "$VIP" 3 1 2 3 || { log "no common view"; exit 1; }
owner="$(client_get 200 "http://$VIP/")"
log "lnlb up on 3 nodes; $SOURCE is served by $owner"
NODES="1 2 3"
measure lnlb "$VIP"
for i in 1 2 3; do "$LAB_SH" node-stop "$i" >&2; done
grep -h "^CLOSED" "$RUN"/n[123]/node.log | sed 's/^/# /'
# the same three nodes reading with recv(2), as before issue 12 (-Dlnlb.tap.ring=false)
export LNLB_JAVA_OPTS="$JAVA_OPTS_RING -Dlnlb.tap.ring=false"
for i in 1 2 3; do start_node "$i"; done
wait_until 30 in_view "$VIP" 3 1 2 3 || { log "no common view (recv)"; exit 1; }
log "lnlb (recv) up on 3 nodes; $SOURCE is served by $(client_get 200 "http://$VIP/")"
measure lnlbrecv "$VIP"
for i in 1 2 3; do "$LAB_SH" node-stop "$i" >&2; done
NODES=""
export LNLB_JAVA_OPTS="$JAVA_OPTS_RING"

# ---- (c) HAProxy on a director (node 4): mode tcp, balance source ---------------------------------
G_haproxy=0 R_haproxy=0 L_haproxy=0 P50_haproxy=0 P99_haproxy=0
if [[ -n "$HAPROXY" ]]; then
    director="$LAB-n4"
    ip netns pids "$director" | xargs -r kill 2>/dev/null     # its nginx and iperf3 (lab.sh up): haproxy takes the ports
    wait_until 10 eval '[[ -z "$(ip netns pids "$director")" ]]'
    ip -n "$director" addr add "$VIP/32" dev eth0
    {
        echo "global"; echo "    maxconn 4096"
        echo "defaults"; echo "    mode tcp"; echo "    balance source"
        echo "    timeout connect 5s"; echo "    timeout client 60s"; echo "    timeout server 60s"
        for port in 80 5201; do
            echo "listen p$port"; echo "    bind $VIP:$port"
            for i in 1 2 3; do echo "    server n$i $(node_ip "$i"):$port"; done
        done
    } >"$RUN/haproxy.cfg"
    ip -n "$CL" neigh flush to "$VIP" 2>/dev/null || true
    if ip netns exec "$director" "$HAPROXY" -D -f "$RUN/haproxy.cfg" -p "$RUN/haproxy.pid" >&2 \
            && wait_until 20 eval '[[ -n "$(client_get 200 "http://$VIP/")" ]]'; then
        log "haproxy up on node 4; $SOURCE is served by $(client_get 200 "http://$VIP/")"
        measure haproxy "$VIP"
    else
        log "haproxy did not start or does not answer: no (c) row"
    fi
    [[ -s "$RUN/haproxy.pid" ]] && kill "$(cat "$RUN/haproxy.pid")" 2>/dev/null
    ip -n "$director" addr del "$VIP/32" dev eth0
else
    log "haproxy not installed (lab/install.sh bench): no (c) row"
fi

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
row() { # row TITLE LABEL
    local g="G_$2" r="R_$2" l="L_$2" p50="P50_$2" p99="P99_$2" c="C_$2"
    echo "| $1 | ${!g} | ${!r} | ${!l} | ${!p50} | ${!p99} | ${!c:--} |"
}
versus() { # versus TITLE LABEL BASE
    local g="G_$2" r="R_$2" l="L_$2" p50="P50_$2" p99="P99_$2" bg="G_$3" br="R_$3" bl="L_$3" bp50="P50_$3" bp99="P99_$3"
    echo "| $1 | $(ratio "${!g}" "${!bg}") | $(ratio "${!r}" "${!br}") | $(added "${!l}" "${!bl}") added | $(added "${!p50}" "${!bp50}") | $(added "${!p99}" "${!bp99}") | |"
}
echo "| path | TCP, 1 stream (Gbit/s) | HTTP, new connection each (req/s, c=$CONCURRENCY) | latency c=1, mean (ms) | p50 (ms) | p99 (ms) | per lnlb node during HTTP: CPU µs and voluntary switches per frame |"
echo "|---|---:|---:|---:|---:|---:|---|"
row "(a) direct to one node's own address" direct
row "(b) nftables stateless split, VIP, 3 nodes" nft
row "(c) HAProxy 1 director, mode tcp, balance source" haproxy
row "**lnlb, VIP, 3 nodes, receive ring**" lnlb
row "lnlb, VIP, 3 nodes, recv(2) (before the ring)" lnlbrecv
row "lnlb, VIP, 1 node, receive ring" lnlb1
versus "lnlb / (b)" lnlb nft
versus "lnlb recv(2) / (b)" lnlbrecv nft
versus "lnlb 1 node / (b)" lnlb1 nft
versus "lnlb / (c)" lnlb haproxy
versus "lnlb ring / recv(2)" lnlb lnlbrecv
