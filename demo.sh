#!/usr/bin/env bash
# lnlb's main job: builds lnlb and runs a live cluster on this machine: three nodes in network
# namespaces on a Linux bridge, each running the runtime jar with its cluster declared in a file,
# nginx in every node, real clients; shows through lnlbctl the view, the spread of clients, a node
# crashed and the failover, a weight changed, a tracker hot-swapped under load and the counters,
# then cleans up (lab/demo.sh; lab/README.md describes the lab).
#
#   ./demo.sh                      the lab demo (needs root: re-runs itself with sudo when it can;
#                                  installs the lab's Debian packages if missing)
#   ./demo.sh --simulation         the same story on the in-memory hub in virtual time (no root)
set -euo pipefail
cd "$(dirname "$0")"
case "${1:-}" in
    --simulation)
        ./mvnw -B -q install -DskipTests
        exec ./mvnw -B -q -pl lnlb.simulation exec:java ;;
    "") ;;
    *) echo "usage: ./demo.sh | ./demo.sh --simulation" >&2; exit 2 ;;
esac
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null; then
        echo "demo.sh: the lab demo needs root (network namespaces, TAP devices): running it with sudo" >&2
        # the caller's PATH (java, a JAVA_HOME) survives sudo's secure_path
        exec sudo env "PATH=$PATH" ${JAVA_HOME:+"JAVA_HOME=$JAVA_HOME"} "$PWD/demo.sh" "$@"
    fi
    echo "demo.sh: the lab demo needs root (network namespaces, TAP devices), and sudo is not installed." >&2
    echo "         Run it as root (su -c ./demo.sh), or install sudo (as root: apt-get install sudo," >&2
    echo "         then add yourself to group sudo); ./demo.sh --simulation needs no root." >&2
    exit 1
fi
lab/install.sh
echo "demo.sh: building lnlb (./mvnw -B -q install -DskipTests) ..."
./mvnw -B -q install -DskipTests
exec lab/demo.sh
