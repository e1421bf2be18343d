"""The first run: the built-in sample world through the real pipeline, and the README's demo command
from a clean clone (in the background), with its database, digest preview and Datasette pages."""

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from datasette.app import Datasette

from daemon.demo import PEOPLE, generate
from daemon.ledger_views import prepare_site
from daemon.queries import CANNED
from test_browser import free_port

ROOT = Path(__file__).resolve().parent.parent
# IMAP checkpoints and sync runs: filled when the demo syncs over IMAP, not when it reads the files.
IMAP_TABLES = {"sync_state", "sync_runs"}
GMAIL_TABLES = {"gmail_copies"}  # filled only by a Gmail account
SECTIONS = ("GOLDEN RULE", "WHAT YOU OWE", "COOLING", "GIVE FIRST", "CLOSE THE LOOP", "NEW PEOPLE TO FOLLOW UP")


def test_demo_mailbox_is_deterministic(tmp_path):
    a, b = generate(tmp_path / "a"), generate(tmp_path / "b")
    for name in ("INBOX.mbox", "Sent.mbox"):
        assert (a / name).read_bytes() == (b / name).read_bytes()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    r = subprocess.run([sys.executable, "-m", "daemon", "demo", "--no-serve", "--dir", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return out, r.stdout


def _tables(con) -> list[str]:
    return [n for (n,) in con.execute("select name from sqlite_master where type in ('table', 'view') "
                                      "and name not like 'messages_fts%'")]


def test_demo_syncs_over_imap_and_sends_its_digest_over_smtp(demo):
    """With Dovecot installed (always in CI) the sample mailbox comes in over real IMAP, and the
    digest goes out through a real SMTP server into the outbox, both recorded as service jobs."""
    out, stdout = demo
    assert "the rest synced over IMAP from a private Dovecot" in stdout
    con = sqlite3.connect(out / "goldenrule.db")
    assert con.execute("select account, folder, role from sync_state order by folder").fetchall() == [
        ("demo", "INBOX", "inbox"), ("demo", "Sent", "sent")]
    copies = sum(1 for f in (out / "mailbox").iterdir() for line in f.open() if line.startswith("From goldenrule-demo"))
    (archived,), = con.execute("select messages_new from imports")
    assert 0 < archived < copies
    assert con.execute("select status, messages_new, copies_seen from sync_runs").fetchall() == [
        ("ok", copies - archived, copies - archived)]
    assert con.execute("select count(*) from copies where source_key like 'imap:%'").fetchone()[0] == copies - archived
    assert [r[:2] for r in con.execute("select job, status from jobs order by id")] == [
        ("import", "ok"), ("sync", "ok"), ("digest", "ok")]
    (status, items, message_id), = con.execute("select status, items, message_id from digests")
    assert status == "sent" and items > 0
    sent = list((out / "outbox").glob("*.eml"))
    assert len(sent) == 1
    assert {p.stat().st_mode & 0o777 for p in [*sent, out / "digest.txt", out / "digest.html"]} == {0o600}
    mail = sent[0].read_text()
    assert message_id in mail and "To: alex@morgan-consulting.example" in mail and "WHAT YOU OWE" in mail


def test_demo_world_shows_everything(demo):
    out, stdout = demo
    con = sqlite3.connect(out / "goldenrule.db")
    assert f"Database: {out / 'goldenrule.db'}" in stdout and "Digest preview:" in stdout
    assert con.execute("select email from contacts where is_self = 1").fetchall() == [
        ("alex@morgan-consulting.example",)]
    assert {n for (n,) in con.execute("select name from contacts where is_self = 0")} == {
        name for name, _ in PEOPLE.values()}
    # Every table and view has rows.
    for name in _tables(con):
        assert (con.execute(f"select count(*) from [{name}]").fetchone()[0] > 0) == (name not in GMAIL_TABLES), name
    statuses = {s for (s,) in con.execute("select status from relationships")}
    assert {"active", "cooling", "cold", "new"} <= statuses
    kinds = {k for (k,) in con.execute("select kind from loose_ends")}
    assert kinds == {"unanswered_request", "unkept_promise", "unanswered_thanks", "introduction", "no_follow_up"}
    connected = dict(con.execute("select address, resolved_at is not null from loose_ends where kind = 'introduction'"))
    assert connected == {"lena.brooks@gmail.com": 1, "dana.whitfield@northwind.example": 0}
    # Outlook-style replies have no reply headers and still join their thread.
    assert con.execute("""select count(*) from messages where subject like 'RE: %'
                          and thread_link in ('subject', 'quoted_header')""").fetchone()[0] > 10


def test_demo_without_imap_reads_the_files_and_shows_the_same_world(demo, tmp_path):
    """Where Dovecot is missing the demo reads the files: the same ledger, only the IMAP tables empty."""
    r = subprocess.run([sys.executable, "-m", "daemon", "demo", "--no-serve", "--no-imap", "--dir", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "all imported from the files" in r.stdout
    files, synced = sqlite3.connect(tmp_path / "goldenrule.db"), sqlite3.connect(demo[0] / "goldenrule.db")
    assert [r[:2] for r in files.execute("select job, status from jobs order by id")] == [
        ("import", "ok"), ("digest", "ok")]
    for name in _tables(files):
        n = files.execute(f"select count(*) from [{name}]").fetchone()[0]
        assert (n == 0) == (name in IMAP_TABLES | GMAIL_TABLES), name
    compare = {"help_events": "helper, helped, kind, occurred_at, evidence",
               "relationships": "email, status, status_since, strength",
               "loose_ends": "kind, address, message, since, resolved_at"}
    for table, cols in compare.items():
        q = f"select {cols} from {table} order by {cols}"
        assert files.execute(q).fetchall() == synced.execute(q).fetchall(), table


def test_demo_digest_preview_has_every_section(demo):
    out, _ = demo
    text = (out / "digest.txt").read_text()
    for section in SECTIONS:
        assert section in text, section
    html = (out / "digest.html").read_text()
    assert "Give first" in html and "Raj Patel</a> helped you" in html


def test_every_canned_query_and_the_dashboard_show_something(demo):
    out, _ = demo
    db = out / "goldenrule.db"
    meta, templates = prepare_site(str(db), out / "site")
    ds = Datasette([str(db)], metadata=json.loads(meta.read_text()), template_dir=str(templates))
    thread = sqlite3.connect(db).execute("select thread_id from help_events limit 1").fetchone()[0]
    params = {"contact_timeline": "contact=Raj Patel", "thread_help": f"thread={thread}", "search": "q=pricing",
              "people_i_helped": "since=&until=", "people_who_helped_me": "since=&until="}
    for name in CANNED:
        r = asyncio.run(ds.client.get(f"/goldenrule/{name}.json?_shape=array&{params.get(name, '')}"))
        assert r.status_code == 200 and r.json(), name
    html = asyncio.run(ds.client.get("/dashboard")).text
    assert "Priya Nair" in html  # the cooling list
    assert "important people helped in the last 90 days" in html


def test_readme_demo_command_from_a_clean_clone(tmp_path):
    """`./dev demo` as a newcomer runs it: clone, create the virtualenv, import, preview, serve."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    port = free_port()
    log = open(tmp_path / "demo.log", "w")
    proc = subprocess.Popen(["./dev", "demo", "--port", str(port)], cwd=clone, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True, env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"})
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/dashboard", timeout=5).read().decode()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("./dev demo did not serve: " + (tmp_path / "demo.log").read_text()[-3000:])
                time.sleep(1)
        assert "Your relationship ledger" in page and "Priya Nair" in page
        rows = json.loads(urllib.request.urlopen(
            f"http://127.0.0.1:{port}/goldenrule/what_i_owe.json?_shape=array", timeout=10).read())
        assert {r["kind"] for r in rows} == {"unanswered_request", "unkept_promise", "unanswered_thanks"}
        output = (tmp_path / "demo.log").read_text()
        assert f"Datasette: http://127.0.0.1:{port}/dashboard" in output
        assert "WHAT YOU OWE" in (clone / "demo-output" / "digest.txt").read_text()
        con = sqlite3.connect(clone / "demo-output" / "goldenrule.db")
        assert con.execute("select count(*) from help_events").fetchone()[0] > 50
        assert con.execute("select count(*) from sync_runs where status = 'ok'").fetchone()[0] == 1
        assert len(list((clone / "demo-output" / "outbox").glob("*.eml"))) == 1
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_demo_falls_back_to_the_files_when_dovecot_fails(tmp_path, monkeypatch, capsys):
    """A Dovecot that is installed but cannot serve must not leave a half-built demo."""
    from daemon import local_imap
    from daemon.config import Config
    from daemon.demo import run_demo

    def broken_start(self):
        raise RuntimeError("dovecot failed to start: permission denied (test)")

    monkeypatch.setattr(local_imap, "available", lambda: True)
    monkeypatch.setattr(local_imap.Dovecot, "start", broken_start)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    run_demo(tmp_path / "demo", Config(), serve=False)
    out = capsys.readouterr()
    assert "Dovecot could not serve the sample mailbox (dovecot failed to start" in out.err
    assert "all imported from the files" in out.out
    assert list((tmp_path / "tmp").glob("goldenrule-dovecot-*")) == []  # the server's directory is removed
    con = sqlite3.connect(tmp_path / "demo" / "goldenrule.db")
    assert con.execute("select count(*) from messages").fetchone()[0] == 407
    assert [r[:2] for r in con.execute("select job, status from jobs order by id")] == [
        ("import", "ok"), ("import", "ok"), ("digest", "ok")]
