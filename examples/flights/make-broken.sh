#!/usr/bin/env bash
# Writes data/flights-broken.csv and its manifest data/flights-broken.expected.tsv from one table, so the
# line numbers in the manifest cannot drift from the file. Needs only bash and node.
#
# Reading rules the manifest assumes (CSV reader, then the contract in pipeline.yaml):
# - wrong number of fields → parse/field_count; a closing quote followed by anything but a delimiter or line end →
#   parse/bad_quote; a quote never closed → parse/unterminated_quote on the record's first line, and reading resumes
#   on the next line; bytes that are not UTF-8 → parse/utf8; an empty unquoted field is null.
# - the contract checks fields in contract order and the first failure wins: a value that does not parse as its
#   type → parse/type, then required, min, max, pattern → contract/<rule>. A row with distance 0 passes the contract
#   (min: 0) and is dropped by `filter: distance > 0`.
# The only unterminated quote must be the last quote character in the file: the reader looks for its closing quote
# until the end of the file, so any quote after it would close it. Hence every other quoted row, and the rows with
# invalid UTF-8 (which a reader may meet while looking for that quote), come before it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

node - "$here/data/flights-broken.csv" "$here/data/flights-broken.expected.tsv" <<'JS'
const fs = require('fs');
const [csvPath, tsvPath] = process.argv.slice(2);

// A row is its raw bytes (strings are UTF-8, numbers are raw bytes), then outcome, rule and field.
// Rule and field are empty for ok and filtered rows. Field is the column where the reader or the contract found the
// fault, empty for field_count, which concerns the whole record.
const raw = (...parts) => Buffer.concat(parts.map(p => typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from([p])));
const ok = text => [raw(text), 'ok', '', ''];
const filtered = text => [raw(text), 'filtered', '', ''];
const parse = (rule, text, field = '') => [typeof text === 'string' ? raw(text) : text, 'parse', rule, field];
const contract = (rule, field, text) => [raw(text), 'contract', rule, field];

