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


def _tree_memory(root: int) -> dict[int, tuple[float, float]]:
    """(resident MB, proportional MB) of `root` and every process under it (the parser workers are
    the forkserver's children, which getrusage(RUSAGE_CHILDREN) never sees). The proportional size
    (PSS) splits each shared page among the processes that share it, so the tree's PSS adds up to
    the memory it really holds; RSS counts a shared page once per process."""
    parent = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/stat") as f:
                    parent[int(p)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, grew = {root}, True
    while grew:
        new = {p for p, pp in parent.items() if pp in tree and p not in tree}
        tree |= new
        grew = bool(new)
    out = {}
    for p in tree:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                fields = (line.split(":", 1) for line in f if line[:4] in ("Rss:", "Pss:"))
                kb = {k: int(v.split()[0]) for k, v in fields}
            out[p] = (kb["Rss"] / 1024, kb["Pss"] / 1024)
        except (OSError, ValueError, KeyError):
            continue
    return out


def run_watching_tree(cmd: list[str], interval: float = 0.02, **popen) -> tuple[int, float, float]:
    """Run `cmd`, sampling its process tree: (exit status, largest process's peak RSS in MB, peak of
    the tree's total PSS in MB). Between samples it waits for the process itself, so a caller timing
    the call sees the process's end when it happens, not at the next sample (sleeping instead made
    every run look at least one interval long: a 0.19 s no-op sync was timed 0.25 s)."""
    proc = subprocess.Popen(cmd, **popen)
    largest = total = 0.0
    while proc.poll() is None:
        sizes = _tree_memory(proc.pid)
        if sizes:
            largest = max(largest, max(rss for rss, _ in sizes.values()))
            total = max(total, sum(pss for _, pss in sizes.values()))
        try:
            proc.wait(timeout=interval)
        except subprocess.TimeoutExpired:
            pass
    return proc.returncode, largest, total
