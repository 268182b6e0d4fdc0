"""Peer for JournalBench: the same fill rows into SQLite from Python's sqlite3 module, same pragmas
(WAL, synchronous=FULL), committing every 1 and every 64 fills. Prints JSON lines."""
import os
import sqlite3
import sys
import time

fills = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
directory = sys.argv[2] if len(sys.argv) > 2 else "/var/tmp"
for batch in (1, 64):
    path = os.path.join(directory, "trademesh-journal-peer-%d-%d.sqlite" % (os.getpid(), batch))
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("CREATE TABLE fills (client_order_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, time INTEGER NOT NULL, "
               "side TEXT NOT NULL, quantity REAL NOT NULL, price REAL NOT NULL, cost REAL NOT NULL, reason TEXT NOT NULL)")
    start = time.perf_counter()
    db.execute("BEGIN")
    for i in range(fills):
        db.execute("INSERT INTO fills VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   ("threshold-BENCH-%d-1" % i, i + 1, i * 3600000000000, "BUY" if i % 2 == 0 else "SELL",
                    100.0, 100 + (i % 50) * 0.01, 1.0, "signal"))
        if (i + 1) % batch == 0:
            db.execute("COMMIT")
            db.execute("BEGIN")
    db.execute("COMMIT")
    seconds = time.perf_counter() - start
    print('{"bench":"python_sqlite3_fills","commit_every":%d,"fills":%d,"seconds":%.6f,"fills_per_s":%d}'
          % (batch, fills, seconds, fills / seconds))
    db.close()
    for suffix in ("", "-wal", "-shm"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass
