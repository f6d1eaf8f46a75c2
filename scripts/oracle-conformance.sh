#!/usr/bin/env bash
# The oracle's own harness against the built autossh-ts, with the oracle's command line:
# every public scenario against 1.4g's golden trace, except those D1-D7 change, which run
# against the project's expected traces (test/conformance/divergent/README.md says why).
set -uo pipefail
cd "$(dirname "$0")/.."
oracle=${ORACLE_DIR:-../shared/oracle}
jobs=${ORACLE_JOBS:-4}
cli="$PWD/dist/autossh-ts.mjs"  # the shipped bin (npm run build bundles it)
divergent=$(ls test/conformance/divergent/*.scenario.json | xargs -n1 basename | sed 's/.scenario.json//' | paste -sd, -)
same=$(ls "$oracle"/public/*.scenario.json | xargs -n1 basename | sed 's/.scenario.json//' \
  | grep -vxF -f <(tr , '\n' <<<"$divergent") | paste -sd, -)
out=$(mktemp -d)
"$oracle/run-all" "$oracle/public" -j "$jobs" --only "$same" --out "$out/public" -- node "$cli" >"$out/public.log" 2>&1
public_rc=$?
"$oracle/run-all" test/conformance/divergent -j "$jobs" --out "$out/divergent" -- node "$cli" >"$out/divergent.log" 2>&1
divergent_rc=$?
cat "$out/public.log" "$out/divergent.log" | grep -v -E '^(PASS|[0-9]+ passed)' || true
pass=$(( $(grep -c '^PASS' "$out/public.log") + $(grep -c '^PASS' "$out/divergent.log") ))
fail=$(( $(grep -c '^FAIL' "$out/public.log") + $(grep -c '^FAIL' "$out/divergent.log") ))
echo "conformance: $pass passed, $fail failed"
rm -rf "$out"
[ "$public_rc" -eq 0 ] && [ "$divergent_rc" -eq 0 ]
