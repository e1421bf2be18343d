#!/usr/bin/env python3
"""Does the import's memory grow with the size of the mailbox? The same mail, once and K times.

Usage: python bench/import_memory.py [MAILBOX_DIR] [--times K] [--stages] [--distinct-text]
       (default ../shared/enron/mailboxes/germany-c, K = 4)

Comparing two different mailboxes mixes size with content (longer messages, a busier contact). Here
the second import holds the same mailbox K times: copy 0 as it is, and K-1 copies of every folder
in which each message gets new Message-IDs (its own, In-Reply-To and References alike, so each copy
threads as the original does) and a subject tagged with the copy number, so every copy is a distinct
message with the same people, lengths and help. Each import runs `goldenrule import` in a fresh
database; prints the messages, seconds and peak memory of both: the largest process's RSS, and the
whole process tree's (the parser workers included) total PSS, sampled from /proc every 20 ms.
With --stages, each import also runs in a process of its own that samples its resident memory every
10 ms and prints the peak while storing and in each derive stage, and each stage's seconds.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from daemon.parse import _header_block  # noqa: E402
from daemon.sources import folder_name_for, read_path  # noqa: E402
from phase_watch import PhaseWatch, run_watching_tree  # noqa: E402  (bench/, this script's directory)

DEFAULT = ROOT.parent / "shared" / "enron" / "mailboxes" / "germany-c"
IDS = re.compile(rb"(?im)^(?:message-id|in-reply-to|references)[ \t]*:.*(?:\r?\n[ \t].*)*")
SUBJECT = re.compile(rb"(?im)^(subject:[^\r\n]*)")
FROM_LINE = re.compile(rb"(?m)^(>*From )")


# A line of prose in a body: has a space, is no MIME boundary ("--...") and no part header ("Name: ...").
PROSE_LINE = re.compile(rb"(?m)^(?!--)(?![\w-]+:)(.*[a-z] .*?)(\r?)$")


def relabel(raw: bytes, copy: int, distinct_text: bool = False) -> bytes:
    """The message as copy `copy` of it: new ids, the subject tagged; people unchanged, and the body
    too unless `distinct_text`, which tags every prose line so that no sentence repeats across copies
    (as in a mailbox that is really larger: caches keyed by text then see new text, not repeats)."""
    head, _ = _header_block(raw)
    new = IDS.sub(lambda m: m.group(0).replace(b"<", b"<c%d." % copy), head)
    new = SUBJECT.sub(lambda m: m.group(1) + b" (copy %d)" % copy, new, count=1)
    body = raw[len(head):]
    if distinct_text:
        body = PROSE_LINE.sub(lambda m: m.group(1) + b" c%d" % copy + m.group(2), body)
    return new + body


def write_copies(mailbox: Path, out: Path, times: int, distinct_text: bool = False) -> list[Path]:
    """One directory per copy, holding every folder of the mailbox as a plain mbox of that name."""
    dirs = []
    for copy in range(times):
        d = out / f"copy{copy}"
        d.mkdir()
        dirs.append(d)
    for path in sorted(mailbox.iterdir()):
        raws = [r.raw for r in read_path(path)]
        for copy, d in enumerate(dirs):
            with open(d / f"{folder_name_for(path)}.mbox", "wb") as f:
                for raw in raws:
                    raw = relabel(raw, copy, distinct_text) if copy else raw
                    f.write(b"From goldenrule-bench Thu Jan  1 00:00:00 2001\n"
                            + FROM_LINE.sub(rb">\1", raw).rstrip(b"\n") + b"\n\n")
    return dirs


def run_import(paths: list[Path], db: Path) -> tuple[float, float, float]:
    """Seconds of `goldenrule import`, and the peak MB of its largest process (RSS) and of its whole
    process tree (itself, the forkserver and the parser workers; PSS), sampled every 20 ms."""
    exe = Path(sys.executable).parent / "goldenrule"
    t = time.perf_counter()
    status, largest, total = run_watching_tree([str(exe), "import", *map(str, paths), "--db", str(db), "--json"],
                                               stdout=subprocess.DEVNULL)
    if status:
        sys.exit(f"goldenrule import failed ({status})")
    return time.perf_counter() - t, largest, total


STAGES = [("storing", "importer", "store_batch"), ("threads", "threads", "assign_threads"),
          ("contacts", "people", "rebuild_contacts"), ("help events", "help_events", "update_help_events"),
          ("relationships", "relationships", "update_relationships")]


def stage_peaks(paths: list[Path], db_path: Path) -> dict[str, list[float]]:
    """Import in this process, sampling its RSS: the peak (MB) while each stage ran, and its seconds."""
    from daemon.config import Config
    from daemon.importer import import_messages
    from daemon.store import open_db

    watch = PhaseWatch(STAGES, interval=0.01)
    db = open_db(db_path)
    import_messages(db, (r for p in paths for r in read_path(p)), Config())
    return {name: [round(watch.peak.get(name, 0.0), 1), round(watch.seconds.get(name, 0.0), 2)]
            for name, _, _ in STAGES}


def main():
    if sys.argv[1:2] == ["--stage-peaks"]:  # a child of --stages: one import, in this process
        import json

        print(json.dumps(stage_peaks([Path(p) for p in sys.argv[3:]], Path(sys.argv[2]))))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mailbox", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--times", type=int, default=4)
    ap.add_argument("--stages", action="store_true", help="also the peak RSS and seconds of each stage")
    ap.add_argument("--distinct-text", action="store_true", help="copies' prose lines tagged: no sentence repeats")
    a = ap.parse_args()
    import sqlite3

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        dirs = write_copies(a.mailbox, tmp, a.times, a.distinct_text)
        for label, paths in (("once", dirs[:1]), (f"{a.times} times", dirs)):
            db = tmp / f"{len(paths)}.db"
            seconds, rss, tree = run_import(paths, db)
            con = sqlite3.connect(db)
            messages, threads, events = (con.execute(f"select count(*) from {t}").fetchone()[0]
                                         for t in ("messages", "threads", "help_events"))
            con.close()
            print(f"{a.mailbox.name} {label:>8}: {messages:7,} messages, {threads:6,} threads, {events:5,} help events, "
                  f"{seconds:6.1f} s, peak RSS {rss:5.1f} MB (largest process), {tree:5.1f} MB (all its processes, PSS)")
            if a.stages:
                import json

                out = subprocess.run([sys.executable, __file__, "--stage-peaks", str(tmp / f"{len(paths)}-stages.db"),
                                      *map(str, paths)], capture_output=True, text=True, check=True)
                peaks = json.loads(out.stdout.strip().splitlines()[-1])
                print(" " * 20 + ", ".join(f"{name} {mb:.1f} MB {sec:.2f} s" for name, (mb, sec) in peaks.items())
                      + " (peak RSS while each ran, and its seconds)")


if __name__ == "__main__":
    main()
