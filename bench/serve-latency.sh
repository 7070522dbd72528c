#!/usr/bin/env bash
# How late `sluice serve` starts a scheduled flow run: a flow scheduled every 2 seconds (one trivial command task)
# is served for a while, then each run's recorded start is compared with its slot (`sluice flow list --json`:
# started_at − scheduled_for). The first run pays for the JIT; the rest show the scheduler's own delay.
#
#   bench/serve-latency.sh           60 s of slots (30 runs)
#   bench/serve-latency.sh --quick   8 s (CI smoke test: fails when no run started or one started late by a second)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=60
case "${1:-}" in
  --quick) seconds=8 ;;
  "") ;;
  *) echo "usage: bench/serve-latency.sh [--quick]" >&2; exit 2 ;;
esac
dotnet build src/Sluice.Cli -c Release -nologo -v quiet >&2
sluice="dotnet $PWD/src/Sluice.Cli/bin/Release/net10.0/Sluice.Cli.dll"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/flow.yaml" <<'YAML'
name: tick
schedule: { cron: "*/2 * * * * *", catch_up: none }
tasks:
  noop:
    command: ["true"]
YAML
$sluice serve "$work/flow.yaml" >"$work/serve.log" 2>&1 &
serve=$!
sleep "$seconds"
kill -TERM "$serve"
wait "$serve" || true
$sluice flow list --state "$work/.sluice/state.db" --limit 1000 --json | python3 -c '
import datetime, json, sys
runs = [r["run"] for r in json.load(sys.stdin)["flow_runs"] if r["run"]["scheduled_for"]]
at = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
runs.sort(key=lambda r: r["scheduled_for"])
late = [(at(r["started_at"]) - at(r["scheduled_for"])).total_seconds() * 1000 for r in runs]
if not late:
    sys.exit("no scheduled run started")
rest = sorted(late[1:] or late)
print(f"{len(late)} scheduled runs; start after the slot, from the second run on: median {rest[len(rest) // 2]:.1f} ms, "
      f"95th percentile {rest[int(len(rest) * 0.95)]:.1f} ms, max {rest[-1]:.1f} ms; the first run (JIT included): {late[0]:.1f} ms")
sys.exit(1 if rest[len(rest) // 2] > 1000 else 0)'
