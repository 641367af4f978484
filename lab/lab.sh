#!/usr/bin/env bash
# lnlb lab: network namespaces joined by a Linux bridge, on this machine only (DESIGN.md §8).
#
#   lab/lab.sh up N                      switch + N nodes + client, servers started in every node
#   lab/lab.sh down                      kill what runs in the lab namespaces, delete them
#   lab/lab.sh node-start I MAIN [ARG..] run `java -cp $LNLB_CP MAIN ARG..` in node I and wait
#                                        until the VIP is up on a virtual interface there
#   lab/lab.sh node-stop I               SIGTERM the node's JVM and wait for it to exit
#   lab/lab.sh node-kill I               SIGKILL the node's JVM (a crash) and wait for it to be gone
#   lab/lab.sh status                    namespaces, addresses, bridge fdb
#   lab/lab.sh classpath                 print (and cache) the classpath of lnlb.tap + test classes
#
# Layout (every name carries the $LNLB_LAB prefix, default "lnlb"; addresses exist only inside the
# namespaces):
#   lnlb-sw   bridge lnlb-br0, ports lnlb-p1..N (nodes) and lnlb-pc (client); no STP, floods unknown MACs
#   lnlb-nI   eth0 = 10.77.0.(10+I)/24, MAC 02:6c:6e:00:00:I (veth to lnlb-pI; fixed MACs, so the view,
#             its coordinator (node 1, the lowest MAC) and the spread of sources repeat run after run);
#             nginx on *:80 (every VIP and eth0) answering "lnlb-nI" on /, "lnlb-nI <epoch seconds.ms>"
#             (no newline) on /t, and on /stream a file (first line "lnlb-nI") sent at $LNLB_STREAM_RATE;
#             iperf3 -s on :5201; net.ipv4.ip_nonlocal_bind=1 so servers may bind a VIP before it exists
#   lnlb-cl   eth0 = 10.77.0.200/24 + 10.77.0.201..250 and 10.77.0.151..190 (secondaries: 90 client
#             source addresses for source-IP affinity tests)
# Offloads stay at the veth defaults (TSO, checksum offload on): the data path must cope with them.
#
# Environment: LNLB_LAB (prefix), LNLB_VIP (10.77.0.100), LNLB_CP (classpath for node-start),
# LNLB_JAVA (java), LNLB_JAVA_OPTS, LNLB_SERVER (nginx|python: the HTTP server, default nginx if
# installed), LNLB_STREAM_RATE (nginx limit_rate of /stream, 100k), LNLB_STREAM_BYTES (its size, 1500000).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB="${LNLB_LAB:-lnlb}"
VIP="${LNLB_VIP:-10.77.0.100}"
NET="10.77.0"
RUN="$HERE/run/$LAB"
JAVA="${LNLB_JAVA:-java}"
STREAM_RATE="${LNLB_STREAM_RATE:-100k}"
STREAM_BYTES="${LNLB_STREAM_BYTES:-1500000}"
# Client source addresses (last octet), besides the primary 10.77.0.200.
CLIENT_SOURCES="$(seq 201 250) $(seq 151 190)"

die() { echo "lab: $*" >&2; exit 1; }
log() { echo "lab: $*" >&2; }
ns_sw() { echo "$LAB-sw"; }
ns_node() { echo "$LAB-n$1"; }
ns_cl() { echo "$LAB-cl"; }
node_ip() { echo "$NET.$((10 + $1))"; }
in_ns() { local ns="$1"; shift; ip netns exec "$ns" "$@"; }

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND until it succeeds, fails after SECONDS.
wait_for() {
    local what="$1" limit="$2"; shift 2
    local deadline=$((SECONDS + limit))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            log "timed out after ${limit}s waiting for $what"
            return 1
        fi
        sleep 0.1
    done
}

lab_namespaces() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$LAB-(sw|cl|n[0-9]+)\$" || true; }

require_root() { [[ $(id -u) -eq 0 ]] || die "needs root (network namespaces, bridges)"; }

server_kind() {
    if [[ -n "${LNLB_SERVER:-}" ]]; then echo "$LNLB_SERVER"
    elif command -v nginx >/dev/null 2>&1; then echo nginx
    else echo python; fi
}

listening() { in_ns "$1" ss -Hltn "sport = :$2" | grep -q .; }

start_http() {
    local i="$1" ns; ns="$(ns_node "$i")"
    local dir="$RUN/n$i"
    mkdir -p "$dir/tmp" "$dir/www"
    echo "$LAB-n$i" >"$dir/www/index.html"
    # /stream: "lnlb-nI" on the first line, then filler up to STREAM_BYTES
    local name="$LAB-n$i"
    { echo "$name"; head -c "$((STREAM_BYTES - ${#name} - 1))" /dev/zero | tr '\0' x; } >"$dir/www/stream"
    case "$(server_kind)" in
        nginx)
            cat >"$dir/nginx.conf" <<EOF
