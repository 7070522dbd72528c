#!/usr/bin/env bash
# Regenerates data/flights-20k.csv from the flights-20k.json file of the npm package vega-datasets@3.2.1.
# Needs only bash, npm and node. The tarball is unpacked in a temp folder and never kept.
set -euo pipefail

version=3.2.1
# sha256 of package/data/flights-20k.json in vega-datasets@3.2.1: a changed input must not pass silently.
json_sha256=52f0ddd892d4569284b845e17323abc9afb7d303ec8f63251634a20327a610bb

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/data/flights-20k.csv"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "vega-datasets@$version" >/dev/null)
tar -xzf "$tmp/vega-datasets-$version.tgz" -C "$tmp" package/data/flights-20k.json
json="$tmp/package/data/flights-20k.json"
echo "$json_sha256  $json" | sha256sum --check --quiet

mkdir -p "$(dirname "$out")"
# RFC 4180 quoting (a field with a comma, quote, CR or LF is quoted, quotes doubled), LF line ends,
# UTF-8 without BOM, values written as they are in the JSON (dates stay "yyyy/MM/dd HH:mm").
node - "$json" "$out.tmp" <<'JS'
const fs = require('fs');
const [input, output] = process.argv.slice(2);
const columns = ['date', 'delay', 'distance', 'origin', 'destination'];
const field = v => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
};
const rows = JSON.parse(fs.readFileSync(input, 'utf8'));
const lines = [columns.join(',')];
for (const row of rows) lines.push(columns.map(c => field(row[c])).join(','));
fs.writeFileSync(output, lines.join('\n') + '\n', 'utf8');
console.log(`${rows.length} rows`);
JS
mv "$out.tmp" "$out"
echo "wrote $out"
