#!/usr/bin/env bash
# Weights that balance (issue 16, acceptance): three runtime-jar nodes with the default weight mode,
# then in loadavg mode with a load of their own given through `weight.source` (namespaces share the
# host's load average, so each node reads a file of its own in /proc/loadavg's format).
#
#   lab/weights.sh          needs root and the runtime jar (./mvnw -B install -DskipTests builds it)
#
# Namespaces: lab.sh's, prefix LNLB_LAB (default lnlbwt). Nodes: the runtime jar, cluster "lab" from
# a file with heartbeat 200 ms x tolerance 5, no weight settings (the defaults) but
# `weight.source = $RUN/nI/load` and `weight.change.interval.ms = LNLB_WEIGHT_CHANGE_MS` (2000).
# Checks:
#   - the cluster forms;
#   - split-N (5 runs) and split-all-runs: the default mode splits LNLB_FLOWS (300) new UDP flows a
#     run (each request a new source address/port pair from 24 addresses: a new session for the UDP
#     tracker) within +-30 % of a third per node in each run and within +-15 % over the 5 runs;
#   - equal-no-weight-changes: with the defaults, no weight-only view change in those runs;
#   - idle-rate: every node in loadavg mode at load 0.00 for LNLB_IDLE_S (20) s: view.changes.weight
#     (lnlbctl stats) at most one per interval (+1);
#   - loaded-share-falls, loaded-share-settles: node 3's load file says 6.00 (3 per CPU on 2 CPUs):
#     its SHARE in `lnlbctl nodes` falls below 20 % and stays within 2 points over the last 10 s of 60 s.
# Output as the other scenarios; last line "weights: N passed, N failed"; exit 0 when nothing failed.
#
# Environment: LNLB_LAB (lnlbwt), LNLB_VIP, LNLB_RUNTIME_DIR, LNLB_JAVA_OPTS, LNLB_FLOWS (300),
# LNLB_WEIGHT_CHANGE_MS (2000), LNLB_IDLE_S (20), LNLB_PYTHON.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RT_DEFAULT_LAB=lnlbwt
# shellcheck source=rtlib.sh
. "$HERE/rtlib.sh"
FLOWS="${LNLB_FLOWS:-300}"
CHANGE_MS="${LNLB_WEIGHT_CHANGE_MS:-2000}"
IDLE_S="${LNLB_IDLE_S:-20}"
rt_scenario weights

