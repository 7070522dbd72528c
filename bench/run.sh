#!/usr/bin/env bash
# Whole-job benchmarks: Sluice side by side with DuckDB and with a hand-written C# loop, on the same job (contract,
# filter, derived columns, zstd Parquet) over 3M real flights. Every contender runs as its own process under GNU
# time, so wall time, CPU time and peak RSS are its own; trials alternate contenders (A B C A B C …) because the
# machine is shared and noisy, and every run's output rows are read back and must agree across contenders.
#
#   bench/run.sh              5 trials of every job (2 for the 10x input); rewrites the results section of
#                             docs/benchmarks.md and docs/benchmarks.png
#   bench/run.sh --quick      a 300,000-row slice, 1 trial, docs untouched (CI smoke test, under 2 minutes)
#   bench/run.sh --trials N   N trials instead
#   bench/run.sh --only JOB   one job: 1 (CSV), 2 (JSONL, Parquet), 3 (scale), 4 (checkpoints), 5 (dead letters);
#                             docs untouched
#
# Prints the markdown results on stdout (progress goes to stderr) and writes every measurement to
# bench/results/run-*.csv (and bench/results/latest.csv for a full run). Inputs are cached in bench/data/.
# Needs the .NET SDK, npm (to fetch the data once), GNU time and, for the chart, gnuplot; installs the last two
# with apt-get when they are missing. Exits non-zero when a build or a run fails, or when contenders disagree on
# the number of rows written.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command_line="bench/run.sh${*:+ $*}"
usage() { echo "usage: bench/run.sh [--quick] [--trials N] [--only 1|2|3|4|5]"; }
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
if [[ -n "$trials" && ! "$trials" =~ ^[1-9][0-9]*$ ]] || [[ -n "$only" && ! "$only" =~ ^[1-5]$ ]]; then
  usage >&2
  exit 2
