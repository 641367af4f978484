#!/usr/bin/env bash
# Affinity per port rule, and drain (issue 13, acceptance): three runtime-jar nodes, cluster "lab"
# from a file with no rules (the default affinity: source), then rules set live with lnlbctl.
#
#   lab/affinity.sh         needs root and the runtime jar (./mvnw -B install -DskipTests builds it)
#
# Namespaces: lab.sh's, prefix LNLB_LAB (default lnlbaf). nginx answers "<lab>-nI" on / and streams
# /stream (1.5 MB at 100 kB/s), iperf3 -s listens on 5201, lab/udp-rr.py answers on UDP 7000 in every node.
# Checks:
#   - the cluster forms;
#   - defaults (source): iperf3 -c VIP works 10 times of 10 from 10 client addresses; each of 10
#     clients' 20 new HTTP connections land on one node; the clients together use every node; a TCP
#     port without a server answers (a reset: the owner's kernel refuses it);
#   - rules changed live under load (HTTP new connections and keep-alive, 12 long streams, UDP):
#     every node decides by the new rules (one digest); no UDP request answered twice, no HTTP request
#     failed, every stream complete (an established connection moved would be reset);
#   - with tcp:80:connection one client's 300 HTTP connections split within +-20 % of a third per
#     node while iperf3 on 5201 (no rule: source) works 10 of 10; udp:7000:connection spreads one
#     source's flows over the 3 nodes; tcp:23:drop: nobody answers port 23, rule.drops counted;
#   - network: 30 clients of the lab's one /24 on one node;
#   - drain, undrain: node 2 drained has a 0 % share and no new connection of 300, shows "draining";
#     undrained it takes its third again (+-30 %);
#   - drain --leave --timeout 60 under load on node 3: after the drain no new connection there, no
#     HTTP request failed, no UDP request failed or answered twice, every stream complete (node 3's
#     too); node 3 leaves after its last stream ended (when it owns no session, or at the timeout
#     when entries whose end the tracker did not see remain: the line says which); restarted (the rolling upgrade) it
#     takes new connections again; started first without the cluster's port.rules it is refused and
#     says why (the digests).
# Output as the other scenarios; last line "affinity: N passed, N failed"; exit 0 when nothing failed.
#
# Environment: LNLB_LAB (lnlbaf), LNLB_VIP, LNLB_RUNTIME_DIR, LNLB_JAVA_OPTS, LNLB_PYTHON.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB="${LNLB_LAB:-lnlbaf}"
VIP="${LNLB_VIP:-10.77.0.100}"
export LNLB_LAB="$LAB" LNLB_VIP="$VIP"
RUN="$HERE/run/$LAB"
LAB_SH="$HERE/lab.sh"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
NODES=(1 2 3)
# shellcheck source=rtlib.sh
. "$HERE/rtlib.sh"
RULES=(source tcp:80:connection udp:7000:connection tcp:23:drop)
STREAM_SOURCES=($(seq 231 242))
STREAM_PIDS=()

[[ $(id -u) -eq 0 ]] || { echo "affinity: needs root (network namespaces)" >&2; exit 2; }
lab_checks affinity
finish() { echo "affinity: $passed passed, $failed failed"; [[ $failed -eq 0 ]]; exit; }
rt_prerequisites iperf3 curl ab
lab_lock

