#!/usr/bin/env bash
# End-to-end checks of a real lnlb cluster in the lab (issue 3, DESIGN.md §3, §8): nodes running the
# engine over the Linux link, nginx in every node, curl and iperf3 in the client namespace.
#
#   lab/cluster.sh          needs root and lnlb.tap built with its test classes (see lab/README.md)
#
# Scenarios, in one lab of 4 node namespaces (node 4 joins late), each waiting on conditions:
#   1. nodes 1-3 start with two clusters each (VIP and VIP2 on the same eth0) and agree on a view;
#   2. 300 GETs on new connections from 30 client source addresses to the VIP: all answered, every
#      node serves, each source always on the same node; the same on VIP2 (two clusters side by side);
#      the client's neighbour entries are the cluster MACs, the bridge never learns them;
#   3. one bulk TCP stream (iperf3) through the VIP, offloads on;
#   4. kill -9 of the coordinator while every source keeps requesting: its sources are served again
#      within interval x tolerance + 1 s, the others never fail and never move; the node restarts and
#      rejoins;
#   5. 20 long-lived HTTP streams run while node 4 joins: none is reset or stalls; new sources reach
#      node 4, known ones stay where they are;
#   6. SIGTERM of node 4: it leaves at once (LEAVE, not a timeout) and cleans up after itself.
#
# Nodes run $LNLB_CLUSTER_MAIN $LNLB_CLUSTER_ARGS (default lnlb.tap.lab.LabNode with both VIPs,
# --interval $LNLB_INTERVAL_MS --tolerance $LNLB_TOLERANCE); a main that replaces it must print the
# STATUS lines described in lab/lib.sh.
#
# Output as e2e.sh: "PASS|FAIL|SKIP name: detail", "METRIC name value unit", "# comment" lines, and
# "cluster: N passed, N failed" last; exit 0 when nothing failed. Always torn down (trap EXIT); the
# node logs, probe and stream outputs stay in lab/run/$LNLB_LAB.cluster/. Runs of the same LNLB_LAB
# wait for each other (flock).
#
# Environment: LNLB_LAB, LNLB_VIP (10.77.0.100), LNLB_VIP2 (10.77.0.101), LNLB_CP (see lab.sh),
# LNLB_INTERVAL_MS (200), LNLB_TOLERANCE (5), LNLB_IPERF_SECONDS (5), LNLB_MIN_VIP_GBPS (0.5),
# LNLB_STREAM_RATE / LNLB_STREAM_BYTES (lab.sh: 100k, 1500000, i.e. 15 s per stream), LNLB_JAVA_OPTS
# (the node JVMs' options; default: serial GC, 256 MiB heap, 512 MiB direct memory).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB="${LNLB_LAB:-lnlb}"
VIP="${LNLB_VIP:-10.77.0.100}"
VIP2="${LNLB_VIP2:-10.77.0.101}"
export LNLB_LAB="$LAB" LNLB_VIP="$VIP"
INTERVAL="${LNLB_INTERVAL_MS:-200}"
TOLERANCE="${LNLB_TOLERANCE:-15}"
NODE_MAIN="${LNLB_CLUSTER_MAIN:-lnlb.tap.lab.LabNode}"
NODE_ARGS="${LNLB_CLUSTER_ARGS:---device eth0 --vip $VIP --vip $VIP2 --interval $INTERVAL --tolerance $TOLERANCE}"
SECONDS_IPERF="${LNLB_IPERF_SECONDS:-5}"
# small JVMs: four nodes, nginx and the clients share the machine (a join queue takes 64 MiB direct)
export LNLB_JAVA_OPTS="${LNLB_JAVA_OPTS:--XX:+UseSerialGC -Xmx256m -XX:MaxDirectMemorySize=512m}"
MIN_GBPS="${LNLB_MIN_VIP_GBPS:-0.5}"
export LNLB_STREAM_BYTES="${LNLB_STREAM_BYTES:-1500000}"
RUN="$HERE/run/$LAB"
CL="$LAB-cl" SW="$LAB-sw"
LAB_SH="$HERE/lab.sh"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

# Client sources (last octets): A for HTTP spread and failover, B for the streams, C fresh after the join.
A=($(seq 201 230))
B=($(seq 231 250))
C=($(seq 151 190))
REQUESTS_PER_SOURCE=10

