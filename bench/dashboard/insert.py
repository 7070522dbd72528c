#!/usr/bin/env python3
import sqlite3, time, sys, shutil
# Usage: insert.py SEED_STATE_FILE SCRATCH_FILE. 200,000 letters inserted in batches of 1,000 (one transaction each) into a seed state file, with and without the dashboard's five letter indexes (migrations 13 and 14).
for drop in (False, True):
    import os
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(sys.argv[2] + suffix): os.remove(sys.argv[2] + suffix)
    shutil.copy(sys.argv[1], sys.argv[2])
    db = sqlite3.connect(sys.argv[2])
    db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=NORMAL")
    if drop:
        for i in ["dead_letters_by_reason","dead_letters_by_field","dead_letters_by_pipeline_reason","dead_letters_by_pipeline_stage","dead_letters_by_pipeline_time"]:
            db.execute(f"DROP INDEX IF EXISTS {i}")
    rid = db.execute("SELECT id FROM runs LIMIT 1").fetchone()[0]
    rows = [(rid, "seed", "contract", "a.csv", str(n), ["contract","parse"][n % 2], ["amount", None][n % 2], "max", "amount 500 is above the max 100", b"2,500", "2026-01-01T00:00:00.0000000+00:00") for n in range(1000)]
    t = time.perf_counter()
    for b in range(200):
        with db:
            db.executemany("INSERT INTO dead_letters (run_id,pipeline,stage,input,position,reason,field,rule,message,original,created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.close()
    print(("without" if drop else "with") + " the dashboard's five letter indexes (migrations 13 and 14):", round(time.perf_counter() - t, 2), "s")
