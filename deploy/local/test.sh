#!/usr/bin/env bash
# Runs every test project against a real PostgreSQL and RabbitMQ (installed and started when missing) and ends
# with one summary line: "N passed, N failed, N skipped". Exits non-zero if anything failed.
set -euo pipefail
. "$(dirname "$0")/infra.sh"
cd "$IMSA_ROOT"

imsa_ensure_infra
imsa_install_browser
imsa_install_kubectl
export IMSA_TEST_POSTGRES="$IMSA_POSTGRES"

results="$IMSA_ROOT/TestResults/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$results"
# The browser tests' screenshots of every step, kept with the results.
export IMSA_TEST_SCREENSHOTS="$results/screenshots"
imsa_log "building"
dotnet build Imsa.Network.sln -c Release --nologo -v q </dev/null
imsa_log "testing (results in ${results#"$IMSA_ROOT/"})"
status=0
dotnet test Imsa.Network.sln -c Release --no-build --nologo -v q \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@" </dev/null || status=$?

passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  value() { printf '%s' "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  skipped=$((skipped + $(value notExecuted)))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  imsa_log "dotnet test exited with $status without a failed test (a test host crashed or did not start): counted as a failure"
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
