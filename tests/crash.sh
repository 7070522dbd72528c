#!/usr/bin/env bash
# Builds Release and runs the crash harness: kills `sluice run` with SIGKILL at random moments and at the engine's
# crash points, reruns it until it finishes, and checks the output and dead letters are exactly once; then fixes the
# contract and does the same to `sluice dlq replay` (baselines and odd seeds).
# --typed drives examples/typed-flights (a pipeline defined in C#) instead of the CLI.
# --flows kills `sluice flow run` in the middle of a flow (commands, a pipeline task, mapped instances, retries) and
# checks that no completed task ran again and that the outputs and the final result are right.
# --services redis (or nats: a JetStream stream) streams a Redis stream into a PostgreSQL table while a producer writes into it (private servers:
# redis-server and postgresql must be installed; ./test.sh installs them when run as root).
# Every argument is passed to the harness as it is.
# Usage: tests/crash.sh [--trials N] [--quick] [--seed S] [--points | --replay | --typed | --flows | --services redis|nats]   (see tests/Sluice.CrashHarness/README.md)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

dotnet build src/Sluice.Cli -c Release -nologo -v quiet
dotnet build examples/typed-flights -c Release -nologo -v quiet
dotnet build tests/Sluice.CrashHarness -c Release -nologo -v quiet
exec dotnet tests/Sluice.CrashHarness/bin/Release/net10.0/Sluice.CrashHarness.dll \
  --sluice src/Sluice.Cli/bin/Release/net10.0/Sluice.Cli.dll "$@"
