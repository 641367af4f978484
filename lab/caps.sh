#!/usr/bin/env bash
# Least privilege (issue 6 §5): the runtime jar, run as lnlb.service runs it, holds CAP_NET_ADMIN and
# CAP_NET_RAW and nothing else, joins a cluster and serves through the VIP; it has no TCP or UDP
# socket at all, and its control socket is its user's alone.
#
#   lab/caps.sh             needs root and the runtime jar (./mvnw -B install -DskipTests builds it)
#
# systemd does not run here, so setpriv (util-linux) does what the unit asks for before the JVM starts:
# CapabilityBoundingSet= and AmbientCapabilities= (the bounding, inheritable and ambient sets reduced
# to the two), NoNewPrivileges=, User= (--reuid/--regid, groups cleared). Steps, each waiting on
# conditions:
#   1. node 1: the runtime as plain root (every capability), the cluster from etc/lnlb.cluster-web.cfg;
#   2. node 2, User=root with the two capabilities (the unit as shipped), then node 2 again as an
#      unprivileged user (nobody, the unit's alternative: User=lnlb), each checked for: the process's
#      capability sets (/proc/PID/status: CapEff = CapPrm = CapBnd = CapAmb = NET_ADMIN + NET_RAW) and
#      user, its membership (2 members on both nodes), HTTP through the VIP from 30 sources (all
#      answered, node 2 serves some), its sockets (by inode in /proc/PID/net: none TCP, UDP or raw IP,
#      one AF_PACKET; ss -lntup lists no listener of it), the control socket (0600 in a 0700
#      directory, both the service user's; refused to another user with exit 3; lnlbctl as root works),
#      and its orderly stop (SIGTERM: node 1 is alone again at once);
#   3. node 2 as root with CAP_NET_ADMIN but without CAP_NET_RAW: the JVM keeps running and answers
#      lnlbctl, the cluster is down, the VIP never appears, and the log's first ERROR line names
#      CAP_NET_RAW, without a stack trace.
# The unprivileged user must be able to open /dev/net/tun, as udev makes it on a normal host (0666);
# where it is not (a container's 0600), node 2 gets a 0666 node of its own in a private mount
# namespace (noted in the output), the host's stays as it is.
#
# Output as cluster.sh: PASS/FAIL lines, METRIC lines, "caps: N passed, N failed" last; exit 0 when
# nothing failed. Always torn down (trap EXIT); the node logs stay in lab/run/$LNLB_LAB.caps/.
#
# Environment: LNLB_LAB, LNLB_VIP (10.77.0.100), LNLB_RUNTIME_DIR (lnlb.runtime/target: lnlb.jar,
# lnlbctl, lnlbctl.jar), LNLB_JAVA (java), LNLB_CAPS_USER (nobody: the unprivileged service user),
# LNLB_CAPS_OTHER_UID (65533: a user that must be refused the control socket).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB="${LNLB_LAB:-lnlb}"
VIP="${LNLB_VIP:-10.77.0.100}"
export LNLB_LAB="$LAB" LNLB_VIP="$VIP"
RUNTIME_DIR="${LNLB_RUNTIME_DIR:-$HERE/../lnlb.runtime/target}"
JAVA="$(command -v "${LNLB_JAVA:-java}")"
SERVICE_USER="${LNLB_CAPS_USER:-nobody}"
OTHER_UID="${LNLB_CAPS_OTHER_UID:-65533}"
RUN="$HERE/run/$LAB"
# The service user must reach the jar, its etc/ and state/: the checkout may sit under a directory
# only root can enter (a CI clone in a mktemp -d is 0700), so these live in /tmp, removed on exit.
CAPS_DIR="/tmp/$LAB-caps"
OPT="$CAPS_DIR/opt"
CL="$LAB-cl"
LAB_SH="$HERE/lab.sh"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# CAP_NET_ADMIN (12) and CAP_NET_RAW (13), as /proc/PID/status prints a capability set
TWO_CAPS=0000000000003000
SOURCES=($(seq 201 230))

[[ $(id -u) -eq 0 ]] || { echo "caps: needs root (network namespaces)" >&2; exit 2; }

lab_checks caps
finish() { echo "caps: $passed passed, $failed failed"; [[ $failed -eq 0 ]]; exit; }

for f in lnlb.jar lnlbctl lnlbctl.jar; do
    [[ -f "$RUNTIME_DIR/$f" ]] || { fail runtime-built "no $RUNTIME_DIR/$f (build lnlb.runtime: ./mvnw -B install -DskipTests)"; finish; }
