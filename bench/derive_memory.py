#!/usr/bin/env python3
"""Memory and time of deriving a big mailbox's new mail at once, as a first import or sync does.

Usage: python bench/derive_memory.py [--keep DIR] [--messages N]

Takes the seeded ledger of bench/datasette_latency.py (built there with the same --keep DIR, or
built here), copies it, forgets every thread, then derives all messages as new the way a first import
or sync does (`derive_underived`: threads, contacts, help events, relationships) and prints its time
and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.datasette_latency import ledger  # noqa: E402
from daemon.config import Config  # noqa: E402
from daemon.importer import derive_underived  # noqa: E402
from daemon.store import open_db  # noqa: E402


def peak_rss_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", help="directory of bench/datasette_latency.py's ledger (reused, built if missing)")
    ap.add_argument("--messages", type=int, default=100_000)
    a = ap.parse_args()
    work, db = ledger(a.keep, a.messages)
    db.conn.close()
    copy = work / "derive-copy.db"
    shutil.copy(work / "ledger.db", copy)
    db = open_db(copy)
    with db.conn:
        db.execute("update messages set thread_id = null, thread_link = null")
        db.execute("delete from threads")
    before = peak_rss_mb()
    t = time.perf_counter()
    new = derive_underived(db, Config())
    seconds = time.perf_counter() - t
    print(f"derive of {new:,} new messages: {seconds:.1f} s, {db['threads'].count:,} threads, "
          f"{db['help_events'].count:,} help events; peak RSS {peak_rss_mb():.0f} MB "
          f"({before:.0f} MB before)")
    db.conn.close()
    copy.unlink()


if __name__ == "__main__":
    main()
