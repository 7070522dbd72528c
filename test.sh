#!/usr/bin/env bash
# Runs the whole test suite. Needs only the .NET SDK (no python, no jq).
# Prints "N passed, N failed[, N skipped]" last, and exits non-zero if the build failed, a test failed or did not
# run to the end, or no test ran at all.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# Services the integration tests need are installed here, before the build, so a fresh machine needs nothing but this
# script. The tests start private servers from their binaries (tests/ServiceFixtures), never the system's service.

# PostgreSQL (tests/Sluice.Postgres.Tests): initdb, pg_ctl, postgres and psql, on PATH or in /usr/lib/postgresql/*/bin.
if ! command -v initdb >/dev/null 2>&1 && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing PostgreSQL (apt-get install postgresql) for the postgres connector's tests" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL is not installed and this is not root: the postgres tests will fail (apt-get install postgresql)" >&2
  fi
fi

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
# (Sluice, DuckDB, a hand-written loop) disagree on the output or a run fails; bench/Micro runs every engine
# micro-benchmark once. Timings in quick mode mean nothing and are not looked at.
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
smoke micro-quick dotnet run -c Release --project bench/Micro -- --quick

summary="$passed passed, $failed failed"
((skipped > 0)) && summary+=", $skipped skipped"
echo "$summary"

if ((failed > 0 || test_status != 0 || passed + failed == 0)); then
  ((passed + failed == 0)) && echo "no test ran" >&2
  ((failed == 0 && test_status != 0)) && echo "dotnet test exited with $test_status" >&2
  exit 1
fi