[[ $(id -u) -eq 0 ]] || { echo "cluster: needs root (network namespaces)" >&2; exit 2; }

lab_checks cluster

lab_lock

background=()
cleanup() {
    local status=$?
    ((${#background[@]})) && kill "${background[@]}" 2>/dev/null
    "$LAB_SH" down >/dev/null 2>&1 || "$LAB_SH" down
    # keep the logs of this run (the next lab.sh up of the same lab starts afresh)
    rm -rf "$RUN.cluster" && mkdir -p "$RUN.cluster" \
        && cp -r "$RUN"/n[0-9]* "$RUN/probe" "$RUN/streams" "$RUN"/*.txt "$RUN.cluster/" 2>/dev/null
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CP="$("$LAB_SH" classpath)" || exit 2
export LNLB_CP="$CP"

"$LAB_SH" down >/dev/null 2>&1 || true
"$LAB_SH" up 4 >&2 || { fail lab-up "lab.sh up 4 failed"; exit 1; }
rm -rf "$RUN/probe" "$RUN/streams"
mkdir -p "$RUN/probe" "$RUN/streams"
CMAC="$(cluster_mac "$VIP")" CMAC2="$(cluster_mac "$VIP2")"
DEAD_AFTER=$((INTERVAL * TOLERANCE))

both_views() { in_view "$VIP" "$@" && in_view "$VIP2" "$@"; }
# start_nodes I...: starts the nodes one after the other, each once the previous one is a member of
# both clusters (a cluster grows one join at a time; fewer JVMs starting at once on a small machine)
start_nodes() {
    local i
    for i in "$@"; do
        # shellcheck disable=SC2086
        "$LAB_SH" node-start "$i" "$NODE_MAIN" $NODE_ARGS >&2 || return 1
        wait_until 30 node_is_member "$i" || return 1
    done
}
node_is_member() { [[ "$(status_of "$1" "$VIP" | cut -d' ' -f1)" == MEMBER && "$(status_of "$1" "$VIP2" | cut -d' ' -f1)" == MEMBER ]]; }
view_text() { local i; for i in "$@"; do printf 'n%s: %s / %s; ' "$i" "$(status_of "$i" "$VIP" | cut -d' ' -f1-5)" \
    "$(status_of "$i" "$VIP2" | cut -d' ' -f1-5)"; done; }
served_by() { awk -v s="$2" '$1 == s {print $2}' "$1"; }   # served_by MAPFILE SOURCE

# spread MAPFILE EXPECTED_PER_SOURCE: "answered total sources-on-one-node nodes-serving per-node-counts"
spread() {
    awk -v n="$2" -v lab="$LAB" '
        { total += n; distinct = 0; delete seen
          for (i = 2; i <= NF; i++) { if ($i ~ "^" lab "-n[0-9]+$") { ok++; if (!($i in seen)) { seen[$i] = 1; distinct++ } } }
          if (distinct == 1 && NF - 1 == n) single++
          for (k in seen) sources[k]++ }
        END { nodes = 0; text = ""; for (k in sources) { nodes++; text = text k "=" sources[k] "," }
              printf "%d %d %d %d %s\n", ok, total, single, nodes, text }' "$1"
}
# owners MAPFILE OUT: "source node" per source (its first answer)
owners() { awk '{print $1, ($2 == "" ? "FAIL" : $2)}' "$1" >"$2"; }

# ==== 1. three nodes, two clusters each =============================================================
t0=$(now_ms)
if ! start_nodes 1 2 3; then
    fail nodes-start "$NODE_MAIN did not start, or did not join both clusters, in every node: $(view_text 1 2 3) (logs: $RUN.cluster/n*/node.log)"
    exit 1
fi
if wait_until 30 both_views 3 1 2 3; then
    pass cluster-formed "3 nodes agree on both clusters in $(($(now_ms) - t0)) ms from launch: $(view_text 1 2 3)"
else
    fail cluster-formed "no common view of 3 in 30 s: $(view_text 1 2 3)"
    exit 1
fi
metric cluster_formed_ms $(($(now_ms) - t0)) ms
offloads="$(ip netns exec "$CL" ethtool -k eth0 | grep -E '^tcp-segmentation-offload:') / $(ip netns exec "$LAB-n1" ethtool -k eth0 | grep -E '^tcp-segmentation-offload:')"
check offloads-on "client / node 1 eth0: $offloads" bash -c "[[ \$(grep -o ': on' <<<'$offloads' | wc -l) -eq 2 ]]"
for i in 1 2 3; do
    check "two-interfaces-n$i" "$LAB-n$i: $(ip -n "$LAB-n$i" -4 -o addr show | awk '$4 ~ /\/32$/ {printf "%s %s; ", $2, $4}')" \
        bash -c "ip -n $LAB-n$i -4 -o addr show to $VIP/32 | grep -q . && ip -n $LAB-n$i -4 -o addr show to $VIP2/32 | grep -q ."
done

# ==== 2. HTTP spread over the nodes, affinity, two clusters, ARP ====================================
http_checks() { # http_checks LABEL TARGET MAPFILE
    local label="$1" target="$2" map="$3" ok total single nodes text
    local t=$(now_ms)
    serve_map "$map" "http://$target/" "$REQUESTS_PER_SOURCE" "${A[@]}"
    read -r ok total single nodes text <<<"$(spread "$map" "$REQUESTS_PER_SOURCE")"
    metric "${label}_requests_ms" $(($(now_ms) - t)) ms
    check "$label-all-answered" "$ok/$total GETs to $target from ${#A[@]} sources answered (each on a new connection)" \
        test "$ok" -eq "$total"
    check "$label-every-node-serves" "sources per node: ${text%,}" test "$nodes" -eq 3
    check "$label-source-affinity" "$single/${#A[@]} sources had all $REQUESTS_PER_SOURCE answers from one node" \
        test "$single" -eq "${#A[@]}"
}
http_checks http "$VIP" "$RUN/map-vip.txt"
owners "$RUN/map-vip.txt" "$RUN/owners-vip.txt"
http_checks http-vip2 "$VIP2" "$RUN/map-vip2.txt"

fdb_learned() { bridge -n "$SW" fdb show br lnlb-br0 | grep -v permanent | awk '{print $1}' | sort -u; }
arp_checks() { # arp_checks SUFFIX
    local n1 n2 fdb
    n1="$(ip -n "$CL" neigh show "$VIP" dev eth0)" n2="$(ip -n "$CL" neigh show "$VIP2" dev eth0)"
    check "neighbour-is-cluster-mac$1" "client: $n1 / $n2" \
        bash -c "grep -q 'lladdr $CMAC' <<<'$n1' && grep -q 'lladdr $CMAC2' <<<'$n2'"
    fdb="$(fdb_learned | tr '\n' ' ')"
    check "fdb-never-cluster-mac$1" "lnlb-br0 learned: $fdb" \
        bash -c "! grep -qiE '$CMAC|$CMAC2' <<<'$fdb' && grep -qi '$(node_mac 1)' <<<'$fdb'"
}
arp_checks ""

# ==== 3. one bulk TCP stream through the VIP, offloads on ===========================================
ip netns exec "$CL" timeout $((SECONDS_IPERF + 20)) iperf3 -c "$VIP" -B "$NET.200" -t "$SECONDS_IPERF" -f g \
    >"$RUN/iperf-cluster.txt" 2>&1
read -r gbps retr <<<"$(awk '/ sender$/ {r = $9} / receiver$/ {g = $7} END {if (g != "") print g, r}' "$RUN/iperf-cluster.txt")"
metric iperf3_cluster_vip_gbps "${gbps:-0}" Gbit/s
metric iperf3_cluster_vip_retransmits "${retr:-?}" segments
check iperf3-vip "one TCP stream client -> VIP through a 3-node cluster: ${gbps:-failed} Gbit/s, ${retr:-?} retransmits ($(tail -1 "$RUN/iperf-cluster.txt"))" \
    awk -v rate="${gbps:-0}" -v min="$MIN_GBPS" 'BEGIN {exit !(rate + 0 >= min + 0)}'

# ==== 4. kill -9 of the coordinator while every source keeps requesting ============================
coordinator="$(coordinator_of 1 "$VIP")"
victim="$(node_of_mac "$coordinator" 1 2 3)"
if ! grep -q " $LAB-n$victim\$" "$RUN/owners-vip.txt"; then
    # (rare) the coordinator serves none of the 30 sources: crash the busiest node instead
    victim="$(awk '{print $2}' "$RUN/owners-vip.txt" | sort | uniq -c | sort -rn | head -1 | awk '{print $2}')"
    victim="${victim##*-n}"
    note "the coordinator (node $(node_of_mac "$coordinator" 1 2 3)) serves none of the sources; crashing node $victim"
fi
survivors=(); for i in 1 2 3; do [[ $i == "$victim" ]] || survivors+=("$i"); done
victim_sources=($(awk -v n="$LAB-n$victim" '$2 == n {print $1}' "$RUN/owners-vip.txt"))
note "crashing node $victim ($(node_mac "$victim"), coordinator $coordinator), which serves sources ${victim_sources[*]}"

# Probes: one curl per source, a GET on a new connection every 200 ms (--rate), to /t, which answers
# "lnlb-nI <server time, s.ms>": one line per GET, "lnlb-nI 1795609884.689 200", or " 000" when it
# failed (curl gives up after 3 s, after 0.3 s for the crashed node's sources, so they retry soon).
# The server's clock is this machine's: the times compare with the time of the kill.
for s in "${A[@]}"; do
    max=3
    [[ " ${victim_sources[*]} " == *" $s "* ]] && max=0.3
    ip netns exec "$CL" curl -s --no-buffer --interface "$NET.$s" --rate 5/s --max-time "$max" -H 'Connection: close' \
        -w ' %{http_code}\n' "http://$VIP/t?[1-500]" >"$RUN/probe/$s.log" 2>&1 &
    background+=($!)
done
# answers LOG: "time_ms node" for every answered GET
answers() { awk '$1 ~ /-n[0-9]+$/ && $3 == 200 {printf "%.0f %s\n", $2 * 1000, $1}' "$1"; }
probes_answered() { local s; for s in "${A[@]}"; do [[ -n "$(answers "$RUN/probe/$s.log")" ]] || return 1; done; }
wait_until 20 probes_answered || note "not every probe had an answer before the crash"
kill -KILL "$(cat "$RUN/n$victim/node.pid")"
t_kill=$(now_ms)
"$LAB_SH" node-kill "$victim" >&2          # waits until it is gone
if wait_until 10 both_views 2 "${survivors[@]}"; then
    view_ms=$(($(now_ms) - t_kill))
else
    view_ms=-1
fi
metric failover_view_change_ms "$view_ms" ms
# served_after LOG T: the first answer from a live node after T ("time_ms node"), or nothing
served_after() { answers "$1" | awk -v t="$2" -v dead="$LAB-n$victim" '$1 > t && $2 != dead {print; exit}'; }
recovered() { local s; for s in "${victim_sources[@]}"; do [[ -n "$(served_after "$RUN/probe/$s.log" "$t_kill")" ]] || return 1; done; }
wait_until 15 recovered
t_settled=$(now_ms)
# every source makes at least one more GET after the crashed node's sources are back
after_settled() { local s; for s in "${A[@]}"; do answers "$RUN/probe/$s.log" | awk -v t="$t_settled" '$1 > t {f = 1} END {exit !f}' || return 1; done; }
wait_until 15 after_settled
kill "${background[@]}" 2>/dev/null
wait "${background[@]}" 2>/dev/null
background=()
worst=0 missing=() moved_twice=0
for s in "${victim_sources[@]}"; do
    read -r end node <<<"$(served_after "$RUN/probe/$s.log" "$t_kill")"
    if [[ -z "${end:-}" ]]; then missing+=("$s"); continue; fi
    gap=$((end - t_kill)); ((gap > worst)) && worst=$gap
    # after the move the source stays on its new node
    n="$(answers "$RUN/probe/$s.log" | awk -v t="$t_kill" -v dead="$LAB-n$victim" '$1 > t && $2 != dead {print $2}' | sort -u | wc -l)"
    ((n == 1)) || moved_twice=$((moved_twice + 1))
done
metric failover_worst_source_recovery_ms "$worst" ms
bound=$((DEAD_AFTER + 1000))
check failover-within-bound "the ${#victim_sources[@]} sources of the crashed node were served again after at most $worst ms (bound: interval x tolerance + 1 s = $bound ms; view changed after $view_ms ms)${missing:+; never again: ${missing[*]}}" \
    bash -c "[[ ${#missing[@]} -eq 0 && $worst -le $bound && ${#victim_sources[@]} -gt 0 ]]"
check failover-moved-sources-stay "$((${#victim_sources[@]} - moved_twice))/${#victim_sources[@]} moved sources stayed on their new node" \
    test "$moved_twice" -eq 0
others_requests=0 others_failed=0 others_moved=0
for s in "${A[@]}"; do
    [[ " ${victim_sources[*]} " == *" $s "* ]] && continue
    owner="$(served_by "$RUN/owners-vip.txt" "$s")"
    # lines: "node time 200" answered, " 000" (or another code) failed; a line cut by the kill counts for nothing
    read -r n f m <<<"$(awk -v o="$owner" '$NF ~ /^[0-9][0-9][0-9]$/ {n++; if ($NF != 200 || $1 !~ /-n[0-9]+$/) f++; else if ($1 != o) m++}
        END {print n + 0, f + 0, m + 0}' "$RUN/probe/$s.log")"
    others_requests=$((others_requests + n)) others_failed=$((others_failed + f)) others_moved=$((others_moved + m))
done
metric failover_other_requests "$others_requests" requests
check failover-others-unaffected "other sources: $others_failed of $others_requests requests failed, $others_moved answered by another node than before" \
    bash -c "[[ $others_failed -eq 0 && $others_moved -eq 0 && $others_requests -gt 0 ]]"

# the crashed node restarts and rejoins both clusters
t0=$(now_ms)
if start_nodes "$victim" && wait_until 30 both_views 3 1 2 3; then
    pass rejoin-after-crash "node $victim restarted and is a member of both clusters again after $(($(now_ms) - t0)) ms"
else
    fail rejoin-after-crash "node $victim did not rejoin: $(view_text 1 2 3)"
fi
# the sources that moved stay where they are: sessions survive a join
serve_map "$RUN/map-after-rejoin.txt" "http://$VIP/" 1 "${A[@]}"
moved=0
for s in "${victim_sources[@]}"; do
    [[ "$(served_by "$RUN/map-after-rejoin.txt" "$s")" == "$(served_after "$RUN/probe/$s.log" "$t_kill" | awk '{print $2}')" ]] \
        || moved=$((moved + 1))
done
check rejoin-keeps-sessions "$((${#victim_sources[@]} - moved))/${#victim_sources[@]} failed-over sources still on their new node after node $victim rejoined" \
    test "$moved" -eq 0

# ==== 5. a fourth node joins while 20 long-lived streams run =======================================
stream_pids=()
for s in "${B[@]}"; do
    ip netns exec "$CL" curl -s --interface "$NET.$s" --max-time 120 --speed-limit 10000 --speed-time 3 \
        -o "$RUN/streams/$s.out" -w '%{http_code} %{size_download} %{time_total}\n' "http://$VIP/stream" \
        >"$RUN/streams/$s.res" 2>&1 &
    stream_pids+=($!)
done
background=("${stream_pids[@]}")
streams_flowing() { local s; for s in "${B[@]}"; do [[ -s "$RUN/streams/$s.out" ]] || return 1; done; }
wait_until 20 streams_flowing || note "not every stream had started before the join"
t0=$(now_ms)
if start_nodes 4 && wait_until 30 both_views 4 1 2 3 4; then
    join_ms=$(($(now_ms) - t0))
    pass join-under-load "node 4 is a member of both clusters $join_ms ms after its launch"
    metric join_ms "$join_ms" ms
else
    fail join-under-load "node 4 did not join: $(view_text 1 2 3 4)"
fi
alive=0; for p in "${stream_pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
check streams-outlive-join "$alive/${#B[@]} streams were still running when node 4 became a member (else: raise LNLB_STREAM_BYTES)" \
    test "$alive" -eq "${#B[@]}"
bad=() stream_nodes=() slowest=0
for ((k = 0; k < ${#B[@]}; k++)); do
    s="${B[$k]}"
    wait "${stream_pids[$k]}"; rc=$?
    read -r code size secs <<<"$(cat "$RUN/streams/$s.res")"
    first="$(head -n 1 "$RUN/streams/$s.out" 2>/dev/null)"
    stream_nodes+=("$first")
    secs="${secs%.*}"; ((${secs:-0} > slowest)) && slowest="${secs:-0}"
    if [[ $rc -ne 0 || "$code" != 200 || "$size" != "$LNLB_STREAM_BYTES" || "$first" != "$LAB-n"* ]]; then
        bad+=("$s(curl exit $rc, HTTP $code, $size bytes)")
    fi
done
background=()
metric streams_slowest_s "$slowest" s
check streams-intact "$((${#B[@]} - ${#bad[@]}))/${#B[@]} streams of $LNLB_STREAM_BYTES bytes completed, none reset or stalled (curl aborts below 10 kB/s for 3 s); served by: $(printf '%s\n' "${stream_nodes[@]}" | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')${bad:+; failed: ${bad[*]}}" \
    test "${#bad[@]}" -eq 0
serve_map "$RUN/map-fresh.txt" "http://$VIP/" 1 "${C[@]}"
read -r ok total _ _ text <<<"$(spread "$RUN/map-fresh.txt" 1)"
check join-takes-share "$ok/$total new sources answered after node 4 joined; per node: ${text%,}" \
    bash -c "[[ $ok -eq $total ]] && grep -q '$LAB-n4=' <<<'$text'"
serve_map "$RUN/map-after-join.txt" "http://$VIP/" 1 "${A[@]}"
moved=0
for s in "${A[@]}"; do
    [[ "$(served_by "$RUN/map-after-join.txt" "$s")" == "$(served_by "$RUN/map-after-rejoin.txt" "$s")" ]] || moved=$((moved + 1))
done
check join-keeps-sessions "$((${#A[@]} - moved))/${#A[@]} known sources still on their node after node 4 joined" test "$moved" -eq 0

# ==== 6. SIGTERM: node 4 leaves in order =============================================================
arp_ignore_before="$(ip netns exec "$LAB-n4" cat /proc/sys/net/ipv4/conf/eth0/arp_ignore)"
pid4="$(cat "$RUN/n4/node.pid")"
t0=$(now_ms)
kill -TERM "$pid4"
if wait_until 10 both_views 3 1 2 3; then leave_ms=$(($(now_ms) - t0)); else leave_ms=-1; fi
wait_until 30 bash -c "! kill -0 $pid4 2>/dev/null"
metric leave_view_change_ms "$leave_ms" ms
check sigterm-leaves "after SIGTERM of node 4 the others had a view of 3 in $leave_ms ms (a silent node takes $((DEAD_AFTER - INTERVAL / 2)) ms)" \
    bash -c "[[ $leave_ms -ge 0 && $leave_ms -lt $((DEAD_AFTER - INTERVAL / 2)) ]]"
grep '^CLOSED' "$RUN/n4/node.log" | sed 's/^/# node 4 /'
nlb_interfaces() { ip -n "$LAB-n$1" -o link show | awk -F': ' '{print $2}' | grep -c '^nlb'; }
check sigterm-cleans-up "node 4 after exit: $(nlb_interfaces 4) nlb interfaces, eth0 $(ip -n "$LAB-n4" -d link show eth0 | grep -o 'promiscuity [0-9]*'), arp_ignore $(ip netns exec "$LAB-n4" cat /proc/sys/net/ipv4/conf/eth0/arp_ignore) (was $arp_ignore_before while running)" \
    bash -c "[[ \$(ip -n $LAB-n4 -o link show | awk -F': ' '{print \$2}' | grep -c '^nlb') -eq 0 ]] && ip -n $LAB-n4 -d link show eth0 | grep -q 'promiscuity 0' \
        && [[ \$(ip netns exec $LAB-n4 cat /proc/sys/net/ipv4/conf/eth0/arp_ignore) == 0 ]]"

client_get 200 "http://$VIP/" >/dev/null; client_get 200 "http://$VIP2/" >/dev/null   # (re)resolve both VIPs
arp_checks -end
for i in 1 2 3; do
    note "node $i: $(grep -c '^STATUS' "$RUN/n$i/node.log") status lines; last: $(status_of "$i" "$VIP" | cut -d' ' -f1-5) / $(status_of "$i" "$VIP2" | cut -d' ' -f1-5)"
done
echo "cluster: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
