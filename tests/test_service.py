"""The real `goldenrule run` process against the test Dovecot and a real SMTP server: it syncs at
start and on SIGUSR1, sends the week's digest once, refuses a second instance, survives the server
going away and recovers, reloads its config on SIGHUP, and exits 0 on SIGTERM with a consistent
database."""

import datetime as dt
import json
import os
import socket
import tempfile
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from dovecot import PASSWORD, Dovecot
from test_digest import PASSWORD as SMTP_PASSWORD, smtp  # noqa: F401 - the SMTP server fixture
from test_imap import enron

ENV = dict(os.environ, GOLDENRULE_TEST_PASSWORD=PASSWORD, GOLDENRULE_SMTP_PASSWORD=SMTP_PASSWORD,
           GOLDENRULE_BACKOFF_BASE="0.2")


@pytest.fixture
def server(shared):
    d = Dovecot().start()
    c = d.client()
    for raw in enron(shared, "inbox", 30):
        c.append("INBOX", raw)
    for raw in enron(shared, "_sent_mail", 10):
        c.append("Sent", raw, flags=[b"\\Seen"])
    c.logout()
    yield d
    d.cleanup()


def write_config(tmp_path, server, smtp, interval=3600):
    today = dt.datetime.now(dt.timezone.utc).strftime("%A").lower()
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"""[database]
path = "{tmp_path / 'ledger.db'}"

[import]
workers = 1

[service]
sync_interval_seconds = {interval}
digest_check_seconds = 3600

[digest]
to = "me@example.org"
day = "{today}"
time = "00:00"
timezone = "UTC"

[smtp]
host = "127.0.0.1"
port = {smtp['port']}
tls = "starttls"
ca_file = "{smtp['cert']}"
username = "me"
password_env = "GOLDENRULE_SMTP_PASSWORD"

""" + server.account_toml(retries=1))
    return cfg


def start(cfg, tmp_path, name="service", env=ENV):
    log = open(tmp_path / f"{name}.log", "w")
    return subprocess.Popen([sys.executable, "-m", "daemon", "run", "--config", str(cfg), "--log-format", "json"],
                            env=env,
                            stdout=log, stderr=subprocess.STDOUT)


def wait_for(check, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def query(tmp_path, sql):
    con = sqlite3.connect(tmp_path / "ledger.db", timeout=10)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def jobs(tmp_path, job="sync"):
    return [r[0] for r in query(tmp_path, f"select status from jobs where job = '{job}' order by id")]


def test_service_lifecycle(tmp_path, server, smtp, shared):  # noqa: F811
    smtp["inbox"].messages.clear()
    cfg = write_config(tmp_path, server, smtp)
    # Stand in for systemd: a notify socket, and a watchdog of one second.
    sock_dir = tempfile.mkdtemp(dir="/tmp")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(os.path.join(sock_dir, "notify"))
    notify.settimeout(30)
    proc = start(cfg, tmp_path, env=dict(ENV, NOTIFY_SOCKET=os.path.join(sock_dir, "notify"),
                                         WATCHDOG_USEC="1000000"))
    try:
        said = set()
        while not {"READY=1", "WATCHDOG=1"} <= said or not any(m.startswith("STATUS=") for m in said):
            said.add(notify.recv(4096).decode())
        wait_for(lambda: jobs(tmp_path) == ["ok"], "the first sync")
        assert query(tmp_path, "select count(*) from copies")[0][0] == 40
        wait_for(lambda: jobs(tmp_path, "digest") == ["ok"], "the digest check")
        assert len(smtp["inbox"].messages) == 1  # this week's digest, sent once

        # A second service on the same database is refused, clearly and at once.
        second = subprocess.run([sys.executable, "-m", "daemon", "run", "--config", str(cfg)], env=ENV,
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert f"another goldenrule service (pid {proc.pid}) is already running" in second.stderr

        # SIGUSR1: new mail is synced now, not in an hour.
        c = server.client()
        c.append("INBOX", enron(shared, "inbox", 1, skip=30)[0])
        c.logout()
        proc.send_signal(signal.SIGUSR1)
        wait_for(lambda: jobs(tmp_path) == ["ok", "ok"], "the SIGUSR1 sync", timeout=30)
        assert query(tmp_path, "select count(*) from copies")[0][0] == 41

        # The server goes away: the job fails, is recorded, and the service lives on.
        server.stop()
        proc.send_signal(signal.SIGUSR1)
        wait_for(lambda: jobs(tmp_path)[-1:] == ["error"], "the failed sync", timeout=60)
        assert proc.poll() is None
        error = query(tmp_path, "select error from jobs where status = 'error'")[0][0]
        assert "account test" in error and PASSWORD not in error
        # ...and recovers when it is back.
        server.start()
        proc.send_signal(signal.SIGUSR1)
        wait_for(lambda: jobs(tmp_path)[-1:] == ["ok"], "the recovered sync", timeout=60)

        # SIGHUP reloads the config: a broken one is refused and the old one kept.
        cfg.write_text(cfg.read_text().replace("sync_interval_seconds = 3600", "sync_interval_seconds = oops"))
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "config not reloaded" in (tmp_path / "service.log").read_text(), "the refused reload")
        assert proc.poll() is None
        # ...and a good one is taken.
        cfg.write_text(cfg.read_text().replace("sync_interval_seconds = oops", "sync_interval_seconds = 1800"))
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "config reloaded from" in (tmp_path / "service.log").read_text(), "the reload")

        # SIGTERM: a prompt, clean exit.
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        notify.close()
    log = (tmp_path / "service.log").read_text()
    lines = [json.loads(line) for line in log.splitlines()]  # --log-format json: every line is JSON
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    assert "goldenrule service stopped" in log
    messages = [line["message"] for line in lines]
    assert any(m.startswith("sync: ok (test ok, ") and m.endswith(" new)") for m in messages), messages
    assert "digest: ok (sent)" in messages, messages
    assert PASSWORD not in log and SMTP_PASSWORD not in log
    assert query(tmp_path, "pragma integrity_check") == [("ok",)]
    assert query(tmp_path, "select count(*) from sync_runs where status = 'running'") == [(0,)]
    assert len(smtp["inbox"].messages) == 1  # never a second digest for the same week


