#!/usr/bin/env bash
# Hot swap of tracker bundles under real load (issue 5 §3): three nodes running the REAL runtime
# jar (lnlb.runtime/target/lnlb.jar: Felix, DS, ConfigAdmin, FileInstall, Gogo, the tcp and udp
# trackers), one cluster declared in a file per node, administered with lnlbctl.
#
#   lab/hotswap.sh          needs root, lnlb.runtime/target/lnlb.jar + lnlbctl and the tcp tracker's jar
#
# While the load runs —
#   (a) HTTP: ab from 3 client addresses (new connection per request, 4 at a time, back-to-back
#       runs) and curl from ONE address (new connection per request) whose answers name the node;
#   (b) UDP request/response from 2 addresses (lab/udp-rr.py: a new source port per request, a
#       server in every node answering "<node> <request>"; retry policy in udp-rr.py);
#   (c) 10 long-lived HTTP streams (/stream, 100 kB/s)
# — the tcp tracker is updated from its jar (`lnlbctl swap lnlb.module.tcp file:JAR`: a new bundle
# revision, and the command waits until it serves protocol 6 again, exit 1 if it does not)
# on every node one after the other, then the udp tracker is stopped and started on every node one
# after the other, in one lnlbctl request (`lnlbctl gosh --nointeractive -c 'stop ID; start ID'`;
# LNLB_UDP_RESTART=two: `lnlbctl stop ID` then `lnlbctl start ID`, see below). Checks: ab and curl
# never fail, every UDP request is answered (raw timeouts reported), the 10 streams complete with
# every byte, the connections of the one curl address spread over the 3 nodes (each within ±20 %
# of a third), each node's `lnlbctl modules` shows the new service, and the counters show what the
# swap held (swap.held) and that nothing was dropped (swap.dropped, module.errors).
#
# Output as cluster.sh ("PASS|FAIL name: detail", "METRIC name value unit", "# notes", a last
# "hotswap: N passed, N failed"); exit 0 when nothing failed. Always torn down (trap EXIT); node
# logs and load outputs stay in lab/run/$LNLB_LAB.hotswap/.
#
# Environment: LNLB_LAB, LNLB_VIP, LNLB_RUNTIME_DIR (lnlb.runtime/target), LNLB_TCP_JAR (the jar
# the tcp tracker is updated from; default: the one lnlb.jar embeds; a jar built against another
# lnlb.core may not resolve: the update then fails and protocol 6 falls back to protocol 0),
# LNLB_INTERVAL_MS (200), LNLB_TOLERANCE (15), LNLB_STREAM_BYTES (6000000: 60 s per stream),
# LNLB_JAVA_OPTS (node JVMs; default serial GC, 256 MiB heap), LNLB_PYTHON (/usr/bin/python3),
# LNLB_UDP_RESTART (one|two). With two lnlbctl calls the udp tracker may be gone for longer than
# the engine holds datagrams (swap.grace.ms; it was 2 s when this was seen): that node then decides protocol 17 with protocol 0 while the
# others still use the udp tracker, and a flow both disown gets no answer until it returns (seen:
# 2 of 2457 requests failed after 6 sends, gaps of 2.3-3.6 s).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB="${LNLB_LAB:-lnlb}"
VIP="${LNLB_VIP:-10.77.0.100}"
export LNLB_LAB="$LAB" LNLB_VIP="$VIP"
INTERVAL="${LNLB_INTERVAL_MS:-200}"
TOLERANCE="${LNLB_TOLERANCE:-15}"
RUNTIME="${LNLB_RUNTIME_DIR:-$HERE/../lnlb.runtime/target}"
TCP_JAR="${LNLB_TCP_JAR:-}"
export LNLB_STREAM_BYTES="${LNLB_STREAM_BYTES:-6000000}"
NODE_JAVA_OPTS="${LNLB_JAVA_OPTS:--XX:+UseSerialGC -Xmx256m -XX:MaxDirectMemorySize=512m}"
UDP_PORT=7000
# one: stop and start in one lnlbctl request (Gogo runs "stop ID; start ID" through gosh -c);
# two: `lnlbctl stop ID` then `lnlbctl start ID` (a JVM start in between: 1-3.6 s on a busy machine)
UDP_RESTART="${LNLB_UDP_RESTART:-one}"
# the system's python3 (a version manager's shim may take seconds to start on a busy machine)
PYTHON="${LNLB_PYTHON:-$( [[ -x /usr/bin/python3 ]] && echo /usr/bin/python3 || command -v python3)}"
RUN="$HERE/run/$LAB"
CL="$LAB-cl"
LAB_SH="$HERE/lab.sh"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

