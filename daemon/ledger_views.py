"""The ledger in Datasette: metadata (titles, descriptions, label columns, sorts, facets), the canned
queries of `queries.py`, and a dashboard page, served on the loopback interface.

Datasette renders every value escaped; no plugin that renders stored HTML is installed, so nothing
from a message is ever shown as HTML.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from .queries import CANNED

TEMPLATES = Path(__file__).parent / "templates"
LOOPBACK = ("127.0.0.1", "::1", "localhost")

TABLES = {
    "relationships": {
        "description": "One row per person you have written with: strength, status by their own rhythm, "
                       "help both ways. Computed as of `as_of`.",
        "label_column": "name", "sort_desc": "strength", "facets": ["status", "important", "two_way"],
        "columns": {
            "status": "new, active, cooling, cold, dormant or one-off",
            "status_reason": "The status in words",
            "strength": "0-100: decayed two-way interactions plus help exchanged (see the parts beside it)",
            "resume_probability_90d": "Chance of hearing from them in the next 90 days, given the silence",
            "help_balance": "Help given minus help received, recent help weighing more",
            "important_inferred": "Two-way, and strength >= 50 or they helped you twice or you started 3 threads",
        },
    },
    "help_events": {
        "description": "Who helped whom, how and when, with the sentence that proves it.",
        "label_column": "evidence", "sort_desc": "occurred_at", "facets": ["kind", "found_by"],
        "columns": {
            "helper": "Address of the person who gave the help",
            "helped": "Address of the person who received it",
            "kind": "answer, document, introduction, advice, referral or favor",
            "evidence": "A sentence from the own text of the evidence message",
            "confidence": "0-1",
            "found_by": "The rule that found it",
        },
    },
    "loose_ends": {
        "description": "What you owe and what is still open (last 90 days).",
        "sort_desc": "since", "facets": ["kind"],
    },
    "messages": {
        "description": "One row per distinct message; `own_text` is the message's own words, quotes removed.",
        "label_column": "subject", "sort_desc": "date", "facets": ["category", "is_automated", "folder"],
    },
    "threads": {"description": "Conversations.", "label_column": "subject", "sort_desc": "last_date",
                "facets": ["formed_by"]},
    "contacts": {"description": "People, each with all their addresses.", "label_column": "name",
                 "facets": ["important", "ignored"]},
    "message_acts": {"description": "What each sentence of a message does: asks, thanks, gives...",
                     "facets": ["act", "part"]},
    "golden_rule": {"description": "Distinct people you helped, per quarter.", "sort_desc": "quarter"},
    "golden_rule_score": {"description": "Important people you helped in the last 90 days."},
    "contact_help": {"description": "Help events by contact and direction.", "facets": ["direction"]},
    "copies": {"description": "Every copy of every message in every source.", "facets": ["folder"]},
    "gmail_copies": {"description": "Gmail's message and thread ids and the labels of each copy synced from Gmail."},
}


AUTH_USER = "goldenrule"
HASH_ENV = "GOLDENRULE_SERVE_PASSWORD_HASH"


def metadata(db_name: str, password: bool = False) -> dict:
    """Datasette metadata for the ledger database named db_name; with password, every request needs
    HTTP Basic auth as user "goldenrule" (the hash is read from the environment, not written here)."""
    queries = {}
    for name, q in CANNED.items():
        queries[name] = {"title": q["title"], "description": q["description"], "sql": q["sql"]}
        if q.get("params"):
            queries[name]["params"] = q["params"]
    out = {
        "title": "goldenrule",
        "description": "Your private ledger of professional relationships: who helped whom, and which ties "
                       "are cooling. Start with the dashboard at /dashboard.",
        "databases": {db_name: {"tables": TABLES, "queries": queries}},
    }
    if password:
        out["plugins"] = {"datasette-auth-passwords": {"http_basic_auth": True,
                                                       f"{AUTH_USER}_password_hash": {"$env": HASH_ENV}}}
    return out


def prepare_site(db_path: str, out_dir: str | os.PathLike, password: bool = False) -> tuple[Path, Path]:
    """Write metadata.json and the templates (with the database's name filled in) under out_dir."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db_name = Path(db_path).stem
    meta = out / "metadata.json"
    meta.write_text(json.dumps(metadata(db_name, password), indent=1))
    templates = out / "templates"
    for src in TEMPLATES.rglob("*.html"):
        dest = templates / src.relative_to(TEMPLATES)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(src.read_text().replace("__DB__", db_name))
    return meta, templates


def check_port(host: str, port: int) -> None:
    """Datasette reports a port already in use only in its log, and still exits 0: ask first."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Datasette's server does
            s.bind((host, port))
    except OSError as e:
        raise ValueError(f"cannot listen on {host}:{port}: {e.strerror or e} (another goldenrule serve? "
                         f"choose another port with --port)") from None


def check_serve(host: str, port: int, password_hash: str = "") -> None:
    """Everything that would stop `serve`, as one clear ValueError, before anything is printed or started."""
    if host not in LOOPBACK and not password_hash:
        raise ValueError(f"refusing to serve on {host} without a password: the ledger is private. Set "
                         f"[serve] password_hash (goldenrule serve --hash-password), or keep the default "
                         f"127.0.0.1 and use an SSH tunnel")
    check_port(host, port)


def serve(db_path: str, host: str = "127.0.0.1", port: int = 8001, password_hash: str = "") -> int:
    """Run Datasette on the ledger in the foreground; returns its exit code. Datasette only reads: the
    daemon keeps writing (WAL) while it runs."""
    check_serve(host, port, password_hash)
    env = dict(os.environ)
    if password_hash:
        env[HASH_ENV] = password_hash
    with tempfile.TemporaryDirectory(prefix="goldenrule-serve-") as tmp:
        meta, templates = prepare_site(db_path, tmp, password=bool(password_hash))
        args = [sys.executable, "-m", "datasette", "serve", db_path, "-h", host, "-p", str(port),
                "--metadata", str(meta), "--template-dir", str(templates),
                "--setting", "sql_time_limit_ms", "5000", "--setting", "default_page_size", "50"]
        proc = subprocess.Popen(args, env=env)
        # SIGTERM to this process (kill, a supervisor) must stop Datasette too, not orphan it.
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: proc.terminate()) if main else None
        try:
            return proc.wait()
        except KeyboardInterrupt:  # Ctrl-C reaches Datasette as well: let it finish
            proc.wait()
            return 0
        finally:
            if main:
                signal.signal(signal.SIGTERM, previous)
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