done

lab_lock

cleanup() {
    local status=$?
    "$LAB_SH" down >/dev/null 2>&1 || "$LAB_SH" down
    rm -rf "$RUN.caps" && mkdir -p "$RUN.caps" && cp "$CAPS_DIR"/n*.log "$RUN.caps/" 2>/dev/null
    rm -rf "$CAPS_DIR"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$LAB_SH" down >/dev/null 2>&1 || true
"$LAB_SH" up 2 >&2 || { fail lab-up "lab.sh up 2 failed"; finish; }

# the installed files, readable by every user, as in /opt/lnlb
rm -rf "$CAPS_DIR" && mkdir -p "$OPT" && chmod 755 "$CAPS_DIR" "$OPT"
install -m 644 "$RUNTIME_DIR/lnlb.jar" "$RUNTIME_DIR/lnlbctl.jar" "$OPT/" && install -m 755 "$RUNTIME_DIR/lnlbctl" "$OPT/"

# node_dirs RUNID USER: etc/ (root's, readable, as /etc/lnlb) and state/ (the user's, 0700, as
# StateDirectory=), the control socket in state/run (made 0700 by the runtime, as RuntimeDirectory=)
node_dirs() {
    local dir="$CAPS_DIR/$1"
    mkdir -p "$dir/etc" "$dir/state" && chmod 755 "$dir" "$dir/etc"
    printf 'vip = %s\ndevice = eth0\nheartbeat.interval.ms = 200\ntolerance = 15\nweight.mode = manual\n' "$VIP" \
        >"$dir/etc/lnlb.cluster-web.cfg"
    chown "$2:" "$dir/state" && chmod 700 "$dir/state"
}
sock() { echo "$CAPS_DIR/$1/state/run/lnlb.sock"; }
# start NODE RUNID WRAPPER...: the runtime in node NODE's namespace as the unit starts it, under
# WRAPPER; prints the JVM's pid (WRAPPER execs, so it is the pid of the java process)
start() {
    local i="$1" id="$2" dir="$CAPS_DIR/$2"; shift 2
    ip netns exec "$LAB-n$i" "$@" "$JAVA" -Xmx128m -XX:+UseSerialGC -Dlnlb.console=false -Dlnlb.etc="$dir/etc" \
        -Dfelix.cm.dir="$dir/state/cm" -Dlnlb.socket="$dir/state/run/lnlb.sock" -Djffi.extract.dir="$dir/state" \
        -Dlnlb.log.level=info -jar "$OPT/lnlb.jar" </dev/null >"$CAPS_DIR/$id.log" 2>&1 &
    echo $!
}
ctl() { "$OPT/lnlbctl" -s "$(sock "$1")" "${@:2}"; }      # ctl RUNID COMMAND...: as root
# members RUNID: "STATE MEMBERS" of cluster web as the node of RUNID reports it
members() { ctl "$1" nodes web 2>/dev/null | awk -F', ' '/^web: / {print $2, $4 + 0; exit}'; }
member_of() { [[ "$(members "$1")" == "member $2" ]]; }
stopped() { ! kill -0 "$1" 2>/dev/null; }
cap_line() { awk -v k="$2:" '$1 == k {print $2; exit}' "/proc/$1/status"; }
caps_text() { local k; for k in Uid Gid CapInh CapPrm CapEff CapBnd CapAmb NoNewPrivs; do printf '%s=%s ' "$k" "$(cap_line "$1" "$k")"; done; }
# sockets PID: "tcp udp raw packet unix" counts of the process's sockets, matched by inode in its netns
sockets() {
    local pid="$1" inodes
    inodes="$(ls -l "/proc/$pid/fd" 2>/dev/null | grep -o 'socket:\[[0-9]*\]' | tr -dc '0-9\n')"
    local kinds=("tcp tcp6" "udp udp6 udplite udplite6" "raw raw6" "packet" "unix") out="" kind f
    for kind in "${kinds[@]}"; do
        local n=0
        for f in $kind; do
            [[ -r "/proc/$pid/net/$f" ]] || continue
            n=$((n + $(awk 'NR == FNR {want[$1]; next} {for (i = 2; i <= NF; i++) if ($i in want) {c++; break}} END {print c + 0}' \
                <(echo "$inodes") "/proc/$pid/net/$f")))
        done
        out+="$n "
    done
    echo "$out"
}

# ==== 1. node 1: a plain root node ==================================================================
node_dirs n1 root
pid1="$(start 1 n1 env)"
if wait_until 120 member_of n1 1; then
    pass root-node "node 1 (root, every capability) runs cluster web: $(ctl n1 nodes web | head -1)"
else
    fail root-node "node 1 did not start cluster web: $(ctl n1 nodes 2>&1 | head -2) (log: $RUN.caps/n1.log)"
    finish
fi

# the unprivileged user and /dev/net/tun
tun_wrapper=()
if ! setpriv --reuid="$SERVICE_USER" --regid="$(id -g "$SERVICE_USER")" --clear-groups test -r /dev/net/tun -a -w /dev/net/tun; then
    note "/dev/net/tun is $(stat -c '%a %U:%G' /dev/net/tun) here, not 0666 as udev makes it: $SERVICE_USER's node gets a 0666 node in a private mount namespace"
    mkdir -p "$CAPS_DIR/dev"
    tun_wrapper=(unshare --mount --propagation private sh -c 'mount -t tmpfs -o mode=755 lnlb-tun "$0" && mknod -m 666 "$0/tun" c 10 200 && mount --bind "$0/tun" /dev/net/tun && exec "$@"' "$CAPS_DIR/dev")
fi

# ==== 2. node 2 with only CAP_NET_ADMIN and CAP_NET_RAW =============================================
TWO=-all,+net_admin,+net_raw
# variant ID USER: one run of node 2 as USER with the two capabilities, every check
variant() {
    local id="$1" user="$2" other="$3" pid t0; shift 3
    local group; group="$(id -g "$user")"
    node_dirs "$id" "$user"
    local wrapper=(setpriv --reuid="$user" --regid="$group" --clear-groups --bounding-set "$TWO" --inh-caps "$TWO"
        --ambient-caps "$TWO" --no-new-privs)
    [[ "$user" != root ]] && wrapper=("${tun_wrapper[@]}" "${wrapper[@]}")
    t0=$(now_ms)
    pid="$(start 2 "$id" "${wrapper[@]}")"
    if ! wait_until 120 member_of "$id" 2 || ! wait_until 10 member_of n1 2; then
        fail "$id-joins" "node 2 as $user did not join: node 2 $(members "$id"), node 1 $(members n1) (log: $RUN.caps/$id.log)"
        kill "$pid" 2>/dev/null; wait_until 30 stopped "$pid"
        return
    fi
    pass "$id-joins" "node 2 as $user is a member with node 1 after $(($(now_ms) - t0)) ms from launch: $(ctl "$id" nodes web | head -1)"
    metric "${id}_join_ms" $(($(now_ms) - t0)) ms

    local caps; caps="$(caps_text "$pid")"
    note "node 2 ($id, pid $pid, $(cat "/proc/$pid/comm")): $caps"
    two_caps_only() {
        local k; for k in CapEff CapPrm CapBnd CapAmb; do [[ "$(cap_line "$pid" "$k")" == "$TWO_CAPS" ]] || return 1; done
        [[ "$(cap_line "$pid" Uid)" == "$(id -u "$user")" && "$(cap_line "$pid" NoNewPrivs)" == 1 ]]
    }
    check "$id-capabilities" "only CAP_NET_ADMIN + CAP_NET_RAW ($TWO_CAPS) in the effective, permitted, bounding and ambient sets, as uid $(id -u "$user"): $caps" \
        two_caps_only

    local map="$CAPS_DIR/$id-map.txt" ok n2
    serve_map "$map" "http://$VIP/" 2 "${SOURCES[@]}"
    ok="$(grep -o "$LAB-n[12]" "$map" | wc -l)" n2="$(awk -v n="$LAB-n2" '$2 == n' "$map" | wc -l)"
    served() { ((ok == 2 * ${#SOURCES[@]} && n2 > 0)); }
    check "$id-serves" "$ok/$((2 * ${#SOURCES[@]})) GETs from ${#SOURCES[@]} sources through the VIP answered; node 2 serves $n2 of the sources" \
        served

    local tcp udp raw packet unix listeners
    read -r tcp udp raw packet unix <<<"$(sockets "$pid")"
    listeners="$(ip netns exec "$LAB-n2" ss -Hlntup | grep "pid=$pid," | tr -s ' ')"
    note "node 2's packet sockets: $(ip netns exec "$LAB-n2" awk 'NR > 1 {printf "proto 0x%s ifindex %s; ", $4, $5}' /proc/net/packet)"
    no_listener() { ((tcp == 0 && udp == 0 && raw == 0 && packet >= 1)) && [[ -z "$listeners" ]]; }
    check "$id-no-listener" "the JVM's sockets: $tcp TCP, $udp UDP, $raw raw IP, $packet AF_PACKET (the cluster's, BPF-filtered), $unix UNIX; listeners in ss -lntup: ${listeners:-none}" \
        no_listener

    local s d refused rc
    s="$(stat -c '%a %U' "$(sock "$id")")" d="$(stat -c '%a %U' "$(dirname "$(sock "$id")")")"
    refused="$(setpriv --reuid="$(id -u "$other" 2>/dev/null || echo "$other")" --regid="$(id -g "$other" 2>/dev/null || echo "$other")" --clear-groups "$OPT/lnlbctl" -s "$(sock "$id")" nodes 2>&1)"; rc=$?
    local root_rc; ctl "$id" nodes >/dev/null 2>&1; root_rc=$?
    users_only() { [[ "$s" == "600 $user" && "$d" == "700 $user" && $rc -eq 3 && "$refused" == *"permission denied"* && $root_rc -eq 0 ]]; }
    check "$id-admin-socket" "control socket $s, its directory $d (want 600/700 $user); uid $other: exit $rc, '$refused'; root: exit $root_rc" \
        users_only

    t0=$(now_ms)
    kill -TERM "$pid"
    if wait_until 10 member_of n1 1 && wait_until 30 stopped "$pid"; then
        pass "$id-leaves" "SIGTERM: node 1 alone again after $(($(now_ms) - t0)) ms; node 2's VIP interface gone: $(ip -n "$LAB-n2" -4 -o addr show to "$VIP/32" | wc -l) left"
    else
        fail "$id-leaves" "after SIGTERM: node 1 $(members n1), node 2 alive: $(kill -0 "$pid" 2>/dev/null && echo yes || echo no)"
        kill -KILL "$pid" 2>/dev/null
    fi
}
variant root-caps root "$SERVICE_USER"
variant user-caps "$SERVICE_USER" "$OTHER_UID"

# ==== 3. without CAP_NET_RAW: one clear line, no crash ==============================================
node_dirs no-raw root
ONE=-all,+net_admin
pid="$(start 2 no-raw setpriv --bounding-set "$ONE" --inh-caps "$ONE" --ambient-caps "$ONE" --no-new-privs)"
down() { ctl no-raw nodes web 2>/dev/null | grep -q '^web: .*, down'; }
if wait_until 120 down; then
    errors="$(grep -c ' ERROR ' "$CAPS_DIR/no-raw.log")"
    # the first ERROR line must name the cause
    named="$(grep -m1 ' ERROR ' "$CAPS_DIR/no-raw.log" | grep 'CAP_NET_RAW' | sed 's/^.*ERROR //')"
    traces="$(grep -cE '^[[:space:]]+at |^Caused by' "$CAPS_DIR/no-raw.log")"
    note "without CAP_NET_RAW: $(ctl no-raw nodes web | head -1)"
    grep -E ' (ERROR|WARN) ' "$CAPS_DIR/no-raw.log" | grep -v 'no cluster key' | sed 's/^/#   /'
    vips="$(ip -n "$LAB-n2" -4 -o addr show to "$VIP/32" | wc -l)"
    clear_failure() { [[ -n "$named" && $traces -eq 0 && $vips -eq 0 && "$(members n1)" == "member 1" ]] && kill -0 "$pid"; }
    check no-raw-fails-clearly "CapEff $(cap_line "$pid" CapEff); the JVM runs and answers lnlbctl, cluster web is down, the VIP is on node 2 $vips times, node 1 alone ($(members n1)); the log: '${named:-no line naming CAP_NET_RAW}', $errors ERROR lines in all, $traces stack trace lines" \
        clear_failure
else
    fail no-raw-fails-clearly "without CAP_NET_RAW node 2 $(kill -0 "$pid" 2>/dev/null && echo "runs, cluster web: $(ctl no-raw nodes web 2>&1 | head -1)" || echo "died"); log: $(grep -E ' (ERROR|WARN) ' "$CAPS_DIR/no-raw.log" | head -3)"
fi
kill -TERM "$pid" 2>/dev/null; wait_until 30 stopped "$pid" || kill -KILL "$pid" 2>/dev/null
kill -TERM "$pid1" 2>/dev/null; wait_until 30 stopped "$pid1" || kill -KILL "$pid1" 2>/dev/null
finish
