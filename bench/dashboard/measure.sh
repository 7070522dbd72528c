#!/bin/sh
# Median of 11 timings (after one warm-up) of each dashboard URL: time to the last byte, as curl reports it.
URL=$1; shift
for path in "$@"; do
  curl -s -o /dev/null "$URL$path"
  t=$(for i in 1 2 3 4 5 6 7 8 9 10 11; do curl -s -o /dev/null -w '%{time_total}\n' "$URL$path"; done | sort -n | sed -n 6p)
  code=$(curl -s -o /dev/null -w '%{http_code}' "$URL$path")
  echo "$code $t $path"
done
