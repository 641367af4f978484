# Helpers of the scenarios and the demo that run the runtime jar (demo.sh, cluster.sh, faults.sh,
# flood.sh, hostile.sh, stall.sh, weights.sh). Sourced, not run. Expects HERE (this directory) and,
# optionally, RT_DEFAULT_LAB (the lab prefix when LNLB_LAB is unset), NODES (node indexes; 1 2 3),
# RT_CLUSTER (the cluster's name: lab) and RT_FILE_DEFAULTS (the lines every cluster file starts
# with; manual weight 1). Sources lib.sh; sets LAB, VIP, RUN, LAB_SH, CL, RUNTIME, PYTHON,
# NODE_JAVA_OPTS, UDP_PORT.
#
# The nodes run the runtime jar (lnlb.runtime/target/lnlb.jar) with the JVM options lnlb.service
# sets (its Environment=JAVA_OPTS= line; LNLB_JAVA_OPTS replaces them), each cluster declared in
# $RUN/nI/etc/lnlb.cluster-NAME.cfg, administered with lnlbctl -s $RUN/nI/lnlb.sock.
#
# A scenario starts with
#   HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; RT_DEFAULT_LAB=lnlbxx
#   . "$HERE/rtlib.sh"
#   rt_scenario NAME COMMAND...     root, the checks' counters, the prerequisites, the lab's lock

LAB="${LNLB_LAB:-${RT_DEFAULT_LAB:-lnlb}}"
VIP="${LNLB_VIP:-10.77.0.100}"
export LNLB_LAB="$LAB" LNLB_VIP="$VIP"
RUN="$HERE/run/$LAB"
LAB_SH="$HERE/lab.sh"
CL="$LAB-cl"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
[[ -v NODES ]] || NODES=(1 2 3)
RT_CLUSTER="${RT_CLUSTER:-lab}"
[[ -v RT_FILE_DEFAULTS ]] || RT_FILE_DEFAULTS=("weight.mode = manual" "weight = 1")

