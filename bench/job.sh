# The benchmark job as a Sluice pipeline file, for bench/run.sh and bench/replay.sh (sourced, not run).
# write_pipeline FORMAT INPUT OUT [CHECKPOINT-YAML]; for FORMAT postgres, INPUT is "CONNECTION|TABLE".
write_pipeline() {
  local format=$1 input=$2 out=$3 checkpoint=${4:-} source
  if [[ $format == postgres ]]; then
    source="  connection: \"${input%|*}\"
  table: ${input##*|}
  columns: [date, delay, distance, origin, destination]"
  else
    source="  path: \"$input\""
  fi
  cat <<EOF
name: bench-$format
source:
  type: $format
$source
contract:
  fields:
    date:        { type: timestamp, required: true }
    delay:       { type: int64, min: -1440, max: 5000 }
    distance:    { type: int64, min: 1, required: true }
    origin:      { type: string, pattern: "^[A-Z]{3}$", required: true }
    destination: { type: string, pattern: "^[A-Z]{3}$", required: true }
  unknown_fields: reject
transforms:
  - filter: delay > -20
  - derive:
      late: delay > 15
      route: origin || '-' || destination
sink:
  type: parquet
  path: "$out"
dead_letter:
  max_ratio: 0.1
$checkpoint
EOF
}
