#!/usr/bin/env python3
"""IMAP sync speed against a real Dovecot on 127.0.0.1, at two mailbox sizes.

Usage: python bench/imap_speed.py [SMALL LARGE]     (default 25000 50000 messages)

Loads the Enron mailboxes from ../shared (every folder of every user; copies beyond the corpus
size repeat messages with an extra header, as mail filed twice does) into Dovecot's Maildir, then
prints for each size: (a) first-sync messages/s of `goldenrule sync`, (b) a bare imapclient
BODY.PEEK[] fetch of the same messages and the ratio of the two, (c) the time of a second, no-op
sync and its share of the first (and the median of three more no-op syncs after it), (d) peak
RSS of the first sync: of its largest process, and of its whole process tree (parser workers
included): the sum of their proportional set sizes (PSS).
Needs dovecot (apt-get install dovecot-imapd).

The package's bytecode is compiled first, as an installed package has it: where the environment
forbids writing it (PYTHONDONTWRITEBYTECODE), every `goldenrule sync` would otherwise compile
goldenrule's sources afresh, and the no-op sync would time that.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from dovecot import PASSWORD, USER, Dovecot  # noqa: E402
from phase_watch import run_watching_tree  # noqa: E402  (bench/, this script's directory)

from daemon.sources import read_path  # noqa: E402

SHARED = ROOT.parent / "shared" / "enron" / "mailboxes"


def corpus():
    for user in sorted(SHARED.iterdir()):
        for f in sorted(user.glob("*.mbox.gz")):
            folder = f"{user.name}-{f.name.removesuffix('.mbox.gz').replace('.', '-')}"
            for r in read_path(f):
                yield folder, r.raw


def load(server: Dovecot, n: int) -> dict[str, int]:
    """Write n messages straight into the Maildir (Dovecot indexes them on first access)."""
    maildir = server.root / "mail" / USER / "Maildir"
    counts: dict[str, int] = {}
    i = 0
    round_ = 0
    while i < n:
        for folder, raw in corpus():
            if i >= n:
                break
            if round_:
                raw = f"X-Bench-Copy: {round_}\n".encode() + raw
            d = maildir / f".{folder}"
            for sub in ("cur", "new", "tmp"):
                (d / sub).mkdir(parents=True, exist_ok=True)
            (d / "cur" / f"{1700000000 + i}.M{i}P1.bench:2,S").write_bytes(raw)
            counts[folder] = counts.get(folder, 0) + 1
            i += 1
        round_ += 1
    subprocess.run(["chown", "-R", f"{server.uid}:{server.gid}", str(server.root / "mail")], check=True)
    return counts


def bare_fetch(server: Dovecot, folders) -> tuple[int, float]:
    c = server.client()
    t = time.perf_counter()
    n = 0
    for folder in folders:
        c.select_folder(folder, readonly=True)
        uids = c.search(["ALL"])
        for i in range(0, len(uids), 200):
            resp = c.fetch(uids[i:i + 200], ["BODY.PEEK[]"])
            n += sum(1 for v in resp.values() if b"BODY[]" in v)
    elapsed = time.perf_counter() - t
    c.logout()
    return n, elapsed


def run_sync(cfg: Path) -> tuple[float, float, float]:
    """Seconds of one `goldenrule sync`, and the peak resident MB of its largest process and of its
    whole process tree (the parser workers are the forkserver's children, which getrusage never
    sees), sampled from /proc every quarter second (often enough for a peak that builds up over
    seconds, rarely enough not to slow the sync it measures)."""
    env = dict(os.environ, GOLDENRULE_TEST_PASSWORD=PASSWORD)
    with tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        status, largest, total = run_watching_tree(
            [sys.executable, "-m", "daemon", "sync", "--config", str(cfg), "--json"], interval=0.25,
            stdout=subprocess.DEVNULL, stderr=err, env=env)
        elapsed = time.perf_counter() - t
        if status != 0:
            err.seek(0)
            sys.exit(f"sync failed: {err.read()[-2000:].decode(errors='replace')}")
    return elapsed, largest, total


def serve(server: Dovecot, n: int) -> dict[str, int]:
    """Load n messages into the server, start it, and let it index every folder once (so no timed
    run pays for that). Returns messages per folder."""
    counts = load(server, n)
    server.start()
    c = server.client()
    for folder in counts:
        c.folder_status(folder, ["MESSAGES"])
        c.select_folder(folder, readonly=True)
    c.logout()
    return counts


def sync_config(server: Dovecot, tmp: str) -> Path:
    """A goldenrule config syncing the server's account into tmp/ledger.db."""
    cfg = Path(tmp) / "config.toml"
    cfg.write_text(f'[database]\npath = "{tmp}/ledger.db"\n\n' + server.account_toml(fetch_batch=500))
    return cfg


def measure(n: int) -> dict:
    server = Dovecot()
    try:
        counts = serve(server, n)
        fetched, bare = bare_fetch(server, counts)
        with tempfile.TemporaryDirectory() as tmp:
            cfg = sync_config(server, tmp)
            first, largest, total = run_sync(cfg)
            noop, _, _ = run_sync(cfg)
            # The second sync is the one the target names; it also pays for Dovecot refreshing its
            # indexes after the first sync's fetches (its first LIST-STATUS answer comes slowly).
            # The syncs after it show the steady state a service's later passes see.
            later = sorted(run_sync(cfg)[0] for _ in range(3))[1]
            import sqlite3
            con = sqlite3.connect(f"{tmp}/ledger.db")
            copies = con.execute("select count(*) from copies").fetchone()[0]
            distinct = con.execute("select count(*) from messages").fetchone()[0]
        return {
            "messages": n, "folders": len(counts), "copies_synced": copies, "distinct_messages": distinct,
            "first_sync_seconds": round(first, 1), "first_sync_msgs_per_s": round(n / first),
            "bare_fetch_seconds": round(bare, 1), "bare_fetch_msgs_per_s": round(fetched / bare),
            "ratio": round((n / first) / (fetched / bare), 2),
            "noop_sync_seconds": round(noop, 2), "noop_share_of_first": f"{100 * noop / first:.1f}%",
            "later_noop_seconds": round(later, 2), "later_noop_share_of_first": f"{100 * later / first:.1f}%",
            "peak_rss_mb": round(largest, 1), "peak_pss_all_processes_mb": round(total, 1),
        }
    finally:
        server.cleanup()


def per_size(script: str, measure_one, args: list[str]) -> list[dict] | None:
    """Run `measure_one(n)` for each size in its own process (so each size's peak RSS is its own):
    with args ["--one", N] print that size's result and return None, else return every size's."""
    if args[:1] == ["--one"]:
        print(json.dumps(measure_one(int(args[1]))))
        return None
    results = []
    for n in [int(a) for a in args] or [25000, 50000]:
        out = subprocess.run([sys.executable, script, "--one", str(n)], capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(out.stderr[-3000:])
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def main():
    import compileall

    compileall.compile_dir(str(ROOT / "daemon"), quiet=1)
    results = per_size(__file__, measure, sys.argv[1:])
    if results is None:
        return
    for r in results:
        print("  ".join(f"{k}={v}" for k, v in r.items()))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
