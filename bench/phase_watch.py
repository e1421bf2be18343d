"""Peak resident memory and time of named phases of a run, for the bench scripts.

A phase is a function of the package (module, dotted name): it is wrapped so that while it runs its
name is current, and a thread samples the process's resident memory every `interval` seconds.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import threading
import time


def rss_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return float("nan")


class PhaseWatch:
    def __init__(self, phases: list[tuple[str, str, str]], interval: float = 0.02):
        self.current: list[str] = []
        self.peak: dict[str, float] = {}
        self.seconds: dict[str, float] = {}
        self.interval = interval
        for name, module, func in phases:
            owner = importlib.import_module(f"daemon.{module}")
            *path, attr = func.split(".")
            for part in path:
                owner = getattr(owner, part)
            setattr(owner, attr, self._timed(name, getattr(owner, attr)))
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self):
        while True:
            r = rss_mb()
            for name in self.current:
                self.peak[name] = max(self.peak.get(name, 0.0), r)
            time.sleep(self.interval)

    def _timed(self, name, f):
        def run(*a, **k):
            self.current.append(name)
            self.peak[name] = max(self.peak.get(name, 0.0), rss_mb())  # short phases may fall between samples
            t = time.perf_counter()
            try:
                return f(*a, **k)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t
                self.peak[name] = max(self.peak[name], rss_mb())
                self.current.remove(name)
        return run


def _tree_rss(root: int) -> dict[int, float]:
    """Resident MB of `root` and every process under it (the parser workers are the forkserver's
    children, which getrusage(RUSAGE_CHILDREN) never sees)."""
    parent, rss = {}, {}
    page_mb = os.sysconf("SC_PAGE_SIZE") / 1048576
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                parent[int(p)] = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{p}/statm") as f:
                rss[int(p)] = int(f.read().split()[1]) * page_mb
        except (OSError, ValueError, IndexError):
            continue
    tree, grew = {root}, True
    while grew:
        new = {p for p, pp in parent.items() if pp in tree and p not in tree}
        tree |= new
        grew = bool(new)
    return {p: rss[p] for p in tree if p in rss}


def run_watching_tree(cmd: list[str], interval: float = 0.02, **popen) -> tuple[int, float, float]:
    """Run `cmd`, sampling its process tree: (exit status, largest process's peak MB, peak MB of
    the tree's total)."""
    proc = subprocess.Popen(cmd, **popen)
    largest = total = 0.0
    while proc.poll() is None:
        sizes = _tree_rss(proc.pid)
        if sizes:
            largest, total = max(largest, max(sizes.values())), max(total, sum(sizes.values()))
        time.sleep(interval)
    return proc.returncode, largest, total
