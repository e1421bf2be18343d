#!/usr/bin/env python3
"""Backtest of cooling detection on the Enron mailboxes, against two baselines, in one run.

Usage: python bench/cooling_backtest.py [--keep DIR] [--users a,b,...]

For every mailbox in ../shared/enron/mailboxes, at monthly cut-off dates, each method sees only the
interactions before the cut-off and flags ties it thinks are lapsing. Truth: a tie was lapsing at a
cut-off when no interaction follows within 90 days.

Judged ties at a cut-off: two-way so far, at least two interactions (bursts merged) before it, and
heard from within the last year (older silences are dormant, not lapsing). The same ties are judged
for every method. Printed per method:
- false alarms per contact-year: flags at cut-offs where an interaction did follow within 90 days,
  divided by the judged (tie, month) pairs / 12;
- recall: lapses flagged at least once (a lapse = a run of consecutive cut-offs at which the tie was
  lapsing);
- median detection delay: days from the last interaction to the first flag of the lapse.
Methods: goldenrule (cooling or cold), "60 days" (silence > 60 days), "1.5 x p95" (silence > 1.5 x
the 95th percentile of the tie's past gaps; needs two gaps), and for reference (not a baseline of
the issue) the 60-day rule that, like goldenrule, stops flagging a tie once it is dormant. Then, for
each baseline, whether goldenrule's defaults have fewer false alarms at equal or better recall.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from bisect import bisect_right
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from daemon.config import Config  # noqa: E402
from daemon.importer import import_messages  # noqa: E402
from daemon.relationships import DAY, _load, bursts, cadence, dormant_after_days  # noqa: E402
from daemon.sources import read_path  # noqa: E402
from daemon.store import open_db  # noqa: E402

HORIZON = 90 * DAY


def month_starts(t0: float, t1: float) -> list[float]:
    d = dt.datetime.fromtimestamp(t0, dt.timezone.utc).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    out = []
    while d.timestamp() <= t1:
        if d.timestamp() >= t0:
            out.append(d.timestamp())
        d = d.replace(year=d.year + (d.month == 12), month=d.month % 12 + 1)
    return out


def p95(gaps: list[float]) -> float:
    s = sorted(gaps)
    k = 0.95 * (len(s) - 1)
    lo = int(k)
    return s[lo] + (s[min(lo + 1, len(s) - 1)] - s[lo]) * (k - lo)


def methods(params):
    def goldenrule(times, c, two_way):
        return cadence(times, c, two_way, params).status in ("cooling", "cold")

    def fixed60(times, c, two_way):
        return c - times[-1] > 60 * DAY

    def p95x15(times, c, two_way):
        gaps = [b - a for a, b in zip(times, times[1:])]
        return len(gaps) >= 2 and c - times[-1] > 1.5 * p95(gaps)

    def fixed60_until_dormant(times, c, two_way):
        # Not a baseline of the issue: the 60-day rule with goldenrule's dormancy, printed so a reader
        # sees how much of goldenrule's gain comes from no longer flagging lapsed ties.
        gaps = [(b - a) / DAY for a, b in zip(times, times[1:])]
        typical = statistics.median(gaps) if gaps else None
        return 60 * DAY < c - times[-1] < dormant_after_days(params, typical) * DAY

    return {"goldenrule": goldenrule, "60 days": fixed60, "1.5 x p95": p95x15,
            "60 days, until dormant (reference)": fixed60_until_dormant}


def backtest(db, params) -> dict:
    per = _load(db, float("inf"))
    all_times = [m[0] for msgs in per.values() for m in msgs.values()]
    if not all_times:
        return {}
    start, end = min(all_times), max(all_times)
    # Robust span: ignore stray dates far from the bulk of the mail.
    all_times.sort()
    start = all_times[len(all_times) // 100]
    end = all_times[-1 - len(all_times) // 100]
    cutoffs = month_starts(start + 180 * DAY, end - HORIZON)
    ms = methods(params)
    stats = {name: {"flags": 0, "false": 0, "lapses": 0, "caught": 0, "delays": []} for name in ms}
    judged = 0
    for msgs in per.values():
        seq = sorted(msgs.values())
        times = bursts([(m[0], m[1]) for m in seq])
        raw = [m[0] for m in seq]
        outs = [m[0] for m in seq if m[2]]
        ins = [m[0] for m in seq if not m[2]]
        run_open = {name: None for name in ms}  # per method: the lapse run being tracked
        in_run = False
        run_last = None
        for c in cutoffs:
            k = bisect_right(times, c)
            two_way = bisect_right(outs, c) > 0 and bisect_right(ins, c) > 0
            if k < 2 or not two_way or c - times[k - 1] > 365 * DAY:
                in_run = False
                continue
            judged += 1
            nxt = bisect_right(raw, c)
            lapsing = nxt >= len(raw) or raw[nxt] - c > HORIZON
            if lapsing and (not in_run or run_last != times[k - 1]):
                in_run, run_last = True, times[k - 1]
                for name in ms:
                    stats[name]["lapses"] += 1
                    run_open[name] = "open"
            elif not lapsing:
                in_run = False
            for name, flag in ms.items():
                if not flag(times[:k], c, two_way):
                    continue
                stats[name]["flags"] += 1
                if not lapsing:
                    stats[name]["false"] += 1
                elif run_open[name] == "open":
                    run_open[name] = "caught"
                    stats[name]["caught"] += 1
                    stats[name]["delays"].append((c - times[k - 1]) / DAY)
    return {"judged": judged, "stats": stats}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", help="directory for imported databases (reused on later runs)")
    ap.add_argument("--users", default="")
    a = ap.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"needs the Enron mailboxes in {SHARED}")
    boxes = sorted(p for p in (SHARED / "enron" / "mailboxes").iterdir() if p.is_dir())
    if a.users:
        boxes = [b for b in boxes if b.name in a.users.split(",")]
    workdir = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="goldenrule-backtest-"))
    workdir.mkdir(parents=True, exist_ok=True)
    cfg = Config()
    total = {}
    judged = 0
    t0 = time.perf_counter()
    for box in boxes:
        db = open_db(workdir / f"{box.name}.db")
        if not db["messages"].count:
            import_messages(db, read_path(box), cfg, paths=[str(box)])
        r = backtest(db, cfg.relationships)
        if not r:
            continue
        judged += r["judged"]
        for name, s in r["stats"].items():
            t = total.setdefault(name, {"flags": 0, "false": 0, "lapses": 0, "caught": 0, "delays": []})
            for k in ("flags", "false", "lapses", "caught"):
                t[k] += s[k]
            t["delays"] += s["delays"]
    years = judged / 12
    print(f"{len(boxes)} mailboxes, {judged:,} judged (tie, month) pairs = {years:,.1f} contact-years "
          f"({time.perf_counter() - t0:.0f} s)")
    print(f"{'method':<36}{'flags':>8}{'false alarms':>14}{'per contact-year':>18}{'lapses':>8}{'recall':>8}"
          f"{'median delay (days)':>21}")
    for name, t in total.items():
        recall = t["caught"] / t["lapses"] if t["lapses"] else 0.0
        delay = statistics.median(t["delays"]) if t["delays"] else float("nan")
        print(f"{name:<36}{t['flags']:>8}{t['false']:>14}{t['false'] / years:>18.3f}{t['lapses']:>8}"
              f"{recall:>8.3f}{delay:>21.0f}")
    g = total["goldenrule"]
    for name in ("60 days", "1.5 x p95"):
        b = total[name]
        better_fa = g["false"] < b["false"]
        recall_ok = g["caught"] / g["lapses"] >= b["caught"] / b["lapses"]
        print(f"goldenrule vs {name}: false alarms {g['false'] / years:.3f} vs {b['false'] / years:.3f}, "
              f"recall {g['caught'] / g['lapses']:.3f} vs {b['caught'] / b['lapses']:.3f}: "
              f"{'met' if better_fa and recall_ok else 'NOT met'}")
    # goldenrule's trade-off curve: the same backtest at other cooling thresholds.
    print("\ngoldenrule at other [relationships] cooling_probability values (default "
          f"{cfg.relationships.cooling_probability}):")
    print(f"{'threshold':<12}{'false alarms/contact-year':>27}{'recall':>8}{'median delay':>14}")
    import copy
    for threshold in (0.3, 0.5, 0.7, 0.8, 0.9, 0.95):
        params = copy.copy(cfg.relationships)
        params.cooling_probability = threshold
        params.cold_probability = min(params.cold_probability, threshold)
        fa = lapses = caught = n = 0
        delays = []
        for box in boxes:
            r = backtest(open_db(workdir / f"{box.name}.db"), params)
            if not r:
                continue
            g = r["stats"]["goldenrule"]
            fa, lapses, caught, n = fa + g["false"], lapses + g["lapses"], caught + g["caught"], n + r["judged"]
            delays += g["delays"]
        print(f"{threshold:<12}{fa / (n / 12):>27.3f}{caught / lapses:>8.3f}{statistics.median(delays):>14.0f}")
    print("target: fewer false alarms than both baselines at equal or better recall")
    if not a.keep:
        import shutil
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
