#!/usr/bin/env bash
# Look inside (issue 17, acceptance): three runtime-jar nodes, 256 client source addresses with HTTP
# (curl, one connection each from a known source port, nginx answering its node's name) and UDP
# (lab/udp-dup.py against lab/udp-rr.py, answering "<node> <request>"); the operator's questions
# asked with lnlbctl (--batch: hundreds of questions per JVM start) on every node.
#
#   lab/look.sh          needs root and the runtime jar (./mvnw -B install -DskipTests builds it)
#
# Namespaces: lab.sh's, prefix LNLB_LAB (default lnlblk); the 256 sources are 10.77.1.1-128 and
# 10.77.2.1-128 on the client's eth0 (the nodes route 10.77.0.0/16 on their eth0). Cluster "lab"
# from a file, heartbeat 200 ms x tolerance 5, manual weight 1.
# Checks:
#   - cluster-formed; http-answered, udp-answered: every source got an HTTP and a UDP answer;
#   - owner-http, owner-udp: for each source's HTTP flow (tcp, its source port) and one of its UDP
#     flows, `lnlbctl owner lab SRC PORT tcp|udp` on EVERY node names the node that answered;
#   - conntrack-source: `lnlbctl conntrack lab --source SRC` on every node lists that flow with the
#     owner that answered; conntrack-same: the nodes list the same sessions (protocol, source,
#     port, owner);
#   - digest-after-traffic, digest-after-kill (node 3 killed with kill -9), digest-after-join (new
#     traffic, then node 3 started again and joined): `lnlbctl conntrack lab --digest` shows the same
#     digest and epoch on every live node, retried until the tables settle (LNLB_SETTLE_S, 30 s);
#   - listing-complete: `lnlbctl conntrack lab` (the whole table, streamed when over 64 KiB) has one
#     line per matched session;
#   - planted-equal: a test bundle (lnlb.itest.planted: a table for protocol 253 that only its
#     Gogo command lnlbtest:plant fills, packed from lnlb.itest's test classes) installed on every
#     node changes no digest's agreement; planted-detected: an entry planted on node 2 alone makes
#     node 2's digest differ from the others'; planted-named: diff of nodes 1 and 2's
#     `conntrack lab --digest --buckets` names one bucket, and diff of their `conntrack lab --bucket XX`
#     names the planted entry, on node 2 alone.
# Output as the other scenarios; last line "look: N passed, N failed"; exit 0 when nothing failed.
#
# Environment: LNLB_LAB (lnlblk), LNLB_VIP, LNLB_RUNTIME_DIR, LNLB_JAVA_OPTS, LNLB_PYTHON,
# LNLB_ITEST_CLASSES (lnlb.itest/target/test-classes: where the planted bundle's classes are),
# LNLB_SETTLE_S (30).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB="${LNLB_LAB:-lnlblk}"
VIP="${LNLB_VIP:-10.77.0.100}"
export LNLB_LAB="$LAB" LNLB_VIP="$VIP"
RUN="$HERE/run/$LAB"
LAB_SH="$HERE/lab.sh"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
NODES=(1 2 3)
# shellcheck source=rtlib.sh
. "$HERE/rtlib.sh"
SETTLE_S="${LNLB_SETTLE_S:-30}"
CLASSES="${LNLB_ITEST_CLASSES:-$HERE/../lnlb.itest/target/test-classes}"
JAR_TOOL="$( [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/jar" ]] && echo "$JAVA_HOME/bin/jar" || command -v jar)"
SOURCES=($(for s in $(seq 1 128); do echo "10.77.1.$s"; done) $(for s in $(seq 1 128); do echo "10.77.2.$s"; done))
SETTINGS=("heartbeat.interval.ms = 200" "tolerance = 5")

[[ $(id -u) -eq 0 ]] || { echo "look: needs root (network namespaces)" >&2; exit 2; }
lab_checks look
finish() { echo "look: $passed passed, $failed failed"; [[ $failed -eq 0 ]]; exit; }
rt_prerequisites curl
[[ -n "$JAR_TOOL" && -f "$CLASSES/lnlb/itest/planted/PlantedTable.class" ]] \
    || { fail prerequisites "the jar tool or the planted bundle's classes ($CLASSES) are missing"; finish; }