daemon on;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen 80;
        location / { default_type text/plain; return 200 "$LAB-n$i\n"; }
        location = /stream { default_type application/octet-stream; alias $dir/www/stream; limit_rate $STREAM_RATE; }
        location = /t { default_type text/plain; return 200 "$LAB-n$i \$msec"; }
    }
}
EOF
            in_ns "$ns" nginx -q -c "$dir/nginx.conf" -p "$dir" -g "user root;" ;;
        python)
            in_ns "$ns" python3 -m http.server 80 --bind 0.0.0.0 --directory "$dir/www" \
                >"$dir/http.log" 2>&1 &
            echo $! >"$dir/http.pid" ;;
        *) die "unknown LNLB_SERVER $(server_kind)" ;;
    esac
    wait_for "HTTP server in $ns" 20 listening "$ns" 80
}

cmd_up() {
    local n="${1:-}"
    [[ "$n" =~ ^[0-9]+$ ]] && ((n >= 1 && n <= 40)) || die "usage: lab.sh up N (1..40)"
    require_root
    [[ -z "$(lab_namespaces)" ]] || die "lab '$LAB' is already up (lab.sh down first)"
    command -v iperf3 >/dev/null || die "iperf3 missing (apt-get install iperf3)"
    mkdir -p "$RUN"
    local sw cl; sw="$(ns_sw)"; cl="$(ns_cl)"

    ip netns add "$sw"
    in_ns "$sw" ip link set lo up
    in_ns "$sw" ip link add lnlb-br0 type bridge stp_state 0
    in_ns "$sw" ip link set lnlb-br0 up

    for ((i = 1; i <= n; i++)); do
        local ns; ns="$(ns_node "$i")"
        ip netns add "$ns"
        ip -n "$sw" link add "lnlb-p$i" type veth peer name eth0 netns "$ns"
        ip -n "$sw" link set "lnlb-p$i" master lnlb-br0 up
        in_ns "$ns" ip link set lo up
        in_ns "$ns" ip link set eth0 address "$(printf '02:6c:6e:00:00:%02x' "$i")"
        in_ns "$ns" ip addr add "$(node_ip "$i")/24" dev eth0
        in_ns "$ns" ip link set eth0 up
        in_ns "$ns" sysctl -qw net.ipv4.ip_nonlocal_bind=1
        mkdir -p "$RUN/n$i"
        rm -f "$RUN/n$i/node.log"
    done

    ip netns add "$cl"
    ip -n "$sw" link add lnlb-pc type veth peer name eth0 netns "$cl"
    ip -n "$sw" link set lnlb-pc master lnlb-br0 up
    in_ns "$cl" ip link set lo up
    in_ns "$cl" ip addr add "$NET.200/24" dev eth0
    for s in $CLIENT_SOURCES; do echo "addr add $NET.$s/24 dev eth0"; done | ip -n "$cl" -batch -
    in_ns "$cl" ip link set eth0 up

    for ((i = 1; i <= n; i++)); do
        local ns; ns="$(ns_node "$i")"
        wait_for "eth0 up in $ns" 10 sh -c "ip -n $ns -o link show eth0 | grep -q LOWER_UP"
        start_http "$i"
        in_ns "$ns" iperf3 -s -D -I "$RUN/n$i/iperf3.pid" --logfile "$RUN/n$i/iperf3.log"
        wait_for "iperf3 in $ns" 20 listening "$ns" 5201
    done
    wait_for "eth0 up in $cl" 10 sh -c "ip -n $cl -o link show eth0 | grep -q LOWER_UP"
    # addresses must be past duplicate address detection (IPv6 link-local) before traffic: not needed
    # for IPv4; the bridge ports forward at once (no STP).
    echo "$n" >"$RUN/nodes"
    log "up: $n node(s), VIP $VIP, HTTP server: $(server_kind), run dir $RUN"
}

kill_ns_processes() {
    local ns="$1" pids
    pids="$(ip netns pids "$ns" 2>/dev/null || true)"
    [[ -z "$pids" ]] && return 0
    kill -TERM $pids 2>/dev/null || true
    local deadline=$((SECONDS + 10))
    while [[ -n "$(ip netns pids "$ns" 2>/dev/null || true)" ]] && ((SECONDS < deadline)); do sleep 0.1; done
    pids="$(ip netns pids "$ns" 2>/dev/null || true)"
    [[ -n "$pids" ]] && kill -KILL $pids 2>/dev/null || true
    return 0
}

