#!/usr/bin/env bash
# The nightly example's backfill over real data, checked against DuckDB: examples/nightly/make-data.sh lays out the
# 3M flights of vega-datasets (one CSV file per day, 1 January to 1 July 2001), `sluice flow backfill` computes every
# day of 2001 with 4 partitions at once (extract, validate, three metrics in parallel, a report per day; the days
# after 1 July have no file and report zeros), a second backfill must run nothing, and each day's report must equal
# the same counts computed by DuckDB straight from the Parquet file over a calendar of the same days.
#
#   bench/backfill.sh           the 365 days of 2001, figures on stdout
#   bench/backfill.sh --quick   7 days, the last 2 without a file (CI smoke test)
#
# Exits non-zero when a partition fails, the second backfill runs anything, or a day differs from DuckDB.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  "") ;;
  *) echo "usage: bench/backfill.sh [--quick]" >&2; exit 2 ;;
esac
log() { echo "$*" >&2; }

dotnet build src/Sluice.Cli -c Release -nologo -v quiet >&2
dotnet build bench/Sluice.Bench -c Release -nologo -v quiet >&2
sluice="dotnet $PWD/src/Sluice.Cli/bin/Release/net10.0/Sluice.Cli.dll"
duckdb() { dotnet "$PWD/bench/Sluice.Bench/bin/Release/net10.0/Sluice.Bench.dll" sql "$1"; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp examples/nightly/*.yaml examples/nightly/make-data.sh "$work/"
mkdir -p "$work/data"
# The Parquet file is cached where bench/run.sh keeps it, so it is fetched once per clone.
if [[ -f bench/data/flights-3m.parquet ]]; then cp bench/data/flights-3m.parquet "$work/data/"; fi
SLUICE="$sluice" "$work/make-data.sh" $( ((quick)) && echo --days 5) >&2
if [[ ! -f bench/data/flights-3m.parquet ]]; then mkdir -p bench/data && cp "$work/data/flights-3m.parquet" bench/data/; fi
# The flights of days up to the last landing file count; later days of the range have no file, so no flights.
landed=$(ls "$work/landing" | tail -1)
landed=${landed%.csv}
first=2001-01-01 last=$( ((quick)) && echo 2001-01-07 || echo 2001-12-31)
days=$(( ($(date -ud "$last" +%s) - $(date -ud "$first" +%s)) / 86400 + 1 ))

log "backfill $first to $last ($days days), 4 at once…"
start=$(date +%s.%N)
$sluice flow backfill "$work/flow.yaml" --from "$first" --to "$last" --parallel 4 >"$work/backfill.log"
seconds=$(echo "$(date +%s.%N) - $start" | bc)
tail -1 "$work/backfill.log" >&2
start=$(date +%s.%N)
again=$($sluice flow backfill "$work/flow.yaml" --from "$first" --to "$last" --parallel 4 | tail -1)
again_seconds=$(echo "$(date +%s.%N) - $start" | bc)
if [[ "$again" != *": 0 partitions run,"* ]]; then
  echo "the second backfill ran partitions again: $again" >&2
  exit 1
fi

# day, flights, rejected, delayed, long_haul, early: from the reports, and from DuckDB over the same days.
sed -E 's/^\{"day": "([^"]+)", "flights": ([0-9]+), "rejected": ([0-9]+), "delayed": ([0-9]+), "long_haul": ([0-9]+), "early": ([0-9]+)\}$/\1\t\2\t\3\t\4\t\5\t\6/' \
  "$work"/reports/*.json | sort >"$work/sluice.tsv"
duckdb "WITH flights AS (SELECT CAST(date AS DATE) AS day, delay, distance FROM read_parquet('$work/data/flights-3m.parquet')
    WHERE CAST(date AS DATE) <= DATE '$landed'),
  calendar AS (SELECT CAST(d AS DATE) AS day FROM generate_series(DATE '$first', DATE '$last', INTERVAL 1 DAY) t(d))
  SELECT strftime(c.day, '%Y-%m-%d'), count(f.day), 0, count(*) FILTER (WHERE f.delay > 15),
  count(*) FILTER (WHERE f.distance >= 1000), count(*) FILTER (WHERE f.delay < 0)
  FROM calendar c LEFT JOIN flights f ON f.day = c.day GROUP BY c.day ORDER BY c.day" | tr -d '\r' >"$work/duckdb.tsv"
if ! diff -q "$work/sluice.tsv" "$work/duckdb.tsv" >/dev/null; then
  echo "the reports differ from DuckDB (< sluice, > duckdb):" >&2
  diff "$work/sluice.tsv" "$work/duckdb.tsv" | head -20 >&2
  exit 1
fi
echo "backfill of $days daily partitions ($first to $last, flights until $landed, --parallel 4): $(printf %.1f "$seconds") s;" \
  "again: 0 partitions run in $(printf %.1f "$again_seconds") s; every day's counts (flights, delayed, long haul, early) equal DuckDB's"
