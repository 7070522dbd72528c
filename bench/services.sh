#!/usr/bin/env bash
# Service benchmarks: Sluice side by side with hand-written loops on real servers, each contender its own process
# under GNU time (wall, CPU, peak RSS), trials alternating contenders, every output counted back.
#
#   A. Redis stream → contract → PostgreSQL table (append, checkpoints every 100,000 records): the installed sluice
#      tool against a hand-written XREADGROUP + binary COPY + XACK loop (at least once; Sluice is exactly once).
#      Memory: sluice's peak RSS at a tenth of the entries and at all of them (flat means the ratio stays near 1).
#   B. PostgreSQL table → the flights job (contract, filter, derive) → zstd Parquet, over the 3M flights loaded into
#      the table: sluice's postgres source against `COPY … TO STDOUT` (binary) + the hand loop of bench/run.sh, and
#      against psql's `\copy` to CSV followed by DuckDB's CSV job (DuckDB cannot read PostgreSQL without its
#      postgres extension, which it downloads).
#
#   bench/services.sh            1,000,000 entries and 3M flights, 3 trials; rewrites the services section of
#                                docs/benchmarks.md
#   bench/services.sh --quick    50,000 entries and 300,000 flights, 1 trial (CI smoke test); docs untouched
#   bench/services.sh --trials N
#   bench/services.sh --only stream|table   one of the two jobs; docs untouched
#
# Its servers are private (examples/services.sh with bench/data/services, Redis on 6391, PostgreSQL on 5441),
# started here and stopped at the end. Needs the .NET SDK, npm (the flights, once), GNU time; redis-server and
# postgresql are installed with apt-get when missing. Exits non-zero when a build or a run fails, or when a
# contender's output does not hold every row.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command_line="bench/services.sh${*:+ $*}"
usage() { echo "usage: bench/services.sh [--quick] [--trials N] [--only stream|table]"; }
quick=0 trials="" only=""
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --trials) trials="${2:-}"; shift ;;
    --only) only="${2:-}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
if [[ -n "$trials" && ! "$trials" =~ ^[1-9][0-9]*$ ]] || [[ -n "$only" && ! "$only" =~ ^(stream|table)$ ]]; then
  usage >&2
  exit 2
fi
trials=${trials:-$((quick ? 1 : 3))}
if ((quick)); then entries=50000 flights=300000; else entries=1000000 flights=3000000; fi

log() { echo "$*" >&2; }
if [[ ! -x /usr/bin/time ]]; then
  log "installing GNU time…"
  apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq time >/dev/null 2>&1; }
fi

source bench/tool.sh
run_step build bench/Sluice.Bench -c Release -nologo -v quiet
bench_exe="$PWD/bench/Sluice.Bench/bin/Release/net10.0/Sluice.Bench"
bench() { "$bench_exe" "$@"; }

export SLUICE_SERVICES_DIR="$PWD/bench/data/services" SLUICE_REDIS_PORT=6391 SLUICE_PG_PORT=5441
redis="127.0.0.1:$SLUICE_REDIS_PORT"
postgres="Host=127.0.0.1;Port=$SLUICE_PG_PORT;Username=sluice;Password=sluice;Database=sluice"
tmp="$(mktemp -d)"
trap 'examples/services.sh stop >&2 || true; rm -rf "$tmp"' EXIT
examples/services.sh start >/dev/null
psql_bin="$(dirname "$(readlink -f "$(command -v pg_ctl || compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' | sort -V | tail -n 1)")")/psql"
sql() { PGOPTIONS="-c client_min_messages=warning" PGPASSWORD=sluice "$psql_bin" -h 127.0.0.1 -p "$SLUICE_PG_PORT" -U sluice -d sluice -X -q -tA -v ON_ERROR_STOP=1 -c "$1"; }

mkdir -p bench/results
suffix=""
((quick)) && suffix=-quick
results="bench/results/services-$(date -u +%Y%m%d-%H%M%S)$suffix.csv"
echo "job,size,contender,trial,wall_s,cpu_s,rss_mb,rows_out" >"$results"