const rows = [
  ok('2001/01/01 00:47,66,1750,DTW,LAS'),
  ok('2001/01/01 01:10,95,2399,HNL,SFO'),
  parse('type', '2001/01/01 06:02,abc,413,SEA,SMF', 'delay'),
  ok('2001/01/01 06:15,-2,1091,MCI,PHX'),
  parse('type', '2001/01/01 06:30,3,12x,BWI,BOS', 'distance'),
  parse('type', '2001/13/45 25:61,8,337,SJC,LAX', 'date'),
  ok('"2001/01/01 07:00",-1,"888","LAX","DEN"'),
  contract('required', 'origin', '2001/01/01 07:05,5,293,,PHX'),
  filtered('2001/01/01 07:10,4,0,ORD,MDW'),
  parse('type', 'yesterday,12,612,DFW,ATL', 'date'),
  contract('pattern', 'origin', '2001/01/01 07:30,0,1121,lax,SEA'),
  parse('bad_quote', '2001/01/01 07:45,7,599,"ab"c,DEN', 'origin'),
  ok('2001/01/01 08:00,,1024,ORD,DFW'),
  parse('utf8', raw('2001/01/01 08:05,27,1464,ORD,', 0xC0, 0xAF, 'SFO'), 'destination'),
  contract('min', 'delay', '2001/01/01 08:10,-500,404,PHX,LAS'),
  parse('field_count', '2001/01/01 08:20,3,1200,ORD,LGA,X'),
  contract('max', 'delay', '2001/01/01 08:35,99999,731,BOS,DCA'),
  contract('required', 'distance', '2001/01/01 08:40,11,,MSP,ORD'),
  parse('field_count', '2001/01/01 08:50,5,ORD,LGA'),
  contract('pattern', 'destination', '2001/01/01 09:00,2,1745,ATL,KLAX'),
  ok('2001/01/01 09:05,-120,954,DEN,SLC'),
  parse('bad_quote', '"2001/01/01 09:15"x,14,1235,IAH,SAN', 'date'),
  filtered('2001/01/01 09:20,-3,0,LAX,BUR'),
  parse('type', '2001/01/01 09:30,7.5,647,CLE,ATL', 'delay'),
  ok('2001/01/01 09:40,3000,2586,JFK,SFO'),
  contract('max', 'delay', '2001/01/01 09:45,3001,1946,MIA,SEA'),
  parse('type', '2001/02/29 10:00,1,334,SAN,SFO', 'date'),
  contract('min', 'delay', '2001/01/01 10:05,-121,239,OAK,BUR'),
  parse('bad_quote', '2001/01/01 10:10,"7"7,1100,DFW,ORD', 'delay'),
  ok('2001/01/01 10:20,"18","1379","SEA","DEN"'),
  // Two faults each: the field first in contract order wins (delay before origin; distance before origin).
  parse('type', '2001/01/01 10:25,abc,628,lax,MSP', 'delay'),
  contract('min', 'distance', '2001/01/01 10:30,9,-5,kla,PDX'),
  contract('required', 'date', ',6,1400,DEN,ORD'),
  parse('field_count', '2001/01/01 10:40,-4,550,ATL,MCO,,'),
  ok('2001/01/01 10:45,21,862,BWI,ATL'),
  parse('utf8', raw('2001/01/01 10:47,10,1020,S', 0xE3, 'O,ORD'), 'origin'),
  // The stray quote: never closed, so this line is dead-lettered and every row after it is read normally.
  parse('unterminated_quote', '2001/01/01 10:50,12,"733,ATL,MIA', 'distance'),
  ok('2001/01/01 11:00,-7,1506,LAS,ORD'),
  filtered('2001/01/01 11:10,0,0,SFO,OAK'),
  contract('required', 'origin', '2001/01/01 11:15,-9,1587,,ATL'),
  parse('type', '2001-01-01 11:20,4,370,LGA,BOS', 'date'),
  ok('2001/01/01 11:25,33,1448,PHL,DEN'),
  contract('pattern', 'origin', '2001/01/01 11:30,1,1389,LA,DEN'),
  parse('type', '2001/01/01 11:35,2,12x,TPA,ATL', 'distance'),
  contract('required', 'distance', '2001/01/01 11:40,-1,,SLC,SEA'),
  parse('field_count', '2001/01/01 11:45,8,1235,IAH'),
  ok('2001/01/01 11:50,-5,1046,MDW,DEN'),
  contract('pattern', 'destination', '2001/01/01 12:00,5,1235,LAX,sfo'),
  filtered('2001/01/01 12:05,45,0,DFW,DAL'),
  contract('min', 'distance', '2001/01/01 12:10,3,-5,HOU,DAL'),
  parse('type', 'yesterday,3,1199,ORD,MCO', 'date'),
  ok('2001/01/01 12:20,16,1745,ATL,LAX'),
  contract('max', 'delay', '2001/01/01 12:25,99999,802,MSY,ATL'),
  parse('type', '2001/01/01 12:30,abc,1235,SAN,IAH', 'delay'),
  contract('required', 'destination', '2001/01/01 12:35,-8,1597,MCO,'),
  parse('field_count', '2001/01/01 12:40,2,1199,ORD,MCO,EXTRA'),
  contract('min', 'delay', '2001/01/01 12:45,-500,1055,PIT,MCO'),
  parse('type', '2001/13/45 25:61,0,2475,JFK,LAX', 'date'),
  filtered('2001/01/01 12:55,-2,0,SNA,SAN'),
  ok('2001/01/01 13:00,58,2139,MSP,SEA'),
];

const header = Buffer.from('date,delay,distance,origin,destination\n', 'utf8');
const lf = Buffer.from('\n');
fs.writeFileSync(csvPath, Buffer.concat([header, ...rows.flatMap(([bytes]) => [bytes, lf])]));
const tsv = ['line\toutcome\trule\tfield', ...rows.map(([, outcome, rule, field], i) => `${i + 2}\t${outcome}\t${rule}\t${field}`)];
fs.writeFileSync(tsvPath, tsv.join('\n') + '\n', 'utf8');

const count = k => rows.filter(r => r[1] === k).length;
console.log(`${rows.length} rows: ${count('ok')} ok, ${count('filtered')} filtered, ` +
  `${count('parse')} parse, ${count('contract')} contract`);
JS
