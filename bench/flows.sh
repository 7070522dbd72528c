#!/usr/bin/env bash
# Flow benchmarks: the engine's overhead per task. Flows of C# delegate tasks that do nothing, run by FlowRunner on a
# fresh SQLite state file each, so what is timed is scheduling and recording every state change durably; beside them
# a hand-written loop that only commits each task's state changes to SQLite (the floor under any durable engine).
# Each contender runs as its own process (bench/FlowBench) under GNU time for its peak RSS; trials alternate
# contenders because the machine is shared and noisy, and the medians are reported.
#
#   A. independent — a flow of N tasks with no dependencies (default max_parallel)
#   B. mapped      — a flow of one task mapped over N items (default map parallelism)
#   C. chain       — a flow of C tasks, each depending on the one before: the latency of one dependent step
#   D. hand        — N tasks in a plain loop, each state change (running, completed) its own committed transaction
#
#   bench/flows.sh             N = 10,000, C = 1,000, 5 trials; rewrites the flows section of docs/benchmarks.md
#   bench/flows.sh --quick     N = 500, C = 100, 1 trial (CI smoke test, well under a minute); docs untouched
#   bench/flows.sh --trials N
#
# Prints the markdown results on stdout (progress goes to stderr) and writes every measurement to
# bench/results/flows-*.csv. Needs the .NET SDK and GNU time (installed with apt-get when missing). Exits non-zero
# when the build or a run fails, or when a run recorded fewer state changes than its tasks need.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command_line="bench/flows.sh${*:+ $*}"
usage() { echo "usage: bench/flows.sh [--quick] [--trials N]"; }
quick=0 trials=""
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --trials) trials="${2:-}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
if [[ -n "$trials" && ! "$trials" =~ ^[1-9][0-9]*$ ]]; then
  usage >&2
  exit 2
fi
trials=${trials:-$((quick ? 1 : 5))}
if ((quick)); then tasks=500 chain=100; else tasks=10000 chain=1000; fi

log() { echo "$*" >&2; }
if [[ ! -x /usr/bin/time ]]; then
  log "installing GNU time…"
  apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq time >/dev/null 2>&1; }
fi

log "dotnet build bench/FlowBench…"
if ! build_log=$(dotnet build bench/FlowBench -c Release -nologo -v quiet 2>&1); then
  log "$build_log"
  exit 1
fi
bench_exe="$PWD/bench/FlowBench/bin/Release/net10.0/FlowBench"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p bench/results
suffix=""
((quick)) && suffix=-quick
results="bench/results/flows-$(date -u +%Y%m%d-%H%M%S)$suffix.csv"
echo "shape,tasks,trial,wall_s,changes,rss_mb" >"$results"
load_before=$(cut -d ' ' -f 1 /proc/loadavg)

# measure SHAPE TASKS TRIAL MIN-CHANGES: one run on a fresh state file in its own folder, appended to $results.
measure() {
  local shape=$1 count=$2 trial=$3 least=$4 dir="$tmp/$1-$3" status=0 wall changes rss_kb
  mkdir -p "$dir"
  /usr/bin/time -f '%M' -o "$dir/time" timeout 600 "$bench_exe" "$shape" "$count" "$dir/state.db" >"$dir/stdout" 2>"$dir/stderr" || status=$?
  if ((status != 0)); then
    log "FAILED: $shape (exit $status)"
    tail -n 30 "$dir/stdout" "$dir/stderr" >&2
    exit 1
  fi
  read -r wall changes <"$dir/stdout"
  rss_kb=$(tail -n 1 "$dir/time")
  if ((changes < least)); then
    log "MISMATCH: $shape recorded $changes state changes for $count tasks; expected at least $least"
    exit 1
  fi
  echo "$shape,$count,$trial,$wall,$changes,$((rss_kb / 1024))" >>"$results"
  log "$(printf '%-11s %6d tasks  trial %d/%d  %7.3f s  %6d changes  %4d MB' "$shape" "$count" "$trial" "$trials" "$wall" "$changes" "$((rss_kb / 1024))")"
  rm -rf "$dir"
}

# Every task is at least started and completed: two changes each (a mapped instance is also recorded pending).
for ((t = 1; t <= trials; t++)); do
  measure independent "$tasks" "$t" $((2 * tasks))
  measure mapped "$tasks" "$t" $((2 * tasks))
  measure chain "$chain" "$t" $((2 * chain))
  measure hand "$tasks" "$t" $((2 * tasks))
done

# ---- report ----------------------------------------------------------------------------------------------------
report() {
  echo "Made by \`$command_line\` on $(date -u +%Y-%m-%d), $(nproc) cores ($(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)),"
  echo ".NET SDK $(dotnet --version); the 1-minute load average was $load_before before the first run. Medians of $trials trials"
  echo "(every measurement: \`$results\`)."
  echo
  echo "| flow | tasks | wall s | per task ms | state changes per task | peak MB |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  awk -F, 'NR > 1 { key = $1; n[key]++; count[key] = $2; wall[key, n[key]] = $4; changes[key] = $5; rss[key, n[key]] = $6 }
    function median(a, key, k,   i, j, t, v) {
      for (i = 1; i <= k; i++) v[i] = a[key, i]
      for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
      return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
    }
    END {
      split("independent mapped chain hand", order, " ")
      label["independent"] = "independent tasks"; label["mapped"] = "one task mapped over the items"
      label["chain"] = "a chain, each task after the one before"; label["hand"] = "hand-written floor: a loop committing each change"
      for (i = 1; i <= 4; i++) {
        key = order[i]
        if (!(key in n)) continue
        w = median(wall, key, n[key])
        printf "| %s | %d | %.2f | %.3f | %.1f | %d |\n", label[key], count[key], w, 1000 * w / count[key], changes[key] / count[key], median(rss, key, n[key])
      }
    }' "$results"
}
markdown=$(report)
echo "$markdown"
if ((!quick)); then
  doc=docs/benchmarks.md
  grep -q '<!-- flows:end -->' "$doc" || { log "$doc lacks the flows markers"; exit 1; }
  awk -v body="$markdown" '/<!-- flows:begin -->/ { print; print body; skip = 1; next }
    /<!-- flows:end -->/ { skip = 0 } !skip' "$doc" >"$tmp/benchmarks.md"
  cp "$tmp/benchmarks.md" "$doc"
  log "updated the flows section of $doc"
fi
