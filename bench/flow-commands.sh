#!/usr/bin/env bash
# A YAML flow of command tasks, as users run it: the installed tool (bench/tool.sh) runs `sluice flow run` on a flow
# of N independent `true` commands (8 at once, the default max_parallel), every state change durable in SQLite.
# Beside it, in the same run, the same N processes started by hand: a bash loop one after another, and
# `xargs -P 8` eight at once. What separates sluice from xargs is the engine's cost per command task; what
# separates xargs from nothing is the machine's cost of starting a process, which no command task avoids.
#
#   bench/flow-commands.sh           N = 10,000, figures on stdout
#   bench/flow-commands.sh --quick   N = 200 (CI smoke test)
#
# Exits non-zero when the build, the install or the flow run fails, or the flow run did not complete N tasks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tasks=10000
case "${1:-}" in
  --quick) tasks=200 ;;
  "") ;;
  *) echo "usage: bench/flow-commands.sh [--quick]" >&2; exit 2 ;;
esac
log() { echo "$*" >&2; }
source bench/tool.sh

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
{
  echo "name: commands"
  echo "tasks:"
  for ((i = 0; i < tasks; i++)); do echo "  t$i: { command: [\"true\"] }"; done
} >"$work/flow.yaml"
seconds() { echo "$(date +%s.%N) - $1" | bc; }

log "sluice flow run: $tasks command tasks…"
start=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$work/rss" "$sluice_exe" flow run "$work/flow.yaml" --json >"$work/run.json" 2>/dev/null
flow_s=$(seconds "$start")
completed=$(grep -o '"state": *"completed"' "$work/run.json" | wc -l)
if ((completed != tasks)); then
  echo "the flow run completed $completed of $tasks tasks" >&2
  exit 1
fi
log "bash loop…"
start=$(date +%s.%N)
for ((i = 0; i < tasks; i++)); do /bin/true; done
loop_s=$(seconds "$start")
log "xargs -P 8…"
start=$(date +%s.%N)
seq "$tasks" | xargs -P 8 -n 1 /bin/true
xargs_s=$(seconds "$start")

per() { printf %.2f "$(echo "$1 * 1000 / $tasks" | bc -l)"; }
echo "$tasks command tasks (true), load $(cut -d ' ' -f 1 /proc/loadavg):"
echo "  sluice flow run (8 at once, durable): $(printf %.1f "$flow_s") s, $(per "$flow_s") ms per task, peak $(($(tail -1 "$work/rss") / 1024)) MB"
echo "  xargs -P 8 /bin/true:                 $(printf %.1f "$xargs_s") s, $(per "$xargs_s") ms per process"
echo "  bash loop, one after another:         $(printf %.1f "$loop_s") s, $(per "$loop_s") ms per process"
