#!/usr/bin/env bash
# Metrics that monitoring tools read (issue 14 §3): two runtime-jar nodes, each writing its metrics
# textfile (etc/lnlb.metrics.cfg: textfile = ..., interval.ms = 1000), and prometheus-node-exporter
# with only its textfile collector in node 1's namespace, listening on node 1's lab address (so only
# inside the lab). Steps, each waiting on conditions:
#   1. the cluster forms; HTTP through the VIP moves the counters;
#   2. each node's textfile appears (0644, replaced by rename) and passes promtool check metrics;
#   3. node_exporter, read with curl from the client namespace, serves lnlb_ metrics with no textfile
#      error; every counter of `lnlbctl stats lab` is there, with a value between two readings of
#      lnlbctl stats taken around the scrape (the file collected after the first), the view (epoch,
#      members) and every node's weight and share as `lnlbctl nodes lab` shows them;
#      lnlbctl stats --openmetrics passes prometheus_client's OpenMetrics parser, --prometheus promtool;
#   4. the runtime itself listens on nothing (no TCP or UDP socket of its JVM);
#   5. node 2 stops: its textfile goes; node 1's, through node_exporter, shows a view of 1 member.
#
#   lab/metrics.sh          needs root, the runtime jar (./mvnw -B install -DskipTests), promtool and
#                           prometheus-node-exporter (lab/install.sh)
#
# Output as cluster.sh: PASS/FAIL lines, METRIC lines, "metrics: N passed, N failed" last. Always torn
# down (trap EXIT); node logs and the scraped text stay in lab/run/$LNLB_LAB.metrics/.
#
# Environment: LNLB_LAB, LNLB_VIP (10.77.0.100), LNLB_RUNTIME_DIR, LNLB_EXPORTER (prometheus-node-exporter).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB="${LNLB_LAB:-lnlbmt}"
VIP="${LNLB_VIP:-10.77.0.100}"
export LNLB_LAB="$LAB" LNLB_VIP="$VIP"
RUN="$HERE/run/$LAB"
LAB_SH="$HERE/lab.sh"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
NODES=(1 2)
# shellcheck source=rtlib.sh
. "$HERE/rtlib.sh"
EXPORTER="${LNLB_EXPORTER:-$(command -v prometheus-node-exporter || echo /usr/bin/prometheus-node-exporter)}"
PORT=9100
SCRAPE="http://$NET.11:$PORT/metrics"

[[ $(id -u) -eq 0 ]] || { echo "metrics: needs root (network namespaces)" >&2; exit 2; }
lab_checks metrics
finish() { echo "metrics: $passed passed, $failed failed"; [[ $failed -eq 0 ]]; exit; }
rt_prerequisites curl promtool "$EXPORTER"
lab_lock

