#!/usr/bin/env python3
"""Where a parser process spends its time, stage by stage, on one core.

Usage: python bench/parse_stages.py [MAILBOX_DIR]   (default ../shared/enron/mailboxes/germany-c)
       python bench/parse_stages.py --instructions [N] [MAILBOX_DIR]   (needs valgrind; N default 1000)

Reads every folder of the mailbox, keeps one copy of each distinct message (as the importer's
dedupe does), then times each stage of `parse_message` over all of them: the stdlib's reading of
the message (header block; the body split only when it has parts),
the MIME body parse, bulk-mail triage, the own-text split (and, inside it, the search for the
quoted-history cut and mail-parser-reply), and reading the acts. Prints seconds and ms per message;
best of three runs each. With --instructions: CPU instructions per message over the first N distinct
messages, counted by valgrind, which unlike seconds do not move with the machine.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
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


def stages(mailbox: Path, limit: int | None = None) -> tuple[int, list]:
    """(distinct messages, [(stage name, function running it over all of them)])."""
    raws, seen = [], set()
    for path in sorted(mailbox.iterdir()):
        for r in read_path(path):
            mid, fp = parse.prekey(r.raw)
            if fp not in seen:
                seen.add(fp)
                raws.append((r.raw, fp, mid))
    raws = raws[:limit]
    msgs = [parse.read_message(raw) for raw, _, _ in raws]
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

    return len(raws), [
        ("parse_message (all of it, acts not included)", lambda: [parse.parse_message(*r) for r in raws]),
        ("  stdlib read (read_message)", lambda: [parse.read_message(r[0]) for r in raws]),
        ("  MIME body (mail-parser where needed)", lambda: [parse._deep_parse(m) for m in msgs]),
        ("  bulk-mail triage", lambda: [classify_headers(m) for m in msgs]),
        ("  own text: split_reply", lambda: [own_text.split_reply(b) for b in bodies]),
        ("    quoted-history cut search", lambda: [own_text.find_cut(b.split("\n")) for b in bodies]),
        ("    mail-parser-reply", lambda: [reader.read(s[0]) for s in split if s[0]]),
        ("acts (act_rows)", read_acts),
    ]


def instructions(mailbox: Path, limit: int) -> None:
    """Each stage's CPU instructions per message, counted by valgrind (cachegrind): unlike seconds on a
    shared virtual machine (which move by a third between runs of the same code), the same code and
    input always give the same count. Each stage runs in its own process; the count of a process that
    only prepares the input is subtracted."""
    def count(stage: str) -> int:
        out = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                              sys.executable, __file__, "--run-stage", stage, str(limit), str(mailbox)],
                             capture_output=True, text=True, check=True)
        return int(re.search(r"I\s+refs:\s+([\d,]+)", out.stderr).group(1).replace(",", ""))

    base = count("")
    n, named = stages(mailbox, limit)
    print(f"{mailbox.name}: the first {n:,} distinct messages, instructions counted by cachegrind")
    for name, _ in named:
        print(f"{name:48s} {(count(name.strip()) - base) / n / 1e6:6.2f} M instructions/message")


def main():
    args = sys.argv[1:]
    if args[:1] == ["--run-stage"]:  # one stage, once, under valgrind (see instructions())
        stage, limit, mailbox = args[1], int(args[2]), Path(args[3])
        _, named = stages(mailbox, limit)
        for name, fn in named:
            if name.strip() == stage:
                fn()
        return
    if args[:1] == ["--instructions"]:
        limit = int(args[1]) if len(args) > 1 and args[1].isdigit() else 1000
        rest = [a for a in args[1:] if not a.isdigit()]
        return instructions(Path(rest[0]) if rest else DEFAULT, limit)
    mailbox = Path(args[0]) if args else DEFAULT
    n, named = stages(mailbox)
    print(f"{mailbox.name}: {n:,} distinct messages, one core, best of 3")
    for name, fn in named:
        seconds = best_of(fn)
        print(f"{name:48s} {seconds:6.2f} s  {seconds / n * 1000:5.2f} ms/message")


if __name__ == "__main__":
    main()
