#!/usr/bin/env bash
# Runs every test of lnlb: unit tests, simulations and (as root) the network-namespace lab.
# Installs what the tests need first, so it works on a fresh Debian machine with Java 17.
set -euo pipefail
cd "$(dirname "$0")"
if [ -x lab/install.sh ]; then
    lab/install.sh
fi
exec ./mvnw -B verify "$@"