fi
trials=${trials:-$((quick ? 1 : 5))}
update_docs=$((!quick && ${#only} == 0))

log() { echo "$*" >&2; }

# Installs an apt package when its command is missing (as root, or through sudo when there is one).
ensure() {
  local command=$1 package=$2
  [[ -x "$command" ]] || command -v "$command" >/dev/null && return
  log "installing $package…"
  local sudo=""
  ((EUID == 0)) || sudo=$(command -v sudo || true)
  if ! { $sudo apt-get install -y -qq "$package" >/dev/null 2>&1 ||
    { $sudo apt-get update -qq >/dev/null 2>&1 && $sudo apt-get install -y -qq "$package" >/dev/null 2>&1; }; }; then
    log "bench/run.sh needs $command; install the '$package' package (apt-get install $package) and run again"
    exit 1
  fi
}
ensure /usr/bin/time time
((update_docs)) && ensure gnuplot gnuplot-nox

# Sluice is measured as users run it: the tool package for this platform, installed with `dotnet tool install`
# (bench/tool.sh). The peers' program is published precompiled, as a .NET service is deployed for start-up:
# self-contained with one composite ReadyToRun image of the app and the framework. The quick mode is a smoke test
# whose timings mean nothing, so it builds the peers' program plainly (publishing takes a minute); it still packs
# and installs the tool, which a test also does. Only one kind of publish is ever made into a project's
# RID-specific obj/ folder: mixing composite and non-composite publishes there produced a binary that aborted at
# start.
source bench/tool.sh
if ((quick)); then
  run_step build bench/Sluice.Bench -c Release -nologo -v quiet
  bench_exe="$PWD/bench/Sluice.Bench/bin/Release/net10.0/Sluice.Bench"
else
  run_step publish bench/Sluice.Bench -c Release -r "$rid" --self-contained true -p:PublishReadyToRun=true \
    -p:PublishReadyToRunComposite=true -o bench/bin/Sluice.Bench -nologo -v quiet
  bench_exe="$PWD/bench/bin/Sluice.Bench/Sluice.Bench"
fi
bench() { "$bench_exe" "$@"; }

# ---- inputs ---------------------------------------------------------------------------------------------------
# Files are written under a .tmp name and renamed when complete, so a file that exists is whole.
data="$PWD/bench/data"
mkdir -p "$data"

source_parquet="$data/flights-3m.parquet"
if [[ ! -f "$source_parquet" ]]; then
  log "fetching vega-datasets@3.2.1 (flights-3m.parquet)…"
  npm_dir="$(mktemp -d)"
  (cd "$npm_dir" && npm pack vega-datasets@3.2.1 --silent >/dev/null)
  tar -xzf "$npm_dir/vega-datasets-3.2.1.tgz" -C "$npm_dir" package/data/flights-3m.parquet
  mv "$npm_dir/package/data/flights-3m.parquet" "$source_parquet.tmp"
  rm -rf "$npm_dir"
  mv "$source_parquet.tmp" "$source_parquet"
fi

if ((quick)); then base=300k base_rows=300000; else base=3m base_rows=3000000; fi
stem="$data/flights-$base"

if [[ ! -f "$stem.parquet" ]]; then
  bench sql "COPY (SELECT * FROM read_parquet('$source_parquet') LIMIT $base_rows) TO '$stem.parquet.tmp' (FORMAT parquet)" >/dev/null
  mv "$stem.parquet.tmp" "$stem.parquet"
fi
if [[ ! -f "$stem.csv" ]]; then
  log "writing $stem.csv and .jsonl with DuckDB…"
  bench sql "COPY (SELECT * FROM read_parquet('$stem.parquet')) TO '$stem.csv.tmp' (FORMAT csv, HEADER)" >/dev/null
  mv "$stem.csv.tmp" "$stem.csv"
fi
if [[ ! -f "$stem.jsonl" ]]; then
  bench sql "COPY (SELECT * FROM read_parquet('$stem.parquet')) TO '$stem.jsonl.tmp' (FORMAT json)" >/dev/null
  mv "$stem.jsonl.tmp" "$stem.jsonl"
fi
for copies in 3 10; do
  if [[ ! -f "$stem-x$copies.csv" ]]; then
    log "writing $stem-x$copies.csv…"
    {
      cat "$stem.csv"
      for ((i = 1; i < copies; i++)); do tail -n +2 "$stem.csv"; done
    } >"$stem-x$copies.csv.tmp"
    mv "$stem-x$copies.csv.tmp" "$stem-x$copies.csv"
  fi
done
# 5 % of the rows broken, always the same ones: every 40th row's delay is not a number (a parse error) and the
# 20th of every 40 has a lower-case origin (breaks the contract's pattern).
if [[ ! -f "$stem-broken.csv" ]]; then
  awk -F, -v OFS=, 'NR == 1 { print; next }
    { n = NR - 1; if (n % 40 == 0) $2 = "abc"; else if (n % 40 == 20) $4 = tolower($4); print }' \
    "$stem.csv" >"$stem-broken.csv.tmp"
  mv "$stem-broken.csv.tmp" "$stem-broken.csv"
fi

# ---- contenders -----------------------------------------------------------------------------------------------
# The job, as a Sluice pipeline file (bench/job.sh); Sluice.Bench/FlightsJob.cs holds the same bounds for the two
# peers. Job 4's contenders are Sluice with other checkpoint settings: sluice (the default, every 1,000,000 records
# or 60 s), sluice-cp10k (every 10,000 records) and sluice-nocp (no trigger: one checkpoint, at the end).
source bench/job.sh

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p bench/results
suffix=""
((quick)) && suffix=-quick
results="bench/results/run-$(date -u +%Y%m%d-%H%M%S)$suffix.csv"
echo "job,input,rows_in,contender,trial,wall_s,cpu_s,rss_mb,rows_out" >"$results"
declare -A expected_rows expected_by expected_fingerprint

# measure JOB INPUT-KEY FORMAT FILE ROWS-IN CONTENDER TRIAL: one timed run in a fresh folder, appended to $results.
measure() {
  local job=$1 key=$2 format=$3 input=$4 rows_in=$5 contender=$6 trial=$7
  local dir="$tmp/$key-$contender-$trial" out printed="" status=0
  mkdir -p "$dir"
  local -a command
  case "$contender" in
    sluice | sluice-cp10k | sluice-nocp)
      out="$dir/out"
      local checkpoint=""
      [[ "$contender" == sluice-cp10k ]] && checkpoint="checkpoint: { every_records: 10000, every_seconds: 0 }"
      [[ "$contender" == sluice-nocp ]] && checkpoint="checkpoint: { every_records: 0, every_seconds: 0 }"
      write_pipeline "$format" "$input" "$out" "$checkpoint" >"$dir/pipeline.yaml"
      command=("$sluice_exe" run "$dir/pipeline.yaml" --state "$dir/state.db") ;;
    duckdb | hand)
      out="$dir/out.parquet"
      command=("$bench_exe" "$contender" "$format" "$input" "$out") ;;
  esac
  # timeout inside time: time waits for timeout, which waits for the contender, so the peak RSS is the contender's.
  (cd "$dir" && /usr/bin/time -f '%e %U %S %M' -o "$dir/time" timeout 1200 "${command[@]}" >"$dir/stdout" 2>"$dir/stderr") || status=$?
  if ((status != 0)); then
    log "FAILED: $contender on $input (exit $status): ${command[*]}"
    tail -n 30 "$dir/stdout" "$dir/stderr" >&2
    exit 1
  fi
  local wall user sys rss_kb rows_out
  read -r wall user sys rss_kb <"$dir/time"
  rows_out=$(bench count "$out")
  [[ "$contender" == sluice* ]] || printed=$(tail -n 1 "$dir/stdout")
  if [[ -n "$printed" && "$printed" != "$rows_out" ]]; then
    log "MISMATCH: $contender says it wrote $printed rows of $key but its Parquet output holds $rows_out"
    exit 1
  fi
  if [[ -z "${expected_rows[$key]:-}" ]]; then
    expected_rows[$key]=$rows_out expected_by[$key]=$contender
  elif [[ "${expected_rows[$key]}" != "$rows_out" ]]; then
    log "MISMATCH on $key: $contender wrote $rows_out rows but ${expected_by[$key]} wrote ${expected_rows[$key]}."
    log "A faster wrong answer is worthless: fix the contender before comparing times."
    exit 1
  fi
  # The first trial's output is also compared by content: the same rows with the same values.
  if ((trial == 1)); then
    local fingerprint
    fingerprint=$(bench fingerprint "$out")
    if [[ -z "${expected_fingerprint[$key]:-}" ]]; then
      expected_fingerprint[$key]=$fingerprint
    elif [[ "${expected_fingerprint[$key]}" != "$fingerprint" ]]; then
      log "MISMATCH on $key: $contender's output differs from ${expected_by[$key]}'s (same row count, other values):"
      log "  ${expected_by[$key]}: ${expected_fingerprint[$key]}"
      log "  $contender: $fingerprint"
      exit 1
    fi
  fi
  awk -v j="$job" -v k="$key" -v n="$rows_in" -v c="$contender" -v t="$trial" -v w="$wall" -v u="$user" \
    -v s="$sys" -v m="$rss_kb" -v o="$rows_out" \
    'BEGIN { printf "%s,%s,%d,%s,%d,%.2f,%.2f,%.1f,%d\n", j, k, n, c, t, w, u + s, m / 1024, o }' >>"$results"
  log "$(printf 'job %s %-10s trial %d/%d %-7s %7.2f s wall %7.2f s CPU %6.0f MB %12d rows out' \
    "$job" "$key" "$trial" "$trial_count" "$contender" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" \
    "$((rss_kb / 1024))" "$rows_out")"
  rm -rf "$dir"
}

