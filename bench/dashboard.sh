#!/usr/bin/env bash
# How fast the dashboard answers on a big state file (issue 15: under 200 ms, median): bench/DashboardData fills a
# state file, the CLI checks it, then `sluice dashboard` serves it and each page is requested again and again.
#
#   bench/dashboard.sh           100,000 runs and 1,000,000 dead letters, 30 requests per page
#   bench/dashboard.sh --quick   1,000 runs and 10,000 dead letters, 5 requests per page (CI smoke test)
#
# The file is kept in bench/data/ and made again only when the sizes, the generator or the engine's migrations
# changed.
# Exits non-zero when a build, the fill, a check or a page request fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=100000 letters=1000000 requests=30
case "${1:-}" in
  --quick) runs=1000 letters=10000 requests=5 ;;
  "") ;;
  *) echo "usage: bench/dashboard.sh [--quick]" >&2; exit 2 ;;
esac
log() { echo "$*" >&2; }

dotnet build src/Sluice.Cli -c Release -nologo -v quiet >&2
dotnet build bench/DashboardData -c Release -nologo -v quiet >&2
sluice=(dotnet "$PWD/src/Sluice.Cli/bin/Release/net10.0/Sluice.Cli.dll")

# A file made by another generator or for another schema is not the same file, whatever its sizes.
key=$(cat bench/DashboardData/*.cs src/Sluice/State/Sqlite/SqliteMigrations.cs | sha256sum | cut -c1-12)
mkdir -p bench/data
state="$PWD/bench/data/dashboard-$runs-$letters-$key.db"
if [[ -f $state ]]; then
  log "using $state (made before with these sizes)"
else
  rm -f bench/data/dashboard-"$runs"-"$letters"-*.db*
  # Filled under a temporary name, so an interrupted fill is never taken for a finished one. The generator's own
  # read-only check leaves an empty -wal and -shm beside it (a read-only reader may not delete them).
  dotnet bench/DashboardData/bin/Release/net10.0/DashboardData.dll --runs "$runs" --letters "$letters" --out "$state.tmp"
  mv "$state.tmp" "$state"
  rm -f "$state.tmp-wal" "$state.tmp-shm"
fi
log "$(stat -c %s "$state" | awk '{ printf "%.0f MB", $1 / 1e6 }')"

# The engine's own readers, as a user would call them, on what the generator wrote.
check() {
  local what=$1 expected=$2 output
  shift 2
  if ! output=$("$@" 2>&1) || ! grep -q -- "$expected" <<<"$output"; then
    log "check failed: $what (expected '$expected'):"
    log "$output"
    exit 1
  fi
}
check "runs lists the newest runs" '"run_id"' "${sluice[@]}" runs --state "$state" --limit 5 --json
run=$("${sluice[@]}" runs --state "$state" --pipeline flights-clean --limit 1 --json | grep -o '"run_id": "[^"]*"' | head -1 | cut -d'"' -f4)
check "show reads a run's stages" "published" "${sluice[@]}" show "$run" --state "$state"
check "dlq list filters by pipeline and reason" "origin = '" \
  "${sluice[@]}" dlq list --state "$state" --pipeline flights-clean --reason contract --limit 5
check "flow list reads the flow runs" "nightly" "${sluice[@]}" flow list --state "$state" --limit 5
flow=$("${sluice[@]}" flow list --state "$state" --limit 1 --json | grep -o '"run_id": "[^"]*"' | head -1 | cut -d'"' -f4)

out="$(mktemp)"
"${sluice[@]}" dashboard --state "$state" --port 0 >"$out" 2>&1 &
dashboard=$!
trap 'kill "$dashboard" 2>/dev/null || true; wait "$dashboard" 2>/dev/null || true; rm -f "$out"' EXIT
url=""
for _ in $(seq 600); do
  url=$(grep -o 'http://[^ ]*' "$out" | head -1 || true)
  [[ -n $url ]] && break
  kill -0 "$dashboard" 2>/dev/null || { log "sluice dashboard exited:"; cat "$out" >&2; exit 1; }
  sleep 0.1
done
[[ -n $url ]] || { log "sluice dashboard printed no URL within 60 s:"; cat "$out" >&2; exit 1; }
url=${url%/}
log "dashboard at $url"

# Prints "first median p95" in milliseconds for one page: the first request (JIT, cold caches) apart, then the
# median and 95th percentile of the next N. A status other than 200 stops the script.
measure() {
  local page=$1 first times status seconds
  times=$(for _ in $(seq $((requests + 1))); do
    read -r status seconds < <(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$url$page")
    [[ $status == 200 ]] || { log "GET $page answered $status"; echo FAIL; }
    echo "$seconds"
  done)
  grep -q FAIL <<<"$times" && exit 1
  first=$(head -1 <<<"$times")
  tail -n +2 <<<"$times" | sort -g | awk -v first="$first" '{ t[NR] = $1 * 1000 }
    END { i = int(NR * 0.95 + 0.999); if (i > NR) i = NR
          printf "%8.1f %8.1f %8.1f\n", first * 1000, (NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2), t[i] }'
}

printf '%s runs, %s dead letters, %s requests per page\n\n' "$runs" "$letters" "$requests"
printf '| page | first ms | median ms | p95 ms |\n| --- | --- | --- | --- |\n'
# The issue's three pages first (runs, a run, letters by pipeline and reason), then the rest a user clicks through.
pages=("/" "/runs/$run" "/dead-letters?pipeline=flights-clean&reason=contract"
  "/?state=failed" "/?pipeline=clickstream" "/?q=clickstream" "/dead-letters" "/dead-letters?pipeline=clickstream&stage=check"
  "/dead-letters?reason=transform" "/dead-letters?field=origin" "/dead-letters?run=$run"
  "/dead-letters?pipeline=flights-clean&since=2026-06-01&until=2026-06-02" "/dead-letters?pipeline=flights-clean&since=2025-12-01" "/dead-letters/$((letters / 2))"
  "/flows/$flow"
  "/charts?pipeline=flights-clean&n=200" "/lineage" "/alerts" "/api/runs" "/api/dead-letters?reason=transform")
for page in "${pages[@]}"; do
  result=$(measure "$page") # a failed request fails the assignment, and set -e stops the script
  read -r first median p95 <<<"$result"
  printf '| `%s` | %s | %s | %s |\n' "$page" "$first" "$median" "$p95"
done
