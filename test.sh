#!/usr/bin/env bash
# Runs the whole test suite. Needs only the .NET SDK (no python, no jq).
# Prints "N passed, N failed[, N skipped]" last, and exits non-zero if the build failed, a test failed or did not
# run to the end, or no test ran at all.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# The servers the integration tests start privately (Redis, NATS, PostgreSQL): installed here when missing (as root,
# with apt-get, their system services left unstarted), so a fresh machine needs nothing but this script. When they
# cannot be, the script says so and the tests that need them fail naming the package.
scripts/install-services.sh redis-server nats-server postgresql || true
# The browser tests drive Debian's chromium (never a browser Playwright downloads): installed the same way.
scripts/install-browser.sh || true

results="TestResults"
rm -rf "$results"

if ! dotnet build Sluice.slnx -c Release -nologo -v quiet; then
  echo "build failed" >&2
  exit 1
fi

test_status=0
dotnet test Sluice.slnx -c Release --no-build --nologo -v quiet \
  --logger "trx;LogFilePrefix=r" --logger "console;verbosity=minimal" \
  --results-directory "$results" || test_status=$?

# Count the outcomes of every test result in the TRX files. Outcomes other than Passed and NotExecuted (Failed,
# Error, Timeout, Aborted, …) count as failed.
passed=0 failed=0 skipped=0
shopt -s nullglob
trx_files=("$results"/*.trx)
if ((${#trx_files[@]} > 0)); then
  while read -r count outcome; do
    case "$outcome" in
      Passed) passed=$((passed + count)) ;;
      NotExecuted) skipped=$((skipped + count)) ;;
      *) failed=$((failed + count)) ;;
    esac
  done < <(grep -ho '<UnitTestResult [^>]*>' "${trx_files[@]}" | grep -o ' outcome="[A-Za-z]*"' |
    sed 's/ outcome="\(.*\)"/\1/' | sort | uniq -c)
fi

# Smoke runs of the benchmarks' quick modes: each counts as one check. bench/run.sh fails when the contenders
# (Sluice, DuckDB, a hand-written loop) disagree on the output or a run fails, bench/services.sh when a contender's
# table or files do not hold every row, bench/flows.sh when a flow fails or records too few task state changes,
# bench/backfill.sh when a day of the nightly example differs from DuckDB or a second backfill runs anything,
# bench/serve-latency.sh when serve starts no scheduled run or starts them a second late, bench/flow-commands.sh when
# the installed tool's flow of command tasks does not complete every task;
# bench/Micro runs every engine micro-benchmark once; bench/dashboard.sh fails when the state file it fills does not
# read back through the engine's store and the CLI as written, or a dashboard page does not answer 200.
# Timings in quick mode mean nothing and are not looked at.
smoke() {
  local name=$1
  shift
  if "$@" >"$results/$name.log" 2>&1; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "smoke check '$name' failed; see $results/$name.log" >&2
    tail -n 20 "$results/$name.log" >&2
  fi
}
mkdir -p "$results"
smoke bench-quick bench/run.sh --quick
smoke services-quick bench/services.sh --quick
smoke flows-quick bench/flows.sh --quick
smoke backfill-quick bench/backfill.sh --quick
smoke serve-latency-quick bench/serve-latency.sh --quick
smoke flow-commands-quick bench/flow-commands.sh --quick
smoke micro-quick dotnet run -c Release --project bench/Micro -- --quick
smoke dashboard-quick bench/dashboard.sh --quick

summary="$passed passed, $failed failed"
((skipped > 0)) && summary+=", $skipped skipped"
echo "$summary"

if ((failed > 0 || test_status != 0 || passed + failed == 0)); then
  ((passed + failed == 0)) && echo "no test ran" >&2
  ((failed == 0 && test_status != 0)) && echo "dotnet test exited with $test_status" >&2
  exit 1
fi
