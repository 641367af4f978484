#!/usr/bin/env bash
# End-to-end checks of a real lnlb cluster in the lab (issue 3, DESIGN.md §3, §8): nodes running the
# engine over the Linux link, nginx in every node, curl and lab/sink.py (bulk TCP) in the client namespace.
#
#   lab/cluster.sh          needs root and the runtime jar (./mvnw -B install -DskipTests builds it)
#
# Nodes run the runtime jar (rtlib.sh: lnlb.service's JVM options, no console) with two clusters
# declared in files, $RUN/nI/etc/lnlb.cluster-lab.cfg (VIP) and lnlb.cluster-lab2.cfg (VIP2), both
# on eth0, heartbeat LNLB_INTERVAL_MS x LNLB_TOLERANCE; views, coordinator and membership are read
# with `lnlbctl nodes`.
#
# Scenarios, in one lab of 4 node namespaces (node 4 joins late), each waiting on conditions:
#   1. nodes 1-3 start with two clusters each (VIP and VIP2 on the same eth0) and agree on a view;
#   2. 300 GETs on new connections from 30 client source addresses to the VIP: all answered, every
#      node serves, each source always on the same node; the same on VIP2 (two clusters side by side);
#      the client's neighbour entries are the cluster MACs, the bridge never learns them;
#   3. one bulk TCP stream (lab/sink.py, one connection) through the VIP, offloads on;
#   4. kill -9 of the coordinator while every source keeps requesting: its sources are served again
#      within interval x tolerance + 1 s, the others never fail and never move; the node restarts and
#      rejoins;
#   5. 20 long-lived HTTP streams run while node 4 joins: none is reset or stalls; new sources reach
#      node 4, known ones stay where they are;
#   6. SIGTERM of node 4: it leaves at once (LEAVE, not a timeout) and cleans up after itself.
#
# Output as e2e.sh: "PASS|FAIL|SKIP name: detail", "METRIC name value unit", "# comment" lines, and
# "cluster: N passed, N failed" last; exit 0 when nothing failed. Always torn down (trap EXIT); the
# node logs, probe and stream outputs stay in lab/run/$LNLB_LAB.cluster/. Runs of the same LNLB_LAB
# wait for each other (flock).
#
# Environment: LNLB_LAB, LNLB_VIP (10.77.0.100), LNLB_VIP2 (10.77.0.101), LNLB_RUNTIME_DIR
# (lnlb.runtime/target), LNLB_INTERVAL_MS (200), LNLB_TOLERANCE (15), LNLB_IPERF_SECONDS (5),
# LNLB_MIN_VIP_GBPS (0.5), LNLB_STREAM_RATE / LNLB_STREAM_BYTES (100k, 3000000, i.e. 30 s
# per stream), LNLB_JAVA_OPTS (the node JVMs' options; default: lnlb.service's).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RT_DEFAULT_LAB=lnlb
INTERVAL="${LNLB_INTERVAL_MS:-200}"
TOLERANCE="${LNLB_TOLERANCE:-15}"
RT_FILE_DEFAULTS=("heartbeat.interval.ms = $INTERVAL" "tolerance = $TOLERANCE")
# shellcheck source=rtlib.sh
. "$HERE/rtlib.sh"
VIP2="${LNLB_VIP2:-10.77.0.101}"
SECONDS_IPERF="${LNLB_IPERF_SECONDS:-5}"
MIN_GBPS="${LNLB_MIN_VIP_GBPS:-0.5}"
# 30 s per stream: a runtime-jar node's start and join (JVM, framework, state transfer) take 10 s
# and more on a busy machine, and the streams must outlive it
export LNLB_STREAM_BYTES="${LNLB_STREAM_BYTES:-3000000}"
SW="$LAB-sw"

# Client sources (last octets): A for HTTP spread and failover, B for the streams, C fresh after the join.
A=($(seq 201 230))
B=($(seq 231 250))
C=($(seq 151 190))
REQUESTS_PER_SOURCE=10

rt_scenario cluster curl iperf3 ethtool

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

"$LAB_SH" down >/dev/null 2>&1 || true
"$LAB_SH" up 4 >&2 || { fail lab-up "lab.sh up 4 failed"; finish; }
rm -rf "$RUN/probe" "$RUN/streams"
mkdir -p "$RUN/probe" "$RUN/streams"
CMAC="$(cluster_mac "$VIP")" CMAC2="$(cluster_mac "$VIP2")"
DEAD_AFTER=$((INTERVAL * TOLERANCE))

