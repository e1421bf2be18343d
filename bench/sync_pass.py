#!/usr/bin/env python3
"""What one service pass costs when a little new mail arrives in a big real mailbox.

Usage: python bench/sync_pass.py [--new N] [--users a,b,...] [--keep DIR]

Imports the Enron mailboxes in ../shared (all of them, or --users) except the newest N messages (by
Date header, default 200), then imports those N as a sync would bring them, and prints the time of
each derive stage of that pass (threads, your addresses, one-way senders, contacts, help events,
relationships), how much of the relationship tables it recomputed, and the time of the whole pass;
then the time of recomputing everything (`goldenrule rebuild`) on the same database, for comparison.
"""

from __future__ import annotations

import argparse
import email.utils
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from daemon import bulk, help_events, importer, people, relationships, threads  # noqa: E402
from daemon.config import Config  # noqa: E402
from daemon.sources import read_path  # noqa: E402
from daemon.store import open_db  # noqa: E402

MAILBOXES = ROOT.parent / "shared" / "enron" / "mailboxes"
STAGES = [("threads", threads, "assign_threads"), ("your addresses", people, "learn_received_aliases"),
          ("one-way senders", bulk, "mark_one_way_senders"),
          ("contacts", people, "rebuild_contacts"), ("help events", help_events, "update_help_events"),
          ("relationships", relationships, "update_relationships")]


def sent_at(raw: bytes) -> float:
    for line in raw.split(b"\n\n", 1)[0].split(b"\n"):
        if line.lower().startswith(b"date:"):
            try:
                return email.utils.parsedate_to_datetime(line[5:].decode("latin-1").strip()).timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                return 0.0
    return 0.0


def timed_stages() -> dict[str, float]:
    """Wrap each derive stage so its time is recorded (the stages are looked up at call time)."""
    times: dict[str, float] = {}
    for name, module, fn in STAGES:
        original = getattr(module, fn)

        def wrapper(*a, _original=original, _name=name, **k):
            t = time.perf_counter()
            try:
                return _original(*a, **k)
            finally:
                times[_name] = times.get(_name, 0.0) + time.perf_counter() - t
        setattr(module, fn, wrapper)
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--new", type=int, default=200)
    ap.add_argument("--users", default="", help="mailboxes to use (default: all)")
    ap.add_argument("--keep", help="directory for the base database (reused: only the pass is redone)")
    a = ap.parse_args()
    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="goldenrule-sync-pass-"))
    work.mkdir(parents=True, exist_ok=True)
    boxes = [b for b in sorted(MAILBOXES.iterdir()) if b.is_dir() and (not a.users or b.name in a.users.split(","))]
    copies = [r for box in boxes for r in read_path(box)]
    newest = sorted({sent_at(r.raw) for r in copies})[-a.new:]
    cut = newest[0] if newest else float("inf")
    old, new = [r for r in copies if sent_at(r.raw) < cut], [r for r in copies if sent_at(r.raw) >= cut]
    base = work / f"base-{'+'.join(b.name for b in boxes) if a.users else 'all'}-{a.new}.db"
    cfg = Config()
    if not base.exists():
        t = time.perf_counter()
        importer.import_messages(open_db(base), old, cfg)
        print(f"base: {len(old):,} copies imported in {time.perf_counter() - t:.0f} s")
    run = work / "pass.db"
    run.unlink(missing_ok=True)
    with sqlite3.connect(run) as target:
        sqlite3.connect(base).backup(target)
    db = open_db(run)
    print(f"{db['messages'].count:,} messages, {db['contacts'].count:,} contacts; the pass brings "
          f"{len(new):,} copies")
    times = timed_stages()
    scopes = []
    scope_of = relationships.scope_of_new_mail
    relationships.scope_of_new_mail = lambda *args: scopes.append(scope_of(*args)) or scopes[-1]
    t = time.perf_counter()
    stats = importer.import_messages(db, new, cfg)
    whole_pass = time.perf_counter() - t
    relationships.scope_of_new_mail = scope_of
    scope = scopes[-1] if scopes else None
    touched = (f"{len(scope.contacts):,} contacts and {len(scope.months)} months recomputed" if scope else
               "all recomputed (the pass regrouped contacts, or changed who is ignored or is you)")
    print(f"pass: {stats.messages_new:,} new messages in {whole_pass:.2f} s; relationships: {touched}")
    for name, _, _ in STAGES:
        print(f"  {name:<16} {times.get(name, 0.0):6.2f} s")
    times.clear()
    t = time.perf_counter()
    importer.derive(db, cfg, new_ids=None)
    print(f"rebuild (everything recomputed): {time.perf_counter() - t:.2f} s")
    for name, _, _ in STAGES:
        print(f"  {name:<16} {times.get(name, 0.0):6.2f} s")


if __name__ == "__main__":
    main()
