#!/usr/bin/env bash
# Peak memory of `sluice run` on the flights pipeline at two input sizes, 10x apart. Bounded memory means the
# peak barely grows with the input: the last line's ratio should stay near 1, far below 10.
#
#   bench/memory.sh           200k and 2M rows (about 6.5 and 65 MB of CSV)
#   bench/memory.sh --quick   20k and 200k rows
#   bench/memory.sh --large   200k, 2M and 20M rows (the last is about 650 MB of CSV)
#
# Inputs are cached in bench/data/ (git-ignored); each run gets a fresh temp folder for its pipeline file, output
# and state. Needs only bash, coreutils and the .NET SDK; uses GNU time for the peak when it is installed and
# otherwise samples VmHWM from /proc. Exits non-zero only when the build or a run fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

sizes=(200000 2000000)
case "${1:-}" in
  --quick) sizes=(20000 200000) ;;
  --large) sizes=(200000 2000000 20000000) ;;
  "") ;;
  *) echo "usage: bench/memory.sh [--quick | --large]" >&2; exit 2 ;;
esac

source_csv="examples/flights/data/flights-20k.csv"
source_rows=$(($(wc -l <"$source_csv") - 1))

echo "building the CLI (Release)…" >&2
dotnet build src/Sluice.Cli -c Release -nologo -v quiet >&2
cli_dll="$(dotnet msbuild src/Sluice.Cli -getProperty:TargetPath -p:Configuration=Release)"

# Writes bench/data/flights-ROWS.csv: one header, then the body rows of the 20k file repeated ROWS/20k times.
# Kept between runs; rebuilt when its row count is wrong (e.g. an interrupted write).
make_input() {
  local rows=$1 file="bench/data/flights-$1.csv"
  if [[ -f "$file" ]] && (($(wc -l <"$file") == rows + 1)); then
    echo "$file"
    return
  fi
  if ((rows % source_rows != 0)); then
    echo "input sizes must be multiples of $source_rows rows, not $rows" >&2
    exit 2
  fi
  mkdir -p bench/data
  local body="bench/data/.body-$$" copies=$((rows / source_rows))
  tail -n +2 "$source_csv" >"$body"
  {
    head -n 1 "$source_csv"
    for ((i = 0; i < copies; i++)); do cat "$body"; done
  } >"$file.tmp"
  rm -f "$body"
  mv "$file.tmp" "$file"
  echo "$file"
}

# The example's own pipeline file, its source and sink pointed at absolute paths (the generated input, a temp
# output) so it works from any folder: what is measured is the example as it stands, not a copy that could drift.
write_pipeline() {
  local input=$1 out=$2 yaml
  yaml=$(sed -e "s|^  path: data/\*\.csv$|  path: \"$input\"|" -e "s|^  path: out/flights$|  path: \"$out\"|" \
    examples/flights/pipeline.yaml)
  if ! grep -qF "\"$input\"" <<<"$yaml" || ! grep -qF "\"$out\"" <<<"$yaml"; then
    echo "bench/memory.sh: examples/flights/pipeline.yaml no longer has the source and sink paths this script rewrites" >&2
    exit 1
  fi
  echo "$yaml"
}

# Runs the CLI in the folder $1 with the remaining arguments; sets peak_kb and wall_s. Output goes to $1/log.
measure() {
  local dir=$1 start end status=0
  shift
  start=$EPOCHREALTIME
  if [[ -x /usr/bin/time ]]; then
    (cd "$dir" && /usr/bin/time -v -o "$dir/time" dotnet "$cli_dll" "$@" >"$dir/log" 2>&1) || status=$?
    peak_kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$dir/time")
  else
    # VmHWM is the process's own high-water mark, so sampling it every 10 ms misses only the growth of the last
    # interval before exit: a lower bound, close for runs of more than a second.
    (cd "$dir" && exec dotnet "$cli_dll" "$@" >"$dir/log" 2>&1) &
    local pid=$! hwm
    peak_kb=0
    while hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null) && [[ -n "$hwm" ]]; do
      peak_kb=$hwm
      sleep 0.01
    done
    wait "$pid" || status=$?
  fi
  end=$EPOCHREALTIME
  wall_s=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
  if ((status != 0)); then
    echo "sluice run failed (exit $status) in $dir:" >&2
    cat "$dir/log" >&2
    exit 1
  fi
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

peaks=()
printf '%12s %10s %14s\n' "input rows" "wall s" "peak RSS MB"
for rows in "${sizes[@]}"; do
  input="$(pwd)/$(make_input "$rows")"
  dir="$tmp/run-$rows"
  mkdir -p "$dir"
  write_pipeline "$input" "$dir/out" >"$dir/pipeline.yaml"
  measure "$dir" run "$dir/pipeline.yaml"
  peaks+=("$peak_kb")
  printf '%12d %10s %14s\n' "$rows" "$wall_s" "$(awk -v k="$peak_kb" 'BEGIN { printf "%.1f", k / 1024 }')"
done
for ((i = 1; i < ${#sizes[@]}; i++)); do
  awk -v a="${peaks[0]}" -v b="${peaks[i]}" -v x="$((sizes[i] / sizes[0]))" \
    'BEGIN { printf "peak(%dx)/peak(1x) = %.2f\n", x, (a > 0 ? b / a : 0) }'
done
