# Helpers shared by the lab's cluster scripts (cluster.sh, bench.sh, ../demo.sh). Sourced, not run.
# Expects LAB (namespace prefix) and RUN (the lab's run directory, lab/run/$LAB) to be set.
#
# Node mains print "STATUS <interface> <vip> <STATE> epoch <E> members <M> <mac>,..." on stdout
# (lnlb.tap.lab.LabNode does) whenever a cluster's state or view changes; lab.sh node-start sends
# it to $RUN/nI/node.log. The functions below wait on those lines.

NET="10.77.0"

# now_ms: wall clock in milliseconds, without a fork.
now_ms() { local t="${EPOCHREALTIME/./}"; echo $((t / 1000)); }

# wait_until SECONDS COMMAND...: polls COMMAND every 50 ms until it succeeds; 1 after SECONDS.
wait_until() {
    local deadline=$(($(now_ms) + $1 * 1000)); shift
    until "$@"; do
        (($(now_ms) < deadline)) || return 1
        sleep 0.05
    done
}

node_ip() { echo "$NET.$((10 + $1))"; }

# node_mac I: eth0's MAC in node I.
node_mac() { ip -n "$LAB-n$1" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | awk '{print $2}'; }

# node_of_mac MAC NODES...: the node index whose eth0 has MAC.
node_of_mac() {
    local mac="$1" i; shift
    for i in "$@"; do [[ "$(node_mac "$i")" == "$mac" ]] && { echo "$i"; return 0; }; done
    return 1
}

# cluster_mac VIP: the unicast cluster MAC 02:00:<VIP>.
cluster_mac() { local vip="$1"; printf '02:00:%02x:%02x:%02x:%02x' ${vip//./ }; }

# status_of I VIP: the last status of VIP's cluster in node I's current run (since its last
# "=== node-start" line): "STATE epoch E members M macs", or nothing.
status_of() {
    awk -v vip="$2" '/^=== node-start/ {last = ""} $1 == "STATUS" && $3 == vip {last = $0} END {print last}' \
        "$RUN/n$1/node.log" 2>/dev/null | cut -d' ' -f4-
}

# in_view VIP COUNT I...: every node I is a MEMBER of the same view (epoch) of COUNT members.
in_view() {
    local vip="$1" count="$2" epoch="" i state e m; shift 2
    for i in "$@"; do
        read -r state _ e _ m _ <<<"$(status_of "$i" "$vip")"
        [[ "$state" == MEMBER && "$m" == "$count" ]] || return 1
        [[ -z "$epoch" || "$epoch" == "$e" ]] || return 1
        epoch="$e"
    done
}

# coordinator_of I VIP: the MAC of the view's lowest member (the coordinator), as node I sees it.
coordinator_of() { status_of "$1" "$2" | awk '{print $6}' | cut -d, -f1; }

# client_get SOURCE URL [MAX_SECONDS]: one HTTP GET from 10.77.0.SOURCE in the client namespace on a
# new connection; prints the body's first line, or FAIL.
client_get() {
    local body
    body="$(ip netns exec "$LAB-cl" curl -s --max-time "${3:-5}" --interface "$NET.$1" -H 'Connection: close' "$2" \
        | head -n 1)"
    echo "${body:-FAIL}"
}

# client_gets SOURCE COUNT URL: COUNT GETs, each on a new connection, from one curl process; prints one
# line per answer (the body), nothing for a failed request.
client_gets() {
    local source="$1" count="$2" url="$3" k urls=()
    for ((k = 0; k < count; k++)); do urls+=("$url?$source-$k"); done
    ip netns exec "$LAB-cl" curl -s --max-time 10 --interface "$NET.$source" -H 'Connection: close' "${urls[@]}"
}

# serve_map OUT URL COUNT SOURCES...: COUNT GETs per source, all sources in parallel; writes
# "source answers..." lines to OUT (sorted by source).
serve_map() {
    local out="$1" url="$2" count="$3" s; shift 3
    local dir; dir="$(mktemp -d "$RUN/serve.XXXXXX")"
    local pids=()
    for s in "$@"; do
        { echo "$s $(client_gets "$s" "$count" "$url" | tr '\n' ' ')"; } >"$dir/$s" &
        pids+=($!)
    done
    wait "${pids[@]}"
    cat "$dir"/* | sort -n >"$out"
    rm -rf "$dir"
}

# ---- scenario scripts (cluster.sh, faults.sh, flood.sh, hotswap.sh, caps.sh) --------------------------
# LabScript turns each "PASS|FAIL name: detail" line into a JUnit test and keeps "METRIC name value unit"
# lines; "# " lines are notes. lab_checks NAME sets the counters and names the script in log lines.
lab_checks() { SCRIPT="$1" passed=0 failed=0; }
pass() { echo "PASS $1: $2"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
check() { local name="$1" detail="$2"; shift 2; if "$@"; then pass "$name" "$detail"; else fail "$name" "$detail"; fi; }
metric() { echo "METRIC $1 $2 $3"; }
note() { echo "# $*"; }
log() { echo "${SCRIPT:-lab}: $*" >&2; }

# lab_lock: one run at a time per lab prefix (fd 9 stays open, and locked, until the script ends).
lab_lock() {
    mkdir -p "$HERE/run"
    exec 9>"$HERE/run/$LAB.lock"
    flock -w 900 9 || { echo "$SCRIPT: lab '$LAB' stays busy (another run holds $HERE/run/$LAB.lock)" >&2; exit 2; }
}
