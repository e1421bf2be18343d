#!/usr/bin/env python3
"""Quality and speed of help-event inference, measured against the hand labels in ../shared.

Usage: python bench/help_quality.py [--keep DIR] [--show-errors] [--users a,b,...]

1. Imports each labeled dev mailbox (../shared/enron/mailboxes/<user>) with the real pipeline into
   its own database (kept in DIR with --keep, so later runs only re-run the inference), and counts
   the labeled conversations that came out as one thread each.
2. Runs ../shared/help-events/score.py on every mailbox and on all of them together: precision,
   recall, F1, kind accuracy, recall by kind; then precision and recall keeping only events at or
   above higher confidence thresholds.
3. Times the inference pass alone (acts + events, one core) over every stored message.
4. Scores request detection on the Parakweet sentences (../shared/requests), split by a hash of the
   sentence into a tuning part (70 %) and a held-out part (30 %); both are printed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEV = SHARED / "help-events" / "dev"
USERS = ["bass-e", "germany-c", "lavorato-j", "mclaughlin-e", "rogers-b", "scott-s"]

sys.path.insert(0, str(ROOT))

from daemon.acts import _classify, classify  # noqa: E402
from daemon.config import Config  # noqa: E402
from daemon.help_events import update_help_events  # noqa: E402
from daemon.importer import import_messages  # noqa: E402
from daemon.sources import read_path  # noqa: E402
from daemon.store import open_db  # noqa: E402


def import_user(user: str, path: Path) -> None:
    db = open_db(path)
    if db["messages"].count:
        return
    cfg = Config()
    mailbox = SHARED / "enron" / "mailboxes" / user
    import_messages(db, read_path(mailbox), cfg, paths=[str(mailbox)])


def score(db: Path, users: list[str], show_errors: bool) -> dict:
    files = []
    for u in users:
        files += [str(DEV / f"{u}.threads.jsonl"), str(DEV / f"{u}.labels.jsonl")]
    cmd = [sys.executable, str(SHARED / "help-events" / "score.py"), str(db), *files, "--json"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()
    if show_errors:
        text = subprocess.run(cmd[:-1] + ["--show-errors"], capture_output=True, text=True).stdout
        print(text)
    return json.loads(out[0])


def threads_kept_whole(db_path: Path, user: str) -> tuple[int, int]:
    """Labeled conversations of several messages whose stored messages all landed in one thread."""
    con = sqlite3.connect(db_path)
    whole = total = 0
    for line in open(DEV / f"{user}.threads.jsonl"):
        t = json.loads(line)
        if len(t["messages"]) < 2:
            continue
        tids = set()
        for m in t["messages"]:
            mid = m["message_id"].strip("<>")
            row = con.execute("select m.thread_id from copies c join messages m on m.id = c.message "
                              "where c.header_message_id = ?", (mid,)).fetchone()
            tids.add(row[0] if row else None)
        total += 1
        whole += len(tids) == 1 and None not in tids
    con.close()
    return whole, total


def request_scores() -> dict:
    """Precision/recall/F1 of 'request, question or meeting' on Parakweet's sentences (labeled 'a request or proposal')."""
    parts = {"tuning": [0, 0, 0, 0], "held_out": [0, 0, 0, 0]}  # tp fp fn tn
    for line in open(SHARED / "requests" / "Ask0729-fixed.txt", encoding="utf-8", errors="replace"):
        label, _, text = line.rstrip("\n").partition("\t")
        if label not in ("Yes", "No"):
            continue
        part = "held_out" if hashlib.md5(text.encode()).digest()[0] < 77 else "tuning"
        acts, _ = classify(text)
        said = not {"request", "question", "meeting"}.isdisjoint(acts)
        gold = label == "Yes"
        c = parts[part]
        c[0 if said and gold else 1 if said else 2 if gold else 3] += 1
    out = {}
    for part, (tp, fp, fn, tn) in parts.items():
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        out[part] = {"sentences": tp + fp + fn + tn, "precision": round(p, 3), "recall": round(r, 3),
                     "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0}
    return out


def main():
    if not SHARED.is_dir():
        sys.exit(f"needs the labeled data in {SHARED}")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", help="directory for the imported databases (reused on later runs)")
    ap.add_argument("--show-errors", action="store_true")
    ap.add_argument("--users", default=",".join(USERS))
    a = ap.parse_args()
    users = a.users.split(",")
    workdir = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="goldenrule-help-"))
    workdir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    for u in users:
        import_user(u, workdir / f"{u}.db")
    print(f"imported {len(users)} mailboxes in {time.perf_counter() - t0:.1f} s")
    kept = [threads_kept_whole(workdir / f"{u}.db", u) for u in users]
    print(f"threads: {sum(w for w, _ in kept)} of {sum(t for _, t in kept)} labeled conversations of two or more "
          "messages kept whole, one thread each")

    # The inference pass alone (acts of every message, events of every thread), one core, best of 3.
    total_msgs, total_s, total_events = 0, 0.0, 0
    for u in users:
        db = open_db(workdir / f"{u}.db")
        n = db["messages"].count
        runs = []
        for _ in range(3):
            _classify.cache_clear()  # every run starts cold: no sentence seen before
            t = time.perf_counter()
            with db.conn:
                events = update_help_events(db, None, reread_acts=True)
            runs.append(time.perf_counter() - t)
        total_s += min(runs)
        total_msgs += n
        total_events += events
    print(f"inference: {total_msgs:,} messages in {total_s:.2f} s = {total_msgs / total_s:,.0f} messages/s "
          f"(one core, best of 3 runs), {total_events:,} help events")

    combined = workdir / "all.db"
    if combined.exists():
        combined.unlink()
    con = sqlite3.connect(combined)
    con.execute("create table help_events (helper, helped, kind, occurred_at, evidence, found_by, confidence)")
    for u in users:
        con.execute("attach ? as src", (str(workdir / f"{u}.db"),))
        con.execute("insert into help_events select helper, helped, kind, occurred_at, evidence, found_by, "
                    "confidence from src.help_events")
        con.commit()
        con.execute("detach src")
    con.close()

    print(f"\n{'mailbox':<14}{'gold':>6}{'system':>8}{'match':>7}{'P':>7}{'R':>7}{'F1':>7}{'kind':>7}")
    for u in users:
        r = score(workdir / f"{u}.db", [u], False)
        print(f"{u:<14}{r['gold']:>6}{r['system_in_scope']:>8}{r['matched']:>7}{r['precision']:>7.3f}"
              f"{r['recall']:>7.3f}{r['f1']:>7.3f}{r['kind_accuracy']:>7.3f}")
    r = score(combined, users, a.show_errors)
    print(f"{'ALL':<14}{r['gold']:>6}{r['system_in_scope']:>8}{r['matched']:>7}{r['precision']:>7.3f}"
          f"{r['recall']:>7.3f}{r['f1']:>7.3f}{r['kind_accuracy']:>7.3f}")
    print("recall by kind: " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(r["recall_by_kind"].items())))
    # Is confidence informative? The same events, keeping only those at or above a threshold.
    curve = []
    for threshold in (0.6, 0.7, 0.8, 0.9):
        part = workdir / "all-above.db"
        if part.exists():
            part.unlink()
        con = sqlite3.connect(part)
        con.execute("attach ? as src", (str(combined),))
        con.execute("create table help_events as select * from src.help_events where confidence >= ?", (threshold,))
        con.commit()
        con.close()
        t = score(part, users, False)
        curve.append(f"{threshold}: P {t['precision']:.3f} R {t['recall']:.3f} ({t['system_in_scope']})")
        part.unlink()
    print("at higher min_confidence: " + "; ".join(curve))
    print("targets: precision >= 0.85, recall >= 0.75")

    req = request_scores()
    print("\nrequest detection (Parakweet sentences, 'request, question or meeting'):")
    for part, s in req.items():
        print(f"  {part:<9} {s['sentences']:>5} sentences  P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}")
    print("target: F1 >= 0.85")
    if not a.keep:
        import shutil
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
