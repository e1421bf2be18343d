"""Hostile input and faults: nothing breaks, nothing is lost, nothing leaks.

Property-based tests (hypothesis) push arbitrary bytes and mangled real messages through the whole
path (fingerprint, parse, store, threads, acts, help events, relationships); giant and deeply nested
mail; text built to break SQL, HTML, Jinja2 and CSV; a full disk in the middle of an import; a
long reader holding the database."""

import asyncio
import csv
import io
import json
import random
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daemon.config import Config
from daemon.importer import import_messages
from daemon.sources import RawMessage, read_path
from daemon.store import open_db

ROOT = Path(__file__).resolve().parent.parent
SEEDS = [
    b"From: Ann <ann@x.example>\r\nTo: me@example.org\r\nSubject: Q3\r\nDate: Mon, 3 Mar 2025 09:00:00 -0500\r\n"
    b"Message-ID: <a@x>\r\n\r\nCould you send me the Q3 numbers?\r\n",
    b"From: b@y.example\nTo: me@example.org\nSubject: =?utf-8?b?SGVsbG8=?=\nMIME-Version: 1.0\n"
    b"Content-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain; charset=utf-8\n\n"
    b"Attached is the file.\n--XX\nContent-Type: application/pdf; name=a.pdf\n"
    b"Content-Transfer-Encoding: base64\n\nJVBERi0=\n--XX--\n",
    b"From: c@z.example\nTo: me@example.org\nSubject: RE: thing\nContent-Type: text/html; charset=latin-1\n\n"
    b"<p>Thanks so much for the intro!</p>\n-----Original Message-----\nFrom: Me\nSent: x\nTo: c\nSubject: thing\n\nhi",
]


def ingest(db, raws, folder="INBOX"):
    cfg = Config()
    cfg.import_.workers = 1
    items = [RawMessage(folder, f"fuzz:{folder}#{i}", raw) for i, raw in enumerate(raws)]
    return import_messages(db, iter(items), cfg)


def accounted(db) -> int:
    """Copies recorded: every input is either a stored message's copy or a copy with its error."""
    return db.execute("select count(*) from copies").fetchone()[0]


def mutate(data: bytes, rng: random.Random, n: int) -> bytes:
    b = bytearray(data)
    for _ in range(n):
        op = rng.randrange(4)
        i = rng.randrange(len(b) + 1)
        if op == 0 and b:
            del b[min(i, len(b) - 1)]
        elif op == 1:
            b[i:i] = bytes([rng.randrange(256)])
        elif op == 2:
            b[i:i] = rng.choice([b"\x00", b"\r\n", b"=?utf-8?q?=FF?=", b"Content-Type: multipart/mixed; boundary=",
                                 b"--", b"\xff\xfe", b">", b"-----Original Message-----\n", b"charset=bogus"])
        elif b:
            j = rng.randrange(len(b))
            b[i:i] = b[j:j + rng.randrange(1, 40)]
    return bytes(b)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.binary(max_size=3000), min_size=1, max_size=6))
def test_arbitrary_bytes_are_stored_or_recorded(tmp_path_factory, blobs):
    db = open_db(tmp_path_factory.mktemp("fuzz") / "f.db")
    stats = ingest(db, blobs)
    assert accounted(db) == len(blobs) == stats.copies_seen


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 2**32 - 1), st.integers(1, 60))
def test_mutated_real_messages_go_all_the_way(tmp_path_factory, seed, edits):
    rng = random.Random(seed)
    raws = [mutate(rng.choice(SEEDS), rng, edits) for _ in range(5)]
    db = open_db(tmp_path_factory.mktemp("mut") / "m.db")
    ingest(db, raws)
    assert accounted(db) == 5
    # Every stage ran: acts and relationships tables are consistent with what was stored.
    assert db.execute("select count(*) from message_acts where message not in (select id from messages)"
                      ).fetchone()[0] == 0
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_giant_and_deep_mail(tmp_path):
    giant_subject = b"From: a@x.example\nTo: me@example.org\nSubject: " + b"S" * 1_000_000 + b"\n\nhello\n"
    many = b"From: a@x.example\nTo: " + b", ".join(b"r%d@x.example" % i for i in range(10_000)) + \
        b"\nSubject: all hands\n\nPlease read.\n"
    deep = b"From: a@x.example\nTo: me@example.org\nSubject: deep\nMIME-Version: 1.0\n"
    body = b"bottom text\n"
    for level in range(200):
        body = (b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (level, level)) + \
            (b"Content-Type: text/plain\n\n" if level == 0 else b"") + body + b"\n--b%d--\n" % level
    deep += body
    nul = b"From: a@x.example\x00\nTo: me@example.org\nSubject: nul\x00byte\n\nhe\x00llo\n"
    db = open_db(tmp_path / "g.db")
    ingest(db, [giant_subject, many, deep, nul])
    assert accounted(db) == 4
    subjects = [len(s or "") for (s,) in db.execute("select subject from messages")]
    assert max(subjects) <= 10_000  # stored, cut to a sane length
    recipients = db.execute("select max(n) from (select count(*) as n from message_addresses group by message)"
                            ).fetchone()[0]
    assert recipients >= 10_000  # every recipient kept
    assert db.execute("select count(*) from help_events").fetchone()[0] == 0  # a broadcast helps nobody