EXPORTER_PID=""
cleanup() {
    local status=$?
    [[ -n "$EXPORTER_PID" ]] && kill "$EXPORTER_PID" 2>/dev/null
    "$LAB_SH" down >/dev/null 2>&1 || "$LAB_SH" down
    rm -rf "$RUN.metrics" && mkdir -p "$RUN.metrics" && cp -r "$RUN"/n[0-9]* "$RUN"/*.txt "$RUN.metrics/" 2>/dev/null
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$LAB_SH" down >/dev/null 2>&1 || true
"$LAB_SH" up 2 >&2 || { fail lab-up "lab.sh up 2 failed"; finish; }
start_cluster "heartbeat.interval.ms = 200" "tolerance = 10" || finish
textfile() { echo "$RUN/n$1/textfile/lnlb.prom"; }
for i in "${NODES[@]}"; do
    # FileInstall reads the file within a second: the node starts writing without a restart
    mkdir -p "$RUN/n$i/textfile"
    printf 'textfile = %s\ninterval.ms = 1000\n' "$(textfile "$i")" >"$RUN/n$i/etc/lnlb.metrics.cfg"
done
# some traffic through the VIP: datagrams, decisions, sessions move
for s in 201 202 203 204 205 206; do client_gets "$s" 5 "http://$VIP/" >/dev/null; done

# ==== 2. the textfiles ==========================================================================
written() { [[ -s "$(textfile "$1")" ]] && grep -q '^lnlb_view_members' "$(textfile "$1")"; }
for i in "${NODES[@]}"; do
    f="$(textfile "$i")"
    if wait_until 30 written "$i"; then
        mode="$(stat -c %a "$f")"; lint="$(promtool check metrics <"$f" 2>&1)"; rc=$?
        leftovers="$(ls -A "$(dirname "$f")" | grep -v '^lnlb.prom$' | tr '\n' ' ')"
        check "n$i-textfile" "node $i writes $f ($(grep -c '^lnlb_' "$f") samples, mode $mode, promtool: rc $rc ${lint:-clean}${leftovers:+, also: $leftovers})" \
            test "$rc" -eq 0 -a -z "$lint" -a "$mode" = 644 -a -z "$leftovers"
    else
        fail "n$i-textfile" "node $i wrote no $f in 30 s (log: $RUN/n$i/node.log)"
    fi
done

# ==== 3. node_exporter in node 1, read from the client namespace ================================
ip netns exec "$LAB-n1" "$EXPORTER" --web.listen-address="$NET.11:$PORT" --collector.disable-defaults \
    --collector.textfile --collector.textfile.directory="$RUN/n1/textfile" >"$RUN/n1/node-exporter.log" 2>&1 &
EXPORTER_PID=$!
scrape() { ip netns exec "$LAB-cl" curl -s --max-time 5 "$SCRAPE"; }
serves() { scrape | grep -q '^lnlb_view_members{cluster="lab"'; }
if wait_until 30 serves; then
    errors="$(scrape | awk '$1 == "node_textfile_scrape_error" {print $2}')"
    check exporter-serves "node_exporter on $NET.11:$PORT (node 1's namespace only) serves $(scrape | grep -c '^lnlb_') lnlb_ samples, node_textfile_scrape_error ${errors:-absent}" \
        test "$errors" = 0
else
    fail exporter-serves "no lnlb_ metrics from $SCRAPE in 30 s: $(scrape | head -3) (log: $RUN/n1/node-exporter.log)"
    finish
fi
mac1="$(ctl 1 nodes lab | awk '/this node/ {print $1}')"
f1="$(textfile 1)"
mtime() { stat -c %.9Y "$f1" 2>/dev/null || echo 0; }
newer_than() { awk -v a="$(mtime)" -v b="$1" 'BEGIN { exit !(a > b) }'; }
t_before="$(date +%s.%N)"
ctl 1 stats lab >"$RUN/stats-before.txt"
# A write's values are read just before its rename: the first file renamed after the reading may hold
# values from before it; the next one was collected after that rename (one writer, one write at a time).
wait_until 10 newer_than "$t_before"
m1="$(mtime)"
wait_until 10 newer_than "$m1"
scrape >"$RUN/scraped.txt"
ctl 1 stats lab >"$RUN/stats-after.txt"
ctl 1 nodes lab >"$RUN/nodes.txt"
verdict="$("$PYTHON" "$HERE/metrics_compare.py" lab "$mac1" "$RUN/stats-before.txt" "$RUN/stats-after.txt" "$RUN/scraped.txt" 2>&1)"; rc=$?
check counters-match "every counter of lnlbctl stats lab in node_exporter's answer, between two stats readings: $(echo "$verdict" | tail -1)$( [[ $rc -ne 0 ]] && echo "; $(echo "$verdict" | head -5 | tr '\n' ';')")" \
    test "$rc" -eq 0
metric counters_compared "$(echo "$verdict" | tail -1 | awk '{print $2}')" counters

# the view: epoch and members from the first line of nodes, each node's weight and share from its row
epoch="$(sed -n '1s/.*, epoch \([0-9]*\),.*/\1/p' "$RUN/nodes.txt")"
members="$(sed -n '1s/.*, \([0-9]*\) member(s).*/\1/p' "$RUN/nodes.txt")"
sample() { awk -v k="$1" '$1 == k {print $2}' "$RUN/scraped.txt"; }
here="{cluster=\"lab\",node=\"$mac1\"}"
view_bad=""
[[ "$(sample "lnlb_view_epoch$here")" == "$epoch" ]] || view_bad+="epoch $epoch vs $(sample "lnlb_view_epoch$here"); "
[[ "$(sample "lnlb_view_members$here")" == "$members" ]] || view_bad+="members $members vs $(sample "lnlb_view_members$here"); "
rows=0
while read -r mac weight share _; do
    [[ "$mac" =~ ^[0-9a-f]{2}(:[0-9a-f]{2}){5}$ ]] || continue
    rows=$((rows + 1))
    key="{cluster=\"lab\",node=\"$mac\"}"
    w="$(sample "lnlb_node_weight$key")"
    s="$(awk -v r="$(sample "lnlb_node_share_ratio$key")" 'BEGIN { printf "%.1f%%", r * 100 }')"
    [[ "$w" == "$weight" && "$s" == "$share" ]] || view_bad+="$mac weight $weight/$w share $share/$s; "
done <"$RUN/nodes.txt"
check view-matches "lnlb_view_epoch $epoch, lnlb_view_members $members, weight and share of $rows nodes as lnlbctl nodes lab shows them${view_bad:+: $view_bad}" \
    test -z "$view_bad" -a "$rows" -eq 2

# lnlbctl's own metrics text: OpenMetrics through prometheus_client's strict parser, Prometheus text through promtool
om_samples="$(ctl 1 stats --openmetrics lab | "$PYTHON" -c '
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
print(sum(len(f.samples) for f in text_string_to_metric_families(sys.stdin.read())))' 2>&1)"
prom_text="$(ctl 1 stats --prometheus lab)"
prom_lint="$(promtool check metrics <<<"$prom_text" 2>&1)"; prom_rc=$?
prom_samples="$(grep -c '^lnlb_' <<<"$prom_text")"
check lnlbctl-formats "lnlbctl stats --openmetrics lab: $om_samples samples parsed as OpenMetrics; --prometheus: $prom_samples samples, promtool rc $prom_rc ${prom_lint:-clean}" \
    test "$prom_rc" -eq 0 -a -z "$prom_lint" -a "$om_samples" = "$prom_samples"

# ==== 4. no listening socket of the runtime =====================================================
jvm="$(node_pid 1)"
listing="$(ip netns exec "$LAB-n1" ss -Hantup 2>/dev/null)"
sockets="$(grep "pid=$jvm," <<<"$listing" | tr '\n' ';')"
# the same listing shows node_exporter's socket: it does see processes' sockets
control="$(grep -c "pid=$EXPORTER_PID," <<<"$listing")"
check no-listener "node 1's JVM (pid $jvm) has no TCP or UDP socket${sockets:+: $sockets} (node_exporter's in the same listing: $control)" \
    test -z "$sockets" -a "$control" -ge 1

# ==== 5. node 2 stops ===========================================================================
"$LAB_SH" node-stop 2 >&2
alone() { scrape | grep -qx "lnlb_view_members$here 1"; }
t0=$(now_ms)
check n2-textfile-removed "node 2 stopped (SIGTERM): $(textfile 2) removed" test ! -e "$(textfile 2)"
if wait_until 30 alone; then
    follow_ms=$(($(now_ms) - t0))
    pass view-follows "node_exporter shows lnlb_view_members 1 on node 1 $follow_ms ms after node 2 stopped (textfile every 1000 ms)"
    metric view_follow_ms "$follow_ms" ms
else
    fail view-follows "node_exporter still shows $(scrape | grep "^lnlb_view_members") 30 s after node 2 stopped"
fi
finish