# views_all I: "CLUSTER STATE EPOCH MEMBERS" per cluster, from one `lnlbctl nodes` of node I
views_all() { ctl "$1" nodes 2>/dev/null | sed -n 's/^\([a-z0-9]*\): [^,]*, \([a-z]*\), epoch \([0-9]*\), \([0-9]*\) member.*/\1 \2 \3 \4/p'; }
# both_views COUNT I...: every node I is a member of one view of COUNT members in each cluster, the
# same epoch on every node (one lnlbctl call per node)
both_views() {
    local count="$1" i; shift
    for i in "$@"; do views_all "$i" | sed "s/^/$i /"; done | awk -v n=$# -v c="$count" '
        $3 == "member" && $5 == c { k[$2]++; e[$2 " " $4] = 1 }
        END { for (x in e) { split(x, a, " "); epochs[a[1]]++ }
              exit !(k["lab"] == n && k["lab2"] == n && epochs["lab"] == 1 && epochs["lab2"] == 1) }'
}
# start_nodes I...: starts the nodes one after the other, each once the previous one is a member of
# both clusters (a cluster grows one join at a time; fewer JVMs starting at once on a small machine)
start_nodes() {
    local i
    for i in "$@"; do
        rm -rf "$RUN/n$i/etc" && cluster_file "$i" lab2 "$VIP2"
        RT_EXTRA_FILES=1 start_node "$i" || return 1
        wait_until 60 node_is_member "$i" || return 1
    done
}
node_is_member() { [[ "$(views_all "$1" | awk '$2 == "member" {n++} END {print n + 0}')" == 2 ]]; }
view_text() { local i; for i in "$@"; do printf 'n%s: %s; ' "$i" "$(views_all "$i" | tr '\n' ' ')"; done; }
coordinator() { ctl "$1" nodes lab 2>/dev/null | awk '/ coordinator/ {print $1; exit}'; }
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
    fail nodes-start "the runtime jar did not start, or did not join both clusters, in every node: $(view_text 1 2 3) (logs: $RUN.cluster/n*/node.log)"
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
# keep-alive connections (lab/keepalive.py), one per source, held across the scenarios: ka_start NAME
# TARGET SOURCES...; ka_round NAME ROUND (one more GET on every open connection); answers in
# $RUN/ka-NAME.txt as "ROUND source node|FAIL:reason"
ka_start() {
    local name="$1" target="$2"; shift 2
    rm -f "$RUN/ka-$name".*; mkfifo "$RUN/ka-$name.fifo"
    ip netns exec "$CL" "$PYTHON" "$HERE/keepalive.py" --vip "$target" --sources "$(printf "$NET.%s," "$@" | sed 's/,$//')" \
        --ctl "$RUN/ka-$name.fifo" --out "$RUN/ka-$name.txt" >"$RUN/ka-$name.log" 2>&1 &
    background+=($!)
    wait_until 30 grep -q '^ready' "$RUN/ka-$name.log"
}
ka_round() { timeout 10 bash -c "echo $2 >'$RUN/ka-$1.fifo'" && wait_until 60 grep -qx "done $2" "$RUN/ka-$1.log"; }
ka_stop() { timeout 10 bash -c "echo quit >'$RUN/ka-$1.fifo'"; }
# ka_same NAME ROUND... : "connections answered-in-every-round-by-one-node" over the connections open at the
# first ROUND and still answered in it
ka_same() {
    local name="$1"; shift
    awk -v rounds="$*" 'BEGIN { n = split(rounds, r, " "); for (i = 1; i <= n; i++) want[r[i]] = i }
        ($1 in want) { node[$2, want[$1]] = $3; src[$2] = 1 }
        END { for (x in src) { if (node[x, 1] !~ /-n[0-9]+$/) continue; total++; ok = 1
                  for (i = 2; i <= n; i++) if (node[x, i] != node[x, 1]) ok = 0
                  same += ok }
              print total + 0, same + 0 }' "$RUN/ka-$name.txt"
}
http_checks() { # http_checks LABEL TARGET MAPFILE
    local label="$1" target="$2" map="$3" ok total single nodes text conns same k rounds=(open)
    local t=$(now_ms)
    serve_map "$map" "http://$target/" "$REQUESTS_PER_SOURCE" "${A[@]}"
    read -r ok total single nodes text <<<"$(spread "$map" "$REQUESTS_PER_SOURCE")"
    metric "${label}_requests_ms" $(($(now_ms) - t)) ms
    check "$label-all-answered" "$ok/$total GETs to $target from ${#A[@]} sources answered (each on a new connection)" \
        test "$ok" -eq "$total"
    check "$label-every-node-serves" "sources per node: ${text%,}" test "$nodes" -eq 3
    # affinity: the tcp tracker keeps a connection on the node that took its SYN; one keep-alive
    # connection per source, REQUESTS_PER_SOURCE GETs on it
    ka_start "$label" "$target" "${A[@]}"
    for ((k = 1; k < REQUESTS_PER_SOURCE; k++)); do ka_round "$label" "r$k"; rounds+=("r$k"); done
    read -r conns same <<<"$(ka_same "$label" "${rounds[@]}")"
    check "$label-connection-affinity" "$same/${#A[@]} keep-alive connections (one per source) had all $REQUESTS_PER_SOURCE answers from one node; per node: $(awk '$1 == "open" {print $3}' "$RUN/ka-$label.txt" | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')" \
        test "$same" -eq "${#A[@]}"
}
http_checks http "$VIP" "$RUN/map-vip.txt"
http_checks http-vip2 "$VIP2" "$RUN/map-vip2.txt"
ka_stop http-vip2
# owners-vip.txt: "source node" of each VIP keep-alive connection
awk '$1 == "open" {print $2, $3}' "$RUN/ka-http.txt" | sed "s/^$NET\.//" >"$RUN/owners-vip.txt"

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
# lab/sink.py, not iperf3: iperf3 opens a control and a data connection, and the tcp tracker may give
# them to two nodes (each connection stays on the node that took its SYN)
for i in 1 2 3; do
    ip netns exec "$LAB-n$i" "$PYTHON" "$HERE/sink.py" server "$LAB-n$i" 0.0.0.0 5202 2>"$RUN/n$i/sink.log" &
    background+=($!)