AB_SOURCES=(201 202 203)       # ab, 4 connections at a time each
SPREAD_SOURCE=210              # curl: one address, its connections must spread over the nodes
UDP_SOURCES=(204 205)
STREAM_SOURCES=($(seq 231 240))
NODES=(1 2 3)

[[ $(id -u) -eq 0 ]] || { echo "hotswap: needs root (network namespaces)" >&2; exit 2; }

lab_checks hotswap

# By default the tcp tracker is updated to the very jar the runtime embeds: a new revision (a new
# class loader, the state handed over) that resolves against the running core for sure.
if [[ -z "$TCP_JAR" ]]; then
    mkdir -p "$RUN" && TCP_JAR="$RUN/lnlb.module.tcp.jar"
    "$PYTHON" - "$RUNTIME/lnlb.jar" "$TCP_JAR" <<'EOF' 2>/dev/null || rm -f "$TCP_JAR"
import re, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    entry = next(n for n in z.namelist() if re.fullmatch(r"jar/lnlb\.module\.tcp-.*\.jar", n))
    open(sys.argv[2], "wb").write(z.read(entry))
EOF
fi
for f in "$RUNTIME/lnlb.jar" "$RUNTIME/lnlbctl" "$TCP_JAR"; do
    [[ -f "$f" ]] || { echo "FAIL prerequisites: missing $f (./mvnw -B package -DskipTests -pl lnlb.runtime -am)"; exit 1; }
done
for c in ab curl "$PYTHON"; do
    command -v "$c" >/dev/null || { echo "FAIL prerequisites: $c missing (lab/install.sh)"; exit 1; }
done

lab_lock