cleanup() {
    local status=$?
    ((${#UDP_SERVERS[@]})) && kill "${UDP_SERVERS[@]}" 2>/dev/null
    "$LAB_SH" down >/dev/null 2>&1 || "$LAB_SH" down
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_default_node I: rtlib's start_node with a cluster file that keeps the default weight mode
# and reads node I's own load file; affinity connection: the split is counted per UDP flow (300
# flows from 24 sources), and under the default, source, a source's flows would stay together
RT_FILE_DEFAULTS=("affinity = connection")
start_default_node() {
    mkdir -p "$RUN/n$1" && printf '0.00 0.00 0.00 1/1 1\n' >"$RUN/n$1/load"
    start_node "$1" "heartbeat.interval.ms = 200" "tolerance = 5" "weight.source = $RUN/n$1/load" \
        "weight.change.interval.ms = $CHANGE_MS"
}
weight_changes() { stats_of "$1" | awk '$1 == "view.changes.weight" { print $2 }'; }
own_share() { ctl "$1" nodes lab 2>/dev/null | awk '/this node/ { sub(/%/, "", $3); print $3 }'; }

"$LAB_SH" down >/dev/null 2>&1 || true
mkdir -p "$RUN"
"$LAB_SH" up 3 >&2 || { fail lab-up "lab.sh up 3 failed"; finish; }
udp_servers || finish
t0=$(now_ms)
for i in "${NODES[@]}"; do
    start_default_node "$i"
    wait_until 90 node_is_member "$i" || { fail cluster-formed "node $i did not join (log: $RUN/n$i/node.log)"; finish; }
done
if wait_until 60 one_view 3 "${NODES[@]}"; then
    pass cluster-formed "3 nodes, default weight mode, one view $(($(now_ms) - t0)) ms after the first launch: $(views_text "${NODES[@]}")"
else
    fail cluster-formed "no common view of 3: $(views_text "${NODES[@]}")"; finish
fi
note "$(ctl 1 nodes lab)"

# ---- part 1: the default splits new sessions evenly ------------------------------------------------
# split_within FILE FLOWS TOLERANCE: 1 when the first FLOWS flows of FILE went to 3 nodes, each within
# a third +- TOLERANCE
split_within() {
    head -n "$2" "$1" | awk -v f="$2" -v t="$3" '$7 != "-" { n[$7]++ } END {
        k = 0; ok = 1; for (x in n) { k++; if (n[x] < f / 3 * (1 - t) || n[x] > f / 3 * (1 + t)) ok = 0 } print (ok && k == 3) ? 1 : 0 }'
}
rm -f "$RUN/split-all.txt"
before_equal="$(weight_changes 1)"
sources="$(printf "$NET.%s," $(seq 151 174) | sed 's/,$//')"
for run in 1 2 3 4 5; do
    dir="$RUN/split$run"; rm -rf "$dir"; mkdir -p "$dir"
    # 24 addresses x 25 requests/s: FLOWS new flows in FLOWS/600 s, then stop
    ip netns exec "$LAB-cl" "$PYTHON" "$HERE/udp-dup.py" client --vip "$VIP" --port "$UDP_PORT" --rate 25 \
        --sources "$sources" --stop "$dir/stop" --out "$dir/udp.txt" 2>"$dir/udp.err" &
    client=$!
    wait_until 30 test "$(cat "$dir/udp.txt" 2>/dev/null | wc -l)" -ge "$FLOWS"
    touch "$dir/stop"; wait "$client"
    head -n "$FLOWS" "$dir/udp.txt" >>"$RUN/split-all.txt"
    counts="$(head -n "$FLOWS" "$dir/udp.txt" | awk '$7 != "-" { n[$7]++ } END { for (k in n) printf "%s=%d ", k, n[k] }')"
    # One run of 300 random flows spreads about +-8 flows around 100 per node (binomial): +-15 % is
    # under two of those, so a fair split fails it one run in a few. Each run must be within +-30 %
    # (3.7 spreads: a skew, not chance); the 5 runs together (1,500 flows) within +-15 % (4 spreads).
    check "split-$run" "first $FLOWS flows of run $run per node: $counts(a third is $((FLOWS / 3)), +-30 % per run)" \
        test "$(split_within "$dir/udp.txt" "$FLOWS" 0.30)" -eq 1
done
counts="$(awk '$7 != "-" { n[$7]++ } END { for (k in n) printf "%s=%d ", k, n[k] }' "$RUN/split-all.txt")"
check split-all-runs "all $((5 * FLOWS)) flows of the 5 runs per node: $counts(a third is $((5 * FLOWS / 3)), +-15 %)" \
    test "$(split_within "$RUN/split-all.txt" "$((5 * FLOWS))" 0.15)" -eq 1
after_equal="$(weight_changes 1)"
check equal-no-weight-changes "view.changes.weight on node 1 in the default mode: $before_equal before the runs, $after_equal after" \
    test "${after_equal:-1}" -eq "${before_equal:-0}"

# ---- part 2: loadavg mode, idle: weight-only view changes within the rate ---------------------------
for i in "${NODES[@]}"; do ctl "$i" weightmode lab loadavg >&2; done
sleep 1
w0="$(weight_changes 1)"; t_idle=$(now_ms)
sleep "$IDLE_S"   # the observation window itself
w1="$(weight_changes 1)"; idle_ms=$(($(now_ms) - t_idle))
check idle-rate "loadavg mode, load 0.00 on every node: $((w1 - w0)) weight-only view changes in $idle_ms ms (at most $((idle_ms / CHANGE_MS + 1)) at one per $CHANGE_MS ms)" \
    test $((w1 - w0)) -le $((idle_ms / CHANGE_MS + 1))
metric idle_weight_view_changes $((w1 - w0)) changes

# ---- part 3: node 3 loaded: its share falls and settles ----------------------------------------------
printf '6.00 6.00 6.00 1/1 1\n' >"$RUN/n3/load"
samples=(); t_load=$(now_ms)
for ((k = 0; k < 30; k++)); do
    sleep 2   # sampling the share, not waiting for a condition
    samples+=("$(own_share 3)")
done
note "node 3's share every 2 s after its load went to 6.00: ${samples[*]}"
last="${samples[-1]}"
check loaded-share-falls "node 3's share $(($(now_ms) - t_load)) ms after its load went to 6.00: ${last}% (from ${samples[0]}%)" \
    awk -v s="$last" 'BEGIN { exit !(s + 0 < 20) }'
# Settled: within 2 points over the last 10 s (the smoothing's tail still moves it by one 5 % weight
# step, about half a point, now and then: a CI run saw 12.0 12.0 11.5 11.5 11.5).
check loaded-share-settles "node 3's share over the last 10 s: ${samples[*]: -5} (within 2 points)" \
    awk -v s="${samples[*]: -5}" 'BEGIN { n = split(s, v, " "); lo = hi = v[1] + 0
        for (i = 2; i <= n; i++) { if (v[i] + 0 < lo) lo = v[i] + 0; if (v[i] + 0 > hi) hi = v[i] + 0 }
        exit !(hi - lo <= 2) }'
metric loaded_share_final "$last" percent
metric weight_view_changes_total "$(weight_changes 1)" changes
note "$(ctl 1 nodes lab)"
finish
