#!/usr/bin/env bash
# Adds click events to a Redis stream, as a website's tracking endpoint would:
#
#   examples/clickstream/produce.sh [--count N] [--rate R | --follow] [--seed S] [--stream KEY]
#
#   --count N     events to add (default 10000)
#   --rate R      add them at R events a second instead of all at once, timestamped as they are added
#   --follow      add events at --rate (default 200 a second) until Ctrl-C or SIGTERM, ignoring --count
#   --seed S      the seed the events are generated from (default 42)
#   --stream KEY  the stream (default clicks)
#   REDIS=host:port   the server (default 127.0.0.1:6390, the one examples/services.sh starts)
#
# Each event has event_id, user_id, session_id, path, referrer (absent for direct visits), device, country, ts
# (ISO 8601, UTC, milliseconds) and duration_ms. Every field but ts is a function of the seed and the event_id
# alone, so the same ids always carry the same events however they were produced (all at once, in slices, at a rate).
# Events are numbered on from the stream's last entry, and each entry's id is <event_id>-0, so a retried or repeated
# add of an event is refused by Redis instead of adding it twice. All at once, timestamps are 50 ms apart and end now
# (100,000 events span the last 83 minutes); at a rate, they are the time of adding. A few events are bad, as real
# trackers send them: about 1 % with duration_ms NaN (a JavaScript client dividing by zero), 0.5 % without a user_id,
# 0.3 % with country "??" (the geo lookup failed). The last line says how many of each were added.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
count=10000 rate=0 follow=0 seed=42 stream=clicks
usage() { sed -n '4,11p' "$0" | sed 's/^# \{0,1\}//' >&"$1"; exit $(($1 == 1 ? 0 : 2)); }
number() { [[ $2 =~ ^[0-9]+$ && $2 -gt 0 ]] || { echo "produce.sh: $1 takes a whole number 1 or more, not '$2'" >&2; exit 2; }; }
while (($#)); do
  case $1 in
    --count) number "$1" "${2-}"; count=$2; shift 2 ;;
    --rate) number "$1" "${2-}"; rate=$2; shift 2 ;;
    --follow) follow=1; shift ;;
    --seed) number "$1" "${2-}"; seed=$2; shift 2 ;;
    --stream) [[ -n ${2-} ]] || usage 2; stream=$2; shift 2 ;;
    -h | --help) usage 1 ;;
    *) echo "produce.sh: unknown option '$1'" >&2; usage 2 ;;
  esac
done
((follow && rate == 0)) && rate=200

redis=${REDIS:-127.0.0.1:6390}
host=${redis%:*} port=${redis##*:}
command -v redis-cli >/dev/null || { echo "produce.sh: redis-cli not found: apt-get install redis-tools (or redis-server)" >&2; exit 1; }
cli() { redis-cli -h "$host" -p "$port" "$@"; }
if [[ $(cli ping 2>&1) != PONG ]]; then
  echo "produce.sh: no Redis answers at $host:$port (examples/services.sh start, or set REDIS=host:port)" >&2
  exit 1
fi

# The next event_id: one after the stream's last entry (<event_id>-0), 1 for a new or empty stream.
last=$(cli --raw xrevrange "$stream" + - count 1 | head -n 1)
next=$((${last%%-*} + 1))
first=$next

tallies=$(mktemp)
trap 'rm -f "$tallies"' EXIT

# Adds events $1..$2, the first timestamped $3 ms after the epoch and the others $4 ms apart, through one
# redis-cli --pipe, and appends "good nan no_user bad_country" for them to $tallies. Ctrl-C is ignored while they
# run, so a slice is added whole and counted before the loop stops.
add() {
  local reply
  reply=$(trap '' INT; awk -v from="$1" -v to="$2" -v base="$3" -v gap="$4" -v seed="$seed" -v stream="$stream" \
    -v tallies="$tallies" -f "$here/events.awk" | cli --pipe 2>&1) || true
  if [[ $reply != *"errors: 0, replies: $(($2 - $1 + 1))"* ]]; then
    echo "produce.sh: Redis refused some of events $1..$2:" >&2
    echo "$reply" >&2
    exit 1
  fi
}

now_ms() { local ns; ns=$(date +%s%N); echo $((ns / 1000000)); }

stopping=0
trap 'stopping=1' INT TERM
if ((rate == 0)); then
  add "$next" $((next + count - 1)) $(($(now_ms) - (count - 1) * 50)) 50
  next=$((next + count))
else
  # Every 0.2 s, add the events due by then at the rate (catching up after a slow round), timestamped over that span.
  started=$(now_ms) added=0
  while ((!stopping && (follow || added < count))); do
    now=$(now_ms)
    due=$(((now - started) * rate / 1000))
    ((follow || due <= count)) || due=$count
    n=$((due - added))
    if ((n > 0)); then
      gap=$((1000 / rate))
      add "$next" $((next + n - 1)) $((now - (n - 1) * gap)) "$gap"
      next=$((next + n)) added=$due
    fi
    sleep 0.2 || true
  done
fi

read -r good nan no_user bad_country < <(awk '{ g += $1; n += $2; u += $3; c += $4 } END { print g + 0, n + 0, u + 0, c + 0 }' "$tallies")
produced=$((next - first))
echo "produced $produced events (event_id $first..$((next - 1))) into stream $stream at $host:$port:" \
  "$good good, $((nan + no_user + bad_country)) bad ($nan duration_ms NaN, $no_user without user_id, $bad_country country ??)"
