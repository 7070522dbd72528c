#!/usr/bin/env bash
# Dead-letter replay, measured: the job-5 pipeline (bench/run.sh) over the 3M-row CSV with 5 % broken rows, then
# `sluice dlq replay` with a contract that now accepts the lower-case origins (half of the letters: they are written)
# while the unparsable delays still fail (they go back to the queue, attempts 2), then a second replay of those.
# No peer: nothing else replays a dead-letter queue. Prints wall time, CPU time and peak RSS of each step.
#
#   bench/replay.sh [--trials N]      (default 3; needs bench/data/flights-3m-broken.csv: run bench/run.sh --only 5
#                                      once, which also installs the sluice tool into bench/bin/tool)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
trials=3
if [[ "${1:-}" == "--trials" && "${2:-}" =~ ^[1-9][0-9]*$ ]]; then trials=$2; elif (($#)); then
  echo "usage: bench/replay.sh [--trials N]" >&2
  exit 2
fi
input="$PWD/bench/data/flights-3m-broken.csv"
sluice="$PWD/bench/bin/tool/sluice"
if [[ ! -f "$input" || ! -x "$sluice" ]]; then
  echo "run bench/run.sh --only 5 first: it writes $input and installs $sluice" >&2
  exit 1
fi

dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
source bench/job.sh
write_pipeline csv "$input" "$dir/out" >"$dir/pipeline.yaml"
# The fix: lower-case airport codes are accepted now (the job-5 input lower-cases every 40th origin).
sed 's/\^\[A-Z\]{3}\$/^[A-Za-z]{3}$/' "$dir/pipeline.yaml" >"$dir/fixed.yaml"
grep -q 'A-Za-z' "$dir/fixed.yaml" || { echo "bench/replay.sh: the fix did not apply to the job's pipeline" >&2; exit 1; }

measure() { # $1: label; the rest: the command
  local label=$1
  shift
  /usr/bin/time -f "%e %U %S %M" -o "$dir/time" "$@" >"$dir/stdout"
  read -r wall user sys rss <"$dir/time"
  printf '| %s | %s | %.2f s | %.2f s | %d MB |\n' "$label" "$(grep -E '^in ' "$dir/stdout" | head -1)" "$wall" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" $((rss / 1024))
}
echo "| step | records | wall | CPU | peak RSS |"
echo "| --- | --- | --- | --- | --- |"
for ((t = 1; t <= trials; t++)); do
  rm -rf "$dir/out" "$dir/.sluice"
  measure "run" "$sluice" run "$dir/pipeline.yaml"
  measure "replay 1" "$sluice" dlq replay --pipeline "$dir/fixed.yaml"
  measure "replay 2" "$sluice" dlq replay --pipeline "$dir/fixed.yaml"
done
