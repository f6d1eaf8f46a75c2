#!/usr/bin/env bash
# The oracle's own harness against the built autossh-ts, with the oracle's command line:
# every public scenario against 1.4g's golden trace, except those D1-D13 change, which run
# against the project's expected traces (test/conformance/divergent/README.md says why).
# D13's scenarios (an expected trace with {{AUTOPORT}}) pick a random monitor port pair: their
# traces are normalized (scripts/normalize-auto-port.py) before the comparison.
set -uo pipefail
cd "$(dirname "$0")/.."
oracle=${ORACLE_DIR:-../shared/oracle}
jobs=${ORACLE_JOBS:-4}
cli="$PWD/dist/autossh-ts.mjs"  # the shipped bin (npm run build bundles it)
names() { xargs -n1 basename | sed 's/.scenario.json//' | paste -sd, -; }
divergent=$(ls test/conformance/divergent/*.scenario.json | names)
auto_port=$(grep -l '{{AUTOPORT}}' test/conformance/divergent/*.trace.json | sed 's/.trace.json/.scenario.json/' | names)
fixed_port=$(tr , '\n' <<<"$divergent" | grep -vxF -f <(tr , '\n' <<<"$auto_port") | paste -sd, -)
same=$(ls "$oracle"/public/*.scenario.json | names | tr , '\n' \
  | grep -vxF -f <(tr , '\n' <<<"$divergent") | paste -sd, -)
out=$(mktemp -d)
"$oracle/run-all" "$oracle/public" -j "$jobs" --only "$same" --out "$out/public" -- node "$cli" >"$out/public.log" 2>&1
public_rc=$?
"$oracle/run-all" test/conformance/divergent -j "$jobs" --only "$fixed_port" --out "$out/divergent" -- node "$cli" >"$out/divergent.log" 2>&1
divergent_rc=$?
auto_rc=0
for name in $(tr , ' ' <<<"$auto_port"); do
  trace="$out/$name.trace.json"
  if "$oracle/run-scenario" "test/conformance/divergent/$name.scenario.json" -o "$trace" -- node "$cli" >"$out/$name.run.log" 2>&1 \
    && scripts/normalize-auto-port.py "$trace" \
    && "$oracle/compare-traces" "test/conformance/divergent/$name.trace.json" "$trace" >"$out/$name.compare.log" 2>&1; then
    echo "PASS $name" >>"$out/auto.log"
  else
    auto_rc=1
    { echo "FAIL $name"; sed 's/^/     /' "$out/$name.run.log" "$out/$name.compare.log" 2>/dev/null; } >>"$out/auto.log"
  fi
done
touch "$out/auto.log"
cat "$out/public.log" "$out/divergent.log" "$out/auto.log" | grep -v -E '^(PASS|[0-9]+ passed)' || true
pass=$(cat "$out/public.log" "$out/divergent.log" "$out/auto.log" | grep -c '^PASS')
fail=$(cat "$out/public.log" "$out/divergent.log" "$out/auto.log" | grep -c '^FAIL')
echo "conformance: $pass passed, $fail failed"
rm -rf "$out"
[ "$public_rc" -eq 0 ] && [ "$divergent_rc" -eq 0 ] && [ "$auto_rc" -eq 0 ]