RUNTIME="${LNLB_RUNTIME_DIR:-$HERE/../lnlb.runtime/target}"
SERVICE_FILE="$HERE/../lnlb.runtime/src/main/dist/lnlb.service"
SERVICE_JAVA_OPTS="$(sed -n 's/^Environment="\{0,1\}JAVA_OPTS=\([^"]*\)"\{0,1\}$/\1/p' "$SERVICE_FILE" 2>/dev/null | tail -1)"
NODE_JAVA_OPTS="${LNLB_JAVA_OPTS:-${SERVICE_JAVA_OPTS:--Xmx256m}}"
# the system's python3 (a version manager's shim may take seconds to start on a busy machine)
PYTHON="${LNLB_PYTHON:-$( [[ -x /usr/bin/python3 ]] && echo /usr/bin/python3 || command -v python3)}"
UDP_PORT=7000

# rt_prerequisites COMMAND...: the runtime jar, lnlbctl and the commands; FAIL line and exit when missing
rt_prerequisites() {
    local f c
    for f in "$RUNTIME/lnlb.jar" "$RUNTIME/lnlbctl" "$RUNTIME/lnlbctl.jar"; do
        [[ -f "$f" ]] || { fail prerequisites "missing $f (./mvnw -B install -DskipTests)"; echo "$SCRIPT: $passed passed, $failed failed"; exit 1; }
    done
    for c in "$PYTHON" "$@"; do
        command -v "$c" >/dev/null || { fail prerequisites "$c missing (lab/install.sh)"; echo "$SCRIPT: $passed passed, $failed failed"; exit 1; }
    done
}

# rt_scenario NAME COMMAND...: the preamble of a scenario: root (else exit 2), lab_checks NAME,
# rt_prerequisites COMMAND..., lab_lock
rt_scenario() {
    local name="$1"; shift
    [[ $(id -u) -eq 0 ]] || { echo "$name: needs root (network namespaces)" >&2; exit 2; }
    lab_checks "$name"
    rt_prerequisites "$@"
    lab_lock
}
# finish: the last line ("NAME: N passed, N failed") and exit, 0 when nothing failed
finish() { echo "$SCRIPT: $passed passed, $failed failed"; [[ $failed -eq 0 ]]; exit; }

# ctl I ARGS...: lnlbctl against node I's control socket
ctl() { local i="$1"; shift; JAVA="${LNLB_JAVA:-java}" "$RUNTIME/lnlbctl" -s "$RUN/n$i/lnlb.sock" "$@"; }

# view_of I [CLUSTER]: "STATE EPOCH MEMBERS" of CLUSTER (RT_CLUSTER) as node I's `lnlbctl nodes` shows it
view_of() {
    local c="${2:-$RT_CLUSTER}"
    ctl "$1" nodes "$c" 2>/dev/null | sed -n "1s/^$c: [^,]*, \([a-z]*\), epoch \([0-9]*\), \([0-9]*\) member.*/\1 \2 \3/p"
}
# one_view N I...: every node I is a member of the same view (epoch) of N members (of RT_VIEW_CLUSTER,
# default RT_CLUSTER)
one_view() {
    local count="$1" epoch="" i state e m; shift
    for i in "$@"; do
        read -r state e m <<<"$(view_of "$i" "${RT_VIEW_CLUSTER:-$RT_CLUSTER}")"
        [[ "$state" == member && "$m" == "$count" ]] || return 1
        [[ -z "$epoch" || "$epoch" == "$e" ]] || return 1
        epoch="$e"
    done
}
views_text() { local i; for i in "$@"; do printf 'n%s: %s; ' "$i" "$(view_of "$i")"; done; }
node_is_member() { [[ "$(view_of "$1" | cut -d' ' -f1)" == member ]]; }
node_pid() { cat "$RUN/n$1/node.pid" 2>/dev/null; }

# cluster_file I NAME VIP [SETTINGS...]: node I's $RUN/nI/etc/lnlb.cluster-NAME.cfg: VIP on eth0, the
# lines of RT_FILE_DEFAULTS, then each SETTING line (e.g. "key = ...")
cluster_file() {
    local dir="$RUN/n$1/etc" name="$2" vip="$3" line; shift 3
    mkdir -p "$dir"
    { printf 'vip = %s\ndevice = eth0\n' "$vip"
      for line in "${RT_FILE_DEFAULTS[@]}" "$@"; do echo "$line"; done; } >"$dir/lnlb.cluster-$name.cfg"
}
# start_node I [SETTINGS...]: the runtime jar in node I, cluster RT_CLUSTER declared in a file (see
# cluster_file; RT_EXTRA_FILES=1 keeps the other files already in $RUN/nI/etc, as written by
# cluster_file before), its own ConfigAdmin store; waits for the VIP
start_node() {
    local i="$1" dir="$RUN/n$1"; shift
    rm -rf "$dir/cm"
    [[ -n "${RT_EXTRA_FILES:-}" ]] || rm -rf "$dir/etc"
    cluster_file "$i" "$RT_CLUSTER" "$VIP" "$@"
    # the jar's Main-Class (bnd's launcher) with the jar as class path: what `java -jar` runs
    LNLB_CP="$RUNTIME/lnlb.jar" \
        LNLB_JAVA_OPTS="$NODE_JAVA_OPTS -Dlnlb.console=false -Dfelix.cm.dir=$dir/cm -Dlnlb.etc=$dir/etc -Dlnlb.socket=$dir/lnlb.sock -Dlnlb.log.level=info" \
        "$LAB_SH" node-start "$i" aQute.launcher.pre.EmbeddedLauncher >&2
}

# start_cluster SETTINGS...: every node of NODES started with SETTINGS, then one view of all; FAIL and 1 if not
start_cluster() {
    local t0 i; t0=$(now_ms)
    for i in "${NODES[@]}"; do
        if ! start_node "$i" "$@" || ! wait_until 90 node_is_member "$i"; then
            fail "${PHASE:-}nodes-start" "node $i: the runtime jar did not start or join: $(views_text "${NODES[@]}") (log: $RUN/n$i/node.log)"
            return 1
        fi
    done
    if wait_until 60 one_view "${#NODES[@]}" "${NODES[@]}"; then
        pass "${PHASE:-}cluster-formed" "${#NODES[@]} runtime-jar nodes ($NODE_JAVA_OPTS) in one view $(($(now_ms) - t0)) ms after the first launch: $(views_text "${NODES[@]}")"
    else
        fail "${PHASE:-}cluster-formed" "no common view of ${#NODES[@]} in 60 s: $(views_text "${NODES[@]}")"
        return 1
    fi
}
stop_nodes() { local i; for i in "$@"; do "$LAB_SH" node-stop "$i" >&2 || true; done; }

# stats_of I: "name value" lines of `lnlbctl stats RT_CLUSTER` on node I (thousands separators removed), then
# those of `lnlbctl stats` (every cluster, and what the node shows beside them: JVM-wide figures such as
# heap or loop stalls may live there) whose name was not seen yet
stats_of() {
    { ctl "$1" stats "$RT_CLUSTER" 2>/dev/null; ctl "$1" stats 2>/dev/null; } \
        | awk 'NF >= 2 && $1 !~ /:$/ { gsub(",", "", $2); if ($2 ~ /^-?[0-9]+$/ && !seen[$1]++) print $1, $2 }'
}
# stat_delta BEFORE AFTER REGEX [EXCLUDE]: sum over counters whose name matches REGEX (awk, case-insensitive)
# and not EXCLUDE, of after - before
stat_delta() {
    awk -v re="$3" -v ex="${4:-^$}" 'BEGIN { re = tolower(re); ex = tolower(ex) }
        NR == FNR { b[$1] = $2; next }
        { n = tolower($1) } n ~ re && n !~ ex { s += $2 - b[$1] } END { print s + 0 }' "$1" "$2"
}
# stat_names FILE REGEX [EXCLUDE]: the names of the counters matching REGEX
stat_names() { awk -v re="$2" -v ex="${3:-^$}" 'BEGIN { re = tolower(re); ex = tolower(ex) } { n = tolower($1) } n ~ re && n !~ ex { printf "%s ", $1 }' "$1"; }

# udp_servers: lab/udp-rr.py's server in every node, bound to the VIP (ip_nonlocal_bind), answering
# "<node> <request>"; they outlive node restarts
UDP_SERVERS=()
udp_servers() {
    local i
    for i in "${NODES[@]}"; do
        ip netns exec "$LAB-n$i" "$PYTHON" "$HERE/udp-rr.py" server "$LAB-n$i" "$VIP" "$UDP_PORT" 2>"$RUN/n$i/udp-server.log" &
        UDP_SERVERS+=($!)
    done
    udp_server_up() { ip netns exec "$LAB-n$1" ss -Hlun "sport = :$UDP_PORT" | grep -q .; }
    for i in "${NODES[@]}"; do wait_until 30 udp_server_up "$i" || { fail udp-server "no UDP server on node $i"; return 1; }; done
}

# embedded_jar BSN OUT: copies the jar of bundle BSN that lnlb.jar embeds (jar/BSN-VERSION.jar) to OUT;
# updating a bundle from it gives a new revision (a new class loader, the state handed over) that
# resolves against the running core for sure
embedded_jar() {
    "$PYTHON" - "$RUNTIME/lnlb.jar" "$1" "$2" <<'PY'
import re, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    entry = next(n for n in z.namelist() if re.fullmatch(r"jar/" + re.escape(sys.argv[2]) + r"-.*\.jar", n))
    open(sys.argv[3], "wb").write(z.read(entry))
PY
}
# serving I PROTOCOL: "SERVICE-ID BUNDLE" of the module serving PROTOCOL on node I (lnlbctl modules)
serving() { ctl "$1" modules | awk -v p="$2" '$1 == p && $3 == "serving" { print $4, $5 }'; }
# counter I NAME: one counter of RT_CLUSTER on node I (lnlbctl stats), separators removed
counter() { ctl "$1" stats "$RT_CLUSTER" | awk -v k="$2" '$1 == k { gsub(",", "", $2); print $2 }'; }

# ---- the client load: start_load DIR, stop_load, load figures -------------------------------------------
# HTTP with a new connection per request: curl (client_gets, batches of 20) from HTTP_SOURCES; HTTP
# keep-alive: back-to-back `ab -k -c 2 -n 300` runs from KEEPALIVE_SOURCES; UDP request/response:
# lab/udp-dup.py from UDP_SOURCES, UDP_RATE requests/s each, every answer counted per request.
HTTP_SOURCES=(201 202 203 204)
KEEPALIVE_SOURCES=(205 206)
UDP_SOURCES=($(seq 151 174))
UDP_RATE="${LNLB_UDP_RATE:-6}"
LOAD_PIDS=()
LOAD_DIR=""
start_load() {
    LOAD_DIR="$1"
    rm -rf "$LOAD_DIR" && mkdir -p "$LOAD_DIR"
    local s
    for s in "${HTTP_SOURCES[@]}"; do
        ( k=0
          while [[ ! -e "$LOAD_DIR/stop" ]]; do
              k=$((k + 1))
              ip netns exec "$LAB-cl" curl -s --max-time 10 --interface "$NET.$s" -H 'Connection: close' \
                  -w '%{http_code}\n' $(for ((j = 0; j < 20; j++)); do echo "http://$VIP/?$s-$k-$j"; done) \
                  >"$LOAD_DIR/curl-$s-$k.txt" 2>/dev/null
              echo "exit $?" >>"$LOAD_DIR/curl-$s-$k.txt"
          done ) &
        LOAD_PIDS+=($!)
    done
    for s in "${KEEPALIVE_SOURCES[@]}"; do
        ( k=0
          while [[ ! -e "$LOAD_DIR/stop" ]]; do
              k=$((k + 1))
              ip netns exec "$LAB-cl" ab -k -B "$NET.$s" -n 300 -c 2 -s 10 "http://$VIP/" >"$LOAD_DIR/ab-$s-$k.txt" 2>&1
              echo "exit $?" >>"$LOAD_DIR/ab-$s-$k.txt"
          done ) &
        LOAD_PIDS+=($!)
    done
    ip netns exec "$LAB-cl" "$PYTHON" "$HERE/udp-dup.py" client --vip "$VIP" --port "$UDP_PORT" --rate "$UDP_RATE" \
        --sources "$(printf "$NET.%s," "${UDP_SOURCES[@]}" | sed 's/,$//')" --stop "$LOAD_DIR/stop" --out "$LOAD_DIR/udp.txt" \
        2>"$LOAD_DIR/udp.err" &
    LOAD_PIDS+=($!)
}
load_running() {
    (($(ls "$LOAD_DIR"/curl-*.txt 2>/dev/null | wc -l) >= ${#HTTP_SOURCES[@]} + 1)) \
        && (($(ls "$LOAD_DIR"/ab-*.txt 2>/dev/null | wc -l) >= ${#KEEPALIVE_SOURCES[@]})) \
        && [[ -s "$LOAD_DIR/udp.txt" ]] && (($(wc -l <"$LOAD_DIR/udp.txt") >= 50))
}
stop_load() {
    touch "$LOAD_DIR/stop"
    local p deadline=$(($(now_ms) + 30000))
    for p in "${LOAD_PIDS[@]}"; do
        while kill -0 "$p" 2>/dev/null && (($(now_ms) < deadline)); do sleep 0.1; done
        kill "$p" 2>/dev/null
    done
    LOAD_PIDS=()
}
# http_figures: "requests failed" of the HTTP load: curl (new connection per request: a request fails
# when its status is not 200) and ab -k (Failed requests + Non-2xx + the requests of an aborted run)
http_figures() {
    local curl_total curl_failed ab_total ab_failed
    read -r curl_total curl_failed < <(cat "$LOAD_DIR"/curl-*.txt 2>/dev/null | awk '/^[0-9][0-9][0-9]$/ { n++; if ($1 != 200) f++ } END { print n + 0, f + 0 }')
    read -r ab_total ab_failed < <(for f in "$LOAD_DIR"/ab-*.txt; do
        [[ -e "$f" ]] || continue
        awk '/^Complete requests:/ { c = $3 } /^Failed requests:/ { f = $3 } /^Non-2xx responses:/ { x = $3 }
             /^exit / { e = $2 } END { if (c == "" && e != "") { c = 0; f = 300 } else if (e != "0" && e != "") f += 300 - c
                                       print c + 0, f + x + 0 }' "$f"
    done | awk '{ c += $1; f += $2 } END { print c + 0, f + 0 }')
    echo "$curl_total $curl_failed $ab_total $ab_failed"
}
# udp_figure KEY [ARGS...]: one value of `udp-dup.py analyze` over the load's UDP log
udp_figure() { local key="$1"; shift; "$PYTHON" "$HERE/udp-dup.py" analyze "$LOAD_DIR/udp.txt" "$@" | awk -v k="$key" '$1 == k { print $2 }'; }

# ---- heap: jstat samples of every node JVM, twice a second, until STOPFILE ----------------------------
# heap_sampler I OUT STOPFILE: "ms used_kb ygc fgc gct_s" lines (nothing without jstat)
JSTAT="$( [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/jstat" ]] && echo "$JAVA_HOME/bin/jstat" || command -v jstat)"
heap_sampler() {
    local pid; pid="$(node_pid "$1")"
    : >"$2"
    [[ -n "$JSTAT" ]] || return 0
    while [[ ! -e "$3" ]] && kill -0 "$pid" 2>/dev/null; do
        "$JSTAT" -gc "$pid" 2>/dev/null | awk -v t="$(now_ms)" 'NR == 2 { printf "%d %d %d %d %s\n", t, $3 + $4 + $6 + $8, $(NF - 6), $(NF - 4), $NF }'
        sleep 0.5
    done >"$2"
}
