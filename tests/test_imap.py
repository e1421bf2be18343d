"""IMAP sync against a real Dovecot on 127.0.0.1, loaded with real Enron mail."""

import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import CLOCK_TABLES
from daemon.sources import read_path
from dovecot import PASSWORD, Dovecot

ENV = dict(os.environ, GOLDENRULE_TEST_PASSWORD=PASSWORD, GOLDENRULE_BACKOFF_BASE="0.3")


@pytest.fixture
def server():
    d = Dovecot().start()
    yield d
    d.cleanup()


def enron(shared, folder, n, skip=0):
    path = shared / "enron/mailboxes/germany-c" / f"{folder}.mbox.gz"
    return [r.raw for r in itertools.islice(read_path(path), skip, skip + n)]


@pytest.fixture
def loaded(server, shared):
    c = server.client()
    c.create_folder("Archive")
    for i, raw in enumerate(enron(shared, "inbox", 120)):
        c.append("INBOX", raw, flags=[b"\\Seen"] if i % 3 else [])
    for raw in enron(shared, "_sent_mail", 60):
        c.append("Sent", raw, flags=[b"\\Seen"])
    for raw in enron(shared, "sent", 40):  # overlaps with the other folders: dedupe across folders
        c.append("Archive", raw, flags=[b"\\Seen", b"\\Flagged"])
    for raw in enron(shared, "deleted_items", 5):
        c.append("Trash", raw)
    c.logout()
    return server


def snapshot(server):
    c = server.client()
    out = {}
    for _flags, _d, name in c.list_folders():
        c.select_folder(name, readonly=True)
        uids = c.search(["ALL"])
        out[name] = {uid: sorted(d[b"FLAGS"]) for uid, d in (c.fetch(uids, ["FLAGS"]) if uids else {}).items()}
    c.logout()
    return out


def write_config(tmp_path, server, name="config.toml", **over):
    cfg = tmp_path / name
    cfg.write_text(f'[database]\npath = "{tmp_path / "ledger.db"}"\n\n[import]\nworkers = 1\n\n'
                   + server.account_toml(**over))
    return cfg


def sync(cfg, *args, env=ENV, db=None):
    extra = ["--db", str(db)] if db else []
    return subprocess.run([sys.executable, "-m", "daemon", "sync", "--config", str(cfg), "--json", *extra, *args],
                          capture_output=True, text=True, env=env, timeout=300)


def dump(db_path):
    """Everything a sync stores, without timestamps and run bookkeeping."""
    con = sqlite3.connect(db_path)
    skip_tables = {"imports", "schema_migrations", "sync_runs"} | CLOCK_TABLES
    skip_cols = {"imported_at", "last_sync_at", "last_error_at", "gone_at"}
    out = {}
    for (t,) in con.execute("select name from sqlite_master where type='table' and name not like 'messages_fts%'"):
        if t in skip_tables:
            continue
        cols = [r[1] for r in con.execute(f"pragma table_info([{t}])") if r[1] not in skip_cols]
        out[t] = sorted(map(repr, con.execute(f"select {', '.join(f'[{c}]' for c in cols)} from [{t}]")))
    return out


def one(con, sql, *params):
    return con.execute(sql, params).fetchone()[0]


def test_first_sync_reads_everything_and_changes_nothing(loaded, tmp_path, shared):
    before = snapshot(loaded)
    cfg = write_config(tmp_path, loaded)
    r = sync(cfg)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["status"] == "ok" and result["copies_seen"] == 220
    assert snapshot(loaded) == before  # flags (\Seen included) and message counts untouched
    con = sqlite3.connect(tmp_path / "ledger.db")
    assert one(con, "select count(*) from copies") == 220  # Trash is never synced
    assert one(con, "select count(*) from copies where source_key like 'imap:test/Trash/%'") == 0
    # the same messages as a local import of the same files: same fingerprints, same dedupe
    local = tmp_path / "local"
    local.mkdir()
    for folder, raws in (("INBOX", enron(shared, "inbox", 120)), ("Sent", enron(shared, "_sent_mail", 60)),
                         ("Archive", enron(shared, "sent", 40))):
        with open(local / f"{folder}.mbox", "wb") as f:
            for raw in raws:
                f.write(b"From x Mon Jan  1 00:00:00 2001\n" + raw.replace(b"\nFrom ", b"\n>From ") + b"\n")
    subprocess.run([sys.executable, "-m", "daemon", "import", str(local), "--db", str(tmp_path / "l.db")],
                   check=True, capture_output=True)
    lcon = sqlite3.connect(tmp_path / "l.db")
    q = "select message_id from messages where is_automated = 0 order by 1"
    assert con.execute(q).fetchall() == lcon.execute(q).fetchall()
    assert one(con, "select count(*) from messages") == one(lcon, "select count(*) from messages")
    assert one(con, "select role from folders where name = 'Sent'") == "sent"
    assert [a for (a,) in con.execute("select address from identities")] == ["chris.germany@enron.com"]
    state = {f: (u, m) for f, u, m in con.execute("select folder, last_uid, messages from sync_state")}
    assert state == {"INBOX": (120, 120), "Sent": (60, 60), "Archive": (40, 40)}


