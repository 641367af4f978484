#!/usr/bin/env bash
# Bounded memory under a real SYN flood (issue 6 §2): three lnlb nodes with a small heap keep their
# established sessions and their cluster while hping3 sends SYNs from a million spoofed sources to
# the VIP.
#
#   lab/flood.sh            needs root, hping3 (lab/install.sh) and the runtime jar (./mvnw -B install -DskipTests)
#
# Steps, each waiting on conditions:
#   1. nodes 1-3 run the runtime jar (rtlib.sh), cluster "lab" from a file (heartbeat 500 ms x 20),
#      the TCP tracker's table bounded by a file of its own, $RUN/nI/etc/lnlb.module.tcp.cfg
#      (max.entries = $LNLB_FLOOD_MAX_ENTRIES; the default tracker's too), in JVMs capped at
#      $LNLB_FLOOD_HEAP (-Xmx, serial GC, -XX:+ExitOnOutOfMemoryError so that an OOM cannot go
#      unnoticed) and agree on a view;
#   2. established sessions: $STREAMS long-lived /stream downloads, and a curl loop from $PROBES
#      sources (5 GETs a second each, every one on a new connection);
#   3. the flood: hping3 -S -p 80 --rand-source --flood from the client namespace to VIP:80 until
#      SYNs from $LNLB_FLOOD_FRAMES distinct sources reached node 1 (tcpdump there captures them; a
#      second round if hping3's random sources repeated too often); jstat polls every node's heap twice a second;
#   4. checks (counters from `lnlbctl stats lab`): $LNLB_FLOOD_FRAMES SYNs reached every node's
#      engine (frames.in), from as many distinct sources; heap used stayed under the cap, no JVM died
#      or threw OutOfMemoryError; the tracker table had the bound of the file, stayed at it and
#      counted what it shed (table.protocol.6.connections.max, .entries, .evictions); the view never
#      changed (lnlbctl nodes); every stream completed with all its bytes and the curl loop had no failure.
#
# Output as cluster.sh: PASS/FAIL lines, METRIC lines, "flood: N passed, N failed" last; exit 0 when
# nothing failed. Always torn down (trap EXIT); the node logs, heap samples and stream outputs stay
# in lab/run/$LNLB_LAB.flood/.
#
# Environment: LNLB_LAB, LNLB_VIP (10.77.0.100), LNLB_RUNTIME_DIR, LNLB_FLOOD_FRAMES (1000000:
# SYNs that must reach the nodes), LNLB_FLOOD_HEAP (128m), LNLB_FLOOD_MAX_ENTRIES (50000: the
# trackers' bound), LNLB_FLOOD_HPING (--flood: hping3's pace; e.g. "-i u20" to throttle), LNLB_STREAM_RATE /
# LNLB_STREAM_BYTES (100k, 9000000: 90 s per stream; the streams must run while at least twice the
# bound of SYNs come in), LNLB_JAVA_OPTS (replaces the JVM options made from the heap cap).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RT_DEFAULT_LAB=lnlb
# a member is dead after 10 s of silence (500 ms x 20): the flood, its generator and three engines
# share a small machine; starved of CPU for a few seconds, a node must not be taken for dead, as this
# is a test of memory, not of failover (cluster.sh times that)
RT_FILE_DEFAULTS=("heartbeat.interval.ms = 500" "tolerance = 20")
# shellcheck source=rtlib.sh
. "$HERE/rtlib.sh"
FRAMES="${LNLB_FLOOD_FRAMES:-1000000}"
HEAP="${LNLB_FLOOD_HEAP:-128m}"
MAX_ENTRIES="${LNLB_FLOOD_MAX_ENTRIES:-50000}"
HPING_PACE="${LNLB_FLOOD_HPING:---flood}"
NODE_JAVA_OPTS="${LNLB_JAVA_OPTS:--XX:+UseSerialGC -Xmx$HEAP -XX:MaxDirectMemorySize=256m -XX:+ExitOnOutOfMemoryError}"
export LNLB_STREAM_BYTES="${LNLB_STREAM_BYTES:-9000000}"
TABLE=table.protocol.6.connections

