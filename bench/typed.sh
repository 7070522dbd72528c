#!/usr/bin/env bash
# The typed C# job (examples/typed-flights --bench, bench/job.sh's job written with Pipeline.Create) side by side
# with the same job as a pipeline file run by the CLI, on the 3M flights CSV. Trials alternate (yaml typed yaml …)
# on this shared machine; every run's output is read back, and both must write the same rows with the same values.
#
#   bench/typed.sh              3 trials, both programs published the same way (self-contained, composite
#                               ReadyToRun), so the comparison is of the two pipelines, not of two builds
#   bench/typed.sh --quick      the 300,000-row slice, 1 trial, plain Release builds (a smoke test)
#   bench/typed.sh --trials N   N trials
#   bench/typed.sh --no-build   reuse the programs the last run built (when only the measurements are wanted again)
#
# Prints one line per run and the median ratio typed/yaml of wall time and peak RSS; measurements also go to
# bench/results/typed-*.csv. Needs bench/data/flights-3m.csv (or -300k), which bench/run.sh makes. bench/run.sh
# can call this script for its own report.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=0 trials=3 build=1
while (($#)); do
  case "$1" in
    --quick) quick=1 trials=1 ;;
    --trials) trials="${2:-}"; shift ;;
    --no-build) build=0 ;;
    *) echo "usage: bench/typed.sh [--quick] [--trials N] [--no-build]" >&2; exit 2 ;;
  esac
  shift
done
[[ "$trials" =~ ^[1-9][0-9]*$ ]] || { echo "usage: bench/typed.sh [--quick] [--trials N] [--no-build]" >&2; exit 2; }
log() { echo "$*" >&2; }

if ((quick)); then input="$PWD/bench/data/flights-300k.csv"; else input="$PWD/bench/data/flights-3m.csv"; fi
if [[ ! -f "$input" ]]; then
  log "missing $input: run bench/run.sh${quick:+ --quick} once, which fetches and writes it"
  exit 1
fi

rid="$(dotnet --info | awk '/RID:/ { print $2; exit }')"
for project in src/Sluice.Cli examples/typed-flights bench/Sluice.Bench; do
  ((build)) || break
  name=$(basename "$project")
  if ((quick)) || [[ "$name" == Sluice.Bench ]]; then
    step=(build "$project" -c Release -nologo -v quiet)
  else
    step=(publish "$project" -c Release -r "$rid" --self-contained true -p:PublishReadyToRun=true
      -p:PublishReadyToRunComposite=true -o "bench/bin/$name" -nologo -v quiet)
  fi
  log "dotnet ${step[*]:0:2}…"
  dotnet "${step[@]}" >/dev/null
done
if ((quick)); then
  sluice_exe="$PWD/src/Sluice.Cli/bin/Release/net10.0/Sluice.Cli"
  typed_exe="$PWD/examples/typed-flights/bin/Release/net10.0/TypedFlights"
else
  sluice_exe="$PWD/bench/bin/Sluice.Cli/Sluice.Cli"
  typed_exe="$PWD/bench/bin/typed-flights/TypedFlights"
fi
bench_exe="$PWD/bench/Sluice.Bench/bin/Release/net10.0/Sluice.Bench"
source bench/job.sh

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p bench/results
results="bench/results/typed-$(date -u +%Y%m%d-%H%M%S).csv"
echo "contender,trial,wall_s,cpu_s,rss_mb,rows_out" >"$results"
declare -A fingerprint

for ((trial = 1; trial <= trials; trial++)); do
  for contender in yaml typed; do
    dir="$tmp/$contender-$trial"
    mkdir -p "$dir"
    if [[ $contender == yaml ]]; then
      write_pipeline csv "$input" "$dir/out" >"$dir/pipeline.yaml"
      command=("$sluice_exe" run "$dir/pipeline.yaml" --state "$dir/state.db")
    else
      command=("$typed_exe" --bench "$input" "$dir/out" "$dir/state.db")
    fi
    if ! /usr/bin/time -f '%e %U %S %M' -o "$dir/time" "${command[@]}" >"$dir/stdout" 2>"$dir/stderr"; then
      log "FAILED: ${command[*]}"
      tail -n 20 "$dir/stdout" "$dir/stderr" >&2
      exit 1
    fi
    read -r wall user sys rss_kb <"$dir/time"
    rows=$("$bench_exe" count "$dir/out")
    print=$("$bench_exe" fingerprint "$dir/out")
    fingerprint[$contender]=$print
    cpu=$(echo "$user + $sys" | bc)
    echo "$contender,$trial,$wall,$cpu,$((rss_kb / 1024)),$rows" >>"$results"
    log "$contender trial $trial: ${wall}s wall, ${cpu}s CPU, $((rss_kb / 1024)) MB, $rows rows"
  done
  if [[ "${fingerprint[yaml]}" != "${fingerprint[typed]}" ]]; then
    log "MISMATCH: the typed job's output differs from the YAML job's (${fingerprint[typed]} vs ${fingerprint[yaml]})"
    exit 1
  fi
done

# Median of each contender's wall time and RSS, and their ratios.
awk -F, 'NR > 1 { wall[$1] = wall[$1] " " $3; rss[$1] = rss[$1] " " $5 }
  function median(list,   n, v, i, j, t) {
    n = split(list, v, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  END {
    yw = median(wall["yaml"]); tw = median(wall["typed"]); yr = median(rss["yaml"]); tr = median(rss["typed"])
    printf "yaml:  %.2f s wall, %d MB\ntyped: %.2f s wall, %d MB\ntyped/yaml: %.2fx wall, %.2fx memory\n", yw, yr, tw, tr, tw / yw, tr / yr
  }' "$results"
