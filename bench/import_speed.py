#!/usr/bin/env python3
"""Import speed: goldenrule vs mbox-to-sqlite on the same Enron mailbox, in the same run.

Usage: python bench/import_speed.py [MAILBOX_DIR]   (default ../shared/enron/mailboxes/germany-c)

Prints messages/s for both tools, their ratio and goldenrule's peak memory: its largest process's RSS
and the PSS of its whole process tree (the parser workers included). mbox-to-sqlite is given one
uncompressed mbox of all folders (decompression is not timed for it); goldenrule reads the gzipped
folders as they are.
"""

import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from phase_watch import run_watching_tree  # bench/, this script's directory

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "enron" / "mailboxes" / "germany-c"


def main():
    mailbox = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    bindir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        combined = tmp / "all.mbox"
        with open(combined, "wb") as out:
            for f in sorted(mailbox.glob("*.mbox.gz")):
                with gzip.open(f) as src:
                    shutil.copyfileobj(src, out)
        copies = combined.read_bytes().count(b"\nFrom ") + 1

        t = time.perf_counter()
        # Memory sampled from /proc four times a second: the parser workers are the forkserver's
        # children, which getrusage never sees; rarely enough not to slow the import it times.
        status, ours_rss, ours_pss = run_watching_tree(
            [str(bindir / "goldenrule"), "import", str(mailbox), "--db", str(tmp / "g.db"), "--json"],
            interval=0.25, stdout=subprocess.DEVNULL)
        ours = time.perf_counter() - t
        if status:
            sys.exit(f"goldenrule import failed ({status})")

        t = time.perf_counter()
        subprocess.run([bindir / "mbox-to-sqlite", "mbox", str(tmp / "m.db"), str(combined)], check=True)
        theirs = time.perf_counter() - t

        import sqlite3
        distinct = sqlite3.connect(tmp / "g.db").execute("select count(*) from messages").fetchone()[0]
        threads = sqlite3.connect(tmp / "g.db").execute("select count(*) from threads").fetchone()[0]
        result = {
            "mailbox": mailbox.name,
            "copies": copies,
            "distinct_messages": distinct,
            "threads": threads,
            "goldenrule_seconds": round(ours, 2),
            "goldenrule_msgs_per_s": round(copies / ours),
            "mbox_to_sqlite_seconds": round(theirs, 2),
            "mbox_to_sqlite_msgs_per_s": round(copies / theirs),
            "ratio": round(theirs / ours, 2),
            "goldenrule_peak_rss_mb": round(ours_rss, 1),  # its largest process
            "goldenrule_peak_pss_all_processes_mb": round(ours_pss, 1),
            "cores": os.cpu_count(),
        }
    for k, v in result.items():
        print(f"{k}: {v}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