def test_deploy_files():
    """The service files name the real command, restart on failure, and the container runs as a user."""
    import plistlib
    from pathlib import Path

    deploy = Path(__file__).resolve().parent.parent / "deploy"
    unit = (deploy / "goldenrule.service").read_text()
    assert "Type=notify" in unit and "WatchdogSec=" in unit and "Restart=on-failure" in unit
    assert "ExecStart=%h/.local/bin/goldenrule run" in unit and "NoNewPrivileges=yes" in unit
    serve = (deploy / "goldenrule-serve.service").read_text()
    assert "goldenrule serve" in serve and "Restart=on-failure" in serve
    plist = plistlib.loads((deploy / "org.goldenrule.run.plist").read_bytes())
    assert plist["ProgramArguments"][1:] == ["run"] and plist["RunAtLoad"]
    docker = (deploy / "Dockerfile").read_text()
    assert "USER goldenrule" in docker and 'CMD ["goldenrule", "status", "--max-age", "2h"]' in docker


def test_sigterm_in_the_middle_of_a_sync_loses_and_duplicates_nothing(tmp_path, shared, smtp):  # noqa: F811
    """Stopped while storing, the service exits 0 after the batch in hand; the next start finishes the
    job with every message stored once."""
    d = Dovecot().start()
    try:
        c = d.client()
        raws = enron(shared, "sent", 400)
        for raw in raws:
            c.append("INBOX", raw)
        c.logout()
        cfg = write_config(tmp_path, d, smtp)
        cfg.write_text(cfg.read_text().replace("fetch_batch = 50", "fetch_batch = 5"))
        proc = start(cfg, tmp_path)
        wait_for(lambda: query(tmp_path, "select count(*) from copies")[0][0] >= 20, "the sync to be under way")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        stored = query(tmp_path, "select count(*) from copies")[0][0]
        status = query(tmp_path, "select status from sync_runs order by id desc limit 1")[0][0]
        assert (status, stored < 400) in {("interrupted", True), ("ok", False)}
        if status == "interrupted":  # the run's record counts what it stored before stopping
            assert query(tmp_path, "select messages_new from sync_runs order by id desc limit 1")[0][0] > 0
        assert query(tmp_path, "pragma integrity_check") == [("ok",)]
        proc = start(cfg, tmp_path, name="second")
        try:
            wait_for(lambda: jobs(tmp_path)[-1:] == ["ok"] and len(jobs(tmp_path)) >= 2, "the resumed sync")
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        assert query(tmp_path, "select count(*), count(distinct source_key) from copies") == [(400, 400)]
    finally:
        d.cleanup()
