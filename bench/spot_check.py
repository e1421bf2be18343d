#!/usr/bin/env python3
"""Help events on mailboxes nobody labeled, drawn at random for a person to judge by the guideline.

Usage: python bench/spot_check.py [--users allen-p,arnold-j,lay-k] [--seed N] [-n 30] [--min-messages 2]
                                  [--keep DIR]
       python bench/spot_check.py --dev-unlabeled [--seed N] ...

The dev set's figures (bench/help_quality.py) come from the same six mailboxes the rules were read
against, so they flatter the rules. The other Enron mailboxes in ../shared are labeled nowhere: this
imports them with the real pipeline, draws `n` help events at random (fixed seed: the same draw for
the same code) and prints each with its thread (own text only; the evidence message marked `*`, the
message that asked `R`), so someone can judge each one against ../shared/help-events/GUIDELINE.md
and count. Use a seed not used before when the point is a fair estimate; what a judged draw showed
is kept in bench/MEASUREMENTS.md. The labeled sets hold conversations of two or more messages, and
their scorer counts only events at a labeled message: `--min-messages 2` (the default) draws from
such threads; `--min-messages 1` from every event, lone thank-you notes and letters included.

Those three mailboxes hold only about 135 events in threads of two or more messages, so draws soon
share events. `--dev-unlabeled` draws instead from the six dev mailboxes' threads that hold no
labeled message (about nine in ten of their threads): fresh mail for judging, though written by
people whose labeled threads the rules were read against, so it flatters a little.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from daemon.store import open_db  # noqa: E402
from help_quality import import_user  # noqa: E402  (bench/ is this script's own folder)

UNLABELED = ["allen-p", "arnold-j", "lay-k"]
DEV = SHARED / "help-events" / "dev"


def labeled_message_ids(user: str) -> set[str]:
    """Message-IDs of the user's labeled conversations (none for a mailbox with no labels)."""
    path = DEV / f"{user}.threads.jsonl"
    if not path.exists():
        return set()
    with path.open() as f:
        return {m["message_id"] for line in f for m in json.loads(line)["messages"]}
SHOWN_MESSAGES = 6  # longer threads show only the evidence message and the one that asked


def show(db, user: str, k: int, event: dict) -> None:
    print(f"=== #{k} {user}: {event['helper']} helped {event['helped']}, {event['kind']}, "
          f"confidence {event['confidence']} ({event['found_by']})")
    print(f"    evidence: {event['evidence']!r}")
    msgs = list(db.query("select id, date, from_address, to_addresses, cc_addresses, subject, own_text from messages "
                         "where thread_id = ? order by date", [event["thread_id"]]))
    for m in msgs:
        mark = "*" if m["id"] == event["message"] else "R" if m["id"] == event["request_message"] else " "
        if mark == " " and len(msgs) > SHOWN_MESSAGES:
            continue
        cc = f" cc {m['cc_addresses']}" if m["cc_addresses"] else ""
        print(f"  {mark} {(m['date'] or '')[:16]} {m['from_address']} -> {m['to_addresses']}{cc} | {m['subject']}"[:220])
        body = " ".join((m["own_text"] or "").split())
        print(textwrap.indent(textwrap.fill(body[:700], 140) or "(no own text)", "      "))


def main():
    if not SHARED.is_dir():
        sys.exit(f"needs the mailboxes in {SHARED}")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", default=",".join(UNLABELED))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-n", type=int, default=30)
    ap.add_argument("--min-messages", type=int, default=2, help="draw from threads of at least this many messages")
    ap.add_argument("--keep", help="directory for the imported databases (reused on later runs)")
    ap.add_argument("--dev-unlabeled", action="store_true",
                    help="draw from the dev mailboxes' threads that hold no labeled message")
    a = ap.parse_args()
    if a.dev_unlabeled:
        a.users = ",".join(sorted(p.name.split(".")[0] for p in DEV.glob("*.threads.jsonl")))
    workdir = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="goldenrule-spot-"))
    workdir.mkdir(parents=True, exist_ok=True)
    pool = []
    for user in a.users.split(","):
        import_user(user, workdir / f"{user}.db")  # the dev bench's import, skipped when already done
        db = open_db(workdir / f"{user}.db")
        events = list(db.query("select e.* from help_events e join threads t on t.id = e.thread_id "
                               "where e.confidence >= 0.5 and t.message_count >= ? order by e.id", [a.min_messages]))
        labeled = labeled_message_ids(user)
        if labeled:  # every event in a thread that holds a labeled message is left out
            marks = ",".join("?" * len(labeled))
            skip = {r["thread_id"] for r in db.query(
                f"select distinct thread_id from messages where message_id in ({marks})", list(labeled))}
            events = [e for e in events if e["thread_id"] not in skip]
        print(f"{user}: {db['messages'].count} messages, {len(events)} help events in threads of "
              f"{a.min_messages} or more messages" + (" that hold no labeled message" if labeled else ""))
        pool += [(user, db, e) for e in events]
    print()
    for k, (user, db, event) in enumerate(random.Random(a.seed).sample(pool, min(a.n, len(pool)))):
        show(db, user, k, event)


if __name__ == "__main__":
    main()