# run_job JOB INPUT-KEY FORMAT FILE ROWS-IN TRIALS CONTENDER…: the contenders in turn, TRIALS times.
run_job() {
  local job=$1 key=$2 format=$3 input=$4 rows_in=$5 n=$6 trial contender
  shift 6
  trial_count=$n
  for ((trial = 1; trial <= n; trial++)); do
    for contender in "$@"; do
      local f=$format
      [[ "$contender" == duckdb && "$key" == broken-csv ]] && f=csv-lenient # skip rows that do not parse
      measure "$job" "$key" "$f" "$input" "$rows_in" "$contender" "$trial"
    done
  done
}

# Other work on a shared machine takes cores from the contenders: the report shows the load around the run.
load_before=$(cut -d ' ' -f 1 /proc/loadavg)

wants() { [[ -z "$only" || "$only" == "$1" ]]; }
long_trials=$((trials < 2 ? trials : 2))

if wants 1; then
  run_job 1 csv csv "$stem.csv" "$base_rows" "$trials" sluice duckdb hand
elif [[ "$only" == 3 ]]; then
  run_job 3 csv csv "$stem.csv" "$base_rows" "$trials" sluice duckdb # the 1x of the scale job
elif [[ "$only" == 5 ]]; then
  run_job 5 csv csv "$stem.csv" "$base_rows" "$trials" sluice # what the dead letters slow down
