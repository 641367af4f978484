#!/usr/bin/env bash
# A hostile host on the segment (issue 10, acceptance): three nodes running the runtime jar, a client
# load, and a fourth host WITHOUT the cluster key sending every kind of forged and malformed cluster
# frame (lab/forge.py) for LNLB_FORGE_SECONDS (30) at LNLB_FORGE_RATE (4000) frames/s.
#
#   lab/hostile.sh          needs root and the runtime jar (./mvnw -B install -DskipTests builds it)
#
# Namespaces: lab.sh's (prefix LNLB_LAB, default lnlbhx: its own lab, so it never collides with the
# others) and $LAB-hx, the hostile host, one more port of the bridge (no key, no address).
# Nodes: the runtime jar with the JVM options lnlb.service sets (-Xmx256m; LNLB_JAVA_OPTS), cluster
# "lab" from a file (heartbeat 200 ms x tolerance 15, manual weight 1, `quorum` left at its default).
# Load, all through the VIP (rtlib.sh): curl from 4 addresses (a new connection per request), ab -k
# from 2 addresses (keep-alive), lab/udp-dup.py from 24 addresses (LNLB_UDP_RATE requests/s each,
# a new source port per request, every answer counted per request id).
#
# Both phases: forge.py heard the cluster (captured real frames) and sent at least half the frames asked.
# Phase 1, with a cluster key. Asserted:
#   - 0 view changes: every node's epoch (lnlbctl nodes) the same after the flood as before, all 3
#     members, and the view.changes counter unchanged;
#   - 0 UDP requests answered by two nodes, 0 UDP requests unanswered, 0 failed HTTP requests
#     (curl: every status 200; ab -k: no failed, non-2xx or aborted request);
#   - loop stalls bounded: the counters of `lnlbctl stats lab` whose name has "stall" are reported
#     (METRIC); the longest (a name with "stall" and "max") must stay under LNLB_STALL_BOUND_MS (300);
#     no such counter is a FAIL; as it is a lifetime maximum, it passes when neither it nor the stall
#     count rose during the phase;
#   - every forged frame counted: on each node, the increase of the drop counters of `lnlbctl stats`
#     (names matching DROP_RE below: the wire verdicts, unauthenticated, badTag, replayed, reassembly
#     drops, link drops; not the data path's held/buffer/swap drops) is at least LNLB_ACCOUNTED
#     (0.9) x the frames forge.py sent (every node receives every frame: the bridge floods the
#     cluster MAC);
#   - reported: heap used (jstat, twice a second: max per node, GC count and time), heap counters of
#     stats, "did not run for" and "founding" lines of the node logs.
# Phase 2, the nodes restarted WITHOUT a key, the same flood and load. Asserted: 0 UDP requests
# answered by two nodes. Reported (METRIC, not asserted): view changes, failed requests, stalls.
#
# Output as the other scenarios (PASS/FAIL/METRIC/#, last line "hostile: N passed, N failed"); exit 0
# when nothing failed. Always torn down (trap EXIT); node logs, load and forge outputs stay in
# lab/run/$LNLB_LAB.hostile/.
#
# Environment: LNLB_LAB (lnlbhx), LNLB_VIP (10.77.0.100), LNLB_RUNTIME_DIR, LNLB_JAVA_OPTS,
# LNLB_FORGE_RATE (4000), LNLB_FORGE_SECONDS (30), LNLB_STALL_BOUND_MS (300), LNLB_ACCOUNTED (0.9),
# LNLB_UDP_RATE (6), LNLB_PYTHON, LNLB_HOSTILE_PHASES ("key nokey").
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RT_DEFAULT_LAB=lnlbhx
# shellcheck source=rtlib.sh
. "$HERE/rtlib.sh"
FORGE_RATE="${LNLB_FORGE_RATE:-4000}"
FORGE_SECONDS="${LNLB_FORGE_SECONDS:-30}"
STALL_BOUND_MS="${LNLB_STALL_BOUND_MS:-300}"
ACCOUNTED="${LNLB_ACCOUNTED:-0.9}"
PHASES="${LNLB_HOSTILE_PHASES:-key nokey}"
HX="$LAB-hx"
KEY="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# drop counters: the wire verdicts and outcomes that are drops, the authenticator's, the reassembly's,
# the link's; not the data path's (held.dropped, buffer.dropped, swap.dropped, malformed.datagrams)
DROP_RE='truncated|bad.?version|unknown.?type|bad.?length|oversized|bad.?fragment|duplicate|bad.?crc|unauthenticated|bad.?tag|replay|bad.?body|bad.?messages|evict|reassembly.*(timeout|drop)|budget|quota|reject|drop'
DROP_EXCLUDE='^(held\.dropped|buffer\.dropped|swap\.dropped|malformed\.datagrams|commit\.ack\.timeouts|deliver\.errors|transmit\.errors)$'

