#!/usr/bin/env python3
"""How long storing parsed messages takes, and what the write-ahead log's checkpoints cost.

Usage: python bench/store_speed.py [MAILBOX_DIR]   (default ../shared/enron/mailboxes/germany-c)
       python bench/store_speed.py --transactions [MAILBOX_DIR ...]   (default: every Enron mailbox)

Parses each distinct message of the mailbox once (as the importer does, acts included), then stores
them with `store_batch` in batches of 140 -- one transaction each, as a sync or an import does (a
200-UID IMAP batch of the Enron mailboxes holds about 110 distinct messages) --
into a fresh database, with SQLite's automatic checkpoint every 1,000 pages (its default) and every
4,000 pages (goldenrule's setting). The two settings take turns, three runs each; prints the best
and the median of each.

With --transactions: stores the distinct messages of the given mailboxes (all of them by default,
26,899 messages) with goldenrule's checkpoint setting, in transactions of 140 messages (one fetched
IMAP batch) and of 560 (what the sync stores together: three fetched batches' worth of copies),
taking turns, two runs each; prints the best of each.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from daemon import importer, parse, store  # noqa: E402
from daemon.sources import read_path  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "enron" / "mailboxes" / "germany-c"
BATCH = 140


def parsed_messages(mailbox: Path) -> list[dict]:
    seen, out = set(), []
    for path in sorted(mailbox.iterdir()):
        for r in read_path(path):
            mid, fp, content, _ = parse.prekeys(r.raw)
            if fp in seen:
                continue
            seen.add(fp)
            out.append(importer._parse_job((r.raw, fp, mid, (5_000_000, ("en",)), path.name,
                                            f"bench/{fp}", None, None, content)))
    return out


def store_all(parsed: list[dict], checkpoint_pages: int, batch: int = BATCH) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        db = store.open_db(Path(tmp) / "bench.db")
        db.execute(f"pragma wal_autocheckpoint = {checkpoint_pages}")
        t = time.perf_counter()
        for i in range(0, len(parsed), batch):
            part = [dict(p) for p in parsed[i:i + batch]]
            store.store_batch(db, part, [dict(p["copy"]) for p in part])
        elapsed = time.perf_counter() - t
        db.conn.close()
        return elapsed


def transactions(paths: list[Path]):
    parsed, seen = [], set()
    for mailbox in paths:
        for p in parsed_messages(mailbox):
            if p["message"]["id"] not in seen:
                seen.add(p["message"]["id"])
                parsed.append(p)
    times: dict[int, list[float]] = {140: [], 560: []}
    for _ in range(2):
        for size in times:
            times[size].append(store_all(parsed, 4000, size))
    print(f"{len(parsed):,} distinct messages from {len(paths)} mailboxes, two runs each, taking turns")
    for size, ts in times.items():
        best = min(ts)
        print(f"  {size:>4} messages per transaction: best {best:.2f} s ({1000 * best / len(parsed):.2f} ms/message)")


def main():
    if sys.argv[1:2] == ["--transactions"]:
        paths = [Path(a) for a in sys.argv[2:]] or sorted(DEFAULT.parent.iterdir())
        return transactions(paths)
    mailbox = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    parsed = parsed_messages(mailbox)
    n = len(parsed)
    times: dict[int, list[float]] = {1000: [], 4000: []}
    for _ in range(3):
        for pages in times:
            times[pages].append(store_all(parsed, pages))
    print(f"{mailbox.name}: {n:,} distinct messages stored in batches of {BATCH}, three runs each, taking turns")
    for pages, ts in times.items():
        print(f"  checkpoint every {pages:>5,} pages: best {min(ts):.2f} s ({1000 * min(ts) / n:.2f} ms/message), "
              f"median {statistics.median(ts):.2f} s")


if __name__ == "__main__":
    main()