STOP="$RUN/load/stop"
background=() servers=()
cleanup() {
    local status=$?
    touch "$STOP" 2>/dev/null
    ((${#background[@]})) && kill "${background[@]}" 2>/dev/null
    ((${#servers[@]})) && kill "${servers[@]}" 2>/dev/null
    "$LAB_SH" down >/dev/null 2>&1 || "$LAB_SH" down
    rm -rf "$RUN.hotswap" && mkdir -p "$RUN.hotswap" && cp -r "$RUN"/n[0-9]* "$RUN/load" "$RUN.hotswap/" 2>/dev/null
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ctl I ARGS...: lnlbctl against node I's control socket
ctl() { local i="$1"; shift; JAVA="${LNLB_JAVA:-java}" "$RUNTIME/lnlbctl" -s "$RUN/n$i/lnlb.sock" "$@"; }

# view_of I: "STATE EPOCH MEMBERS" of the cluster "lab" as node I's `lnlbctl nodes lab` shows it
view_of() { ctl "$1" nodes lab 2>/dev/null | sed -n '1s/^lab: [^,]*, \([a-z]*\), epoch \([0-9]*\), \([0-9]*\) member.*/\1 \2 \3/p'; }
all_in_view() {
    local epoch="" i state e m
    for i in "${NODES[@]}"; do
        read -r state e m <<<"$(view_of "$i")"
        [[ "$state" == member && "$m" == "${#NODES[@]}" ]] || return 1
        [[ -z "$epoch" || "$epoch" == "$e" ]] || return 1
        epoch="$e"
    done
}
node_is_member() { [[ "$(view_of "$1" | cut -d' ' -f1)" == member ]]; }
views_text() { local i; for i in "${NODES[@]}"; do printf 'n%s: %s; ' "$i" "$(view_of "$i")"; done; }

# start_node I: the runtime jar in node I, its cluster declared in a file, its own ConfigAdmin store
start_node() {
    local i="$1" dir="$RUN/n$1"
    rm -rf "$dir/etc" "$dir/cm" && mkdir -p "$dir/etc"
    cat >"$dir/etc/lnlb.cluster-lab.cfg" <<EOF
vip = $VIP
device = eth0
heartbeat.interval.ms = $INTERVAL
tolerance = $TOLERANCE
weight.mode = manual
weight = 1
affinity = connection
EOF
    # (affinity connection: the swaps are watched per connection and per UDP flow, spread over the
    # nodes; under the default, source, one client's connections would all stay on one node)
    # the jar's Main-Class (bnd's launcher) with the jar as class path: what `java -jar` runs
    LNLB_CP="$RUNTIME/lnlb.jar" \
        LNLB_JAVA_OPTS="$NODE_JAVA_OPTS -Dlnlb.console=false -Dfelix.cm.dir=$dir/cm -Dlnlb.etc=$dir/etc -Dlnlb.socket=$dir/lnlb.sock" \
        "$LAB_SH" node-start "$i" aQute.launcher.pre.EmbeddedLauncher >&2
}

# bundle_id I SYMBOLIC-NAME
bundle_id() { ctl "$1" lb -s | awk -F'|' -v bsn="$2" '{ split($4, w, " ") } w[1] == bsn { print $1 + 0 }'; }
# serving I PROTOCOL: "SERVICE-ID BUNDLE" of the module serving PROTOCOL on node I
serving() { ctl "$1" modules | awk -v p="$2" '$1 == p && $3 == "serving" { print $4, $5 }'; }
# counter I NAME: one counter of cluster lab on node I
counter() { ctl "$1" stats lab | awk -v k="$2" '$1 == k { gsub(",", "", $2); print $2 }'; }
# swap_gap_ms I PROTOCOL: in node I's log, ms from the last "protocol P now served by null" to the
# next "protocol P now served by protocol" (the time the protocol had no module), or -1
swap_gap_ms() {
    awk -v p="$2" '
        function ms(t) { split(t, a, ":"); return ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 }
        /^=== node-start/ { gone = -1; gap = -1 }
        index($0, "protocol " p " now served by null") { gone = ms($1) }
        index($0, "protocol " p " now served by protocol " p " ") && gone >= 0 { gap = int(ms($1) - gone + 0.5); gone = -1 }
        END { print (gap == "" ? -1 : gap) }' "$RUN/n$1/node.log"
}

"$LAB_SH" down >/dev/null 2>&1 || true
"$LAB_SH" up 3 >&2 || { fail lab-up "lab.sh up 3 failed"; exit 1; }
rm -rf "$RUN/load" && mkdir -p "$RUN/load/streams"

# ==== 1. three runtime-jar nodes, one cluster =========================================================
t0=$(now_ms)
for i in "${NODES[@]}"; do
    if ! start_node "$i" || ! wait_until 60 node_is_member "$i"; then
        fail nodes-start "node $i: the runtime jar did not start or join: $(views_text) (logs: $RUN.hotswap/n$i/node.log)"
        exit 1
    fi
done
if wait_until 30 all_in_view; then
    pass cluster-formed "3 runtime-jar nodes agree on one view in $(($(now_ms) - t0)) ms from the first launch: $(views_text)"
else
    fail cluster-formed "no common view of 3 in 30 s: $(views_text)"
    exit 1
fi
declare -A tcp_before udp_before
for i in "${NODES[@]}"; do
    tcp_before[$i]="$(serving "$i" 6)" udp_before[$i]="$(serving "$i" 17)"
    check "modules-n$i" "node $i: protocol 6 by ${tcp_before[$i]:-nobody}, 17 by ${udp_before[$i]:-nobody}" \
        bash -c "[[ '${tcp_before[$i]}' == *' lnlb.module.tcp' && '${udp_before[$i]}' == *' lnlb.module.udp' ]]"
done
((failed == 0)) || exit 1
# the bundle ids are the same in every node (one runtime jar) and stay across update, stop and start
TCP_ID="$(bundle_id 1 lnlb.module.tcp)" UDP_ID="$(bundle_id 1 lnlb.module.udp)"
declare -A held_before
for i in "${NODES[@]}"; do held_before[$i]="$(counter "$i" swap.held)"; done

# ==== 2. the load =====================================================================================
for i in "${NODES[@]}"; do
    # bound to the VIP before it exists (ip_nonlocal_bind is on), so the answer leaves from it
    ip netns exec "$LAB-n$i" "$PYTHON" "$HERE/udp-rr.py" server "$LAB-n$i" "$VIP" "$UDP_PORT" 2>"$RUN/n$i/udp-server.log" &
    servers+=($!)
done
udp_server_up() { ip netns exec "$LAB-n$1" ss -Hlun "sport = :$UDP_PORT" | grep -q .; }
for i in "${NODES[@]}"; do wait_until 30 udp_server_up "$i" || { fail udp-server "no UDP server on node $i"; exit 1; }; done

ab_loop() { # back-to-back ab runs from one source until $STOP
    local s="$1" k=0
    while [[ ! -e "$STOP" ]]; do
        k=$((k + 1))
        ip netns exec "$CL" ab -B "$NET.$s" -n 400 -c 4 -s 10 "http://$VIP/" >"$RUN/load/ab-$s-$k.txt" 2>&1
        echo "exit $?" >>"$RUN/load/ab-$s-$k.txt"
    done
}
spread_loop() { # batches of 50 GETs, each on a new connection, from one source until $STOP
    local k=0
    while [[ ! -e "$STOP" ]]; do
        k=$((k + 1))
        client_gets "$SPREAD_SOURCE" 50 "http://$VIP/" >"$RUN/load/spread-$k.txt"
    done
}
for s in "${AB_SOURCES[@]}"; do ab_loop "$s" & background+=($!); done
spread_loop & background+=($!)
for s in "${UDP_SOURCES[@]}"; do
    ip netns exec "$CL" "$PYTHON" "$HERE/udp-rr.py" client "$NET.$s" "$VIP" "$UDP_PORT" "$STOP" "$RUN/load/udp-$s.txt" &
    background+=($!)
done

ab_runs_done() { ls "$RUN"/load/ab-*.txt 2>/dev/null | xargs -r grep -l '^exit ' | wc -l; }
spread_batches() { ls "$RUN"/load/spread-*.txt 2>/dev/null | wc -l; }
udp_answers() { cat "$RUN"/load/udp-*.txt 2>/dev/null | grep -c '^ok'; }
load_running() {
    (($(ab_runs_done) >= ${#AB_SOURCES[@]} && $(spread_batches) >= 2 && $(udp_answers) >= 50))
}
if ! wait_until 60 load_running; then
    fail load-start "the load did not get going in 60 s: $(ab_runs_done) ab runs, $(spread_batches) curl batches, $(udp_answers) UDP answers"
    exit 1
fi
note "load running: $(ab_runs_done) ab runs, $(spread_batches) curl batches, $(udp_answers) UDP answers so far"

if [[ "$UDP_RESTART" == two ]]; then UDP_RESTART_TEXT="lnlbctl stop $UDP_ID, lnlbctl start $UDP_ID"
else UDP_RESTART_TEXT="lnlbctl gosh --nointeractive -c 'stop $UDP_ID; start $UDP_ID'"; fi

# ==== 3. the swaps, node after node, while 10 streams run =============================================
stream_pids=()
for s in "${STREAM_SOURCES[@]}"; do
    ip netns exec "$CL" curl -s --interface "$NET.$s" --max-time 180 --speed-limit 10000 --speed-time 3 \
        -o "$RUN/load/streams/$s.out" -w '%{http_code} %{size_download} %{time_total}\n' "http://$VIP/stream" \
        >"$RUN/load/streams/$s.res" 2>&1 &
    stream_pids+=($!)
done
background+=("${stream_pids[@]}")
streams_flowing() { local s; for s in "${STREAM_SOURCES[@]}"; do [[ -s "$RUN/load/streams/$s.out" ]] || return 1; done; }
wait_until 20 streams_flowing || note "not every stream had started before the swaps"
swap_t0=$(now_ms)
# only the commands while the streams run (every lnlbctl is a JVM start: seconds on a busy machine)
declare -A said ctl_ms rcs
for i in "${NODES[@]}"; do
    t=$(now_ms)
    said[tcp$i]="$(ctl "$i" swap lnlb.module.tcp "file:$TCP_JAR" 2>&1)"; rcs[tcp$i]=$?
    ctl_ms[tcp$i]=$(($(now_ms) - t))
done
for i in "${NODES[@]}"; do
    t=$(now_ms)
    if [[ "$UDP_RESTART" == two ]]; then
        said[udp$i]="$(ctl "$i" stop "$UDP_ID" 2>&1)"; rcs[udp$i]=$?
        said[udp$i]+="$(ctl "$i" start "$UDP_ID" 2>&1)"; rcs[udp$i]+="/$?"
    else
        said[udp$i]="$(ctl "$i" gosh --nointeractive -c "stop $UDP_ID; start $UDP_ID" 2>&1)"; rcs[udp$i]=$?
    fi
    ctl_ms[udp$i]=$(($(now_ms) - t))
done
swaps_ms=$(($(now_ms) - swap_t0))
metric swaps_total_ms "$swaps_ms" ms
alive=0; for p in "${stream_pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
check streams-outlive-swaps "$alive/${#STREAM_SOURCES[@]} streams were still running when the 6 swaps ($swaps_ms ms) were done (else: raise LNLB_STREAM_BYTES)" \
    test "$alive" -eq "${#STREAM_SOURCES[@]}"

# swapped: a new service of the same bundle serves, lnlbctl said nothing wrong (Gogo prints a
# command's exception and still answers 0, so the text is checked too)
swapped() { # swapped PROTOCOL BEFORE NOW BUNDLE STATUS TEXT
    [[ -n "$3" && "$3" != "$2" && "$3" == *" $4" && "$5" =~ ^0(/0)?$ ]] && ! grep -qiE 'error|exception' <<<"$6"
}
for i in "${NODES[@]}"; do
    now="$(serving "$i" 6)" gap="$(swap_gap_ms "$i" 6)"
    metric "tcp_swap_gap_ms_n$i" "$gap" ms
    check "tcp-update-n$i" "node $i: lnlbctl swap lnlb.module.tcp file:$(basename "$TCP_JAR"): exit ${rcs[tcp$i]} in ${ctl_ms[tcp$i]} ms; protocol 6 served by ${tcp_before[$i]} before, $now after; $gap ms without a module${said[tcp$i]:+; said: $(head -c 300 <<<"${said[tcp$i]}" | tr '\n' ' ')}" \
        swapped 6 "${tcp_before[$i]}" "$now" lnlb.module.tcp "${rcs[tcp$i]}" "${said[tcp$i]}"
done
for i in "${NODES[@]}"; do
    now="$(serving "$i" 17)" gap="$(swap_gap_ms "$i" 17)"
    metric "udp_restart_gap_ms_n$i" "$gap" ms
    check "udp-restart-n$i" "node $i: $UDP_RESTART_TEXT: exit ${rcs[udp$i]} in ${ctl_ms[udp$i]} ms; protocol 17 served by ${udp_before[$i]} before, $now after; $gap ms without a module${said[udp$i]:+; said: $(head -c 300 <<<"${said[udp$i]}" | tr '\n' ' ')}" \
        swapped 17 "${udp_before[$i]}" "$now" lnlb.module.udp "${rcs[udp$i]}" "${said[udp$i]}"
done

# the load goes on after the swaps: one more ab run per source and two curl batches, then stop
ab_after=$(($(ab_runs_done) + ${#AB_SOURCES[@]})) spread_after=$(($(spread_batches) + 2))
wait_until 60 bash -c "(( \$(ls $RUN/load/ab-*.txt | xargs -r grep -l '^exit ' | wc -l) >= $ab_after && \$(ls $RUN/load/spread-*.txt | wc -l) >= $spread_after ))" \
    || note "less load after the swaps than planned"
touch "$STOP"

# ==== 4. what the clients saw =========================================================================
bad=() stream_nodes=() slowest=0
for ((k = 0; k < ${#STREAM_SOURCES[@]}; k++)); do
    s="${STREAM_SOURCES[$k]}"
    wait "${stream_pids[$k]}"; rc=$?
    read -r code size secs <<<"$(cat "$RUN/load/streams/$s.res")"
    first="$(head -n 1 "$RUN/load/streams/$s.out" 2>/dev/null)"
    stream_nodes+=("$first")
    secs="${secs%.*}"; ((${secs:-0} > slowest)) && slowest="${secs:-0}"
    if [[ $rc -ne 0 || "$code" != 200 || "$size" != "$LNLB_STREAM_BYTES" || "$first" != "$LAB-n"* ]]; then
        bad+=("$s(curl exit $rc, HTTP $code, $size bytes)")
    fi
done
wait "${background[@]}" 2>/dev/null   # the load loops end at $STOP
background=()
metric streams_slowest_s "$slowest" s
check streams-intact "$((${#STREAM_SOURCES[@]} - ${#bad[@]}))/${#STREAM_SOURCES[@]} streams of $LNLB_STREAM_BYTES bytes completed, none reset or stalled (curl aborts below 10 kB/s for 3 s); served by: $(printf '%s\n' "${stream_nodes[@]}" | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')${bad:+; failed: ${bad[*]}}" \
    test "${#bad[@]}" -eq 0

# ab: every run must have finished (ab stops at a reset or a timeout) with 0 failed and 0 non-2xx
read -r runs complete failed_req non2xx aborted <<<"$(awk '
    FNR == 1 { runs++ }
    /^Complete requests:/ { complete += $3 }
    /^Failed requests:/ { failed += $3 }
    /^Non-2xx responses:/ { non2xx += $3 }
    /^exit / && $2 != 0 { aborted++ }
    END { printf "%d %d %d %d %d\n", runs, complete, failed, non2xx, aborted }' "$RUN"/load/ab-*.txt)"
metric http_ab_requests "$complete" requests
check http-ab "ab from ${#AB_SOURCES[@]} addresses, $runs runs: $complete requests complete, $failed_req failed, $non2xx non-2xx, $aborted runs aborted" \
    bash -c "[[ $complete -gt 0 && $failed_req -eq 0 && $non2xx -eq 0 && $aborted -eq 0 ]]"

# curl from one address: every answer, and the connections spread over the 3 nodes
batches=$(spread_batches)
cat "$RUN"/load/spread-*.txt >"$RUN/load/spread-all.txt"
answers=$(grep -c "^$LAB-n[0-9]" "$RUN/load/spread-all.txt")
expected=$((batches * 50))
per_node="$(sort "$RUN/load/spread-all.txt" | uniq -c | awk '{printf "%s=%s ", $2, $1}')"
check http-curl "curl from $NET.$SPREAD_SOURCE: $answers/$expected GETs (new connection each) answered" test "$answers" -eq "$expected"
spread_ok() {
    local i c
    for i in "${NODES[@]}"; do
        c=$(grep -c "^$LAB-n$i\$" "$RUN/load/spread-all.txt")
        ((c * 100 >= answers * 80 / 3 && c * 100 <= answers * 120 / 3)) || return 1
    done
    ((answers >= 300))
}
check per-connection-spread "the connections of one client address over the nodes: $per_node(each within ±20 % of $((answers / 3)), >= 300 connections)" spread_ok

# UDP: every request answered after retries; raw timeouts as a metric
read -r requests answered timeouts <<<"$(cat "$RUN"/load/udp-*.txt | awk '{ n++; if ($1 == "ok") ok++; t += $3 - 1 } END { printf "%d %d %d\n", n, ok, t }')"
udp_nodes="$(cat "$RUN"/load/udp-*.txt | awk '$1 == "ok" {print $2}' | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')"
metric udp_requests "$requests" requests
metric udp_raw_timeouts "$timeouts" timeouts
check udp-answered "UDP from ${#UDP_SOURCES[@]} addresses, a new source port per request: $answered/$requests answered (0.5 s timeout, up to 6 sends), $timeouts raw timeouts; by $udp_nodes" \
    bash -c "[[ $requests -gt 0 && $answered -eq $requests ]]"
udp_fails="$(cat "$RUN"/load/udp-*.txt | awk -v t0="$swap_t0" '$1 == "fail" { printf "%+d ", $5 - t0 }')"
[[ -n "$udp_fails" ]] && note "UDP requests that failed, started at (ms from the first swap): $udp_fails"
# a gap over the engine's hold (swap.grace.ms): protocol 0 took over and the node dropped its UDP flow state
fallbacks=0
for i in "${NODES[@]}"; do
    grep -h 'came back in time' "$RUN/n$i/node.log" | sed "s/^/# node $i: /"
    fallbacks=$((fallbacks + $(grep -c 'came back in time' "$RUN/n$i/node.log")))
done
metric protocol0_fallbacks "$fallbacks" nodes
udp_spread_ok() { local i; for i in "${NODES[@]}"; do grep -q "$LAB-n$i=" <<<"$udp_nodes" || return 1; done; }
check udp-per-flow-spread "the UDP flows of 2 client addresses reach every node: $udp_nodes" udp_spread_ok

# ==== 5. the counters =================================================================================
held_total=0 dropped_total=0 errors_total=0
for i in "${NODES[@]}"; do
    held=$(counter "$i" swap.held) dropped=$(counter "$i" swap.dropped) errors=$(counter "$i" module.errors)
    note "node $i: swap.held ${held_before[$i]} -> $held, module.errors $errors, accepted $(counter "$i" accepted);" \
        "$(ctl "$i" stats lab | awk '$1 ~ /^swap\./ && $1 != "swap.held" { printf "%s %s, ", $1, $2 }')"
    metric "swap_held_n$i" "$((held - ${held_before[$i]:-0}))" datagrams
    held_total=$((held_total + held - ${held_before[$i]:-0})) dropped_total=$((dropped_total + dropped)) errors_total=$((errors_total + errors))
done
check swap-counters "datagrams held while a protocol had no module: $held_total (all nodes), dropped: $dropped_total, module errors: $errors_total" \
    bash -c "[[ $held_total -gt 0 && $dropped_total -eq 0 && $errors_total -eq 0 ]]"
for i in "${NODES[@]}"; do
    check "still-member-n$i" "node $i after the swaps: $(view_of "$i")" node_is_member "$i"
done

# ==== 6. SIGTERM: the runtime leaves its cluster =====================================================
# The framework's orderly stop sends LEAVE through the link before it closes: the others log
# "<mac> leaves" and drop the node at once, not after the death timeout (interval x tolerance).
leaves_before=$(grep -c ' leaves' "$RUN/n1/node.log")
t0=$(now_ms)
"$LAB_SH" node-stop 3 >&2
two_members() { [[ "$(view_of 1 | cut -d' ' -f3)" == 2 && "$(view_of 2 | cut -d' ' -f3)" == 2 ]]; }
wait_until 30 two_members || true
left_ms=$(($(now_ms) - t0))
metric sigterm_to_two_member_view_ms "$left_ms" ms
check sigterm-leave "node 3 stopped with SIGTERM: node 1 logged $(($(grep -c ' leaves' "$RUN/n1/node.log") - leaves_before)) LEAVE, nodes 1 and 2 in a 2-member view after $left_ms ms ($(views_text))" \
    bash -c "(( \$(grep -c ' leaves' '$RUN/n1/node.log') > $leaves_before )) && [[ '$(view_of 1 | cut -d' ' -f3)' == 2 ]]"

echo "hotswap: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