# timed NAME DIR COMMAND…: runs a contender in DIR under GNU time; sets wall cpu rss.
timed() {
  local name=$1 dir=$2 status=0
  shift 2
  mkdir -p "$dir"
  (cd "$dir" && /usr/bin/time -f '%e %U %S %M' -o "$dir/time" timeout 1800 "$@" >"$dir/stdout" 2>"$dir/stderr") || status=$?
  if ((status != 0)); then
    log "FAILED: $name (exit $status): $*"
    tail -n 30 "$dir/stdout" "$dir/stderr" >&2
    exit 1
  fi
  local user sys rss_kb
  read -r wall user sys rss_kb <"$dir/time"
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  rss=$((rss_kb / 1024))
}

record() { echo "$1,$2,$3,$4,$wall,$cpu,$rss,$5" >>"$results"; log "  $3 trial $4: ${wall} s, ${cpu} s CPU, ${rss} MB, $5 rows"; }

expect_rows() {
  if [[ "$2" != "$3" ]]; then
    log "MISMATCH: $1 wrote $2 rows, expected $3"
    exit 1
  fi
}

# ---- A: Redis stream → PostgreSQL ------------------------------------------------------------------------------
stream_pipeline() {
  local name=$1 stream=$2 table=$3
  cat <<EOF
name: $name
source:
  type: redis_stream
  connection: "$redis"
  streams: [$stream]
  group: $name
contract:
  unknown_fields: reject
  fields:
    id:          { type: int64, required: true }
    user_id:     { type: int64, required: true }
    page:        { type: string, required: true }
    duration_ms: { type: int64, min: 0 }
    at:          { type: timestamp, required: true }
sink:
  type: postgres
  connection: "$postgres"
  table: $table
  create: true
checkpoint:
  every_records: 100000
  every_seconds: 0
EOF
}

# stream_job SIZE STREAM TRIAL CONTENDER
stream_job() {
  local size=$1 stream=$2 trial=$3 contender=$4
  local name="s${size}_${contender}_$trial" dir="$tmp/stream-$size-$contender-$trial"
  sql "DROP TABLE IF EXISTS $name" >/dev/null
  case "$contender" in
    sluice)
      mkdir -p "$dir"
      stream_pipeline "$name" "$stream" "$name" >"$dir/pipeline.yaml"
      timed "$name" "$dir" "$sluice_exe" run "$dir/pipeline.yaml" --state "$dir/state.db" ;;
    hand)
      timed "$name" "$dir" "$bench_exe" hand-stream "$redis" "$stream" "$name" "$postgres" "$name" 5000 ;;
  esac
  local rows
  rows=$(sql "SELECT count(*) FROM $name")
  expect_rows "$contender on $stream" "$rows" "$size"
  record stream "$size" "$contender" "$trial" "$rows"
  sql "DROP TABLE $name" >/dev/null
}

small=$((entries / 10))
[[ $only == table ]] || for size in "$small" "$entries"; do
  stream="clicks-$size"
  if [[ $(redis-cli -p "$SLUICE_REDIS_PORT" xlen "$stream") != "$size" ]]; then
    log "filling stream $stream with $size events…"
    redis-cli -p "$SLUICE_REDIS_PORT" del "$stream" >/dev/null
    expect_rows "redis-fill" "$(bench redis-fill "$redis" "$stream" "$size")" "$size"
  fi
done
if [[ $only != table ]]; then
  log "A: Redis stream → PostgreSQL, $entries entries"
  for ((t = 1; t <= trials; t++)); do
    stream_job "$entries" "clicks-$entries" "$t" sluice
    stream_job "$entries" "clicks-$entries" "$t" hand
  done
  log "A: sluice's memory at $small entries"
  stream_job "$small" "clicks-$small" 1 sluice
fi

