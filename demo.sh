#!/usr/bin/env bash
# lnlb's main job: builds lnlb and runs the cluster demo (three nodes share one cluster IP,
# clients are spread over them, a node crashes and its clients fail over, a node joins).
set -euo pipefail
cd "$(dirname "$0")"
./mvnw -B -q install -DskipTests
exec ./mvnw -B -q -pl lnlb.simulation exec:java