HOSTILE = {
    "subject": "'); drop table messages; -- {{ 7*7 }} <script>alert(1)</script>",
    "from_name": "Robert\"); DROP TABLE contacts;--",
    "body": "Could you check =HYPERLINK(\"http://evil.example\",\"x\") and {% raw %}{{ config }}{% endraw %} "
            "<img src=x onerror=alert(2)> $(touch /tmp/goldenrule-pwned) `id`?",
}


def hostile_message() -> bytes:
    return (f"From: \"{HOSTILE['from_name']}\" <evil@x.example>\nTo: me@example.org\n"
            f"Subject: {HOSTILE['subject']}\nDate: Mon, 3 Mar 2025 09:00:00 +0000\n\n{HOSTILE['body']}\n").encode()


def test_injection_is_stored_and_shown_inertly(tmp_path):
    from datasette.app import Datasette

    from daemon.digest import build, period_end, render
    from daemon.ledger_views import prepare_site

    db = open_db(tmp_path / "h.db")
    cfg = Config()
    cfg.database.path = str(tmp_path / "h.db")
    cfg.import_.workers = 1
    cfg.digest.to = "me@example.org"
    import_messages(db, iter([RawMessage("INBOX", "x#1", hostile_message())]), cfg, me=["me@example.org"])
    # SQL: the text is data; nothing was dropped.
    assert db.execute("select subject from messages").fetchone()[0] == HOSTILE["subject"]
    assert {"messages", "contacts"} <= set(db.table_names())
    # HTML and Jinja2: Datasette pages and the digest show the text, never run it.
    meta, templates = prepare_site(cfg.db_path, tmp_path / "site")
    ds = Datasette([cfg.db_path], metadata=json.loads(meta.read_text()), template_dir=str(templates))
    pages = [asyncio.run(ds.client.get(p)).text for p in ("/h/messages", "/h/what_i_owe", "/dashboard",
                                                            "/h/search?q=HYPERLINK")]
    import datetime as dt
    subject, text, html = render(build(db, cfg, period_end(cfg, dt.datetime(2025, 3, 10, 12, tzinfo=dt.timezone.utc))))
    for page in pages + [html]:
        assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0]
    assert "{{ 7*7 }}" in pages[0] and "49" not in subject
    assert "Could you check =HYPERLINK" in text  # the plain-text part carries the words as they were
    # CSV: Datasette's export quotes every value; read back, it is the same data.
    raw_csv = asyncio.run(ds.client.get("/h/messages.csv?_col=subject")).text
    rows = list(csv.DictReader(io.StringIO(raw_csv)))
    assert rows[0]["subject"] == HOSTILE["subject"]
    assert not Path("/tmp/goldenrule-pwned").exists()


def test_disk_full_in_the_middle_of_an_import_loses_nothing(tmp_path, shared):
    """A full disk (here: a file size limit) stops the import with a clear error; what was written is
    whole, and the next run completes it."""
    db_path = tmp_path / "full.db"
    open_db(db_path).conn.close()
    box = shared / "enron/mailboxes/germany-c"
    script = (f"import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (3_000_000, 3_000_000)); "
              f"import signal; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
              f"from daemon.cli import cli; cli(['import', {str(box)!r}, '--db', {str(db_path)!r}, '--workers', '1'])")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr and ("disk" in r.stderr.lower() or "full" in r.stderr.lower()), r.stderr
    con = sqlite3.connect(db_path)
    assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    partial = con.execute("select count(*) from copies").fetchone()[0]
    con.close()
    r = subprocess.run([sys.executable, "-m", "daemon", "import", str(box), "--db", str(db_path), "--json"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(db_path)
    assert con.execute("select count(*), count(distinct source_key) from copies").fetchone() == (9409, 9409)
    assert partial < 9409


def test_a_long_reader_does_not_block_the_writer(tmp_path):
    """Datasette reading for a long time (an open read transaction) does not stop an import (WAL)."""
    db = open_db(tmp_path / "r.db")
    ingest(db, SEEDS[:1])
    reader = sqlite3.connect(tmp_path / "r.db")
    reader.execute("begin")
    assert reader.execute("select count(*) from messages").fetchone()[0] == 1
    ingest(db, SEEDS[1:], folder="Other")  # the reader still holds its snapshot
    assert reader.execute("select count(*) from messages").fetchone()[0] == 1
    reader.execute("commit")
    assert reader.execute("select count(*) from messages").fetchone()[0] == 3
