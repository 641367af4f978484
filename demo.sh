#!/usr/bin/env bash
# lnlb's main job: builds lnlb and runs a live cluster on this machine (as root): three nodes in
# network namespaces on a Linux bridge share one cluster IP, nginx in every node, real clients;
# shows which node served which client, crashes a node and shows the failover, then cleans up
# (lab/demo.sh; lab/README.md describes the lab).
#
#   sudo ./demo.sh                 the lab demo (installs the lab's Debian packages if missing)
#   ./demo.sh --simulation         the same story on the in-memory hub in virtual time (no root)
set -euo pipefail
cd "$(dirname "$0")"
case "${1:-}" in
    --simulation)
        ./mvnw -B -q install -DskipTests
        exec ./mvnw -B -q -pl lnlb.simulation exec:java ;;
    "") ;;
    *) echo "usage: sudo ./demo.sh | ./demo.sh --simulation" >&2; exit 2 ;;
esac
if [[ $(id -u) -ne 0 ]]; then
    echo "demo.sh: the lab demo needs root (network namespaces, TAP devices): sudo ./demo.sh" >&2
    echo "         (./demo.sh --simulation runs the in-memory simulation without root)" >&2
    exit 1
fi
lab/install.sh
echo "demo.sh: building lnlb (./mvnw -B -q install -DskipTests) ..."
./mvnw -B -q install -DskipTests
exec lab/demo.sh