done
sink_up() { local i; for i in 1 2 3; do ip netns exec "$LAB-n$i" ss -Hltn "sport = :5202" | grep -q . || return 1; done; }
wait_until 20 sink_up || note "the TCP sinks did not listen in time"
retrans() { ip netns exec "$CL" awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RetransSegs") c = i; h = 1 } else print $c }' /proc/net/snmp; }
retr0="$(retrans)"
ip netns exec "$CL" timeout $((SECONDS_IPERF + 30)) "$PYTHON" "$HERE/sink.py" client "$NET.200" "$VIP" 5202 "$SECONDS_IPERF" \
    >"$RUN/iperf-cluster.txt" 2>&1
retr=$(($(retrans) - retr0))
read -r sink_node sink_bytes sink_s gbps <<<"$(tail -1 "$RUN/iperf-cluster.txt")"
[[ "$gbps" =~ ^[0-9.]+$ ]] || gbps=""
metric iperf3_cluster_vip_gbps "${gbps:-0}" Gbit/s
metric iperf3_cluster_vip_retransmits "${retr:-?}" segments
check iperf3-vip "one TCP stream client -> VIP (lab/sink.py, $SECONDS_IPERF s) through a 3-node cluster: ${gbps:-failed} Gbit/s, $retr retransmits by the client; ${sink_node:-no node} received ${sink_bytes:-0} bytes ($(tail -1 "$RUN/iperf-cluster.txt"))" \
    awk -v rate="${gbps:-0}" -v min="$MIN_GBPS" 'BEGIN {exit !(rate + 0 >= min + 0)}'

# ==== 4. kill -9 of the coordinator while every source keeps requesting ============================
coordinator="$(coordinator 1)"
victim="$(node_of_mac "$coordinator" 1 2 3)"
if ! grep -q " $LAB-n$victim\$" "$RUN/owners-vip.txt"; then
    # (rare) the coordinator holds none of the 30 keep-alive connections: crash the busiest node instead
    victim="$(awk '{print $2}' "$RUN/owners-vip.txt" | sort | uniq -c | sort -rn | head -1 | awk '{print $2}')"
    victim="${victim##*-n}"
    note "the coordinator (node $(node_of_mac "$coordinator" 1 2 3)) holds none of the connections; crashing node $victim"
fi
survivors=(); for i in 1 2 3; do [[ $i == "$victim" ]] || survivors+=("$i"); done
victim_conns=($(awk -v n="$LAB-n$victim" '$2 == n {print $1}' "$RUN/owners-vip.txt"))
note "crashing node $victim ($(node_mac "$victim"), coordinator $coordinator), which holds the keep-alive connections of sources ${victim_conns[*]}"

# Probes: one curl per source, a GET on a new connection every 200 ms (--rate), to /t, which answers
# "lnlb-nI <server time, s.ms>": one line per GET, "lnlb-nI 1795609884.689 200", or " 000" when it
# failed (curl gives up after 0.5 s, so a GET whose SYN went to the crashed node is retried soon).
# The server's clock is this machine's: the times compare with the time of the kill. The tcp tracker
# spreads new connections over every node of the view: before the view change every source loses
# the GETs whose SYN the crashed node would have taken.
probe_pids=()
for s in "${A[@]}"; do
    ip netns exec "$CL" curl -s --no-buffer --interface "$NET.$s" --rate 5/s --max-time 0.5 -H 'Connection: close' \
        -w ' %{http_code}\n' "http://$VIP/t?[1-500]" >"$RUN/probe/$s.log" 2>&1 &
    probe_pids+=($!)
done
background+=("${probe_pids[@]}")
# answers LOG: "time_ms node" for every answered GET
answers() { awk '$1 ~ /-n[0-9]+$/ && $3 == 200 {printf "%.0f %s\n", $2 * 1000, $1}' "$1"; }
probes_answered() { local s; for s in "${A[@]}"; do [[ -n "$(answers "$RUN/probe/$s.log")" ]] || return 1; done; }
wait_until 20 probes_answered || note "not every probe had an answer before the crash"
kill -KILL "$(node_pid "$victim")"
t_kill=$(now_ms)
"$LAB_SH" node-kill "$victim" >&2          # waits until it is gone
if wait_until 10 both_views 2 "${survivors[@]}"; then
    t_view=$(now_ms) view_ms=$((t_view - t_kill))
else
    t_view=$(now_ms) view_ms=-1
fi
metric failover_view_change_ms "$view_ms" ms
# back_after LOG T: "ms node" of the first answer after the last failed GET (relative to T), or "0 -"
# when no GET failed after T
back_after() {
    awk -v t="$2" '$NF ~ /^[0-9][0-9][0-9]$/ { if ($1 ~ /-n[0-9]+$/ && $NF == 200) { last = $2 * 1000; if (pending && last > t) { back = last - t; node = $1; pending = 0 } }
                                               else if (last > t - 1000) { pending = 1; back = -1 } }
        END { if (pending) print -1, "-"; else if (back == "") print 0, "-"; else print back, node }' "$1"
}
recovered() { local s; for s in "${A[@]}"; do [[ "$(back_after "$RUN/probe/$s.log" "$t_kill" | cut -d' ' -f1)" != -1 ]] || return 1; done; }
wait_until 15 recovered
t_settled=$(now_ms)
# every source makes at least two more GETs after the last one's recovery
after_settled() { local s; for s in "${A[@]}"; do answers "$RUN/probe/$s.log" | awk -v t="$t_settled" '$1 > t {f++} END {exit !(f >= 2)}' || return 1; done; }
wait_until 15 after_settled
kill "${probe_pids[@]}" 2>/dev/null
wait "${probe_pids[@]}" 2>/dev/null
worst=0 missing=() lost_sources=0
for s in "${A[@]}"; do
    read -r back node <<<"$(back_after "$RUN/probe/$s.log" "$t_kill")"
    if ((back < 0)); then missing+=("$s"); continue; fi
    ((back > 0)) && lost_sources=$((lost_sources + 1))
    ((back > worst)) && worst=$back
