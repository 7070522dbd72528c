#!/bin/sh
# Times the dashboard's pages on a state file with 100,000 runs and 1,000,000 dead letters (docs/benchmarks.md,
# "The dashboard"): one real run makes the state file (schema and indexes), fill.py adds the rows, then each page is
# fetched 11 times after a warm-up and the median printed. Needs python3, sqlite3's Python module, curl.
# Usage: bench/dashboard/run.sh [WORK_FOLDER]   (from the repository root, after dotnet build src/Sluice.Cli -c Release)
set -e
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-$(mktemp -d)}
cli="dotnet $here/../../src/Sluice.Cli/bin/Release/net10.0/Sluice.Cli.dll"
cd "$work"
printf 'id,amount\n1,5\n2,500\n' > data.csv
printf 'name: seed\nsource: { type: csv, path: data.csv }\ncontract:\n  fields:\n    id: { type: int64, required: true }\n    amount: { type: int64, max: 100 }\nsink: { type: jsonl, path: out }\n' > p.yaml
$cli run p.yaml --state "$work/state.db" > /dev/null
python3 "$here/fill.py" "$work/state.db"
$cli dashboard --state "$work/state.db" --port 0 > dash.out 2>&1 &
pid=$!
# TERM, not INT: a shell without job control starts background commands with SIGINT ignored.
trap 'kill -TERM $pid' EXIT
sleep 5
url=$(grep -o 'http://[0-9.:]*' dash.out | head -1)
run=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT id FROM runs ORDER BY started_at DESC LIMIT 1 OFFSET 5').fetchone()[0])" "$work/state.db")
"$here/measure.sh" "$url" "/" "/?state=failed" "/?q=pipeline-1" "/?pipeline=pipeline-07" "/runs/$run" \
  "/dead-letters" "/dead-letters?pipeline=pipeline-07&reason=parse" "/dead-letters?pipeline=pipeline-07&stage=contract" \
  "/dead-letters?reason=sink" "/dead-letters?stage=transform" "/dead-letters?field=origin" "/dead-letters?run=$run" \
  "/dead-letters?pipeline=pipeline-07&since=2026-06-01&until=2026-06-02" "/dead-letters?pipeline=pipeline-07&before=5000" \
  "/dead-letters/500000" "/charts?pipeline=pipeline-07&n=200" "/api/runs" "/api/dead-letters?reason=transform"