lab_lock

cleanup() {
    local status=$?
    ((${#UDP_SERVERS[@]})) && kill "${UDP_SERVERS[@]}" 2>/dev/null
    "$LAB_SH" down >/dev/null 2>&1 || "$LAB_SH" down
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# batch I FILE: lnlbctl --batch on node I with FILE's commands
batch() { local i="$1"; JAVA="${LNLB_JAVA:-java}" "$RUNTIME/lnlbctl" -s "$RUN/n$i/lnlb.sock" --batch <"$2"; }
# macs: "MAC lab-nI" lines, for translating owners into the names servers answer with
macs() { local i; for i in "${NODES[@]}"; do echo "$(node_mac "$i") $LAB-n$i"; done; }

# digest_of I: node I's digest line "lab: digest D of N sessions, epoch E"
digest_of() { ctl "$1" conntrack lab --digest 2>/dev/null | head -1; }
# digests_equal I...: the same digest line on every node I (saved in DIGESTS)
DIGESTS=""
digests_equal() {
    local i first="" line
    DIGESTS=""
    for i in "$@"; do
        line="$(digest_of "$i")"
        DIGESTS+="n$i: ${line#lab: }; "
        [[ "$line" == "lab: digest "* ]] || return 1
        [[ -z "$first" || "$line" == "$first" ]] || return 1
        first="$line"
    done
}
# check_digests NAME I...: digests_equal, retried until the tables settle
check_digests() {
    local name="$1" t0; shift; t0=$(now_ms)
    if wait_until "$SETTLE_S" digests_equal "$@"; then
        pass "$name" "equal after $(($(now_ms) - t0)) ms: $DIGESTS"
    else
        fail "$name" "not equal within $SETTLE_S s: $DIGESTS"
    fi
}

# http_round FILE FIRST_PORT: one curl per source from source port FIRST_PORT+k; "SRC PORT NODE" lines
http_round() {
    local out="$1" port="$2" k=0 s
    : >"$out"
    for s in "${SOURCES[@]}"; do
        echo "$s $((port + k))"; k=$((k + 1))
    done | ip netns exec "$LAB-cl" xargs -P 32 -n 2 sh -c \
        'echo "$0 $1 $(curl -s --max-time 10 --interface "$0" --local-port "$1" -H "Connection: close" http://'"$VIP"'/)"' >>"$out"
}
# udp_round DIR: UDP requests from every source (a new flow each) until each has an answer; DIR/flows
# has "SRC PORT NODE" for each source's last answered flow
udp_round() {
    local dir="$1"
    rm -rf "$dir" && mkdir -p "$dir"
    ip netns exec "$LAB-cl" "$PYTHON" "$HERE/udp-dup.py" client --vip "$VIP" --port "$UDP_PORT" --rate 1 \
        --sources "$(IFS=,; echo "${SOURCES[*]}")" --stop "$dir/stop" --out "$dir/udp.txt" 2>"$dir/udp.err" &
    local client=$!
    udp_all_answered() { (($(awk '$7 != "-" { print $2 }' "$dir/udp.txt" 2>/dev/null | sort -u | wc -l) >= ${#SOURCES[@]})); }
    wait_until 60 udp_all_answered
    touch "$dir/stop"; wait "$client"
    awk '$7 != "-" && $7 !~ /,/ { last[$2] = $2 " " $3 " " $7 } END { for (s in last) print last[s] }' "$dir/udp.txt" >"$dir/flows"
}

"$LAB_SH" down >/dev/null 2>&1 || true
mkdir -p "$RUN"
"$LAB_SH" up 3 >&2 || { fail lab-up "lab.sh up 3 failed"; finish; }
for s in "${SOURCES[@]}"; do echo "addr add $s/16 dev eth0"; done | ip -n "$LAB-cl" -batch - \
    || { fail lab-up "the client's 256 source addresses"; finish; }
for i in "${NODES[@]}"; do ip -n "$LAB-n$i" route add 10.77.0.0/16 dev eth0 || { fail lab-up "node $i's route"; finish; }; done
udp_servers || finish
start_cluster "${SETTINGS[@]}" || finish
macs >"$RUN/macs"

# ---- 1. traffic from 256 sources, then the three questions -----------------------------------------
# UDP first (its round lasts until every source had an answer), then HTTP (a few seconds): the
# connections' sessions, closed at once, live 60 s after their FIN
udp_round "$RUN/udp1"
http_round "$RUN/http.txt" 20000
http_ok="$(awk -v lab="$LAB" '$3 ~ "^" lab "-n[0-9]+$"' "$RUN/http.txt" | wc -l)"
check http-answered "$http_ok of ${#SOURCES[@]} sources got an HTTP answer (one connection each)" test "$http_ok" -eq "${#SOURCES[@]}"
udp_ok="$(wc -l <"$RUN/udp1/flows")"
check udp-answered "$udp_ok of ${#SOURCES[@]} sources got a UDP answer from one node ($(awk '$7 != "-"' "$RUN/udp1/udp.txt" | wc -l) requests)" \
    test "$udp_ok" -eq "${#SOURCES[@]}"

awk '{ print "owner lab", $1, $2, "tcp" }' "$RUN/http.txt" >"$RUN/owner-http.cmd"
awk '{ print "owner lab", $1, $2, "udp" }' "$RUN/udp1/flows" >"$RUN/owner-udp.cmd"
printf 'conntrack lab --source %s\n' "${SOURCES[@]}" >"$RUN/conntrack.cmd"
# the listings first: sessions expire (a UDP flow 60 s after its last datagram), an owner by hash does not
t0=$(now_ms)
for i in "${NODES[@]}"; do batch "$i" "$RUN/conntrack.cmd" >"$RUN/conntrack.n$i" 2>&1; done
for i in "${NODES[@]}"; do
    batch "$i" "$RUN/owner-http.cmd" >"$RUN/owner-http.n$i" 2>&1
    batch "$i" "$RUN/owner-udp.cmd" >"$RUN/owner-udp.n$i" 2>&1
done
note "$((3 * ${#SOURCES[@]} * ${#NODES[@]})) questions asked with lnlbctl --batch in $(($(now_ms) - t0)) ms"

# owner_mismatches ANSWERS FILE: flows of ANSWERS ("SRC PORT NODE") whose owner in FILE (lnlbctl owner's
# first lines "lab: SRC:PORT -> MAC..., by REASON ...") is not the node that answered (or missing)
owner_mismatches() {
    awk 'FILENAME == ARGV[1] { name[$1] = $2; next }
         FILENAME == ARGV[2] { want[$1 ":" $2] = $3; next }
         $1 == "lab:" && $3 == "->" { mac = $4; sub(/,$/, "", mac); got[$2] = name[mac]
                                      if (match($0, /, by [a-z]+/)) by[substr($0, RSTART + 5, RLENGTH - 5)]++ }
         END { for (f in want) if (got[f] != want[f]) { n++; if (n <= 3) ex = ex " " f "=" got[f] "/" want[f] }
               printf "%d%s (", n + 0, ex; for (b in by) printf "%s by %s ", by[b], b; printf ")\n" }' \
        "$RUN/macs" "$1" "$2"
}
for kind in http udp; do
    answers="$RUN/http.txt"; [[ $kind == udp ]] && answers="$RUN/udp1/flows"
    detail=""; bad=0
    for i in "${NODES[@]}"; do
        m="$(owner_mismatches "$answers" "$RUN/owner-$kind.n$i")"
        detail+="n$i: ${m%% *} wrong ${m#* }; "
        bad=$((bad + ${m%% *}))
    done
    check "owner-$kind" "lnlbctl owner lab SRC PORT $( [[ $kind == http ]] && echo tcp || echo udp) for $(wc -l <"$answers") flows on every node names the node that answered: $detail" \
        test "$bad" -eq 0
done

# sessions NODE: "PROTO SRC PORT OWNER EXPIRE" of every session line node I listed for the 256 sources
sessions() { awk '$1 ~ /^(6|17)$/ && $2 ~ /^10\.77\.[12]\./ { print $1, $2, $3, $4, $7 }' "$RUN/conntrack.n$1" | sort; }
detail=""; bad=0
for i in "${NODES[@]}"; do
    sessions "$i" >"$RUN/sessions.n$i"
    m="$(awk 'FILENAME == ARGV[1] { name[$1] = $2; next }
              FILENAME == ARGV[2] { want["6 " $1 " " $2] = $3; next }
              FILENAME == ARGV[3] { want["17 " $1 " " $2] = $3; next }
              { got[$1 " " $2 " " $3] = name[$4] }
              END { for (f in want) if (got[f] != want[f]) n++; print n + 0 }' \
        "$RUN/macs" "$RUN/http.txt" "$RUN/udp1/flows" "$RUN/sessions.n$i")"
    detail+="n$i: $(wc -l <"$RUN/sessions.n$i") sessions listed, $m flows missing or with another owner; "
    bad=$((bad + m))
done
check conntrack-source "lnlbctl conntrack lab --source SRC for each of the ${#SOURCES[@]} sources on every node lists its HTTP and UDP flow with the node that answered: $detail" \
    test "$bad" -eq 0
# Sessions expire (a UDP flow 60 s after its last datagram, a closed connection 60 s after its FIN)
# while the nodes are asked one after the other: a session missing on a node counts only when it had
# more than the listings' time (30 s) to live where it was listed; one listed with two owners always.
read -r differ expiring < <(cat "$RUN"/sessions.n* | awk -v n="${#NODES[@]}" '{ k = $1 " " $2 " " $3 " " $4; c[k]++
        if ($5 + 0 > mx[k]) mx[k] = $5 + 0 } END { for (k in c) if (c[k] != n) { if (mx[k] >= 30) d++; else e++ } print d + 0, e + 0 }')
check conntrack-same "the ${#NODES[@]} nodes list the same $(wc -l <"$RUN/sessions.n1") sessions (protocol, source, port, owner) for the sources: $differ differ ($expiring expiring meanwhile, not compared)" \
    test "$differ" -eq 0
check_digests digest-after-traffic "${NODES[@]}"

# ---- 2. kill -9 of node 3 --------------------------------------------------------------------------
"$LAB_SH" node-kill 3 >&2
if wait_until 30 one_view 2 1 2; then
    check_digests digest-after-kill 1 2
else
    fail digest-after-kill "nodes 1 and 2 did not form a view of 2 after node 3's kill -9: $(views_text 1 2)"
fi

# ---- 3. new traffic, then node 3 joins again -------------------------------------------------------
http_round "$RUN/http2.txt" 30000
udp_round "$RUN/udp2"
t0=$(now_ms)
if start_node 3 "${SETTINGS[@]}" && wait_until 90 one_view 3 "${NODES[@]}"; then
    note "node 3 back in the view $(($(now_ms) - t0)) ms after its start: $(views_text "${NODES[@]}")"
    check_digests digest-after-join "${NODES[@]}"
    # the whole table through lnlbctl: over 64 KiB the node streams it (status 2), lnlbctl prints it as it comes
    ctl 1 conntrack lab >"$RUN/conntrack-all.n1" 2>&1; status=$?
    listed="$(grep -c '^[0-9]\+ \+[0-9]\+\.[0-9]\+\.[0-9]\+\.[0-9]\+ ' "$RUN/conntrack-all.n1")"
    matched="$(sed -n 's/^lab: \([0-9]*\) session(s) matched.*/\1/p' "$RUN/conntrack-all.n1")"
    check listing-complete "lnlbctl conntrack lab on node 1: exit $status, $listed session lines for $matched matched, $(wc -c <"$RUN/conntrack-all.n1") bytes (streamed over 65,536)" \
        test "$status" -eq 0 -a "$listed" -gt 0 -a "$listed" == "${matched:-x}"
else
    fail digest-after-join "node 3 did not join again: $(views_text "${NODES[@]}") (log: $RUN/n3/node.log)"
fi

# ---- 4. a table that differs on purpose ------------------------------------------------------------
mkdir -p "$RUN/planted"
printf 'Bundle-ManifestVersion: 2\nBundle-SymbolicName: lnlb.itest.planted\nBundle-Version: 1.0.0\nBundle-Activator: lnlb.itest.planted.Activator\nImport-Package: lnlb.core.api, lnlb.core.api.table, org.osgi.framework\n' \
    >"$RUN/planted/MANIFEST.MF"
"$JAR_TOOL" --create --file "$RUN/planted.jar" --manifest "$RUN/planted/MANIFEST.MF" -C "$CLASSES" lnlb/itest/planted \
    || { fail planted-equal "cannot pack the planted bundle"; finish; }
planted_served() { ctl "$1" modules 2>/dev/null | grep -q 'serving .*lnlb\.itest\.planted\.PlantedTable'; }
installed=0
for i in "${NODES[@]}"; do
    # a bundle installed at run time gets start level 101, above the framework's 100: give it lnlb's own
    id="$(ctl "$i" install "file:$RUN/planted.jar" 2>&1 | sed -n 's/^Bundle ID: *\([0-9]*\).*/\1/p')"
    if [[ -n "$id" ]] && ctl "$i" bundlelevel -s 10 "$id" >&2 && ctl "$i" start "$id" >&2 && wait_until 20 planted_served "$i"; then
        installed=$((installed + 1))
    else
        note "node $i: the planted bundle (id '$id') does not serve: $(ctl "$i" modules 2>&1)"
    fi
done
if ((installed == ${#NODES[@]})); then
    check_digests planted-equal "${NODES[@]}"
else
    fail planted-equal "the planted bundle serves protocol 253 on $installed of ${#NODES[@]} nodes"
fi
note "$(ctl 2 lnlbtest:plant lab 10.77.9.9 2>&1)"
differs() {
    local d1 d2 d3
    d1="$(digest_of 1)"; d2="$(digest_of 2)"; d3="$(digest_of 3)"
    DIGESTS="n1: ${d1#lab: }; n2: ${d2#lab: }; n3: ${d3#lab: }"
    [[ "$d1" == "$d3" && "$d2" != "$d1" && "$d2" == "lab: digest "* ]]
}
if wait_until "$SETTLE_S" differs; then
    same=0
    for k in 1 2 3; do differs && same=$((same + 1)); done
    check planted-detected "an entry planted on node 2 alone: node 2's digest differs, nodes 1 and 3 agree ($same of 3 further readings alike): $DIGESTS" \
        test "$same" -eq 3
else
    fail planted-detected "the planted entry was not seen in the digests: $DIGESTS"
fi
# where: the operator's two steps, across machines with plain diff (README, "Do all nodes agree?")
ctl 1 conntrack lab --digest --buckets >"$RUN/buckets.n1" 2>&1
ctl 2 conntrack lab --digest --buckets >"$RUN/buckets.n2" 2>&1
buckets="$(diff "$RUN/buckets.n1" "$RUN/buckets.n2" | awk '$1 == ">" && $2 == "bucket" { print $3 }' | tr '\n' ' ')"
named=""
for b in $buckets; do
    ctl 1 conntrack lab --bucket "$b" >"$RUN/bucket-$b.n1" 2>&1
    ctl 2 conntrack lab --bucket "$b" >"$RUN/bucket-$b.n2" 2>&1
    named+="$(diff "$RUN/bucket-$b.n1" "$RUN/bucket-$b.n2" | grep '^[<>] [0-9]' | tr -s ' ' | tr '\n' ';')"
done
check planted-named "diff of nodes 1 and 2's --digest --buckets: bucket(s) ${buckets:-none} differ; diff of their --bucket listings: '$named'" \
    test "$(wc -w <<<"$buckets")" -eq 1 -a "$named" == "> 253 10.77.9.9 - $(node_mac 2) -;"
note "$(ctl 2 conntrack lab --digest 2>&1)"
finish
