#!/usr/bin/env bash
# Real processes: the built autossh-ts (the shipped bin) against every oracle scenario, run by the
# project's own runner (lab/oracle/run-all.ts, its fake ssh and reaper beside it): each public
# scenario of test/fixtures/oracle against 1.4g's golden trace, except those D1-D13 change, which
# run against the project's expected traces (test/conformance/divergent/README.md says why;
# D13's random monitor pair is written back as {{AUTOPORT}} by the runner once checked in range).
#
# When the oracle's own harness is there (ORACLE_DIR, default ../shared/oracle), it then runs the
# same scenarios with its own command line, as a cross-check (after ours, not beside it: two
# harnesses at once double the load the timings must stand). It is never required;
# ORACLE_CROSS_CHECK=0 skips it.
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=${ORACLE_JOBS:-4}
cli="$PWD/dist/autossh-ts.mjs"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

oracle=${ORACLE_DIR:-../shared/oracle}
cross_check=0
if [ "${ORACLE_CROSS_CHECK:-1}" = 0 ]; then
  :
elif [ -x "$oracle/run-all" ] && [ -x "$oracle/run-scenario" ] && [ -x "$oracle/compare-traces" ]; then
  cross_check=1
elif [ -n "${ORACLE_DIR:-}" ]; then
  echo "conformance: ORACLE_DIR=$ORACLE_DIR has no run-all, run-scenario and compare-traces" >&2
  exit 2
fi

# The oracle's harness, with its own command line.
shared() {
  local names divergent auto_port fixed_port same rc=0
  names() { xargs -n1 basename | sed 's/.scenario.json//' | paste -sd, -; }
  divergent=$(ls test/conformance/divergent/*.scenario.json | names)
  auto_port=$(grep -l '{{AUTOPORT}}' test/conformance/divergent/*.trace.json | sed 's/.trace.json/.scenario.json/' | names)
  fixed_port=$(tr , '\n' <<<"$divergent" | grep -vxF -f <(tr , '\n' <<<"$auto_port") | paste -sd, -)
  same=$(ls "$oracle"/public/*.scenario.json | names | tr , '\n' | grep -vxF -f <(tr , '\n' <<<"$divergent") | paste -sd, -)
  "$oracle/run-all" "$oracle/public" -j "$jobs" --only "$same" --out "$out/shared-public" -- node "$cli" || rc=1
  "$oracle/run-all" test/conformance/divergent -j "$jobs" --only "$fixed_port" --out "$out/shared-divergent" -- node "$cli" || rc=1
  for name in $(tr , ' ' <<<"$auto_port"); do
    trace="$out/$name.shared.trace.json"
    if "$oracle/run-scenario" "test/conformance/divergent/$name.scenario.json" -o "$trace" -- node "$cli" \
      && scripts/normalize-auto-port.py "$trace" \
      && "$oracle/compare-traces" "test/conformance/divergent/$name.trace.json" "$trace"; then
      echo "PASS $name"
    else
      echo "FAIL $name"
      rc=1
    fi
  done
  return "$rc"
}
node dist/lab/oracle/run-all.js test/fixtures/oracle test/conformance/divergent -j "$jobs" -- node "$cli" >"$out/own.log" 2>&1
own_rc=$?
grep -v -E '^(PASS|[0-9]+ passed)' "$out/own.log"
echo "conformance: $(grep -c '^PASS' "$out/own.log") passed, $(grep -c '^FAIL' "$out/own.log") failed (the project's runner)"

shared_rc=0
if [ "$cross_check" = 1 ]; then
  shared >"$out/shared.log" 2>&1 || shared_rc=1
  grep -v -E '^(PASS|[0-9]+ passed|equivalent)' "$out/shared.log" | sed 's/^/oracle harness: /'
  echo "cross-check: $(grep -c '^PASS' "$out/shared.log") passed, $(grep -c '^FAIL' "$out/shared.log") failed ($oracle's own harness)"
fi
[ "$own_rc" -eq 0 ] && [ "$shared_rc" -eq 0 ]
