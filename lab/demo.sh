#!/usr/bin/env bash
# The lab demo (README's main job; ../demo.sh builds lnlb and runs this): three lnlb nodes share one
# cluster IP on a Linux bridge in network namespaces, nginx in every node answers with its name,
# sixteen client addresses send real HTTP requests; shows which node served which client, crashes a
# node (kill -9) under traffic and shows the failover, then tears everything down.
#
#   lab/demo.sh        needs root and lnlb.tap built with its test classes (../demo.sh does both)
#
# Environment: LNLB_LAB (lnlb), LNLB_VIP (10.77.0.100), LNLB_INTERVAL_MS (500), LNLB_TOLERANCE (6),
# LNLB_CLUSTER_MAIN / LNLB_CLUSTER_ARGS (the node launcher, as in cluster.sh), LNLB_CP.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB="${LNLB_LAB:-lnlb}"
VIP="${LNLB_VIP:-10.77.0.100}"
export LNLB_LAB="$LAB" LNLB_VIP="$VIP"
INTERVAL="${LNLB_INTERVAL_MS:-500}"
TOLERANCE="${LNLB_TOLERANCE:-6}"
NODE_MAIN="${LNLB_CLUSTER_MAIN:-lnlb.tap.lab.LabNode}"
NODE_ARGS="${LNLB_CLUSTER_ARGS:---device eth0 --vip $VIP --interval $INTERVAL --tolerance $TOLERANCE}"
export LNLB_JAVA_OPTS="${LNLB_JAVA_OPTS:--XX:+UseSerialGC -Xmx256m -XX:MaxDirectMemorySize=512m}"
RUN="$HERE/run/$LAB"
LAB_SH="$HERE/lab.sh"
CL="$LAB-cl"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
CLIENTS=($(seq 201 216))
GETS=5

[[ $(id -u) -eq 0 ]] || { echo "lab/demo.sh: needs root (network namespaces, TAP devices)" >&2; exit 2; }

t_start=$(now_ms)
say() { printf '[%5.1fs] %s\n' "$(awk -v ms=$(($(now_ms) - t_start)) 'BEGIN {print ms / 1000}')" "$*"; }
name_of_mac() { local i; i="$(node_of_mac "$1" 1 2 3)" && echo "$LAB-n$i" || echo "$1"; }
members_named() { local m out=""; for m in $(status_of "$1" "$VIP" | awk '{print $6}' | tr ',' ' '); do out+="$(name_of_mac "$m") "; done; echo "${out% }"; }