cmd_down() {
    require_root
    local ns
    for ns in $(lab_namespaces); do
        kill_ns_processes "$ns"
    done
    for ns in $(lab_namespaces); do
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -f "$RUN"/n*/*.pid "$RUN/nodes" 2>/dev/null || true
    [[ -z "$(lab_namespaces)" ]] || die "could not delete: $(lab_namespaces | tr '\n' ' ')"
}

cmd_classpath() {
    local cache="$HERE/run/classpath.txt" root="$HERE/.."
    if [[ -n "${LNLB_CP:-}" ]]; then echo "$LNLB_CP"; return; fi
    if [[ ! -s "$cache" || "$root/lnlb.tap/pom.xml" -nt "$cache" ]]; then
        mkdir -p "$HERE/run"
        # offline first (quick); online when the dependency plugin itself is not in the local repository yet
        local goal=(-B -q -pl lnlb.tap dependency:build-classpath -Dmdep.outputFile="$cache.deps" -Dmdep.includeScope=test)
        (cd "$root" && { ./mvnw -o "${goal[@]}" >/dev/null 2>&1 || ./mvnw "${goal[@]}" >&2; }) \
            || die "cannot compute the classpath (build lnlb first: ./mvnw -B install -DskipTests)"
        echo "$root/lnlb.tap/target/classes:$root/lnlb.tap/target/test-classes:$(cat "$cache.deps")" >"$cache"
    fi
    [[ -f "$root/lnlb.tap/target/test-classes/lnlb/tap/lab/AcceptAllNode.class" ]] \
        || die "lnlb.tap's test classes are not built (./mvnw -B install -DskipTests, or set LNLB_CP)"
    cat "$cache"
}

vip_up() { ip -n "$1" -4 -o addr show to "$VIP/32" | grep -q .; }
alive() { kill -0 "$1" 2>/dev/null; }
vip_up_or_dead() { vip_up "$1" || ! alive "$2"; }

cmd_node_start() {
    local i="${1:-}"; shift || true
    local main="${1:-}"; shift || true
    [[ "$i" =~ ^[0-9]+$ && -n "$main" ]] || die "usage: lab.sh node-start I MAIN [ARGS...]"
    require_root
    local ns; ns="$(ns_node "$i")"
    ip netns list | grep -q "^$ns\b" || die "no namespace $ns (lab.sh up first)"
    local cp; cp="$(cmd_classpath)"
    local dir="$RUN/n$i"; mkdir -p "$dir"
    # the log keeps every run of the node; each starts with a "=== node-start" line
    echo "=== node-start $(date +%T.%N | cut -c1-12) $main $*" >>"$dir/node.log"
    # shellcheck disable=SC2086
    ip netns exec "$ns" "$JAVA" ${LNLB_JAVA_OPTS:-} -cp "$cp" "$main" "$@" >>"$dir/node.log" 2>&1 &
    local pid=$!
    echo "$pid" >"$dir/node.pid"
    if ! wait_for "VIP $VIP on a virtual interface in $ns" 60 vip_up_or_dead "$ns" "$pid" || ! vip_up "$ns"; then
        log "node $i did not come up; its log:"
        sed -n '/^=== node-start/h; /^=== node-start/!H; ${x; p}' "$dir/node.log" | sed 's/^/  | /' >&2
        return 1
    fi
    log "node $i up (pid $pid): $(ip -n "$ns" -4 -o addr show to "$VIP/32" | awk '{print $2}')"
}

cmd_node_stop() {
    local i="${1:-}"
    [[ "$i" =~ ^[0-9]+$ ]] || die "usage: lab.sh node-stop I"
    local pidfile="$RUN/n$i/node.pid"
    [[ -s "$pidfile" ]] || { log "node $i: not running"; return 0; }
    local pid; pid="$(cat "$pidfile")"
    if alive "$pid"; then
        kill -TERM "$pid"
        if ! wait_for "node $i (pid $pid) to exit" 30 sh -c "! kill -0 $pid"; then
            kill -KILL "$pid" 2>/dev/null || true
            return 1
        fi
    fi
    rm -f "$pidfile"
}

cmd_node_kill() {
    local i="${1:-}"
    [[ "$i" =~ ^[0-9]+$ ]] || die "usage: lab.sh node-kill I"
    local pidfile="$RUN/n$i/node.pid"
    [[ -s "$pidfile" ]] || { log "node $i: not running"; return 0; }
    local pid; pid="$(cat "$pidfile")"
    kill -KILL "$pid" 2>/dev/null || true
    wait_for "node $i (pid $pid) to be gone" 10 sh -c "! kill -0 $pid" || return 1
    rm -f "$pidfile"
}

cmd_status() {
    local ns
    for ns in $(lab_namespaces); do
        echo "== $ns"
        ip -n "$ns" -br addr
    done
    if ip netns list | grep -q "^$(ns_sw)\b"; then
        echo "== fdb of lnlb-br0"
        bridge -n "$(ns_sw)" fdb show br lnlb-br0 | grep -v permanent || true
    fi
}

case "${1:-}" in
    up) shift; cmd_up "$@" ;;
    down) cmd_down ;;
    node-start) shift; cmd_node_start "$@" ;;
    node-stop) shift; cmd_node_stop "$@" ;;
    node-kill) shift; cmd_node_kill "$@" ;;
    status) cmd_status ;;
    classpath) cmd_classpath ;;
    *) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