STREAM_SOURCES=($(seq 231 240))
PROBE_SOURCES=($(seq 201 210))
STREAMS=${#STREAM_SOURCES[@]} PROBES=${#PROBE_SOURCES[@]}

PATH="$PATH:/usr/sbin:/sbin"
rt_scenario flood hping3 tcpdump curl
HPING3="$(command -v hping3)"
JCMD="$( [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/jcmd" ]] && echo "$JAVA_HOME/bin/jcmd" || command -v jcmd)"
[[ -n "$JSTAT" && -n "$JCMD" ]] || { fail prerequisites "jstat and jcmd (the JDK's) are needed to sample the heap"; finish; }

background=()
cleanup() {
    local status=$?
    ((${#background[@]})) && kill "${background[@]}" 2>/dev/null
    "$LAB_SH" down >/dev/null 2>&1 || "$LAB_SH" down
    rm -f "$RUN"/syn.*.pcap
    rm -rf "$RUN.flood" && mkdir -p "$RUN.flood" \
        && cp -r "$RUN"/n[0-9]* "$RUN/probe" "$RUN/streams" "$RUN"/*.txt "$RUN.flood/" 2>/dev/null
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$LAB_SH" down >/dev/null 2>&1 || true
"$LAB_SH" up 3 >&2 || { fail lab-up "lab.sh up 3 failed"; finish; }
rm -rf "$RUN/probe" "$RUN/streams" "$RUN"/*.txt
mkdir -p "$RUN/probe" "$RUN/streams"
note "heap cap -Xmx$HEAP ($NODE_JAVA_OPTS), the trackers' max.entries = $MAX_ENTRIES, $FRAMES SYNs (hping3 $HPING_PACE)"

# ==== 1. three nodes ================================================================================
# the trackers' configurations beside the cluster's file (FileInstall reads every .cfg of etc/)
for i in 1 2 3; do
    rm -rf "$RUN/n$i/etc" && mkdir -p "$RUN/n$i/etc"
    for pid in lnlb.module.tcp lnlb.module.default; do echo "max.entries = $MAX_ENTRIES" >"$RUN/n$i/etc/$pid.cfg"; done
done
RT_EXTRA_FILES=1 start_cluster || finish
read -r _ epoch_before _ <<<"$(view_of 1)"
pids=(); for i in 1 2 3; do pids+=("$(node_pid "$i")"); done

# heap samples: "S0U S1U EU OU" (KiB) twice a second, as jstat -gc prints them
for i in 1 2 3; do
    "$JSTAT" -gc "${pids[$((i - 1))]}" 500 >"$RUN/n$i/jstat.txt" 2>&1 &
    background+=($!)
done

# ==== 2. established sessions ======================================================================
stream_pids=()
for s in "${STREAM_SOURCES[@]}"; do
    ip netns exec "$CL" curl -s --interface "$NET.$s" --max-time 300 --speed-limit 10000 --speed-time 3 \
        -o "$RUN/streams/$s.out" -w '%{http_code} %{size_download} %{time_total}\n' "http://$VIP/stream" \
        >"$RUN/streams/$s.res" 2>&1 &
    stream_pids+=($!)
done
background+=("${stream_pids[@]}")
# the loop: a GET on a new connection every 200 ms per source; one line per GET: "lnlb-nI <time> 200",
# or " 000" when it failed (curl gives up after 3 s)
probe_pids=()
for s in "${PROBE_SOURCES[@]}"; do
    ip netns exec "$CL" curl -s --no-buffer --interface "$NET.$s" --rate 5/s --max-time 3 -H 'Connection: close' \
        -w ' %{http_code}\n' "http://$VIP/t?[1-5000]" >"$RUN/probe/$s.log" 2>&1 &
    probe_pids+=($!)
done
background+=("${probe_pids[@]}")
streams_flowing() { local s; for s in "${STREAM_SOURCES[@]}"; do [[ -s "$RUN/streams/$s.out" ]] || return 1; done; }
probes_answered() { local s; for s in "${PROBE_SOURCES[@]}"; do grep -q ' 200$' "$RUN/probe/$s.log" || return 1; done; }
wait_until 20 streams_flowing || note "not every stream had started before the flood"
wait_until 20 probes_answered || note "not every probe source had an answer before the flood"

# ==== 3. the flood =================================================================================
# counters: rtlib's counter I NAME (lnlbctl stats lab, live)
declare -A frames0
declare -A messages0
for i in 1 2 3; do frames0[$i]="$(counter "$i" frames.in)" messages0[$i]="$(counter "$i" cluster.messages)"; done
client_tx0="$(ip netns exec "$CL" cat /sys/class/net/eth0/statistics/tx_packets)"
node1_rx0="$(ip netns exec "$LAB-n1" cat /sys/class/net/eth0/statistics/rx_packets)"

# node 1 captures the spoofed SYNs that reach it (34 bytes of each, up to the IP addresses), one
# file per round of the flood: hping3's random sources repeat now and then (about 0.2 %), so another
# round follows while fewer than $FRAMES distinct sources came (at most 3 rounds)
FILTER="tcp[tcpflags] == tcp-syn and dst host $VIP and dst port 80 and not src net $NET.0/24"
rm -f "$RUN"/syn.*.pcap "$RUN"/hping3.*.txt
capture_start() {
    ip netns exec "$LAB-n1" tcpdump -i eth0 -n -s 34 -B 32768 -w "$RUN/syn.$1.pcap" "$FILTER" >"$RUN/tcpdump.$1.txt" 2>&1 &
    tcpdump_pid=$!
    background+=("$tcpdump_pid")
    wait_until 10 grep -q 'listening on' "$RUN/tcpdump.$1.txt" || note "tcpdump did not say it listens: $(cat "$RUN/tcpdump.$1.txt")"
}
# captured: the SYNs in the files so far (records of 16 + 34 bytes after a 24-byte header; tcpdump
# writes in blocks, so this lags by a few)
captured() {
    local f size total=0
    for f in "$RUN"/syn.*.pcap; do size="$(stat -c %s "$f" 2>/dev/null || echo 24)"; total=$((total + (size - 24) / 50)); done
    echo "$total"
}
# count_sources: "SYNS DISTINCT" over every round's file: "IP a.b.c.d > ...", the address's four
# numbers (the capture ends before the ports)
count_sources() {
    local f; for f in "$RUN"/syn.*.pcap; do tcpdump -r "$f" -n -t -q 2>/dev/null; done \
        | awk '$1 == "IP" {n++; split($2, a, "."); k = a[1] "." a[2] "." a[3] "." a[4]; if (!(k in seen)) {seen[k]; d++}}
              END {print n + 0, d + 0}'
}
sent() { echo $(($(ip netns exec "$CL" cat /sys/class/net/eth0/statistics/tx_packets) - client_tx0)); }
softnet_drops() { local s=0 d; while read -r _ d _; do s=$((s + 0x$d)); done </proc/net/softnet_stat; echo "$s"; }
streams_ended_at=""   # SYNs that had reached node 1 when the first stream ended
flood_done() {
    local n; n="$(captured)"
    if [[ -z "$streams_ended_at" ]]; then
        local p; for p in "${stream_pids[@]}"; do kill -0 "$p" 2>/dev/null || { streams_ended_at="$n"; break; }; done
    fi
    ((n >= target)) || ! kill -0 "$hping_pid" 2>/dev/null
}
drops0="$(softnet_drops)"
t0=$(now_ms)
target=$((FRAMES + FRAMES / 100)) round=0 syns=0 flood_ms=0 captured=0 distinct=0
while ((round < 3)); do
    round=$((round + 1))
    capture_start "$round"
    t_round=$(now_ms)
    # shellcheck disable=SC2086
    ip netns exec "$CL" "$HPING3" -q -S -p 80 --rand-source -I eth0 $HPING_PACE "$VIP" >"$RUN/hping3.$round.txt" 2>&1 &
    hping_pid=$!
    background+=("$hping_pid")
    wait_until 900 flood_done
    kill -INT "$hping_pid" 2>/dev/null; wait "$hping_pid" 2>/dev/null
    flood_ms=$((flood_ms + $(now_ms) - t_round))
    n="$(grep -o '^[0-9]* packets transmitted' "$RUN/hping3.$round.txt" | cut -d' ' -f1)"
    syns=$((syns + ${n:-0}))
    kill -INT "$tcpdump_pid" 2>/dev/null; wait "$tcpdump_pid" 2>/dev/null
    read -r captured distinct <<<"$(count_sources)"
    note "round $round: hping3 sent ${n:-0} SYNs; node 1 has captured $captured from $distinct distinct sources so far ($(grep -E 'dropped by kernel' "$RUN/tcpdump.$round.txt"))"
    ((distinct >= FRAMES)) && break
    target=$((captured + 2 * (FRAMES - distinct)))
done
client_sent="$(sent)"
rate=$((syns * 1000 / (flood_ms > 0 ? flood_ms : 1)))
metric flood_syns_sent "$syns" frames
metric flood_ms "$flood_ms" ms
metric flood_rate "$rate" SYN/s
check flood-sent "hping3 sent $syns SYNs from random sources in $round round(s), $flood_ms ms of flooding: $rate SYN/s (the client's eth0: $client_sent frames in all)" \
    test "$syns" -ge "$FRAMES"
metric flood_syns_captured "$captured" frames
metric flood_distinct_sources "$distinct" addresses
check flood-distinct-sources "node 1 captured $captured spoofed SYNs to $VIP:80 from $distinct distinct source addresses" \
    test "$distinct" -ge "$FRAMES"
note "frames the kernel dropped for a full input backlog (softnet_stat, every namespace) during the flood: $(($(softnet_drops) - drops0))"

# the streams were established before the flood and ran while the tracker's table was full and
# evicting: at least twice its bound of SYNs came in while every stream was running
during="${streams_ended_at:-$captured}"
metric flood_syns_during_streams "$during" frames
check streams-span-flood "every stream was running while $during SYNs reached the nodes (${streams_ended_at:+the first stream ended then; }wanted: 2 x the bound, $((2 * MAX_ENTRIES)); else raise LNLB_STREAM_BYTES)" \
    test "$during" -ge $((2 * MAX_ENTRIES))

# every node's engine saw every frame: the counters after the flood, once the sockets are drained
node1_rx=$(($(ip netns exec "$LAB-n1" cat /sys/class/net/eth0/statistics/rx_packets) - node1_rx0))
# frames from the client: all frames in, less the other nodes' cluster messages
client_frames() { echo $(($(counter "$1" frames.in) - ${frames0[$1]} - ($(counter "$1" cluster.messages) - ${messages0[$1]}))); }
reached() { local i; for i in 1 2 3; do (($(client_frames "$i") >= FRAMES)) || return 1; done; }
wait_until 30 reached   # the engines drain their sockets
for i in 1 2 3; do
    f=$(client_frames "$i")
    metric "flood_frames_in_n$i" "$f" frames
    check "frames-reach-n$i" "node $i's engine took $f frames in during the flood, besides cluster messages (the client's eth0 sent $client_sent, node 1's eth0 received $node1_rx in all); link.receive.dropped=$(counter "$i" link.receive.dropped)" \
        test "$f" -ge "$FRAMES"
done

# ==== 4. sessions, memory, shedding ================================================================
wait "${stream_pids[@]}" 2>/dev/null
bad=() slowest=0
for s in "${STREAM_SOURCES[@]}"; do
    read -r code size secs <<<"$(cat "$RUN/streams/$s.res")"
    secs="${secs%.*}"; ((${secs:-0} > slowest)) && slowest="${secs:-0}"
    [[ "$code" == 200 && "$size" == "$LNLB_STREAM_BYTES" && "$(head -n 1 "$RUN/streams/$s.out")" == "$LAB-n"* ]] \
        || bad+=("$s(HTTP $code, $size bytes)")
done
metric streams_slowest_s "$slowest" s
check streams-intact "$((STREAMS - ${#bad[@]}))/$STREAMS streams of $LNLB_STREAM_BYTES bytes completed through the flood, none reset or stalled (curl aborts below 10 kB/s for 3 s)${bad:+; failed: ${bad[*]}}" \
    test "${#bad[@]}" -eq 0
kill "${probe_pids[@]}" 2>/dev/null; wait "${probe_pids[@]}" 2>/dev/null
# failures, and when: seconds from the flood's start, by the last answer before each
read -r requests failures when <<<"$(for s in "${PROBE_SOURCES[@]}"; do cat "$RUN/probe/$s.log"; done \
    | awk -v t0="$t0" '$NF ~ /^[0-9][0-9][0-9]$/ {n++; if ($NF != 200 || $1 !~ /-n[0-9]+$/) {f++; w = w sprintf("%+.1fs,", last - t0 / 1000)} else last = $2}
          END {print n + 0, f + 0, w}')"
metric probe_requests "$requests" requests
metric probe_failures "$failures" requests
check curl-loop "$failures of $requests GETs from $PROBES sources (each on a new connection, 5 a second per source, before, during and after the flood) failed${when:+ (after the answers at ${when%,} from the start of the flood)}" \
    bash -c "[[ $failures -eq 0 && $requests -gt 0 ]]"

view_unchanged() { one_view 3 1 2 3 && [[ "$(view_of 1 | cut -d' ' -f2)" == "$epoch_before" ]]; }
check view-stable "the view stayed epoch $epoch_before with 3 members on every node (now: $(views_text 1 2 3))" \
    view_unchanged

cap_kib=$(numfmt --from=iec "${HEAP^^}" | awk '{print int($1 / 1024)}')
for i in 1 2 3; do
    pid="${pids[$((i - 1))]}"
    # live heap after a full collection, then the samples' maximum of used (S0U + S1U + EU + OU)
    live="$("$JCMD" "$pid" GC.run >/dev/null 2>&1; "$JSTAT" -gc "$pid" | awk 'NR == 2 {printf "%.0f", $3 + $4 + $6 + $8}')"
    read -r samples max_used max_old <<<"$(awk '$1 ~ /^[0-9.]+$/ {n++; u = $3 + $4 + $6 + $8; if (u > m) m = u; if ($8 > o) o = $8} END {printf "%d %.0f %.0f\n", n, m, o}' "$RUN/n$i/jstat.txt")"
    metric "heap_max_used_n$i" $((max_used / 1024)) MiB
    metric "heap_live_after_n$i" $((${live:-0} / 1024)) MiB
    oom="$(grep -c 'OutOfMemoryError' "$RUN/n$i/node.log")"
    check "heap-under-cap-n$i" "node $i: $samples samples, heap used at most $((max_used / 1024)) MiB (old gen $((max_old / 1024)) MiB), live after a full GC $((${live:-0} / 1024)) MiB, cap $((cap_kib / 1024)) MiB; alive: $(kill -0 "$pid" 2>/dev/null && echo yes || echo NO); OutOfMemoryError lines: $oom" \
        bash -c "[[ $samples -gt 10 && $max_used -lt $cap_kib && -n '$live' && $oom -eq 0 ]] && kill -0 $pid"
    entries="$(counter "$i" "$TABLE.entries")" bound="$(counter "$i" "$TABLE.max")" evictions="$(counter "$i" "$TABLE.evictions")"
    metric "tracker_evictions_n$i" "${evictions:-0}" entries
    note "node $i shed: $TABLE.entries=$entries .max=$bound .evictions=$evictions link.receive.dropped=$(counter "$i" link.receive.dropped) link.deliver.dropped=$(counter "$i" link.deliver.dropped) held.dropped=$(counter "$i" held.dropped) buffer.dropped=$(counter "$i" buffer.dropped) accepted=$(counter "$i" accepted) not.mine=$(counter "$i" not.mine)"
    check "shed-counted-n$i" "node $i's tcp tracker (lnlbctl stats) holds $entries connections, bound ${bound:-none} (the file says $MAX_ENTRIES), and counted $evictions live connections evicted at the bound" \
        bash -c "[[ '$bound' == $MAX_ENTRIES && ${entries:-0} -le $MAX_ENTRIES && ${entries:-0} -gt 0 && ${evictions:-0} -gt 0 ]]"
done
finish
