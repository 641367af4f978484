#!/usr/bin/env bash
# The lab demo (README's main job; ../demo.sh builds lnlb and runs this): three nodes in network
# namespaces on a Linux bridge, each running the runtime jar (lnlb.runtime/target/lnlb.jar, as
# lnlb.service runs it) with its cluster declared in a file, administered with lnlbctl; nginx in
# every node answers with its name, sixteen client addresses send real HTTP requests. The story, told
# through the product's own interfaces: `lnlbctl nodes` (view, weights, coordinator), which node
# served which client, kill -9 of the coordinator under traffic and the failover, a weight changed
# with `lnlbctl weight`, the tcp tracker hot-swapped with `lnlbctl swap` under load, `lnlbctl stats`
# of the survivors; then everything is torn down.
#
#   lab/demo.sh        needs root and the runtime jar (../demo.sh builds it and runs this)
#
# Environment: LNLB_LAB (lnlb), LNLB_VIP (10.77.0.100), LNLB_INTERVAL_MS (500), LNLB_TOLERANCE (6),
# LNLB_RUNTIME_DIR (lnlb.runtime/target), LNLB_JAVA_OPTS (the nodes' JVM options; lnlb.service's).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
INTERVAL="${LNLB_INTERVAL_MS:-500}"
TOLERANCE="${LNLB_TOLERANCE:-6}"
RT_DEFAULT_LAB=lnlb
RT_CLUSTER=nlb0
RT_FILE_DEFAULTS=("heartbeat.interval.ms = $INTERVAL" "tolerance = $TOLERANCE" "weight.mode = manual" "weight = 100")
# the downloads that span the hot swap: 600 kB at 100 kB/s (lab.sh's nginx), 6 s each
export LNLB_STREAM_BYTES=600000
# shellcheck source=rtlib.sh
. "$HERE/rtlib.sh"
CLIENTS=($(seq 201 216))
STREAMS=($(seq 231 234))
NEW_CLIENTS=($(seq 151 190))   # clients first seen after the weight change
GETS=5

[[ $(id -u) -eq 0 ]] || { echo "lab/demo.sh: needs root (network namespaces, TAP devices); ./demo.sh re-runs itself with sudo" >&2; exit 2; }
for f in "$RUNTIME/lnlb.jar" "$RUNTIME/lnlbctl" "$RUNTIME/lnlbctl.jar"; do
    [[ -f "$f" ]] || { echo "lab/demo.sh: missing $f (./mvnw -B install -DskipTests; ./demo.sh does it)" >&2; exit 2; }
done

t_start=$(now_ms)
say() { printf '[%5.1fs] %s\n' "$(awk -v ms=$(($(now_ms) - t_start)) 'BEGIN {print ms / 1000}')" "$*"; }
secs() { awk -v ms="$1" 'BEGIN {printf "%.1f", ms / 1000}'; }
# names: the lab's node MACs (02:6c:6e:00:00:0I) annotated with their namespace
names() { sed -E "s/(02:6c:6e:00:00:0([0-9]))(.*)$/\\1\\3  ($LAB-n\\2)/"; }
# run_ctl I ARGS...: shows and runs lnlbctl ARGS against node I, output indented
run_ctl() {
    local i="$1"; shift
    echo "    $LAB-n$i # lnlbctl $*"
    ctl "$i" "$@" 2>&1 | names | sed 's/^/      /'
}
# per_node FILE: "lnlb-nI serves N" over the node names of FILE (one answer a word)
per_node() { tr ' ' '\n' <"$1" | grep "^$LAB-n" | sort | uniq -c | awk -v t="$2" '{printf "%s %d (%.0f%%)   ", $2, $1, 100 * $1 / t}'; }

