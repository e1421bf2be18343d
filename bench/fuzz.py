#!/usr/bin/env python3
"""A bounded coverage-guided fuzz campaign (atheris) over the path from raw bytes to stored rows.

Usage: python bench/fuzz.py [--runs N] [--seconds S]   (defaults: 20,000 runs or 120 s)

Each input is fingerprinted, parsed, stored in an in-memory ledger and read for acts, as an import
would. An exception anywhere is a failure: counted, its input saved under bench/fuzz-failures/, and
the campaign goes on. Prints executions, failures and the rate at the end. Seeds: the project's own
recorded test messages (tests/fixtures.py).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

with atheris.instrument_imports():
    from daemon.acts import message_acts
    from daemon.parse import parse_message, prekey
    from daemon.store import open_db, store_batch

STATE = {"runs": 0, "failures": 0, "started": time.monotonic(), "max_runs": 20_000, "max_seconds": 120}
FAILURES = ROOT / "bench" / "fuzz-failures"
DB = None


def one_input(data: bytes) -> None:
    STATE["runs"] += 1
    if STATE["runs"] > STATE["max_runs"] or time.monotonic() - STATE["started"] > STATE["max_seconds"]:
        STATE["runs"] -= 1
        report()  # libFuzzer exits without running Python's atexit handlers: report here
        os._exit(1 if STATE["failures"] else 0)
    try:
        mid, fp = prekey(data)
        parsed = parse_message(data, fp, mid)
        parsed["message"]["folder"] = "fuzz"
        copy = {"source_key": f"fuzz#{STATE['runs']}", "folder": "fuzz", "message": fp,
                "header_message_id": mid, "error": None}
        store_batch(DB, [parsed], [copy])
        message_acts(parsed["message"]["own_text"], parsed["message"]["attachment_count"] or 0)
    except Exception as e:  # a failure: keep the input, count it, go on
        STATE["failures"] += 1
        FAILURES.mkdir(exist_ok=True)
        name = hashlib.sha1(data).hexdigest()[:16]
        (FAILURES / f"{name}.eml").write_bytes(data)
        (FAILURES / f"{name}.txt").write_text(f"{type(e).__name__}: {e}\n")


def report():
    elapsed = time.monotonic() - STATE["started"]
    print(f"\nexecutions: {STATE['runs']:,} in {elapsed:.0f} s ({STATE['runs'] / max(elapsed, 1e-9):,.0f}/s); "
          f"failures: {STATE['failures']}" + (f" (inputs in {FAILURES})" if STATE["failures"] else ""))


def main():
    global DB
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20_000)
    ap.add_argument("--seconds", type=int, default=120)
    a = ap.parse_args()
    DB = open_db(":memory:")
    corpus = Path(sys.argv[0]).resolve().parent / "fuzz-seeds"
    corpus.mkdir(exist_ok=True)
    import fixtures
    for name in dir(fixtures):
        value = getattr(fixtures, name)
        if name.isupper() and isinstance(value, str) and "From:" in value:
            (corpus / f"{name.lower()}.eml").write_text(value.replace("{mid}", "seed@x"))
    STATE["max_runs"], STATE["max_seconds"] = a.runs, a.seconds
    atheris.Setup([sys.argv[0], f"-runs={a.runs + 10}", f"-max_total_time={a.seconds + 10}", "-max_len=20000",
                   str(corpus)], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