done
metric failover_worst_source_recovery_ms "$worst" ms
bound=$((DEAD_AFTER + 1000))
check failover-within-bound "$lost_sources of ${#A[@]} sources lost GETs (new connections) to the crashed node; every source was answered again after at most $worst ms (bound: interval x tolerance + 1 s = $bound ms; view changed after $view_ms ms)${missing:+; never again: ${missing[*]}}" \
    bash -c "[[ ${#missing[@]} -eq 0 && $worst -le $bound && $lost_sources -gt 0 ]]"
# the keep-alive connections held by the survivors go on, on the same node; those of the crashed node
# are gone (its kernel held them) and no other node answers on them
ka_round http after-kill
read -r kept_total kept_same <<<"$(awk '$1 == "open" || $1 == "after-kill"' "$RUN/ka-http.txt" | awk -v dead="$LAB-n$victim" '
    $1 == "open" { o[$2] = $3; next } o[$2] != dead { t++; if ($3 == o[$2]) s++ } END { print t + 0, s + 0 }')"
victim_answered="$(awk -v dead="$LAB-n$victim" '$1 == "open" { o[$2] = $3; next } o[$2] == dead && $3 !~ /^FAIL/' \
    <(awk '$1 == "open" || $1 == "after-kill"' "$RUN/ka-http.txt") | wc -l)"