def sync_with_parser_processes(tmp_path, one_process):
    """Sync with the config `one_process` (workers = 1), then the same with two parser processes
    into pooled.db: (that config, its finished run, a connection to its database)."""
    assert sync(one_process).returncode == 0
    pooled = tmp_path / "pooled.toml"
    pooled.write_text(one_process.read_text().replace("workers = 1", "workers = 2")
                      .replace(str(tmp_path / "ledger.db"), str(tmp_path / "pooled.db")))
    r = sync(pooled)
    assert r.returncode == 0, r.stderr
    return pooled, r, sqlite3.connect(tmp_path / "pooled.db")


def test_parser_processes_and_batches_in_flight_store_the_same_database(server, tmp_path, shared):
    """A batch is parsed (with parser processes: in them) while the next is fetched, and stored
    after. A message whose copies (byte for byte, or under the same Message-ID with a footer added) sit in a batch
    and the next one, both in flight, is still stored once; the database equals a one-process sync."""
    raws = enron(shared, "inbox", 30)
    refiled = raws[26].rstrip() + b"\n\n-- \nfiled by the list server\n"
    c = server.client()
    # Batches of 7 UIDs: 22-28 hold raws[21:28]; 29-35 hold raws[28:30] and the three copies.
    for raw in raws + [raws[27], refiled, raws[3]]:
        c.append("INBOX", raw)
    c.logout()
    one_process = write_config(tmp_path, server, fetch_batch=7)
    pooled, r, con = sync_with_parser_processes(tmp_path, one_process)
    assert json.loads(r.stdout)["copies_seen"] == 33
    assert one(con, "select count(*) from copies") == 33
    assert one(con, "select count(*) from copies where message not in (select id from messages)") == 0
    assert one(con, "select count(*) from messages") == len({r_ for r_ in raws})
    assert dump(tmp_path / "pooled.db") == dump(tmp_path / "ledger.db")


def test_the_sync_client_fetches_what_imapclient_fetches(loaded, monkeypatch):
    """The sync's client reads the usual FETCH answers itself (headers, whole messages), leaves the
    rest to imapclient, and for every kind of fetch the sync makes returns exactly what imapclient does."""
    import ssl

    from imapclient import IMAPClient

    from daemon import imap_sync
    from daemon.imap_sync import Client
    from dovecot import USER

    left_to_imapclient = []
    parse = imap_sync.parse_fetch_response
    monkeypatch.setattr(imap_sync, "parse_fetch_response", lambda *a: left_to_imapclient.append(1) or parse(*a))

    plain = loaded.client()
    fast = Client("127.0.0.1", loaded.tls_port, ssl=True, timeout=30,
                  ssl_context=ssl.create_default_context(cafile=str(loaded.cert)))
    fast.login(USER, PASSWORD)
    for c in (plain, fast):
        c.select_folder("INBOX", readonly=True)
    uids = plain.search(["ALL"])
    assert len(uids) == 120
    for items in (["RFC822.SIZE", "BODY.PEEK[HEADER]"], ["BODY.PEEK[]"], ["BODYSTRUCTURE"],
                  ["BODY.PEEK[1.MIME]", "BODY.PEEK[1]<0.100>"], ["FLAGS", "RFC822.SIZE"]):
        assert fast.fetch(uids + [99999], items) == IMAPClient.fetch(plain, uids + [99999], items)
    assert len(left_to_imapclient) == 3  # BODYSTRUCTURE, two literals, no literal
    for c in (plain, fast):
        c.logout()