fi
if wants 2; then
  run_job 2 jsonl jsonl "$stem.jsonl" "$base_rows" "$trials" sluice duckdb hand
  run_job 2 parquet parquet "$stem.parquet" "$base_rows" "$trials" sluice duckdb hand
fi
if wants 3; then
  run_job 3 csv-3x csv "$stem-x3.csv" $((base_rows * 3)) "$trials" sluice duckdb
  run_job 3 csv-10x csv "$stem-x10.csv" $((base_rows * 10)) "$long_trials" sluice duckdb
fi
if wants 4; then
  run_job 4 csv-cp csv "$stem.csv" "$base_rows" "$trials" sluice-nocp sluice sluice-cp10k
fi
if wants 5; then
  run_job 5 broken-csv csv "$stem-broken.csv" "$base_rows" "$trials" sluice duckdb
fi

# ---- report ---------------------------------------------------------------------------------------------------
raw=$results
((update_docs)) && raw=bench/results/latest.csv
section="$tmp/section.md"
{
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)), $(free -m | awk '/^Mem:/ { printf "%.0f", $2 / 1024 }') GiB,"
  echo ".NET SDK $(dotnet --version), DuckDB $(bench sql "SELECT version()"), with \`$command_line\`; the 1-minute load"
  echo "average was $load_before before the first job. Every measurement: \`$raw\`."
  echo
  bench report "$results"
} >"$section"
cat "$section"

if ((update_docs)); then
  cp "$results" bench/results/latest.csv
  bench chart-data "$results" "$tmp/jobs.dat" "$tmp/scale.dat"
  gnuplot -e "jobs='$tmp/jobs.dat'; scale='$tmp/scale.dat'; output='docs/benchmarks.png'" bench/chart.gp
  # Replace what lies between the markers; the rest of docs/benchmarks.md is written by hand.
  awk -v section="$section" '
    /<!-- results:start -->/ { print; while ((getline line < section) > 0) print line; skipping = 1; next }
    /<!-- results:end -->/ { skipping = 0 }
    !skipping { print }' docs/benchmarks.md >"$tmp/benchmarks.md"
  grep -q '<!-- results:end -->' "$tmp/benchmarks.md" || { log "docs/benchmarks.md lacks the results markers"; exit 1; }
  cp "$tmp/benchmarks.md" docs/benchmarks.md
  log "updated docs/benchmarks.md, docs/benchmarks.png and bench/results/latest.csv"
fi
