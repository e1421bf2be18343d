"""`goldenrule run`: the service that keeps the ledger current for months, unattended.

A `schedule` loop: sync every sync_interval_seconds (then recompute relationships, since statuses
move with the clock even without new mail), check the weekly digest every digest_check_seconds (and
once at start, which catches up a missed week). A failing job is logged and recorded in `jobs`, and
the loop goes on. SIGTERM/SIGINT stop after the batch being stored (exit 0); SIGUSR1 syncs now;
SIGHUP reloads the config. One service per database: a lock file beside it. Under systemd
(NOTIFY_SOCKET) it reports READY, STATUS and WATCHDOG.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import signal
import socket
import threading
import time
import traceback
from pathlib import Path

import schedule

from .config import Config, ConfigError, load_config
from .store import now_iso, open_db

log = logging.getLogger("goldenrule.service")


class AlreadyRunning(Exception):
    pass


# --- logging ------------------------------------------------------------------------------------

class JsonFormatter(logging.Formatter):
    def format(self, record):
        out = {"time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="seconds"),
               "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        out.update(getattr(record, "fields", {}))
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(out, ensure_ascii=False)


def configure_logging(fmt: str = "text", level=logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


# --- systemd ------------------------------------------------------------------------------------

def sd_notify(message: str) -> None:
    """Tell systemd (Type=notify) how we are; a no-op outside systemd."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.setblocking(False)  # never let a slow reader stall the service
            s.connect(address)
            s.send(message.encode())
    except BlockingIOError:
        pass
    except OSError as e:
        log.warning("could not notify systemd: %s", e)


# --- the lock -----------------------------------------------------------------------------------

def acquire_lock(db_path: str):
    """An exclusive lock beside the database, held for the life of the process."""
    path = Path(str(db_path) + ".lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        other = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
        os.close(fd)
        raise AlreadyRunning(f"another goldenrule service (pid {other}) is already running on {db_path}") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd


# --- the service --------------------------------------------------------------------------------

def _summary(detail) -> str:
    """What a job did, for its log line: each account's sync, or the digest's outcome."""
    if isinstance(detail, dict) and detail.get("status"):
        return f" ({detail['status']})"
    if isinstance(detail, list) and detail:
        return " (" + ", ".join(f"{r['account']} {r['status']}, {r.get('messages_new') or 0} new" for r in detail) + ")"
    if isinstance(detail, list):
        return " (no accounts configured: relationships brought up to date)"
    return ""


class Service:
    def __init__(self, cfg: Config, config_path: str | None):
        self.cfg = cfg
        self.config_path = config_path
        self.stop = threading.Event()
        self.sync_now = threading.Event()
        self.reload = threading.Event()
        self.db = None
        self.scheduler = schedule.Scheduler()

    # Signal handlers only set flags: the loop acts on them between jobs.
    def install_signals(self):
        from . import imap_sync

        def on_stop(signum, frame):
            log.info("received %s: stopping after the current batch", signal.Signals(signum).name)
            self.stop.set()
            imap_sync.STOP.set()

        signal.signal(signal.SIGTERM, on_stop)
        signal.signal(signal.SIGINT, on_stop)
        signal.signal(signal.SIGUSR1, lambda s, f: self.sync_now.set())
        signal.signal(signal.SIGHUP, lambda s, f: self.reload.set())

    def record(self, job: str, started: str, status: str, error: str | None = None, detail: str | None = None):
        with self.db.conn:
            self.db["jobs"].insert({"job": job, "started_at": started, "finished_at": now_iso(), "status": status,
                                    "error": error, "detail": detail})

    def run_job(self, name: str, fn) -> None:
        """Run one job; whatever it raises is logged and recorded, never fatal."""
        started = now_iso()
        try:
            detail = fn()
            self.record(name, started, "ok", detail=json.dumps(detail) if detail is not None else None)
            log.info("%s: ok%s", name, _summary(detail), extra={"fields": {"job": name, "status": "ok"}})
        except Exception as e:  # a failing job must not stop the service
            message = str(e).splitlines()[0][:500] if str(e) else type(e).__name__
            log.error("%s failed: %s", name, message, extra={"fields": {"job": name, "status": "error"}})
            log.debug("%s", traceback.format_exc())
            try:
                self.record(name, started, "error", error=message)
            except Exception:
                log.exception("could not record the failure of %s", name)

    def sync(self):
        from .imap_sync import sync_all
        from .relationships import refresh_if_stale

        results = []
        if self.cfg.accounts:
            results = sync_all(self.db, self.cfg)
        if not any(r.get("messages_new") for r in results):
            # New mail was derived, relationships included; without it, statuses still move with the
            # clock: every tie is recomputed once a day.
            with self.db.conn:
                refresh_if_stale(self.db, self.cfg)
        failed = [r for r in results if r["status"] not in ("ok", "interrupted")]
        sd_notify(f"STATUS=last sync {now_iso()}: "
                  + ", ".join(f"{r['account']} {r['status']}" for r in results))
        if failed:
            raise RuntimeError("; ".join(r["error"] or r["status"] for r in failed))
        return [{k: r.get(k) for k in ("account", "status", "messages_new")} for r in results]

    def digest(self):
        from .digest import run_due

        if not self.cfg.service.digest:
            return {"status": "off ([service] digest = false)"}
        if not self.cfg.smtp.host:
            return {"status": "not sent: no [smtp] host configured"}
        return run_due(self.db, self.cfg)

    def schedule_jobs(self):
        self.scheduler.clear()
        svc = self.cfg.service
        self.scheduler.every(max(1, svc.sync_interval_seconds)).seconds.do(self.run_job, "sync", self.sync)
        self.scheduler.every(max(1, svc.digest_check_seconds)).seconds.do(self.run_job, "digest", self.digest)

    def do_reload(self):
        try:
            cfg = load_config(self.config_path)
        except ConfigError as e:
            log.error("config not reloaded, keeping the previous one: %s", e)
            return
        cfg.database.path = self.cfg.database.path  # the database (and its lock) stay the same
        self.cfg = cfg
        self.schedule_jobs()
        log.info("config reloaded from %s", cfg.source)

    def run(self) -> int:
        self.db = open_db(self.cfg.db_path)
        self.install_signals()
        self.schedule_jobs()
        log.info("goldenrule service started: database %s, %d account(s), sync every %ds",
                 self.cfg.db_path, len(self.cfg.accounts), self.cfg.service.sync_interval_seconds)
        sd_notify("READY=1")
        watchdog = int(os.environ.get("WATCHDOG_USEC", "0")) / 2e6
        last_ping = 0.0
        # At start: one sync, and the digest check (which sends a missed week).
        self.run_job("sync", self.sync)
        if not self.stop.is_set():
            self.run_job("digest", self.digest)
        while not self.stop.is_set():
            if self.reload.is_set():
                self.reload.clear()
                self.do_reload()
            if self.sync_now.is_set():
                self.sync_now.clear()
                log.info("SIGUSR1: syncing now")
                self.run_job("sync", self.sync)
            self.scheduler.run_pending()
            if watchdog and time.monotonic() - last_ping > watchdog:
                sd_notify("WATCHDOG=1")
                last_ping = time.monotonic()
            self.stop.wait(0.5)
        sd_notify("STOPPING=1")
        log.info("goldenrule service stopped")
        self.db.conn.close()
        return 0


def run_service(cfg: Config, config_path: str | None) -> int:
    lock = acquire_lock(cfg.db_path)
    try:
        return Service(cfg, config_path).run()
    finally:
        os.close(lock)