def test_the_imap_protocol_log_is_there_when_asked_for_and_costs_nothing_otherwise(loaded, caplog):
    """imaplib's line-by-line debug output (which imapclient turns on) is formatted only when its logger
    would keep it: a sync with logging at INFO does not build a log line per message it reads."""
    import logging
    import ssl

    from daemon.imap_sync import Client
    from dovecot import USER

    def session(level):
        caplog.clear()
        formatted = []
        with caplog.at_level(level, logger="imapclient.imaplib"):
            c = Client("127.0.0.1", loaded.tls_port, ssl=True, timeout=30,
                       ssl_context=ssl.create_default_context(cafile=str(loaded.cert)))
            to_log = c._imap._mesg  # what imaplib calls with each line it has formatted for the log
            c._imap._mesg = lambda line: formatted.append(line) or to_log(line)
            c.login(USER, PASSWORD)
            c.select_folder("INBOX", readonly=True)
            c.fetch(c.search(["ALL"])[:3], ["BODY.PEEK[HEADER]"])
            c.logout()
        return formatted, [r for r in caplog.records if r.name == "imapclient.imaplib"]

    formatted, logged = session(logging.DEBUG)
    assert any("FETCH" in r.getMessage() for r in logged)
    assert not any(PASSWORD in r.getMessage() for r in logged)  # imapclient's adapter hides the login
    assert session(logging.INFO) == ([], [])


def test_new_mail_between_syncs_then_a_noop_sync(loaded, tmp_path, shared):
    cfg = write_config(tmp_path, loaded)
    assert sync(cfg).returncode == 0
    c = loaded.client()
    for raw in enron(shared, "inbox", 5, skip=120):
        c.append("INBOX", raw)
    c.logout()
    r = json.loads(sync(cfg).stdout)
    assert (r["copies_seen"], r["folders_changed"]) == (5, 1)
    con = sqlite3.connect(tmp_path / "ledger.db")
    assert one(con, "select count(*) from copies") == 225
    r = json.loads(sync(cfg).stdout)
    assert (r["copies_seen"], r["folders_changed"], r["messages_new"], r["folders_checked"]) == (0, 0, 0, 3)
    assert [s for (s,) in con.execute("select status from sync_runs")] == ["ok", "ok", "ok"]


def test_a_pass_asks_status_only_of_changed_folders(loaded, tmp_path, shared, monkeypatch):
    """Dovecot offers LIST-STATUS: the folder list brings every folder's status, so an unchanged
    folder costs no command of its own; a changed one (or one new, with an awkward name) is asked
    STATUS afresh and synced. Without LIST-STATUS every folder is asked, and nothing else differs."""
    from imapclient import IMAPClient

    from daemon import imap_sync
    from daemon.config import load_config
    from daemon.store import open_db

    monkeypatch.setenv("GOLDENRULE_TEST_PASSWORD", PASSWORD)
    cfg = write_config(tmp_path, loaded)
    assert sync(cfg).returncode == 0
    loaded.load("Archive", [(None, raw) for raw in enron(shared, "inbox", 2, skip=120)])
    loaded.load("Déjà vu 2001", [(None, raw) for raw in enron(shared, "inbox", 1, skip=122)])
    asked = []
    status = IMAPClient.folder_status
    monkeypatch.setattr(IMAPClient, "folder_status", lambda self, f, what=None: asked.append(f) or status(self, f, what))
    config = load_config(cfg)
    db = open_db(config.database.path)
    [r] = imap_sync.sync_all(db, config)
    assert asked == ["Archive", "Déjà vu 2001"]
    assert (r["copies_seen"], r["folders_changed"], r["folders_checked"]) == (3, 2, 4)
    assert one(db.conn, "select count(*) from copies") == 223
    asked.clear()
    [r] = imap_sync.sync_all(db, config)
    assert asked == [] and (r["folders_changed"], r["folders_checked"]) == (0, 4)
    capabilities = IMAPClient.capabilities
    monkeypatch.setattr(IMAPClient, "capabilities",
                        lambda self: tuple(c for c in capabilities(self) if c != b"LIST-STATUS"))
    [r] = imap_sync.sync_all(db, config)
    assert asked == ["INBOX", "Archive", "Déjà vu 2001", "Sent"]
    assert (r["folders_changed"], r["folders_checked"], r["copies_seen"]) == (0, 4, 0)