rt_scenario hostile ab curl
[[ -n "$JSTAT" ]] || note "no jstat: heap used and GC time are not sampled"

SAMPLERS=()
cleanup() {
    local status=$?
    [[ -n "$LOAD_DIR" ]] && touch "$LOAD_DIR/stop" "$LOAD_DIR/heap-stop" 2>/dev/null
    ((${#LOAD_PIDS[@]})) && kill "${LOAD_PIDS[@]}" 2>/dev/null
    ((${#SAMPLERS[@]})) && kill "${SAMPLERS[@]}" 2>/dev/null
    ((${#UDP_SERVERS[@]})) && kill "${UDP_SERVERS[@]}" 2>/dev/null
    if ip netns list | grep -q "^$HX\b"; then
        local pids; pids="$(ip netns pids "$HX" 2>/dev/null)"
        [[ -n "$pids" ]] && kill -KILL $pids 2>/dev/null
        ip netns del "$HX" 2>/dev/null
    fi
    "$LAB_SH" down >/dev/null 2>&1 || "$LAB_SH" down
    rm -rf "$RUN.hostile" && mkdir -p "$RUN.hostile" && cp -r "$RUN"/n[0-9]* "$RUN"/phase-* "$RUN.hostile/" 2>/dev/null
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$LAB_SH" down >/dev/null 2>&1 || true
ip netns del "$HX" 2>/dev/null || true
rm -rf "$RUN"/phase-*
"$LAB_SH" up 3 >&2 || { fail lab-up "lab.sh up 3 failed"; finish; }
# the hostile host: one more port of the bridge, no address, no key
ip netns add "$HX"
ip -n "$LAB-sw" link add lnlb-ph type veth peer name eth0 netns "$HX"
ip -n "$LAB-sw" link set lnlb-ph master lnlb-br0 up
ip -n "$HX" link set lo up
ip -n "$HX" link set eth0 address 02:6c:6e:00:00:ee
ip -n "$HX" link set eth0 up
udp_servers || finish
NODE_MACS="$(for i in "${NODES[@]}"; do node_mac "$i"; done | paste -sd,)"

# phase NAME SETTINGS...: nodes started with SETTINGS, load, the flood, figures in $RUN/phase-NAME;
# sets the globals below
phase() {
    local name="$1"; shift
    PHASE="$name-" P="$RUN/phase-$name"
    mkdir -p "$P"
    start_cluster "$@" || return 1
    local i
    for i in "${NODES[@]}"; do
        stats_of "$i" >"$P/stats-before-n$i.txt"
        view_before[$i]="$(view_of "$i")"
        logs_before[$i]="$(wc -l <"$RUN/n$i/node.log")"
    done
    start_load "$P/load"
    if ! wait_until 60 load_running; then
        fail "${PHASE}load-start" "the load did not get going in 60 s ($(ls "$LOAD_DIR" | wc -l) files in $LOAD_DIR)"
        stop_load; return 1
    fi
    for i in "${NODES[@]}"; do heap_sampler "$i" "$P/heap-n$i.txt" "$LOAD_DIR/heap-stop" & SAMPLERS+=($!); done
    local t0; t0=$(now_ms)
    note "$name: load running; forge.py from $HX: $FORGE_RATE frames/s for $FORGE_SECONDS s (real nodes: $NODE_MACS)"
    ip netns exec "$HX" "$PYTHON" "$HERE/forge.py" --iface eth0 --vip "$VIP" --rate "$FORGE_RATE" \
        --duration "$FORGE_SECONDS" --learn 3 --nodes "$NODE_MACS" >"$P/forge.txt" 2>"$P/forge.err"
    forge_ms=$(($(now_ms) - t0))
    sed 's/^/# forge: /' "$P/forge.err"
    # the load goes on a little after the flood: what the flood left behind shows there too
    sleep 3
    stop_load
    touch "$LOAD_DIR/heap-stop"; wait "${SAMPLERS[@]}" 2>/dev/null; SAMPLERS=()
    for i in "${NODES[@]}"; do
        stats_of "$i" >"$P/stats-after-n$i.txt"
        view_after[$i]="$(view_of "$i")"
    done
    sent="$(awk '$1 == "total" { print $2 }' "$P/forge.txt")"
    note "$name: forge.py sent $(awk '$1 != "learned" { printf "%s %s, ", $1, $2 }' "$P/forge.txt")in $forge_ms ms"
    local captured learned
    captured="$(awk '$1 == "captured" { print $2 }' "$P/forge.txt")" learned="$(awk '$1 == "learned" { print $2 }' "$P/forge.txt")"
    # the hostile host hears the cluster (the bridge floods the cluster MAC): its replays and guessed ids are real ones
    check "${PHASE}forge-hears-cluster" "forge.py captured ${captured:-0} real cluster frames from ${learned:-nobody}; sent ${sent:-0} frames, $(awk '$1 == "send_errors" { print $2 }' "$P/forge.txt") send errors" \
        test "${captured:-0}" -gt 0 -a "${sent:-0}" -gt $((FORGE_SECONDS * FORGE_RATE / 2))
    metric "${name}_forged_frames" "${sent:-0}" frames
    metric "${name}_forged_rate" "$(( ${sent:-0} * 1000 / (forge_ms > 3000 ? forge_ms - 3000 : 1) ))" frames/s
}

# views_unchanged: every node's view after == before (same epoch, 3 members) and view.changes unchanged
views_unchanged() {
    local i
    for i in "${NODES[@]}"; do
        [[ -n "${view_before[$i]}" && "${view_after[$i]}" == "${view_before[$i]}" ]] || return 1
        [[ "${view_after[$i]}" == "member "*" ${#NODES[@]}" ]] || return 1
        (($(stat_delta "$P/stats-before-n$i.txt" "$P/stats-after-n$i.txt" '^view\.changes$') == 0)) || return 1
    done
}
# log_figures NAME: "did not run for N ms" and "founding" lines the nodes logged during the phase
log_figures() {
    local name="$1" i stalls longest founding
    for i in "${NODES[@]}"; do
        stalls="$(tail -n +"$((logs_before[$i] + 1))" "$RUN/n$i/node.log" | grep -c 'did not run for')"
        longest="$(tail -n +"$((logs_before[$i] + 1))" "$RUN/n$i/node.log" | grep -o "did not run for [0-9]*" | awk '$5 > m { m = $5 } END { print m + 0 }')"
        founding="$(tail -n +"$((logs_before[$i] + 1))" "$RUN/n$i/node.log" | grep -c 'founding the cluster')"
        metric "${name}_logged_stalls_n$i" "$stalls" stalls
        metric "${name}_logged_longest_stall_n$i" "$longest" ms
        metric "${name}_founding_alone_n$i" "$founding" times
    done
}
# heap_figures NAME: max heap used, GCs and GC time per node from the jstat samples
heap_figures() {
    local name="$1" i
    for i in "${NODES[@]}"; do
        read -r used gcs gct < <(awk 'NR == 1 { g0 = $3 + $4; t0 = $5 } $2 > m { m = $2 } { g = $3 + $4; t = $5 }
            END { printf "%d %d %d\n", m / 1024, g - g0, (t - t0) * 1000 }' "$P/heap-n$i.txt")
        metric "${name}_heap_used_max_n$i" "${used:-0}" MiB
        metric "${name}_gc_count_n$i" "${gcs:-0}" collections
        metric "${name}_gc_time_n$i" "${gct:-0}" ms
        stat_names "$P/stats-after-n$i.txt" 'heap|gc|memory' >"$P/heap-names-n$i.txt"
        local k
        for k in $(cat "$P/heap-names-n$i.txt"); do
            metric "${name}_stats_${k}_n$i" "$(awk -v k="$k" '$1 == k { print $2 }' "$P/stats-after-n$i.txt")" value
        done
    done
}

declare -A view_before view_after logs_before
for ph in $PHASES; do
    case "$ph" in
    key)
        phase key "heartbeat.interval.ms = 200" "tolerance = 15" "key = $KEY" || { stop_nodes "${NODES[@]}"; continue; }
        check key-no-view-change "every node in the same view of 3 after the flood as before: before $(for i in "${NODES[@]}"; do printf 'n%s %s; ' "$i" "${view_before[$i]}"; done)after $(for i in "${NODES[@]}"; do printf 'n%s %s; ' "$i" "${view_after[$i]}"; done)view.changes +$(for i in "${NODES[@]}"; do printf '%s ' "$(stat_delta "$P/stats-before-n$i.txt" "$P/stats-after-n$i.txt" '^view\.changes$')"; done)" \
            views_unchanged
        requests="$(udp_figure requests)" answered="$(udp_figure answered)" double="$(udp_figure double)"
        metric key_udp_requests "$requests" requests
        metric key_udp_double "$double" requests
        metric key_udp_double_datagrams "$(udp_figure double_datagrams)" datagrams
        metric key_udp_resends "$(udp_figure resends)" sends
        check key-udp-one-owner "UDP requests from ${#UDP_SOURCES[@]} sources answered by two or more nodes: $double of $requests ($(udp_figure double_ids)); by first answer: $(udp_figure by_node)" \
            test "${requests:-0}" -gt 0 -a "${double:-1}" -eq 0
        check key-udp-answered "UDP requests answered: $answered of $requests ($(udp_figure resends) re-sends after 0.5 s; a request fails after 6 sends, 3 s)" \
            test "${requests:-0}" -gt 0 -a "${answered:--1}" -eq "${requests:-0}"
        read -r ct cf at af <<<"$(http_figures)"
        metric key_http_new_connection_failed "$cf" requests
        metric key_http_keepalive_failed "$af" requests
        check key-http-no-failure "HTTP: $((ct - cf)) of $ct curl requests (a new connection each) answered 200; ab -k: $at complete, $af failed, non-2xx or aborted" \
            test "$ct" -gt 0 -a "$at" -gt 0 -a "$cf" -eq 0 -a "$af" -eq 0
        # loop stalls from lnlbctl stats
        for i in "${NODES[@]}"; do
            names="$(stat_names "$P/stats-after-n$i.txt" 'stall')"
            if [[ -z "$names" ]]; then
                fail "key-loop-stalls-n$i" "lnlbctl stats lab on node $i shows no loop stall counter (loop.stalls, loop.stall.max.ms): stalls are not visible; counters: $(awk '{ printf "%s ", $1 }' "$P/stats-after-n$i.txt")"
                continue
            fi
            for k in $names; do metric "key_${k}_n$i" "$(awk -v k="$k" '$1 == k { print $2 }' "$P/stats-after-n$i.txt")" value; done
            max_name="$(stat_names "$P/stats-after-n$i.txt" 'stall.*max|max.*stall' | awk '{ print $1 }')"
            count_name="$(stat_names "$P/stats-after-n$i.txt" 'stall' 'max|ms$' | awk '{ print $1 }')"
            max_ms="$(awk -v k="$max_name" '$1 == k { print $2 }' "$P/stats-after-n$i.txt")"
            max_rise="$(stat_delta "$P/stats-before-n$i.txt" "$P/stats-after-n$i.txt" "^${max_name//./[.]}\$")"
            count_rise="$(stat_delta "$P/stats-before-n$i.txt" "$P/stats-after-n$i.txt" "^${count_name//./[.]}\$")"
            # the longest stall counter is a lifetime maximum (JVM warm-up included): when it did not rise
            # and no stall was counted during the flood, the flood stalled nothing
            if [[ -n "$max_name" && "$max_rise" -eq 0 && -n "$count_name" && "$count_rise" -eq 0 ]]; then
                during="no stall counted during the flood"; during_ms=0
            elif [[ -n "$max_name" ]]; then
                during="the longest ($max_name) $max_ms ms$( ((max_rise > 0)) && echo ', reached during the flood' || echo ' (lifetime)')"; during_ms="$max_ms"
            else
                during="no counter of the longest stall (a name with stall and max)"; during_ms=999999
            fi
            check "key-loop-stalls-n$i" "node $i: $(for k in $names; do printf '%s %s (+%s), ' "$k" "$(awk -v k="$k" '$1 == k { print $2 }' "$P/stats-after-n$i.txt")" "$(stat_delta "$P/stats-before-n$i.txt" "$P/stats-after-n$i.txt" "^${k//./[.]}\$")"; done)$during; must stay under $STALL_BOUND_MS ms" \
                test "${during_ms:-999999}" -lt "$STALL_BOUND_MS"
        done
        # every forged frame counted as a drop, on every node
        for i in "${NODES[@]}"; do
            names="$(stat_names "$P/stats-after-n$i.txt" "$DROP_RE" "$DROP_EXCLUDE")"
            dropped="$(stat_delta "$P/stats-before-n$i.txt" "$P/stats-after-n$i.txt" "$DROP_RE" "$DROP_EXCLUDE")"
            metric "key_dropped_n$i" "$dropped" frames
            for k in $(stat_names "$P/stats-after-n$i.txt" 'received'); do
                metric "key_${k}_n$i" "$(stat_delta "$P/stats-before-n$i.txt" "$P/stats-after-n$i.txt" "^${k//./[.]}\$")" frames
            done
            want="$(awk -v s="${sent:-0}" -v f="$ACCOUNTED" 'BEGIN { printf "%d", s * f }')"
            check "key-drops-counted-n$i" "node $i: drop counters of lnlbctl stats rose by $dropped (${names:-no drop counter in stats}) for ${sent:-0} forged frames; want >= $want ($ACCOUNTED x sent)" \
                test "${sent:-0}" -gt 0 -a "$dropped" -ge "$want"
        done
        heap_figures key
        log_figures key
        for i in "${NODES[@]}"; do
            note "node $i wire/link/stall counters after the flood: $(awk '$1 !~ /^(decisions|swap|held|buffer)/ && $2 != 0 { printf "%s=%s ", $1, $2 }' "$P/stats-after-n$i.txt")"
        done
        ;;
    nokey)
        phase nokey "heartbeat.interval.ms = 200" "tolerance = 15" || { stop_nodes "${NODES[@]}"; continue; }
        requests="$(udp_figure requests)" answered="$(udp_figure answered)" double="$(udp_figure double)"
        metric nokey_udp_requests "$requests" requests
        metric nokey_udp_double "$double" requests
        metric nokey_udp_double_datagrams "$(udp_figure double_datagrams)" datagrams
        metric nokey_udp_failed "$((requests - answered))" requests
        # Reported, not asserted: without a key the cluster cannot tell a forged membership message
        # from a real one, so one owner per datagram is the engine's best effort there (README,
        # "Authenticated cluster traffic"); with the key it is asserted above.
        note "no key (reported): UDP requests answered by two or more nodes: $double of $requests ($(udp_figure double_ids)); answered $answered; by first answer: $(udp_figure by_node)"
        read -r ct cf at af <<<"$(http_figures)"
        metric nokey_http_new_connection_failed "$cf" requests
        metric nokey_http_keepalive_failed "$af" requests
        changes=0
        for i in "${NODES[@]}"; do changes=$((changes + $(stat_delta "$P/stats-before-n$i.txt" "$P/stats-after-n$i.txt" '^view\.changes$'))); done
        metric nokey_view_changes "$changes" changes
        note "no key: views before $(for i in "${NODES[@]}"; do printf 'n%s %s; ' "$i" "${view_before[$i]}"; done)after $(for i in "${NODES[@]}"; do printf 'n%s %s; ' "$i" "${view_after[$i]}"; done)HTTP $cf of $ct curl and $af of $at ab -k requests failed (reported, not asserted)"
        for i in "${NODES[@]}"; do
            for k in $(stat_names "$P/stats-after-n$i.txt" 'stall'); do metric "nokey_${k}_n$i" "$(awk -v k="$k" '$1 == k { print $2 }' "$P/stats-after-n$i.txt")" value; done
            metric "nokey_dropped_n$i" "$(stat_delta "$P/stats-before-n$i.txt" "$P/stats-after-n$i.txt" "$DROP_RE" "$DROP_EXCLUDE")" frames
        done
        heap_figures nokey
        log_figures nokey
        ;;
    *) fail phases "unknown phase $ph (LNLB_HOSTILE_PHASES: key nokey)" ;;
    esac
    stop_nodes "${NODES[@]}"
done
finish
