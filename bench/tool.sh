# Packs the sluice tool for this platform (precompiled with ReadyToRun) and installs it with `dotnet tool install`
# into bench/bin/tool from that folder alone, so what the benchmarks measure is what a user installs. Sourced by
# bench/run.sh and bench/services.sh (needs their `log`); sets rid, run_step and sluice_exe.
rid="$(dotnet --info | awk '/RID:/ { print $2; exit }')"
run_step() {
  log "dotnet ${*:1:2}…"
  if ! build_log=$(dotnet "$@" 2>&1); then
    log "$build_log"
    exit 1
  fi
}
packages="$PWD/bench/bin/packages" tool_dir="$PWD/bench/bin/tool"
rm -rf "$packages" "$tool_dir" # one version number for every build: a stale package or install must not be reused
run_step pack src/Sluice.Cli -c Release -o "$packages" -p:ToolPackageRuntimeIdentifiers="$rid" -nologo -v quiet
printf '<configuration><packageSources><clear /><add key="packed" value="%s" /></packageSources></configuration>\n' \
  "$packages" >"$packages/nuget.config"
run_step tool install --tool-path "$tool_dir" Sluice.Cli --configfile "$packages/nuget.config"
sluice_exe="$tool_dir/sluice"