mkdir -p "$HERE/run"
exec 9>"$HERE/run/$LAB.lock"
flock -n 9 || { echo "lab/demo.sh: lab '$LAB' is busy (a test or demo holds $HERE/run/$LAB.lock)" >&2; exit 2; }
background=()
cleanup() {
    ((${#background[@]})) && kill "${background[@]}" 2>/dev/null
    say "cleaning up: nodes stopped (SIGTERM), namespaces deleted"
    "$LAB_SH" down >/dev/null 2>&1 || "$LAB_SH" down
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$LAB_SH" down >/dev/null 2>&1 || true

echo "lnlb lab demo: three nodes share the cluster IP $VIP; every node sees every client frame and"
echo "decides, like the others, which node owns it. Each node runs the runtime jar, administered with"
echo "lnlbctl (-s $RUN/nI/lnlb.sock reaches node I). Logs: $RUN/n*/node.log"
echo
say "building the lab: bridge lnlb-br0 (the switch), nodes $LAB-n1..3 (eth0 10.77.0.11-13, nginx), client $CL"
"$LAB_SH" up 3 2>/dev/null || { echo "lab.sh up failed" >&2; exit 1; }
say "starting lnlb in every node: the runtime jar lnlb.jar as java -jar runs it (no console), each with this file:"
cluster_file 1 "$RT_CLUSTER" "$VIP"
sed "s|^|      |; 1i\\    $RUN/nI/etc/lnlb.cluster-$RT_CLUSTER.cfg" "$RUN/n1/etc/lnlb.cluster-$RT_CLUSTER.cfg"
for i in "${NODES[@]}"; do start_node "$i" 2>/dev/null & done
wait
if ! wait_until 90 one_view 3 "${NODES[@]}"; then
    echo "the nodes did not agree on a view: $(views_text "${NODES[@]}") (logs: $RUN/n*/node.log)" >&2; exit 1
fi
say "cluster up: one view of 3 (the heartbeat is ${INTERVAL} ms; a node silent for $TOLERANCE heartbeats is dead)"
run_ctl 1 nodes "$RT_CLUSTER"
echo "      (SHARE: each node's part of new connections, proportional to 1/WEIGHT; the coordinator,"
echo "       the lowest MAC, commits every view change)"
client_get 200 "http://$VIP/" >/dev/null
echo "    client's ARP entry for $VIP: $(ip -n "$CL" neigh show "$VIP" | grep -o 'lladdr [^ ]*' | cut -d' ' -f2) (the cluster MAC); MACs the bridge learned:"
echo "      $(bridge -n "$LAB-sw" fdb show br lnlb-br0 | grep -v permanent | awk '{print $1}' | sort -u | tr '\n' ' ')"
echo "      (never the cluster MAC: the bridge floods the clients' frames for $VIP to every node)"
echo

say "${#CLIENTS[@]} clients (10.77.0.201-216) send $GETS requests each to http://$VIP/, a new connection each:"
serve_map "$RUN/demo-before.txt" "http://$VIP/" "$GETS" "${CLIENTS[@]}"
awk '{printf "    client 10.77.0.%s  ->", $1; for (i = 2; i <= NF; i++) printf " %s", $i; printf "\n"}' "$RUN/demo-before.txt"
echo "    per node: $(cut -d' ' -f2- "$RUN/demo-before.txt" | per_node /dev/stdin $((${#CLIENTS[@]} * GETS)))"
echo "    (the tcp tracker keeps each connection on the node that took its SYN; new connections spread by SHARE)"
echo

victim=1 survivors=(2 3)
say "every client now asks 5 times a second; crashing $LAB-n$victim, the coordinator (kill -9, no goodbye)"
for s in "${CLIENTS[@]}"; do
    ip netns exec "$CL" curl -s --no-buffer --interface "$NET.$s" --rate 5/s --max-time 0.5 -H 'Connection: close' \
        -w ' %{http_code}\n' "http://$VIP/t?[1-400]" >"$RUN/demo-probe-$s.log" 2>&1 &
    background+=($!)
done
answered() { awk '$1 ~ /-n[0-9]+$/ && $3 == 200' "$RUN/demo-probe-$1.log" | grep -q .; }
all_answered() { local s; for s in "${CLIENTS[@]}"; do answered "$s" || return 1; done; }
wait_until 20 all_answered
kill -KILL "$(node_pid "$victim")"
t_kill=$(now_ms)
say "  $LAB-n$victim killed"
if wait_until 30 one_view 2 "${survivors[@]}"; then
    say "  the survivors removed it from the view after $(($(now_ms) - t_kill)) ms (a node is dead after ${INTERVAL} ms x $TOLERANCE = $((INTERVAL * TOLERANCE)) ms without a heartbeat):"
else
    say "  the survivors did not agree on a view of 2 in 30 s: $(views_text "${survivors[@]}")"
fi
run_ctl 2 nodes "$RT_CLUSTER"
echo "      ($LAB-n$victim is out of the view, SHARE 0; lnlbctl lists it as gone for five minutes)"
# after(LOG, T): answered requests after T ms (epoch); lost(LOG): failed ones (" 000")
settled() { local s; for s in "${CLIENTS[@]}"; do
    awk -v t=$(($(now_ms) - 1000)) '$1 ~ /-n[0-9]+$/ && $3 == 200 && $2 * 1000 > t {f = 1} END {exit !f}' "$RUN/demo-probe-$s.log" || return 1; done; }
wait_until 20 settled
kill "${background[@]}" 2>/dev/null; wait "${background[@]}" 2>/dev/null; background=()
lost_total=0 early_total=0 last_back=0
for s in "${CLIENTS[@]}"; do
    # "answered lost back_ms nodes_after": back_ms = the first answer after the client's last lost request
    # (a lost request has no time: it counts as the crash's when the answer before it came less than 1 s
    # before the kill; any other is lost to a busy machine and told apart)
    read -r ok lost back early nodes <<<"$(awk -v t="$t_kill" '
        $NF ~ /^[0-9][0-9][0-9]$/ { if ($1 ~ /-n[0-9]+$/ && $NF == 200) { ok++; last = $2 * 1000; if (pending) { back = last - t; pending = 0 }
                                        if (last > t) seen[$1] = 1 }
                                    else if (last > t - 1000) { lost++; pending = 1 } else early++ }
        END { n = ""; for (k in seen) n = n k ","; printf "%d %d %d %d %s\n", ok, lost, back, early, n }' "$RUN/demo-probe-$s.log")"
    lost_total=$((lost_total + lost)) early_total=$((early_total + early))
    if ((lost > 0)); then
        ((back > last_back)) && last_back=$back
        printf '    client 10.77.0.%s  %3d answered, %d lost (connections the dead node took), all answered again %s s after the crash, by %s\n' \
            "$s" "$ok" "$lost" "$(secs "$back")" "${nodes%,}"
    else
        printf '    client 10.77.0.%s  %3d answered, none lost, by %s\n' "$s" "$ok" "${nodes%,}"
    fi
done
echo "    $lost_total requests lost in all, none after $(secs "$last_back") s: the survivors took over the dead node's share"
((early_total == 0)) || echo "    ($early_total more timed out (0.5 s) before the crash: a busy machine)"
echo

say "$LAB-n3 is a smaller machine: weight 300 instead of 100 (higher = busier; SHARE ~ 1/WEIGHT)"
run_ctl 3 weight "$RT_CLUSTER" 300
t_weight=$(now_ms)
weighted() { ctl 2 nodes "$RT_CLUSTER" 2>/dev/null | grep -q '^ *02:6c:6e:00:00:03 *300 '; }
if wait_until 30 weighted; then
    say "  the coordinator committed the new weights after $(($(now_ms) - t_weight)) ms (weight-only views: at most one every 10 s)"
fi
run_ctl 2 nodes "$RT_CLUSTER"
serve_map "$RUN/demo-weights.txt" "http://$VIP/" 2 "${NEW_CLIENTS[@]}"
echo "    ${#NEW_CLIENTS[@]} new clients (10.77.0.151-190) x 2 connections: $(cut -d' ' -f2- "$RUN/demo-weights.txt" | per_node /dev/stdin $((${#NEW_CLIENTS[@]} * 2)))"
echo "    (clients already served keep their node while the cluster tracks them: affinity source)"
echo

say "hot swap under load: ${#CLIENTS[@]} clients ask 5 times a second, ${#STREAMS[@]} downloads run (600 kB at 100 kB/s);"
say "  the tcp tracker is updated from its jar on each survivor with lnlbctl swap"
TCP_JAR="$RUN/lnlb.module.tcp.jar"
embedded_jar lnlb.module.tcp "$TCP_JAR" || { echo "no lnlb.module.tcp jar in $RUNTIME/lnlb.jar" >&2; exit 1; }
mkdir -p "$RUN/streams"
stream_pids=()
for s in "${STREAMS[@]}"; do
    ip netns exec "$CL" curl -s --interface "$NET.$s" --max-time 60 -o "$RUN/streams/$s.out" \
        -w '%{http_code} %{size_download}\n' "http://$VIP/stream" >"$RUN/streams/$s.res" 2>&1 &
    stream_pids+=($!)
done
for s in "${CLIENTS[@]}"; do
    ip netns exec "$CL" curl -s --no-buffer --interface "$NET.$s" --rate 5/s --max-time 2 -H 'Connection: close' \
        -w ' %{http_code}\n' "http://$VIP/t?[1-400]" >"$RUN/demo-swap-$s.log" 2>&1 &
    background+=($!)
done
streams_flowing() { local s; for s in "${STREAMS[@]}"; do [[ -s "$RUN/streams/$s.out" ]] || return 1; done; }
wait_until 20 streams_flowing
for i in "${survivors[@]}"; do
    before="$(serving "$i" 6)"
    run_ctl "$i" swap lnlb.module.tcp "file:$TCP_JAR"
    echo "      protocol 6 (TCP) was served by service $before, now by $(serving "$i" 6) (lnlbctl modules)"
done
for k in "${!stream_pids[@]}"; do wait "${stream_pids[$k]}"; done
kill "${background[@]}" 2>/dev/null; wait "${background[@]}" 2>/dev/null; background=()
read -r asked failed <<<"$(cat "$RUN"/demo-swap-*.log | awk '$NF ~ /^[0-9][0-9][0-9]$/ { n++; if ($NF != 200) f++ } END {print n + 0, f + 0}')"
complete=0; for s in "${STREAMS[@]}"; do [[ "$(cat "$RUN/streams/$s.res")" == "200 $LNLB_STREAM_BYTES" ]] && complete=$((complete + 1)); done
say "  during the swaps: $asked requests, $failed failed; $complete of ${#STREAMS[@]} downloads complete with every byte"
echo

say "what the survivors counted (lnlbctl stats $RT_CLUSTER, a selection):"
for i in "${survivors[@]}"; do ctl "$i" stats "$RT_CLUSTER" >"$RUN/demo-stats-$i.txt" 2>&1; done
printf '    %-24s %14s %14s\n' counter "$LAB-n${survivors[0]}" "$LAB-n${survivors[1]}"
for name in frames.in datagrams accepted not.mine decisions.protocol.6 view.changes view.changes.weight deaths \
        swap.held swap.dropped module.errors loop.stall.max.ms; do
    printf '    %-24s %14s %14s\n' "$name" \
        "$(awk -v k="$name" '$1 == k {print $2}' "$RUN/demo-stats-${survivors[0]}.txt")" \
        "$(awk -v k="$name" '$1 == k {print $2}' "$RUN/demo-stats-${survivors[1]}.txt")"
done
echo "    (every node sees every client datagram: accepted are its own, not.mine the other's; swap.held:"
echo "     datagrams the engine held while the tcp tracker was being replaced, none dropped)"
echo