def test_folder_deleted_and_recreated_gets_new_uidvalidity_without_duplicates(loaded, tmp_path, shared):
    cfg = write_config(tmp_path, loaded)
    assert sync(cfg).returncode == 0
    con = sqlite3.connect(tmp_path / "ledger.db")
    messages = one(con, "select count(*) from messages")
    old_uv = one(con, "select uidvalidity from sync_state where folder = 'Archive'")
    c = loaded.client()
    c.delete_folder("Archive")
    c.create_folder("Archive")
    for raw in enron(shared, "sent", 40):
        c.append("Archive", raw)
    c.logout()
    r = sync(cfg)
    assert r.returncode == 0, r.stderr
    new_uv = one(con, "select uidvalidity from sync_state where folder = 'Archive'")
    assert new_uv != old_uv
    assert one(con, "select count(*) from messages") == messages  # rescanned, nothing stored twice
    assert one(con, f"select count(*) from copies where source_key like 'imap:test/Archive/{old_uv}/%' "
                    "and gone_at is not null") == 40
    assert one(con, f"select count(*) from copies where source_key like 'imap:test/Archive/{new_uv}/%' "
                    "and gone_at is null") == 40


def test_a_recreated_folder_marks_only_its_own_copies_gone(server, tmp_path, shared):
    """'Projects', 'projects' and 'projects/2024' are three folders: recreating 'projects' (new
    UIDVALIDITY) marks only its own copies gone, not those of a folder differing in case or of its
    subfolder, whose keys share its prefix."""
    raws = enron(shared, "inbox", 7)
    for name, part in (("Projects", raws[:3]), ("projects", raws[3:6]), ("projects/2024", raws[6:])):
        server.load(name, [(None, raw) for raw in part])
    cfg = write_config(tmp_path, server)
    assert sync(cfg).returncode == 0
    c = server.client()
    c.delete_folder("projects")
    c.create_folder("projects")  # a new UIDVALIDITY (still listed after the delete: it has a subfolder)
    c.logout()
    server.load("projects", [(None, raw) for raw in raws[3:5]])
    r = sync(cfg)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["copies_gone"] == 3
    con = sqlite3.connect(tmp_path / "ledger.db")
    live = {f: n for f, n in con.execute("select folder, count(*) from copies where gone_at is null group by folder")}
    assert live == {"Projects": 3, "projects": 2, "projects/2024": 1}
    assert one(con, "select count(*) from messages") == 7


def test_expunged_mail_stays_marked_gone(loaded, tmp_path):
    cfg = write_config(tmp_path, loaded)
    assert sync(cfg).returncode == 0
    c = loaded.client()
    c.select_folder("INBOX")
    c.delete_messages([7])
    c.expunge()
    c.logout()
    assert sync(cfg).returncode == 0
    con = sqlite3.connect(tmp_path / "ledger.db")
    row = con.execute("select c.gone_at, m.id from copies c left join messages m on m.id = c.message "
                      "where c.source_key like 'imap:test/INBOX/%/7'").fetchone()
    assert row[0] is not None and row[1] is not None  # marked gone, the message itself kept
    assert one(con, "select count(*) from copies where gone_at is not null") == 1


def _reference(tmp_path, server):
    cfg = write_config(tmp_path, server, name="ref.toml")
    r = sync(cfg, db=tmp_path / "reference.db")
    assert r.returncode == 0, r.stderr
    return dump(tmp_path / "reference.db")


def _wait_for_copies(db_path, n, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "sync finished before it could be interrupted"
        try:
            if one(sqlite3.connect(db_path), "select count(*) from copies") >= n:
                return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.01)
    raise AssertionError("sync made no progress")


