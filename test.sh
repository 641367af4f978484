#!/usr/bin/env bash
# Runs every test of lnlb: unit tests, simulations and (as root) the network-namespace lab.
# Installs what the tests need first, so it works on a fresh Debian machine with Java 17.
# Not root: re-runs itself with sudo when sudo is installed; without sudo the lab's tests are
# skipped (each with its reason; under CI=true they fail).
set -euo pipefail
cd "$(dirname "$0")"
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null; then
        echo "test.sh: the network lab needs root: running the tests with sudo" >&2
        # the caller's PATH (java, a JAVA_HOME) and CI survive sudo's reset of the environment
        exec sudo env "PATH=$PATH" ${JAVA_HOME:+"JAVA_HOME=$JAVA_HOME"} ${CI:+"CI=$CI"} "$PWD/test.sh" "$@"
    fi
    echo "test.sh: not root and sudo is not installed: the network lab's tests will be skipped." >&2
    echo "         For every test, run it as root (su -c ./test.sh) or install sudo (as root:" >&2
    echo "         apt-get install sudo, then add yourself to group sudo)." >&2
fi
if [ -x lab/install.sh ]; then
    lab/install.sh
fi
exec ./mvnw -B verify "$@"
