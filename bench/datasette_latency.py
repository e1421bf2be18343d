#!/usr/bin/env python3
"""Latency of every canned query and the dashboard on a ledger of at least 100,000 messages.

Usage: python bench/datasette_latency.py [--keep DIR] [--messages N] [--runs R]

Generates a seeded mailbox (the demo's phrases, N messages among 400 people over three years),
imports it through the real pipeline, then requests each canned query and /dashboard through
Datasette's own client R times and prints p50 and p95 in milliseconds. Target: p95 <= 200 ms each.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from daemon.config import Config  # noqa: E402
from daemon.demo import ANSWERS, ASKS, ME, THANKS, TOPICS, _Writer  # noqa: E402
from daemon.importer import import_messages  # noqa: E402
from daemon.ledger_views import prepare_site  # noqa: E402
from daemon.queries import CANNED  # noqa: E402
from daemon.relationships import contact_snapshot, scope_of_new_mail, update_relationships  # noqa: E402
from daemon.sources import read_path  # noqa: E402
from daemon.store import open_db  # noqa: E402


def generate(root: Path, target: int, seed: int = 11) -> Path:
    rng = random.Random(seed)
    end = dt.datetime(2026, 11, 1, 17, 0, tzinfo=dt.timezone.utc)
    start = end - dt.timedelta(days=3 * 365)
    people = [(f"Person {i}", f"person{i}@org{i % 37}.example") for i in range(400)]
    w = _Writer()
    while w.n < target:
        person = rng.choice(people)
        when = start + dt.timedelta(seconds=rng.randint(0, int((end - start).total_seconds())))
        topic = rng.choice(TOPICS)
        asker, helper = (person, ME) if rng.random() < 0.5 else (ME, person)
        mid = w.message(when, asker, [helper], topic.capitalize(), rng.choice(ASKS).format(t=topic))
        if rng.random() < 0.8:
            mid2 = w.message(when + dt.timedelta(hours=rng.randint(1, 30)), helper, [asker],
                             f"Re: {topic.capitalize()}", rng.choice(ANSWERS).format(t=topic), reply_to_id=mid)
            if rng.random() < 0.5:
                w.message(when + dt.timedelta(hours=rng.randint(31, 60)), asker, [helper],
                          f"Re: {topic.capitalize()}", rng.choice(THANKS).format(t=topic), reply_to_id=mid2)
    w.write(root)
    return root


def ledger(keep: str | None, messages: int):
    """The seeded ledger of `messages` messages in `keep` (reused when there), or in a new temporary directory."""
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="goldenrule-latency-"))
    work.mkdir(parents=True, exist_ok=True)
    db = open_db(work / "ledger.db")
    if db["messages"].count < messages:
        t = time.perf_counter()
        box = generate(work / "mail", messages)
        import_messages(db, (r for p in sorted(box.iterdir()) for r in read_path(p)), Config(), paths=[str(box)])
        print(f"built: {db['messages'].count:,} messages in {time.perf_counter() - t:.0f} s")
    return work, db


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", help="directory for the generated mailbox and database (reused)")
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=20)
    a = ap.parse_args()
    work, db = ledger(a.keep, a.messages)
    db_path = work / "ledger.db"
    print(f"{db['messages'].count:,} messages, {db['help_events'].count:,} help events, "
          f"{db['relationships'].count:,} relationships")
    # What every sync pays after new mail (and the service on each pass): the relationship tables
    # recomputed whole, as of now.
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        with db.conn:
            update_relationships(db, Config())
        runs.append(time.perf_counter() - t)
    print(f"relationship rebuild: {min(runs):.2f} s (best of 3)")
    # What a sync pays instead: the ties and months its new mail touches (here, the latest 50 messages).
    new = [r[0] for r in db.execute("select id from messages order by date desc limit 50")]
    scope = scope_of_new_mail(db, new, contact_snapshot(db))
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        with db.conn:
            update_relationships(db, Config(), scope=scope)
        runs.append(time.perf_counter() - t)
    print(f"relationships after 50 new messages ({len(scope.contacts)} contacts, {len(scope.months)} months "
          f"touched): {min(runs):.2f} s (best of 3)")
    db.conn.close()

    from datasette.app import Datasette

    meta, templates = prepare_site(str(db_path), work / "site")
    ds = Datasette([str(db_path)], metadata=json.loads(meta.read_text()), template_dir=str(templates))
    thread = open_db(db_path).execute("select thread_id from help_events limit 1").fetchone()[0]
    params = {"people_i_helped": "since=&until=", "people_who_helped_me": "since=&until=",
              "contact_timeline": "contact=person7@org7.example", "thread_help": f"thread={thread}",
              "search": "q=budget+review"}
    paths = {name: f"/ledger/{name}?{params.get(name, '')}" for name in CANNED}
    paths["dashboard"] = "/dashboard"

    async def timed(path):
        out = []
        await ds.client.get(path)  # warm-up
        for _ in range(a.runs):
            t = time.perf_counter()
            r = await ds.client.get(path)
            out.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, (path, r.status_code, r.text[:300])
        return out

    print(f"\n{'page':<26}{'p50 ms':>8}{'p95 ms':>8}")
    worst = 0.0
    for name, path in paths.items():
        ms = sorted(asyncio.run(timed(path)))
        p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
        worst = max(worst, p95)
        print(f"{name:<26}{statistics.median(ms):>8.1f}{p95:>8.1f}")
    print(f"\nworst p95: {worst:.1f} ms (target: <= 200 ms each)")


if __name__ == "__main__":
    main()
