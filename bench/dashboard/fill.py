#!/usr/bin/env python3
# Fills a Sluice state file (made by one real run) with 100,000 runs and 1,000,000 dead letters, for timing the dashboard.
import sqlite3, sys, random, datetime
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=OFF")
t0 = datetime.datetime(2026, 1, 1)
pipes = [f"pipeline-{i:02d}" for i in range(20)]
states = ["succeeded"] * 90 + ["failed"] * 5 + ["quality_gate_failed"] * 3 + ["cancelled"] * 2
def ts(dt): return dt.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0+00:00"
runs = []
for i in range(100_000):
    start = t0 + datetime.timedelta(minutes=5 * i)
    end = start + datetime.timedelta(seconds=random.randint(5, 600))
    rid = start.strftime("%Y%m%dT%H%M%S") + f"-{i:06x}"
    runs.append((rid, pipes[i % 20], "pipeline", None, random.choice(states), ts(start), ts(end), 10000, 9900, 0, 100, None))
db.executemany("INSERT INTO runs (id,pipeline,kind,parent_run_id,state,started_at,ended_at,records_read,records_written,filtered,dead_lettered,error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", runs)
stages = []
for r in runs[-2000:]:
    for o, (s, k, inp) in enumerate([("source", "source", "[]"), ("contract", "contract", '["source"]'), ("sink", "sink", '["contract"]')]):
        stages.append((r[0], o, s, k, 10000, 9900, 0, 100 if s == "contract" else 0, 1000, inp))
db.executemany("INSERT INTO run_stages (run_id,ordinal,stage,kind,records_in,records_out,filtered,dead_lettered,busy_ms,inputs) VALUES (?,?,?,?,?,?,?,?,?,?)", stages)
reasons = ["contract"] * 80 + ["parse"] * 15 + ["transform"] * 4 + ["sink"]
fields = ["amount", "id", "origin", "destination", None]
batch = []
for n in range(1_000_000):
    r = runs[n // 10]
    reason = random.choice(reasons)
    batch.append((r[0], r[1], "contract" if reason == "contract" else reason, "data/a.csv", str(n), reason,
                  random.choice(fields) if reason == "contract" else None, "max" if reason == "contract" else None,
                  "amount 500 is above the max 100", b"2,500,some,bytes,<script>", r[5]))
    if len(batch) == 100_000:
        db.executemany("INSERT INTO dead_letters (run_id,pipeline,stage,input,position,reason,field,rule,message,original,created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch)
        batch = []
db.commit()
print("filled")