cleanup() {
    local status=$?
    [[ -n "$LOAD_DIR" ]] && touch "$LOAD_DIR/stop"
    ((${#LOAD_PIDS[@]})) && kill "${LOAD_PIDS[@]}" 2>/dev/null
    ((${#STREAM_PIDS[@]})) && kill "${STREAM_PIDS[@]}" 2>/dev/null
    ((${#UDP_SERVERS[@]})) && kill "${UDP_SERVERS[@]}" 2>/dev/null
    "$LAB_SH" down >/dev/null 2>&1 || "$LAB_SH" down
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# served S N: N HTTP requests from client address .S, each on a new connection: the serving node per line
served() {
    ip netns exec "$LAB-cl" curl -s --max-time 10 --interface "$NET.$1" -H 'Connection: close' \
        $(for ((j = 0; j < $2; j++)); do echo "http://$VIP/?$1-$j"; done) 2>/dev/null
}
# per_node: "node=count ..." of the node names on stdin
per_node() { grep . | sort | uniq -c | awk '{ printf "%s=%d ", $2, $1 }'; }
distinct() { sort -u | grep -c .; }
# within F TOL: 1 when the node names on stdin are 3 nodes, each a third of F +- TOL
within() { awk -v f="$1" -v t="$2" '{ n[$1]++ } END { k = 0; ok = 1
    for (x in n) { k++; if (n[x] < f / 3 * (1 - t) || n[x] > f / 3 * (1 + t)) ok = 0 } print (ok && k == 3) ? 1 : 0 }'; }
# iperf3_runs S...: how many of `iperf3 -c VIP -t 1` from each address .S succeed. iperf3 -s runs one
# test at a time and may still be closing the last one ("the server is busy running a test"): such a
# run is tried again (up to 3 times); any other failure counts.
iperf3_runs() {
    local s ok=0 try
    for s in "$@"; do
        for try in 1 2 3; do
            if timeout 30 ip netns exec "$LAB-cl" iperf3 -c "$VIP" -B "$NET.$s" -t 1 >"$RUN/iperf3-$s.txt" 2>&1; then
                ok=$((ok + 1)); break
            fi
            grep -q 'server is busy' "$RUN/iperf3-$s.txt" || break
            sleep 1   # the server's previous test ends
        done
    done
    echo "$ok"
}
# set_rules ARGS...: `lnlbctl rules lab ARGS` on every node; waits until every node decides by them
set_rules() {
    local i want
    for i in "${NODES[@]}"; do ctl "$i" rules lab "$@" >&2; done
    want="$(printf '%s; ' "$@" | sed 's/; $//')"
    rules_everywhere() { local i; for i in "${NODES[@]}"; do ctl "$i" rules lab 2>/dev/null | head -1 | grep -qF "rules $want (" || return 1; done; }
    wait_until 30 rules_everywhere
}
digests() { local i; for i in "${NODES[@]}"; do ctl "$i" rules lab 2>/dev/null | head -1 | grep -o 'digest [0-9a-f]*'; done | sort -u; }
# node_line I J: node J's line in node I's `lnlbctl nodes lab`
node_line() { ctl "$1" nodes lab 2>/dev/null | grep "$(node_mac "$2")"; }
share_of() { node_line "$1" "$2" | awk '{ sub(/%/, "", $3); print $3 }'; }
draining_in() { node_line "$1" "$2" | grep -q ' draining '; }
members_seen_by() { view_of "$1" | cut -d' ' -f3; }
# start_streams DIR: a /stream download from each STREAM_SOURCES address (exit code in DIR/stream-S.rc)
start_streams() {
    local s
    STREAM_PIDS=()
    for s in "${STREAM_SOURCES[@]}"; do
        ( ip netns exec "$LAB-cl" curl -s --max-time 120 --interface "$NET.$s" "http://$VIP/stream" -o "$1/stream-$s.bin"
          echo "$? $(now_ms)" >"$1/stream-$s.rc" ) &
        STREAM_PIDS+=($!)
    done
}
streams_done() { local s; for s in "${STREAM_SOURCES[@]}"; do [[ -s "$1/stream-$s.rc" ]] || return 1; done; }
# stream_figures DIR: "complete total" (complete: exit 0 and the whole file)
stream_figures() {
    local s ok=0
    for s in "${STREAM_SOURCES[@]}"; do
        [[ "$(cut -d' ' -f1 "$1/stream-$s.rc" 2>/dev/null)" == 0 && "$(stat -c %s "$1/stream-$s.bin" 2>/dev/null)" == 1500000 ]] && ok=$((ok + 1))
    done
    echo "$ok ${#STREAM_SOURCES[@]}"
}
stream_node() { head -1 "$1/stream-$2.bin" 2>/dev/null; }
# watch_new DIR: new-connection requests from .243 and .244 in a loop, "ms node" per answer, until DIR/stop
watch_new() {
    local s
    for s in 243 244; do
        ( while [[ ! -e "$1/stop" ]]; do
              n="$(ip netns exec "$LAB-cl" curl -s --max-time 5 --interface "$NET.$s" -H 'Connection: close' "http://$VIP/?w$s")"
              echo "$(now_ms) ${n:-FAILED}"
              sleep 0.05
          done >"$1/watch-$s.txt" ) &
        LOAD_PIDS+=($!)
    done
}

"$LAB_SH" down >/dev/null 2>&1 || true
mkdir -p "$RUN"
"$LAB_SH" up 3 >&2 || { fail lab-up "lab.sh up 3 failed"; finish; }
udp_servers || finish
start_cluster || finish
note "$(ctl 1 nodes lab)"

# ---- defaults: source affinity ----------------------------------------------------------------------
ok="$(iperf3_runs $(seq 201 210))"
check default-iperf3 "iperf3 -c VIP -t 1 from 10 client addresses, default rules: $ok of 10 worked" test "$ok" -eq 10
one=0; all=""
for s in $(seq 211 220); do
    nodes="$(served "$s" 20)"
    [[ "$(echo "$nodes" | grep -c .)" -eq 20 && "$(echo "$nodes" | distinct)" -eq 1 ]] && one=$((one + 1))
    all+="$(echo "$nodes" | head -1)"$'\n'
done
check default-client-on-one-node "10 clients x 20 new HTTP connections: $one clients had all 20 on one node" test "$one" -eq 10
check default-clients-spread "those 10 clients used $(echo "$all" | distinct) nodes: $(echo "$all" | per_node)" \
    test "$(echo "$all" | distinct)" -eq 3
ip netns exec "$LAB-cl" curl -s --connect-timeout 3 "http://$VIP:23/" >/dev/null 2>&1; rc=$?
check default-port-23-answers "curl to VIP port 23 without a rule: exit $rc (7: refused by the owner)" test "$rc" -eq 7

# ---- rules changed live under load -----------------------------------------------------------------
dir="$RUN/rules-load"; start_load "$dir"; start_streams "$dir"
wait_until 60 load_running || note "the load did not start in 60 s"
t_change=$(now_ms)
if set_rules "${RULES[@]}"; then
    pass rules-live "every node decides by '${RULES[*]}' $(($(now_ms) - t_change)) ms after the first lnlbctl rules: $(digests | tr '\n' ' ')"
else
    fail rules-live "the nodes' rules: $(for i in "${NODES[@]}"; do ctl "$i" rules lab | head -1; done | tr '\n' ';')"
fi
wait_until 120 streams_done "$dir"
stop_load
read -r curl_total curl_failed ab_total ab_failed < <(http_figures)
read -r streams_ok streams_total < <(stream_figures "$dir")
check rules-live-no-double "UDP under the change: $(udp_figure requests) requests, $(udp_figure double) answered twice, $(udp_figure failed) unanswered" \
    test "$(udp_figure double)" -eq 0
check rules-live-no-failure "HTTP under the change: $curl_failed of $curl_total new-connection and $ab_failed of $ab_total keep-alive requests failed; streams complete $streams_ok of $streams_total" \
    test "$curl_failed" -eq 0 -a "$ab_failed" -eq 0 -a "$streams_ok" -eq "$streams_total"

nodes="$(served 221 300)"
check connection-spreads "one client's 300 HTTP connections with tcp:80:connection: $(echo "$nodes" | per_node)(a third is 100, +-20 %)" \
    test "$(echo "$nodes" | within 300 0.20)" -eq 1
ok="$(iperf3_runs $(seq 221 230))"
check rules-iperf3 "iperf3 on 5201 (no rule: source) from 10 addresses: $ok of 10 worked" test "$ok" -eq 10
udir="$RUN/udp-one"; rm -rf "$udir"; mkdir -p "$udir"
ip netns exec "$LAB-cl" "$PYTHON" "$HERE/udp-dup.py" client --vip "$VIP" --port "$UDP_PORT" --rate 20 \
    --sources "$NET.245" --stop "$udir/stop" --out "$udir/udp.txt" 2>"$udir/udp.err" &
u=$!
udp_done() { [[ "$(cat "$udir/udp.txt" 2>/dev/null | wc -l)" -ge 60 ]]; }
wait_until 30 udp_done; touch "$udir/stop"; wait "$u"
by="$(awk '$7 != "-" { print $7 }' "$udir/udp.txt")"
check udp-rule-spreads "one source's UDP flows to 7000 with udp:7000:connection: $(echo "$by" | per_node)" \
    test "$(echo "$by" | distinct)" -eq 3
ip netns exec "$LAB-cl" curl -s --connect-timeout 3 "http://$VIP:23/" >/dev/null 2>&1; rc=$?
drops="$(for i in "${NODES[@]}"; do stats_of "$i" | awk '$1 == "rule.drops" { printf "%s ", $2 }'; done)"
check drop-rule "curl to VIP port 23 with tcp:23:drop: exit $rc (28: nobody answered); rule.drops per node: $drops" \
    sh -c "[ $rc -eq 28 ] && echo '$drops' | awk '{ for (i = 1; i <= NF; i++) if (\$i < 1) exit 1; exit NF != 3 }'"

# ---- network: the lab's clients all share one /24 ---------------------------------------------------
set_rules network || note "network rules did not reach every node"
all=""
for s in $(seq 151 180); do all+="$(served "$s" 3)"$'\n'; done
check network-keeps-24 "30 clients of 10.77.0.0/24 x 3 connections with affinity network: $(echo "$all" | per_node)" \
    test "$(echo "$all" | grep -c .)" -eq 90 -a "$(echo "$all" | distinct)" -eq 1

# ---- drain and undrain node 2 -------------------------------------------------------------------------
set_rules "${RULES[@]}" || note "the rules did not come back on every node"
ctl 2 drain lab >&2
wait_until 20 draining_in 1 2
check drain-shown "node 1's view of node 2 after lnlbctl drain: $(node_line 1 2)" \
    sh -c "echo '$(node_line 1 2)' | grep -q ' draining ' && [ '$(share_of 1 2)' = 0.0 ]"
nodes="$(served 246 300)"
check drain-no-new "300 new connections while node 2 drains: $(echo "$nodes" | per_node)" \
    sh -c "[ $(echo "$nodes" | grep -c .) -eq 300 ] && ! echo '$nodes' | grep -qx '$LAB-n2'"
ctl 2 undrain lab >&2
none_draining() { ! ctl 1 nodes lab | grep -q ' draining '; }
wait_until 20 none_draining
nodes="$(served 247 300)"
check undrain-share "300 new connections after lnlbctl undrain: $(echo "$nodes" | per_node)(+-30 % of a third each)" \
    test "$(echo "$nodes" | within 300 0.30)" -eq 1

# ---- drain --leave under load: the rolling upgrade ----------------------------------------------------
dir="$RUN/drain-load"; start_load "$dir"; start_streams "$dir"; watch_new "$dir"
wait_until 60 load_running || note "the load did not start in 60 s"
sleep 2   # the streams' first bytes: each is a connection of its node before the drain
ctl 3 drain --leave --timeout 60 lab >&2
wait_until 20 draining_in 1 3
t_drained=$(now_ms)
note "node 3 draining: $(node_line 1 3)"
wait_until 120 streams_done "$dir"
sleep 3   # a few more seconds of new connections after the streams
stop_load
read -r curl_total curl_failed ab_total ab_failed < <(http_figures)
read -r streams_ok streams_total < <(stream_figures "$dir")
n3_streams=0; last_n3=0
for s in "${STREAM_SOURCES[@]}"; do
    if [[ "$(stream_node "$dir" "$s")" == "$LAB-n3" ]]; then
        n3_streams=$((n3_streams + 1)); end="$(cut -d' ' -f2 "$dir/stream-$s.rc")"; ((end > last_n3)) && last_n3=$end
    fi
done
late="$(cat "$dir"/watch-*.txt | awk -v t=$((t_drained + 500)) '$1 >= t { print $2 }')"
check drain-no-new-sessions "new connections from 2 clients after node 3 drained: $(echo "$late" | per_node)" \
    sh -c "[ $(echo "$late" | grep -c .) -gt 20 ] && ! echo '$late' | grep -qx '$LAB-n3'"
check drain-no-failure "under the drain: $curl_failed of $curl_total new-connection, $ab_failed of $ab_total keep-alive requests failed, $(echo "$late" | grep -c FAILED) watched requests failed; UDP $(udp_figure failed) of $(udp_figure requests) unanswered, $(udp_figure double) twice" \
    test "$curl_failed" -eq 0 -a "$ab_failed" -eq 0 -a "$(udp_figure failed)" -eq 0 -a "$(udp_figure double)" -eq 0 -a "$(echo "$late" | grep -c FAILED)" -eq 0
check drain-streams-complete "streams complete: $streams_ok of $streams_total ($n3_streams served by the draining node 3)" \
    test "$streams_ok" -eq "$streams_total" -a "$n3_streams" -ge 1
# It leaves once it owns no session, or at the timeout: an entry whose end the tracker did not see
# (an iperf3 connection without a FIN seen, a client's entry from before a rule change) lives out its
# idle timeout, and the timeout bounds the wait. Either way it must go after its last stream ended.
left_cluster() { [[ "$(members_seen_by 1)" == 2 ]]; }
if wait_until 90 left_cluster; then
    t_left=$(now_ms)
    how="$(grep -o 'drained ([^)]*)' "$RUN/n3/node.log" | tail -1)"
    check drain-leave "node 3 left $((t_left - t_drained)) ms after its drain (--timeout 60), $((t_left - last_n3)) ms after its last stream ended, $how: $(view_of 1)" \
        test "$t_left" -ge "$last_n3"
else
    fail drain-leave "node 3 did not leave within 90 s after its streams: $(node_line 1 3); its sessions: $(ctl 1 conntrack lab --node "$(node_mac 3)" --limit 10 2>&1 | tr '\n' ';')"
fi
stop_nodes 3
# started with the file's rules missing: the others refuse it, and it says why
refused() { ctl 3 nodes lab 2>/dev/null | grep -q 'refused: the cluster.s port rules'; }
start_node 3 && wait_until 60 refused
refusal="$(ctl 3 nodes lab 2>&1 | grep -m1 refused)"; seen="$(members_seen_by 1)"
check refused-other-rules "node 3 restarted without port.rules: $refusal; node 1 sees $seen members" \
    test -n "$refusal" -a "$seen" = 2
stop_nodes 3
start_node 3 "affinity = source" "port.rules = ${RULES[*]:1}" && wait_until 90 node_is_member 3 \
    && wait_until 60 one_view 3 "${NODES[@]}"
ctl 3 undrain lab >&2
nodes="$(served 248 300)"
check rolling-restart "node 3 stopped, started again and undrained: $(views_text 1 3); 300 new connections: $(echo "$nodes" | per_node)" \
    test "$(echo "$nodes" | within 300 0.30)" -eq 1
note "$(ctl 1 nodes lab)"
finish
