#!/usr/bin/env python3
"""Where a first IMAP sync spends its time and memory, phase by phase.

Usage: python bench/sync_phases.py [N ...]     (default 25000 50000 messages, one process per size)

Loads N Enron messages into a Dovecot it starts on 127.0.0.1 (as bench/imap_speed.py does), then runs
the real first sync in this process while a thread samples the process's resident memory every
20 ms, and prints for each phase -- the folder syncs (fetch, parse, store), then each derive stage --
its time and the peak RSS seen while it ran. The parser workers are separate processes; the RSS here
is the sync process's own (bench/imap_speed.py reports the largest process).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

# The folder syncs hand their last batches to the next folder's (or the final) drain: both count.
PHASES = [("folder syncs", "imap_sync", "sync_folder"), ("folder syncs", "imap_sync", "Batches.drain"), ("threads", "threads", "assign_threads"),
          ("your addresses", "people", "learn_received_aliases"),
          ("one-way senders", "bulk", "mark_one_way_senders"), ("contacts", "people", "rebuild_contacts"),
          ("help events", "help_events", "update_help_events"),
          ("relationships", "relationships", "update_relationships")]


def measure(n: int) -> dict:
    import imap_speed
    from dovecot import PASSWORD, Dovecot
    from phase_watch import PhaseWatch, rss_mb

    from daemon import imap_sync
    from daemon.config import load_config
    from daemon.store import open_db

    watch = PhaseWatch(PHASES)
    current, peak, seconds = watch.current, watch.peak, watch.seconds
    server = Dovecot()
    try:
        imap_speed.serve(server, n)
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["GOLDENRULE_TEST_PASSWORD"] = PASSWORD
            cfg = load_config(imap_speed.sync_config(server, tmp))
            db = open_db(cfg.db_path)
            before = rss_mb()
            current.append("whole sync")
            t = time.perf_counter()
            imap_sync.sync_all(db, cfg)
            seconds["whole sync"] = time.perf_counter() - t
            time.sleep(0.05)
            current.clear()
            distinct = db.execute("select count(*) from messages").fetchone()[0]
    finally:
        server.cleanup()
    return {"messages": n, "distinct": distinct, "rss_before_mb": round(before, 1),
            "phases": {name: {"seconds": round(seconds.get(name, 0.0), 2), "peak_rss_mb": round(peak.get(name, 0.0), 1)}
                       for name in ["whole sync"] + list(dict.fromkeys(p[0] for p in PHASES))}}


def main():
    import imap_speed

    results = imap_speed.per_size(__file__, measure, sys.argv[1:])
    if results is None:
        return
    print(f"{'phase':<18}" + "".join(f"{r['messages']:>10,} msgs ({r['distinct']:,} distinct)" for r in results))
    for name in results[0]["phases"]:
        cells = "".join(f"{r['phases'][name]['seconds']:>12.1f} s {r['phases'][name]['peak_rss_mb']:>7.0f} MB"
                        + " " * 8 for r in results)
        print(f"{name:<18}{cells}")
    print("(seconds: time spent in the phase; MB: the sync process's peak RSS while it ran; before the "
          "sync: " + ", ".join(f"{r['rss_before_mb']:.0f} MB" for r in results) + ")")


if __name__ == "__main__":
    main()