check failover-moved-sources-stay "after the crash, $kept_same/$kept_total keep-alive connections held by the survivors answered by the same node; $victim_answered of the ${#victim_conns[@]} connections of the crashed node answered (by another node)" \
    bash -c "[[ $kept_total -gt 0 && $kept_same -eq $kept_total && $victim_answered -eq 0 ]]"
# after the view change no GET fails and none reaches the crashed node
others_requests=0 others_failed=0 others_dead=0
for s in "${A[@]}"; do
    read -r n f d <<<"$(awk -v t="$t_view" -v dead="$LAB-n$victim" '$NF ~ /^[0-9][0-9][0-9]$/ {
            if ($1 ~ /-n[0-9]+$/ && $NF == 200) { after = ($2 * 1000 > t); if (after) { n++; if ($1 == dead) d++ } }
            else if (after) { n++; f++ } }
        END {print n + 0, f + 0, d + 0}' "$RUN/probe/$s.log")"
    others_requests=$((others_requests + n)) others_failed=$((others_failed + f)) others_dead=$((others_dead + d))
done
metric failover_other_requests "$others_requests" requests
check failover-others-unaffected "after the view change (GETs answered later than $view_ms ms after the kill, and every GET after those): $others_failed of $others_requests failed, $others_dead answered by the crashed node" \
    bash -c "[[ $others_failed -eq 0 && $others_dead -eq 0 && $others_requests -gt 0 ]]"

# the crashed node restarts and rejoins both clusters; keep-alive connections opened while it was out
# (all on the survivors) stay where they are: sessions survive a join
ka_start post "$VIP" "${A[@]}"
t0=$(now_ms)
if start_nodes "$victim" && wait_until 30 both_views 3 1 2 3; then
    pass rejoin-after-crash "node $victim restarted and is a member of both clusters again after $(($(now_ms) - t0)) ms"
else
    fail rejoin-after-crash "node $victim did not rejoin: $(view_text 1 2 3)"
fi
ka_round post after-rejoin
read -r conns same <<<"$(ka_same post open after-rejoin)"
check rejoin-keeps-sessions "$same/$conns keep-alive connections opened while node $victim was out (one per source) still on their node after it rejoined" \
    bash -c "[[ $conns -eq ${#A[@]} && $same -eq $conns ]]"

# ==== 5. a fourth node joins while 20 long-lived streams run =======================================
stream_pids=()
for s in "${B[@]}"; do
    ip netns exec "$CL" curl -s --interface "$NET.$s" --max-time 120 --speed-limit 10000 --speed-time 3 \
        -o "$RUN/streams/$s.out" -w '%{http_code} %{size_download} %{time_total}\n' "http://$VIP/stream" \
        >"$RUN/streams/$s.res" 2>&1 &
    stream_pids+=($!)
done
background+=("${stream_pids[@]}")
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
metric streams_slowest_s "$slowest" s
check streams-intact "$((${#B[@]} - ${#bad[@]}))/${#B[@]} streams of $LNLB_STREAM_BYTES bytes completed, none reset or stalled (curl aborts below 10 kB/s for 3 s); served by: $(printf '%s\n' "${stream_nodes[@]}" | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')${bad:+; failed: ${bad[*]}}" \
    test "${#bad[@]}" -eq 0
serve_map "$RUN/map-fresh.txt" "http://$VIP/" 1 "${C[@]}"
read -r ok total _ _ text <<<"$(spread "$RUN/map-fresh.txt" 1)"
check join-takes-share "$ok/$total new sources answered after node 4 joined; per node: ${text%,}" \
    bash -c "[[ $ok -eq $total ]] && grep -q '$LAB-n4=' <<<'$text'"
