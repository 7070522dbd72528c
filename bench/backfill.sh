#!/usr/bin/env bash
# The nightly example's backfill over real data, checked against DuckDB: examples/nightly/make-data.sh lays out the
# 3M flights of vega-datasets (one CSV file per day), `sluice flow backfill` computes every day with 4 partitions
# at once (extract, validate, three metrics in parallel, a report per day), a second backfill must run nothing, and
# each day's report must equal the same counts computed by DuckDB straight from the Parquet file.
#
#   bench/backfill.sh           every day of the data set (182), figures on stdout
#   bench/backfill.sh --quick   the first 7 days (CI smoke test)
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
SLUICE="$sluice" "$work/make-data.sh" $( ((quick)) && echo --days 7) >&2
if [[ ! -f bench/data/flights-3m.parquet ]]; then mkdir -p bench/data && cp "$work/data/flights-3m.parquet" bench/data/; fi
first=$(ls "$work/landing" | head -1) last=$(ls "$work/landing" | tail -1)
first=${first%.csv} last=${last%.csv}
days=$(ls "$work/landing" | wc -l)

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
duckdb "SELECT strftime(CAST(date AS DATE), '%Y-%m-%d'), count(*), 0, count(*) FILTER (WHERE delay > 15),
  count(*) FILTER (WHERE distance >= 1000), count(*) FILTER (WHERE delay < 0)
  FROM read_parquet('$work/data/flights-3m.parquet') WHERE CAST(date AS DATE) BETWEEN DATE '$first' AND DATE '$last'
  GROUP BY 1 ORDER BY 1" | tr -d '\r' >"$work/duckdb.tsv"
if ! diff -q "$work/sluice.tsv" "$work/duckdb.tsv" >/dev/null; then
  echo "the reports differ from DuckDB (< sluice, > duckdb):" >&2
  diff "$work/sluice.tsv" "$work/duckdb.tsv" | head -20 >&2
  exit 1
fi
echo "backfill of $days daily partitions ($first to $last, --parallel 4): $(printf %.1f "$seconds") s;" \
  "again: 0 partitions run in $(printf %.1f "$again_seconds") s; every day's counts (flights, delayed, long haul, early) equal DuckDB's"