mkdir -p "$HERE/run"
exec 9>"$HERE/run/$LAB.lock"
flock -n 9 || { echo "lab/demo.sh: lab '$LAB' is busy (a test or demo holds $HERE/run/$LAB.lock)" >&2; exit 2; }
probes=()
cleanup() {
    ((${#probes[@]})) && kill "${probes[@]}" 2>/dev/null
    say "cleaning up: nodes stopped, namespaces deleted"
    "$LAB_SH" down >/dev/null 2>&1 || "$LAB_SH" down
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CP="$("$LAB_SH" classpath)" || exit 2
export LNLB_CP="$CP"
"$LAB_SH" down >/dev/null 2>&1 || true

echo "lnlb lab demo: three nodes share the cluster IP $VIP; every node sees every client frame and"
echo "decides, like the others, which node owns it. Heartbeat ${INTERVAL} ms, a node silent for"
echo "${TOLERANCE} heartbeats is dead. Logs: $RUN/n*/node.log"
echo
say "building the lab: bridge lnlb-br0 (the switch), nodes $LAB-n1..3 (eth0 10.77.0.11-13, nginx), client $CL"
"$LAB_SH" up 3 2>/dev/null || { echo "lab.sh up failed" >&2; exit 1; }
for i in 1 2 3; do
    say "starting lnlb on $LAB-n$i: $NODE_MAIN $NODE_ARGS"
    # shellcheck disable=SC2086
    "$LAB_SH" node-start "$i" "$NODE_MAIN" $NODE_ARGS 2>/dev/null || { echo "node $i did not start: $RUN/n$i/node.log" >&2; exit 1; }
    wait_until 60 eval '[[ "$(status_of '"$i"' "$VIP" | cut -d" " -f1)" == MEMBER ]]' \
        || { echo "node $i did not join: $RUN/n$i/node.log" >&2; exit 1; }
    say "  $LAB-n$i is a member: view epoch $(status_of "$i" "$VIP" | awk '{print $3}'), members $(members_named "$i")"
done
wait_until 30 in_view "$VIP" 3 1 2 3 || { echo "the nodes did not agree on a view" >&2; exit 1; }
say "cluster up: $(members_named 1) (ordered by MAC; the first coordinates view changes)"
client_get 200 "http://$VIP/" >/dev/null
echo
echo "  client's ARP entry for $VIP: $(ip -n "$CL" neigh show "$VIP" | grep -o 'lladdr [^ ]*' | cut -d' ' -f2) (the cluster MAC, 02:00 + the VIP)"
echo "  MACs the bridge learned:     $(bridge -n "$LAB-sw" fdb show br lnlb-br0 | grep -v permanent | awk '{print $1}' | sort -u | tr '\n' ' ')"
echo "                               (node MACs 02:6c:6e:00:00:0N and the client's; never the cluster MAC,"
echo "                                so the bridge floods client frames for $VIP to every node)"
echo

say "${#CLIENTS[@]} clients (10.77.0.201-216) send $GETS requests each to http://$VIP/, a new connection each"
serve_map "$RUN/demo-before.txt" "http://$VIP/" "$GETS" "${CLIENTS[@]}"
awk '{printf "    client 10.77.0.%s  ->", $1; for (i = 2; i <= NF; i++) printf " %s", $i; printf "\n"}' "$RUN/demo-before.txt"
echo "  per node: $(awk '{print $2}' "$RUN/demo-before.txt" | sort | uniq -c | awk '{printf "%s serves %d clients; ", $2, $1}')"
echo "  (each client stays on one node: the default tracker keeps a source address on its node)"
echo

victim=2
victim_name="$LAB-n$victim"
victim_clients=($(awk -v n="$victim_name" '$2 == n {print $1}' "$RUN/demo-before.txt"))
if ((${#victim_clients[@]} == 0)); then
    victim="$(awk '{print $2}' "$RUN/demo-before.txt" | sort | uniq -c | sort -rn | head -1 | awk '{print $2}')"
    victim="${victim##*-n}" victim_name="$LAB-n$victim"
    victim_clients=($(awk -v n="$victim_name" '$2 == n {print $1}' "$RUN/demo-before.txt"))
fi
say "every client now asks 5 times a second; crashing $victim_name (kill -9, no goodbye), which serves ${victim_clients[*]/#/10.77.0.}"
for s in "${CLIENTS[@]}"; do
    ip netns exec "$CL" curl -s --no-buffer --interface "$NET.$s" --rate 5/s --max-time 0.3 -H 'Connection: close' \
        -w ' %{http_code}\n' "http://$VIP/t?[1-400]" >"$RUN/demo-probe-$s.log" 2>&1 &
    probes+=($!)
done
answered() { awk '$1 ~ /-n[0-9]+$/ && $3 == 200' "$RUN/demo-probe-$1.log" | grep -q .; }
all_answered() { local s; for s in "${CLIENTS[@]}"; do answered "$s" || return 1; done; }
wait_until 20 all_answered
kill -KILL "$(cat "$RUN/n$victim/node.pid")"
t_kill=$(now_ms)
say "  $victim_name killed"
survivors=(); for i in 1 2 3; do [[ $i == "$victim" ]] || survivors+=("$i"); done
if wait_until 30 in_view "$VIP" 2 "${survivors[@]}"; then
    say "  the survivors removed it from the view after $(($(now_ms) - t_kill)) ms (limit: ${INTERVAL} ms x $TOLERANCE = $((INTERVAL * TOLERANCE)) ms): members $(members_named "${survivors[0]}")"
fi
first_after() { awk -v t="$t_kill" -v dead="$victim_name" '$1 ~ /-n[0-9]+$/ && $3 == 200 && $2 * 1000 > t && $1 != dead {printf "%.0f %s\n", $2 * 1000 - t, $1; exit}' "$RUN/demo-probe-$1.log"; }
back() { local s; for s in "${victim_clients[@]}"; do [[ -n "$(first_after "$s")" ]] || return 1; done; }
wait_until 30 back
t_back=$(now_ms)
later() { local s; for s in "${CLIENTS[@]}"; do awk -v t="$t_back" '$1 ~ /-n[0-9]+$/ && $2 * 1000 > t {f = 1} END {exit !f}' "$RUN/demo-probe-$s.log" || return 1; done; }
wait_until 10 later
kill "${probes[@]}" 2>/dev/null; wait "${probes[@]}" 2>/dev/null; probes=()
for s in "${CLIENTS[@]}"; do
    read -r ok failed nodes <<<"$(awk '$NF ~ /^[0-9][0-9][0-9]$/ {if ($1 ~ /-n[0-9]+$/ && $NF == 200) {ok++; seen[$1] = 1} else failed++}
        END {n = ""; for (k in seen) n = n k ","; print ok + 0, failed + 0, n}' "$RUN/demo-probe-$s.log")"
    if [[ " ${victim_clients[*]} " == *" $s "* ]]; then
        read -r ms node <<<"$(first_after "$s")"
        printf '    client 10.77.0.%s  was on %s: %d requests lost while it was dead, served again by %s %.1f s after the crash\n' \
            "$s" "$victim_name" "$failed" "$node" "$(awk -v ms="$ms" 'BEGIN {print ms / 1000}')"
    else
        printf '    client 10.77.0.%s  stayed on %s: %d requests, %d failed\n' "$s" "${nodes%,}" "$ok" "$failed"
    fi
done
echo
say "after the failover, $GETS more requests per client:"
serve_map "$RUN/demo-after.txt" "http://$VIP/" "$GETS" "${CLIENTS[@]}"
join -j1 <(sort "$RUN/demo-before.txt" | awk '{print $1, $2}') <(sort "$RUN/demo-after.txt") \
    | sort -n | awk -v dead="$victim_name" '{printf "    client 10.77.0.%s  ->", $1; for (i = 3; i <= NF; i++) printf " %s", $i;
        printf "%s\n", ($2 == dead ? "   (moved from " dead ")" : "")}'
echo