ka_round post after-join
ka_round http after-join
read -r conns same <<<"$(ka_same post open after-rejoin after-join)"
read -r conns0 same0 <<<"$(ka_same http after-kill after-join)"
check join-keeps-sessions "$((same + same0))/$((conns + conns0)) known keep-alive connections still on their node after node 4 joined ($same/$conns opened while node $victim was out, $same0/$conns0 held by the survivors since the start)" \
    bash -c "[[ $conns -eq ${#A[@]} && $((same + same0)) -eq $((conns + conns0)) ]]"
ka_stop post; ka_stop http

# ==== 6. SIGTERM: node 4 leaves in order =============================================================
arp_ignore_before="$(ip netns exec "$LAB-n4" cat /proc/sys/net/ipv4/conf/eth0/arp_ignore)"
pid4="$(node_pid 4)"
coordinator_node="$(node_of_mac "$(coordinator 1)" 1 2 3)"
# the view change is timed by the coordinator's log ("CLUSTER: committed view epoch E [3 members]",
# time-stamped as it happens); polling lnlbctl nodes on 3 nodes takes one JVM start per call, which a
# busy machine stretches to a second or more
day_ms() { awk -F'[:.]' '{ printf "%d\n", (($1 * 60 + $2) * 60 + $3) * 1000 + $4 }' <<<"$1"; }
committed_after() { # committed_after I CLUSTER DAY_MS: node I's first commit of a 3-member view of CLUSTER after DAY_MS
    awk -v c="$2: committed view epoch" -v t="$3" 'index($0, c) {
            split($1, a, /[:.]/); ms = ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4]
            if (ms < t - 43200000) ms += 86400000   # past midnight
            members = $0; n = gsub(/\//, "", members)
            if (ms > t && n == 3) { print ms; exit } }' "$RUN/n$1/node.log"
}
t0=$(now_ms) t0_day="$(day_ms "$(date +%T.%3N)")"
kill -TERM "$pid4"
if wait_until 10 both_views 3 1 2 3; then polled_ms=$(($(now_ms) - t0)); else polled_ms=-1; fi
wait_until 30 bash -c "! kill -0 $pid4 2>/dev/null"
c1="$(committed_after "$coordinator_node" lab "$t0_day")" c2="$(committed_after "$coordinator_node" lab2 "$t0_day")"
leave_ms=-1
[[ -n "$c1" && -n "$c2" && $polled_ms -ge 0 ]] && leave_ms=$(( (c1 > c2 ? c1 : c2) - t0_day ))
metric leave_view_change_ms "$leave_ms" ms
metric leave_view_polled_ms "$polled_ms" ms
check sigterm-leaves "after SIGTERM of node 4 the coordinator (node $coordinator_node) committed views of 3 for both clusters in $leave_ms ms (its log; a silent node takes $((DEAD_AFTER - INTERVAL / 2)) ms), every node showed them in lnlbctl nodes after $polled_ms ms" \
    bash -c "[[ $leave_ms -ge 0 && $leave_ms -lt $((DEAD_AFTER - INTERVAL / 2)) ]]"
sed -n '/^=== node-start/h; /^=== node-start/!H; ${x; p}' "$RUN/n4/node.log" | grep -iE 'leav|closed|stopp' | tail -5 | sed 's/^/# node 4: /'
nlb_interfaces() { ip -n "$LAB-n$1" -o link show | awk -F': ' '{print $2}' | grep -c '^nlb'; }
check sigterm-cleans-up "node 4 after exit: $(nlb_interfaces 4) nlb interfaces, eth0 $(ip -n "$LAB-n4" -d link show eth0 | grep -o 'promiscuity [0-9]*'), arp_ignore $(ip netns exec "$LAB-n4" cat /proc/sys/net/ipv4/conf/eth0/arp_ignore) (was $arp_ignore_before while running)" \
    bash -c "[[ \$(ip -n $LAB-n4 -o link show | awk -F': ' '{print \$2}' | grep -c '^nlb') -eq 0 ]] && ip -n $LAB-n4 -d link show eth0 | grep -q 'promiscuity 0' \
        && [[ \$(ip netns exec $LAB-n4 cat /proc/sys/net/ipv4/conf/eth0/arp_ignore) == 0 ]]"

client_get 200 "http://$VIP/" >/dev/null; client_get 200 "http://$VIP2/" >/dev/null   # (re)resolve both VIPs
arp_checks -end
for i in 1 2 3; do
    note "node $i: $(grep -c 'committed view' "$RUN/n$i/node.log") 'committed view' log lines; now: $(views_all "$i" | tr '\n' ' ')"
done
finish
