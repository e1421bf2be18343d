#!/usr/bin/env python3
"""Where a parser process spends its time, stage by stage, on one core.

Usage: python bench/parse_stages.py [MAILBOX_DIR]   (default ../shared/enron/mailboxes/germany-c)

Reads every folder of the mailbox, keeps one copy of each distinct message (as the importer's
dedupe does), then times each stage of `parse_message` over all of them: the stdlib header parse,
the MIME body parse, bulk-mail triage, the own-text split (and, inside it, the search for the
quoted-history cut and mail-parser-reply), and reading the acts. Prints seconds and ms per message;
best of three runs each.
"""

from __future__ import annotations

import email
import sys
import time
from email import policy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from daemon import acts, own_text, parse  # noqa: E402
from daemon.bulk import classify_headers  # noqa: E402
from daemon.sources import read_path  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "enron" / "mailboxes" / "germany-c"


def best_of(fn, runs=3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    mailbox = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    raws, seen = [], set()
    for path in sorted(mailbox.iterdir()):
        for r in read_path(path):
            mid, fp = parse.prekey(r.raw)
            if fp not in seen:
                seen.add(fp)
                raws.append((r.raw, fp, mid))
    n = len(raws)
    msgs = [email.message_from_bytes(raw, policy=policy.compat32) for raw, _, _ in raws]
    bodies = []
    for m in msgs:
        try:
            bodies.append(parse._deep_parse(m)["text"][:1_000_000])
        except Exception:
            bodies.append("")
    rows = [parse.parse_message(raw, fp, mid)["message"] for raw, fp, mid in raws]
    reader = own_text._reply_parser(("en",))
    split = [own_text.split_reply(b) for b in bodies]

    def read_acts():
        acts._classify.cache_clear()  # each run starts cold, as a parser process does
        for row in rows:
            if not row["is_automated"]:
                acts.act_rows(row["own_text"], row["attachment_count"] or 0, row.get("quoted_text"))

    stages = [
        ("parse_message (all of it, acts not included)", lambda: [parse.parse_message(*r) for r in raws]),
        ("  stdlib header parse", lambda: [email.message_from_bytes(r[0], policy=policy.compat32) for r in raws]),
        ("  MIME body (mail-parser where needed)", lambda: [parse._deep_parse(m) for m in msgs]),
        ("  bulk-mail triage", lambda: [classify_headers(m) for m in msgs]),
        ("  own text: split_reply", lambda: [own_text.split_reply(b) for b in bodies]),
        ("    quoted-history cut search", lambda: [own_text.find_cut(b.split("\n")) for b in bodies]),
        ("    mail-parser-reply", lambda: [reader.read(s[0]) for s in split if s[0]]),
        ("acts (act_rows)", read_acts),
    ]
    print(f"{mailbox.name}: {n:,} distinct messages, one core, best of 3")
    for name, fn in stages:
        seconds = best_of(fn)
        print(f"{name:48s} {seconds:6.2f} s  {seconds / n * 1000:5.2f} ms/message")


if __name__ == "__main__":
    main()
