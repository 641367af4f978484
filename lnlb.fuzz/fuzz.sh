#!/usr/bin/env bash
# Fuzzes each target alone, in its own JVM, for a given time (the long run; `mvn verify` does the
# short one). Generated corpora stay in lnlb.fuzz/target/jazzer/.cifuzz-corpus and grow from run to
# run; crashing inputs land in lnlb.fuzz/target/jazzer/ (see README: every crash becomes a
# committed input and a test in FindingsTest).
#
#   lnlb.fuzz/fuzz.sh SECONDS [TARGET...]     e.g. lnlb.fuzz/fuzz.sh 120 EngineFuzzTest
#
# Needs lnlb.core, lnlb.module.* and lnlb.simulation installed (./mvnw -B install -DskipTests).
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: fuzz.sh SECONDS [TARGET...]}
shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(ClusterFrameFuzzTest TrackerStateFuzzTest TcpStateFuzzTest UdpStateFuzzTest DatagramFuzzTest EngineFuzzTest)
fi
./mvnw -B -q -pl lnlb.fuzz test-compile || exit 1
mkdir -p lnlb.fuzz/target/fuzz-logs
status=0
total=0
printf '%-22s %12s %8s %10s %8s  %s\n' target executions seconds exec/s cov result
for target in "${targets[@]}"; do
  log=lnlb.fuzz/target/fuzz-logs/$target.log
  ./mvnw -B -pl lnlb.fuzz surefire:test -Dtest="$target" -Djazzer.max_duration="${seconds}s" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  secs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  result=ok
  if [ $rc -ne 0 ]; then
    result="FAILED: $(grep -m1 -o 'FuzzTestFindingException: .*' "$log" || echo "see $log")"
    status=1
  fi
  total=$((total + ${runs:-0}))
  printf '%-22s %12s %8s %10s %8s  %s\n' "$target" "${runs:-?}" "${secs:-?}" \
    "$(( ${runs:-0} / (${secs:-1} > 0 ? ${secs:-1} : 1) ))" "${cov:-?}" "$result"
done
echo "total executions: $total"
exit $status
