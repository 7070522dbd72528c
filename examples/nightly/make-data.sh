#!/usr/bin/env bash
# Lays out the landing folder the nightly flow extracts from: the 3 million US flights of vega-datasets@3.2.1
# (flights-3m.parquet, 1 January to 1 July 2001), one CSV file per day, landing/YYYY-MM-DD.csv, as an upstream
# system would drop them. Sluice itself turns the Parquet file into CSV; awk splits it by day.
# Needs npm (to fetch the data once, into data/, not committed) and the .NET SDK.
#   examples/nightly/make-data.sh [--days N]   (N: only the first N days, for a quick run)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
days=0
if [[ "${1:-}" == "--days" && "${2:-}" =~ ^[1-9][0-9]*$ ]]; then days=$2; elif (($#)); then
  echo "usage: make-data.sh [--days N]" >&2
  exit 2
fi
# $SLUICE: how to run sluice (bench/backfill.sh gives the built tool); from a clone, dotnet run.
read -r -a sluice <<<"${SLUICE:-dotnet run --project $here/../../src/Sluice.Cli -c Release --}"

parquet=data/flights-3m.parquet
if [[ ! -f "$parquet" ]]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent vega-datasets@3.2.1 >/dev/null)
  tar -xzf "$tmp/vega-datasets-3.2.1.tgz" -C "$tmp" package/data/flights-3m.parquet
  mkdir -p data
  mv "$tmp/package/data/flights-3m.parquet" "$parquet"
fi

rm -rf data/csv data/.sluice landing
cat >data/to-csv.yaml <<YAML
name: flights-to-csv
source: { type: parquet, path: flights-3m.parquet }
sink: { type: csv, path: csv }
YAML
"${sluice[@]}" run data/to-csv.yaml >/dev/null
mkdir -p landing
# Each row goes to the file of its day (the first 10 characters of its timestamp), each file with the header.
cat data/csv/*.csv | awk -F, -v days="$days" '
  NR == 1 { header = $0; next }
  $0 == header { next }
  {
    day = substr($1, 1, 10)
    if (!(day in seen)) { if (days > 0 && count >= days) next; seen[day] = 1; count++; print header > ("landing/" day ".csv") }
    print > ("landing/" day ".csv")
  }'
rm -rf data/csv data/.sluice data/to-csv.yaml
echo "wrote $(ls landing | wc -l) files to $here/landing"
