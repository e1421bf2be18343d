"""Peak resident memory and time of named phases of a run, for the bench scripts.

A phase is a function of the package (module, dotted name): it is wrapped so that while it runs its
name is current, and a thread samples the process's resident memory every `interval` seconds.
"""

from __future__ import annotations

import importlib
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