# ---- B: PostgreSQL table → Parquet -----------------------------------------------------------------------------
table_part() {
  source_parquet="$PWD/bench/data/flights-3m.parquet"
  if [[ ! -f "$source_parquet" ]]; then
    log "fetching vega-datasets@3.2.1 (flights-3m.parquet)…"
    npm_dir="$(mktemp -d)"
    (cd "$npm_dir" && npm pack vega-datasets@3.2.1 --silent >/dev/null)
    tar -xzf "$npm_dir/vega-datasets-3.2.1.tgz" -C "$npm_dir" package/data/flights-3m.parquet
    mkdir -p bench/data
    mv "$npm_dir/package/data/flights-3m.parquet" "$source_parquet.tmp"
    rm -rf "$npm_dir"
    mv "$source_parquet.tmp" "$source_parquet"
  fi
  flights_parquet="$source_parquet"
  if ((flights != 3000000)); then
    flights_parquet="$PWD/bench/data/flights-$flights.parquet"
    [[ -f "$flights_parquet" ]] || bench sql "COPY (SELECT * FROM read_parquet('$source_parquet') LIMIT $flights) TO '$flights_parquet' (FORMAT parquet)" >/dev/null
  fi
  table="flights_$flights"
  if [[ $(sql "SELECT count(*) FROM information_schema.columns WHERE table_name = '$table' AND column_name = 'id'") == 0 ]] ||
    [[ $(sql "SELECT count(*) FROM $table") != "$flights" ]]; then
    log "loading $flights flights into PostgreSQL table $table…"
    expect_rows "pg-load" "$(bench pg-load "$flights_parquet" "$postgres" "$table")" "$flights"
    sql "VACUUM ANALYZE $table" >/dev/null
  fi

  source bench/job.sh
  expected_out=""
  # table_job TRIAL CONTENDER
  table_job() {
    local trial=$1 contender=$2 dir="$tmp/table-$2-$1" out rows
    mkdir -p "$dir"
    case "$contender" in
      sluice)
        out="$dir/out"
        write_pipeline postgres "$postgres|$table" "$out" >"$dir/pipeline.yaml"
        timed "$contender" "$dir" "$sluice_exe" run "$dir/pipeline.yaml" --state "$dir/state.db" ;;
      hand)
        out="$dir/out.parquet"
        timed "$contender" "$dir" "$bench_exe" hand-table "$postgres" "$table" "$out" ;;
      copy-duckdb)
        out="$dir/out.parquet"
        timed "$contender" "$dir" bash -c "PGPASSWORD=sluice '$psql_bin' -h 127.0.0.1 -p $SLUICE_PG_PORT -U sluice -d sluice -X -q \
          -c \"\\copy (SELECT date, delay, distance, origin, destination FROM $table) TO '$dir/flights.csv' (FORMAT csv, HEADER)\" && '$bench_exe' duckdb csv '$dir/flights.csv' '$out'" ;;
    esac
    rows=$(bench count "$out")
    [[ -n $expected_out ]] || expected_out=$rows
    expect_rows "$contender on $table" "$rows" "$expected_out"
    record table "$flights" "$contender" "$trial" "$rows"
  }
  log "B: PostgreSQL table → Parquet, $flights flights"
  for ((t = 1; t <= trials; t++)); do
    table_job "$t" sluice
    table_job "$t" hand
    table_job "$t" copy-duckdb
  done
}
[[ $only == stream ]] || table_part

# ---- report ----------------------------------------------------------------------------------------------------
report() {
  echo "Made by \`$command_line\` on $(date -u +%Y-%m-%d), $(nproc) cores; medians of $trials trials (results: \`$results\`)."
  echo
  echo "| job | contender | wall s | CPU s | peak MB | records/s |"
  echo "| --- | --- | ---: | ---: | ---: | ---: |"
  awk -F, 'NR > 1 { key = $1 "," $2 "," $3; n[key]++; wall[key, n[key]] = $5; cpu[key, n[key]] = $6; rss[key, n[key]] = $7 }
    function median(a, key, count,   i, j, t, v) {
      for (i = 1; i <= count; i++) v[i] = a[key, i]
      for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
      return count % 2 ? v[(count + 1) / 2] : (v[count / 2] + v[count / 2 + 1]) / 2
    }
    END {
      for (key in n) {
        split(key, k, ",")
        w = median(wall, key, n[key])
        label = k[1] == "stream" ? "Redis stream → PostgreSQL, " k[2] " entries" : "PostgreSQL → Parquet, " k[2] " flights"
        printf "| %s | %s | %.2f | %.2f | %d | %d |\n", label, k[3], w, median(cpu, key, n[key]), median(rss, key, n[key]), k[2] / w
      }
    }' "$results" | sort
}
markdown=$(report)
echo "$markdown"
if ((!quick)) && [[ -z $only ]]; then
  doc=docs/benchmarks.md
  if grep -q '<!-- services:begin -->' "$doc"; then
    awk -v body="$markdown" '/<!-- services:begin -->/ { print; print body; skip = 1; next }
      /<!-- services:end -->/ { skip = 0 } !skip' "$doc" >"$doc.tmp" && mv "$doc.tmp" "$doc"
    log "updated the services section of $doc"
  fi
fi
