#!/usr/bin/env python3
"""Can anything known about a help event, short of its words, tell the right ones from the wrong?

Usage: python bench/event_ranking.py [--keep DIR]

Imports the labeled dev mailboxes as bench/help_quality.py does (same DIR with --keep), matches the
events found at labeled messages with ../shared/help-events/score.py, and ranks them two ways:

- by the `confidence` the rules give;
- by a small logistic re-ranker over structural features only (kind, how it was found, the evidence
  act and its confidence, its length, recipients, a free-mail address, small talk, questions or
  promises in the message, thanks later in the thread, thread length, "Re:", an attachment), fitted
  by leave-one-mailbox-out: each mailbox is scored by a model fitted on the other five.

For each ranking it prints precision and recall as the lowest-ranked events are dropped. If precision
stays flat while recall falls, the false events cannot be told from the right ones by these signals:
raising `[inference] min_confidence`, or a learned threshold, buys no precision. No words are used,
so nothing of the labeled threads' text is learned; the fitted weights are printed, not kept.
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from help_quality import DEV, SHARED, USERS, import_user  # noqa: E402  (bench/ is this script's own folder)

sys.path.insert(0, str(SHARED / "help-events"))
import score  # noqa: E402  (the labels' own scorer)

FREE_MAIL = ("aol.com", "hotmail.com", "yahoo.com", "msn.com", "earthlink.net", "rr.com", "juno.com", "excite.com",
             "swbell.net", "gmail.com", "compuserve.com", "prodigy.net", "att.net", "mindspring.com")


def features(con: sqlite3.Connection, row: dict) -> dict[str, float]:
    """What the pipeline knows about one event besides the words of its messages."""
    m = con.execute("select date, subject, to_addresses, cc_addresses, attachment_count from messages where id = ?",
                    [row["message"]]).fetchone()
    acts = con.execute("select act, confidence, sentence, position from message_acts where message = ? and part = 'own'",
                       [row["message"]]).fetchall()
    evidence = [a for a in acts if a[2] == row["evidence"]]
    recipients = [x for x in f"{m[2] or ''},{m[3] or ''}".split(",") if "@" in x]
    in_thread = con.execute("select count(*) from messages where thread_id = ?", [row["thread_id"]]).fetchone()[0]
    thanked_later = con.execute(
        "select count(*) from messages t join message_acts a on a.message = t.id where t.thread_id = ? and t.date > ? "
        "and a.part = 'own' and a.act = 'gratitude' and a.confidence >= 0.5", [row["thread_id"], m[0]]).fetchone()[0]
    f = {"kind=" + row["kind"]: 1.0, "found by " + row["found_by"].replace(", on topic", ""): 1.0,
         "on topic": float("on topic" in row["found_by"]),
         "ask only quoted": float(row["request_message"] == row["message"]),
         "confidence": row["confidence"],
         "evidence act=" + (max(evidence, key=lambda a: a[1])[0] if evidence else "none"): 1.0,
         "evidence act confidence": max((a[1] for a in evidence), default=0.0),
         "evidence words (log)": math.log1p(len(row["evidence"].split())),
         "recipients (log)": math.log1p(len(recipients)),
         "free-mail address": float(any(a.split("@")[-1].endswith(FREE_MAIL) for a in (row["helper"], row["helped"]))),
         "small talk sentences": float(sum(a[0] == "chat" for a in acts)),
         "sentences (log)": math.log1p(len({a[3] for a in acts})),
         "question in message": float(any(a[0] == "question" for a in acts)),
         "promise in message": float(any(a[0] == "promise" for a in acts)),
         "thanks later in thread": float(thanked_later > 0),
         "thread messages (log)": math.log(max(in_thread, 1)),
         "subject Re:": float((m[1] or "").lower().startswith("re")),
         "attachment": float((m[4] or 0) > 0)}
    return f


def fit(data: list[tuple[list[float], int]], width: int, l2: float = 0.3, rounds: int = 600, rate: float = 0.1) -> list[float]:
    """Logistic regression by plain gradient descent (a few hundred rows: no library needed)."""
    w = [0.0] * (width + 1)
    for _ in range(rounds):
        grad = [0.0] * len(w)
        for x, y in data:
            p = 1 / (1 + math.exp(-(w[-1] + sum(a * b for a, b in zip(w, x)))))
            for j, xj in enumerate(x):
                grad[j] += (p - y) * xj
            grad[-1] += p - y
        for j in range(len(w)):
            w[j] -= rate * (grad[j] + (l2 * w[j] if j < width else 0.0)) / len(data)
    return w


def dropping(ranked: list[tuple[float, int]], gold: int) -> list[tuple[int, float, float]]:
    """(dropped, precision, recall) as the lowest-ranked events are dropped, five at a time."""
    out = []
    for drop in range(0, 35, 5):
        kept = ranked[:len(ranked) - drop]
        tp = sum(y for _, y in kept)
        out.append((drop, tp / len(kept), tp / gold))
    return out


def auc(ranked: list[tuple[float, int]]) -> float:
    """The chance that a right event ranks above a wrong one (0.5: no better than a coin)."""
    right = [s for s, y in ranked if y]
    wrong = [s for s, y in ranked if not y]
    return sum((r > w) + 0.5 * (r == w) for r in right for w in wrong) / (len(right) * len(wrong))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", help="directory for the imported databases (the same as help_quality.py's --keep)")
    a = ap.parse_args()
    work = Path(a.keep or tempfile.mkdtemp(prefix="goldenrule-rank-"))
    work.mkdir(parents=True, exist_ok=True)
    rows, gold_total = [], 0
    for user in USERS:
        path = work / f"{user}.db"
        import_user(user, path)
        messages, gold = score.load_gold([(str(DEV / f"{user}.threads.jsonl"), str(DEV / f"{user}.labels.jsonl"))])
        system = score.load_system(str(path), messages)
        _, used = score.match(gold, system)
        gold_total += len(gold)
        con = sqlite3.connect(path)
        rows += [(user, features(con, s["row"]), int(i in used)) for i, s in enumerate(system)]
        con.close()
    names = sorted({k for _, f, _ in rows for k in f})

    def vec(f):
        return [f.get(k, 0.0) for k in names]

    by_model = []
    for held in USERS:
        w = fit([(vec(f), y) for u, f, y in rows if u != held], len(names))
        by_model += [(w[-1] + sum(a * b for a, b in zip(w, vec(f))), y) for u, f, y in rows if u == held]
    by_confidence = [(f["confidence"], y) for _, f, y in rows]
    print(f"{len(rows)} events at labeled messages, {sum(y for _, _, y in rows)} matched, {gold_total} labeled")
    print(f"chance a right event ranks above a wrong one: by confidence {auc(by_confidence):.3f}, "
          f"by the re-ranker {auc(by_model):.3f} (0.5 is a coin)")
    print("dropped   by confidence (P / R)   by re-ranker, leave-one-mailbox-out (P / R)")
    for (drop, p1, r1), (_, p2, r2) in zip(dropping(sorted(by_confidence, key=lambda t: -t[0]), gold_total),
                                           dropping(sorted(by_model, key=lambda t: -t[0]), gold_total)):
        print(f"{drop:7}   {p1:.3f} / {r1:.3f}           {p2:.3f} / {r2:.3f}")
    w = fit([(vec(f), y) for _, f, y in rows], len(names))
    print("largest weights fitted on all six mailboxes (for reading only):")
    for name, weight in sorted(zip(names, w), key=lambda t: -abs(t[1]))[:10]:
        print(f"  {name:45} {weight:+.2f}")


if __name__ == "__main__":
    main()