def _slow_sync(cfg):
    return subprocess.Popen([sys.executable, "-m", "daemon", "sync", "--config", str(cfg), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)


def test_sync_killed_with_sigkill_resumes_to_the_same_database(loaded, tmp_path):
    cfg = write_config(tmp_path, loaded, fetch_batch=5)
    proc = _slow_sync(cfg)
    _wait_for_copies(tmp_path / "ledger.db", 30, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = one(sqlite3.connect(tmp_path / "ledger.db"), "select count(*) from copies")
    assert 30 <= partial < 220
    r = sync(cfg)
    assert r.returncode == 0, r.stderr
    assert dump(tmp_path / "ledger.db") == _reference(tmp_path, loaded)
    runs = [s for (s,) in sqlite3.connect(tmp_path / "ledger.db").execute("select status from sync_runs")]
    assert runs == ["interrupted", "ok"]


def test_server_restarted_in_the_middle_of_a_sync(loaded, tmp_path):
    cfg = write_config(tmp_path, loaded, fetch_batch=5)
    proc = _slow_sync(cfg)
    _wait_for_copies(tmp_path / "ledger.db", 30, proc)
    loaded.restart(hard=True)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "connection lost" in err and "reconnecting" in err
    assert json.loads(out)["status"] == "ok"
    assert dump(tmp_path / "ledger.db") == _reference(tmp_path, loaded)


def test_wrong_password_is_one_clear_line(loaded, tmp_path):
    cfg = write_config(tmp_path, loaded)
    r = sync(cfg, env=dict(ENV, GOLDENRULE_TEST_PASSWORD="wrong password 123"))
    assert r.returncode == 1
    assert r.stdout.count("\n") == 1
    assert json.loads(r.stdout)["error"].startswith(
        f"account test: 127.0.0.1:{loaded.tls_port}: login failed for alice@example.org")
    assert "Traceback" not in r.stderr and "wrong password 123" not in r.stdout + r.stderr
    r = sync(cfg, "--json", env=dict(ENV, GOLDENRULE_TEST_PASSWORD="wrong password 123"))
    con = sqlite3.connect(tmp_path / "ledger.db")
    assert con.execute("select status from sync_runs").fetchall() == [("error",), ("error",)]


def test_untrusted_certificate_is_refused(loaded, tmp_path):
    cfg = write_config(tmp_path, loaded, ca_file=None)
    r = subprocess.run([sys.executable, "-m", "daemon", "sync", "--config", str(cfg)], capture_output=True,
                       text=True, env=ENV)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert lines[-1].startswith(f"Error: account test: 127.0.0.1:{loaded.tls_port}: certificate not trusted "
                                "(self-signed certificate)")
    assert "Traceback" not in r.stderr


def test_starttls_and_status(loaded, tmp_path):
    cfg = write_config(tmp_path, loaded, tls="starttls", port=loaded.port)
    r = sync(cfg)
    assert r.returncode == 0, r.stderr
    st = subprocess.run([sys.executable, "-m", "daemon", "status", "--config", str(cfg), "--json",
                         "--max-age", "1h"], capture_output=True, text=True)
    assert st.returncode == 0, st.stderr
    folders = json.loads(st.stdout)["folders"]
    assert sorted(f["folder"] for f in folders) == ["Archive", "INBOX", "Sent"]
    assert all(f["lag_seconds"] < 3600 and f["last_error"] is None for f in folders)
    time.sleep(1.1)
    st = subprocess.run([sys.executable, "-m", "daemon", "status", "--config", str(cfg), "--max-age", "1s"],
                        capture_output=True, text=True)
    assert st.returncode == 1 and "stale: test/Archive, test/INBOX, test/Sent" in st.stderr


def test_the_private_dovecot_serves_an_ordinary_user(tmp_path):
    """The demo's Dovecot must work for a user without root (it cannot chroot then). As root, the
    check runs as `nobody`, on a world-readable copy of the code it needs."""
    import importlib.metadata
    import shutil
    import tempfile

    import imapclient

    import daemon

    script = ("from daemon.local_imap import Dovecot\n"
              "d = Dovecot().start()\n"
              "try:\n"
              "    c = d.client(); print(sorted(n for _f, _d, n in c.list_folders())); c.logout()\n"
              "finally:\n"
              "    d.cleanup()\n")
    cmd = [sys.executable, "-c", script]
    lib = None
    if os.geteuid() == 0:
        lib = tempfile.mkdtemp(prefix="goldenrule-unprivileged-")
        dist_info = str(importlib.metadata.distribution("imapclient")._path)  # imapclient reads its version
        for src in (os.path.dirname(daemon.__file__), os.path.dirname(imapclient.__file__), dist_info):
            shutil.copytree(src, os.path.join(lib, os.path.basename(src)),
                            ignore=shutil.ignore_patterns("__pycache__"))
        subprocess.run(["chmod", "-R", "a+rX", lib], check=True)
        cmd = ["runuser", "-u", "nobody", "--", "/usr/bin/python3", "-c", script]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd="/",
                           env=dict(os.environ, PYTHONPATH=lib or os.pathsep.join(sys.path)))
    finally:
        if lib:
            shutil.rmtree(lib, ignore_errors=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == "['Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']"


def test_batches_in_flight_across_folders_store_the_same_database(server, tmp_path, shared):
    """Parsing runs ahead across folders too (a small folder is a single batch): a message whose copies
    sit in two folders' batches, both in flight, is stored once; each folder's whole state (UIDNEXT,
    count) is committed with its last batch; the database equals a one-process sync."""
    raws = enron(shared, "inbox", 12)
    refiled = raws[2].rstrip() + b"\n\n-- \nfiled by the list server\n"
    c = server.client()
    for folder, items in (("INBOX", raws[:6]), ("Archive", raws[6:] + [raws[1], refiled]), ("Sent", [raws[7]])):
        if folder != "INBOX":
            c.create_folder(folder)
        for raw in items:
            c.append(folder, raw)
    c.logout()
    one_process = write_config(tmp_path, server, fetch_batch=50)
    pooled, r, con = sync_with_parser_processes(tmp_path, one_process)
    assert json.loads(r.stdout)["copies_seen"] == 15
    assert one(con, "select count(*) from messages") == 12
    assert one(con, "select count(*) from copies where message not in (select id from messages)") == 0
    state = {f: (v, u, m) for f, v, u, m in con.execute("select folder, last_uid, uidnext, messages from sync_state")}
    assert state == {"INBOX": (6, 7, 6), "Archive": (8, 9, 8), "Sent": (1, 2, 1)}
    assert dump(tmp_path / "pooled.db") == dump(tmp_path / "ledger.db")
    again = sync(pooled)
    assert json.loads(again.stdout)["folders_changed"] == 0  # the committed state makes the next pass a no-op


def test_big_mail_is_fetched_and_stored_a_few_megabytes_at_a_time(loaded, tmp_path, monkeypatch):
    """Memory follows the bytes in hand, not the mailbox: bodies are fetched at most FETCH_BYTES at a
    time (by RFC822.SIZE; a batch of big messages becomes several fetches, each a run of consecutive
    UIDs with its own checkpoint), and parsed batches are stored once they hold BYTES_TOGETHER of
    mail. With both bounds tiny the database is the same as with the defaults."""
    from daemon import imap_sync
    from daemon.config import load_config
    from daemon.store import open_db

    monkeypatch.setenv("GOLDENRULE_TEST_PASSWORD", PASSWORD)
    monkeypatch.setattr(imap_sync, "FETCH_BYTES", 20_000)
    monkeypatch.setattr(imap_sync.Batches, "BYTES_TOGETHER", 40_000)
    sizes = {}
    body_fetches, stored_groups, runs = [], [], []
    fetch = imap_sync.Client.fetch

    def recording_fetch(self, uids, items, modifiers=None):
        resp = fetch(self, uids, items, modifiers)
        if b"RFC822.SIZE" in map(str.encode, items):
            sizes.update({(self.folder, u): d[b"RFC822.SIZE"] for u, d in resp.items()})
        if items == ["BODY.PEEK[]"]:
            body_fetches.append(sum(sizes[self.folder, u] for u in uids) if len(uids) > 1 else 0)
        return resp

    select = imap_sync.Client.select_folder
    monkeypatch.setattr(imap_sync.Client, "select_folder",
                        lambda self, f, readonly=False: setattr(self, "folder", f) or select(self, f, readonly))
    monkeypatch.setattr(imap_sync.Client, "fetch", recording_fetch)
    store = imap_sync.store_together
    monkeypatch.setattr(imap_sync, "store_together",
                        lambda db, batches: stored_groups.append([b.size for b in batches]) or store(db, batches))
    add_batch = imap_sync.Batches.add

    def add(self, raws, also, label, folder_count, known=()):
        runs.append((label, [int(r.source_key.rsplit("/", 1)[1]) for r in raws]))
        return add_batch(self, raws, also, label, folder_count, known)

    monkeypatch.setattr(imap_sync.Batches, "add", add)
    cfg = write_config(tmp_path, loaded)
    config = load_config(cfg)
    [r] = imap_sync.sync_all(open_db(config.database.path), config)
    assert r["status"] == "ok" and r["copies_seen"] == 220
    # INBOX alone holds 120 messages (one batch of 200 by count): by bytes it took many fetches
    assert len(body_fetches) > 10 and max(body_fetches) <= 20_000
    assert len([run for run in runs if run[0] == "test/INBOX"]) > 5
    inbox_uids = [u for label, uids in runs if label == "test/INBOX" for u in uids]
    assert inbox_uids == list(range(1, 121))  # consecutive runs, each UID once, in order
    assert len(stored_groups) > 3 and all(sum(g[:-1]) < 40_000 for g in stored_groups)
    assert dump(tmp_path / "ledger.db") == _reference(tmp_path, loaded)
