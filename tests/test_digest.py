"""The weekly digest through a real SMTP server (aiosmtpd with STARTTLS and login, on 127.0.0.1):
structure, headers and content; once per week across restarts; the latest missed week caught up;
an untrusted server refused; rendered in headless Chromium with a screenshot."""

import datetime as dt
import email
import email.policy
import os
import ssl
import subprocess
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from daemon.cli import cli
from daemon.digest import DigestError, period_end, run_due
from fixtures import AS_OF, ME, build_ledger, days_before, msg
from test_browser import ARTIFACTS, chromium, free_port

PASSWORD = "digest-secret-Zq81"
TOKEN = "ya29.test-token-Qw7"
HOSTILE = '<script>alert("x")</script>'


class Inbox:
    def __init__(self):
        self.messages = []

    async def auth_XOAUTH2(self, server, args):
        """Gmail / Microsoft 365 style: user and a bearer token, base64 in the initial response."""
        import base64

        expected = f"user=me\x01auth=Bearer {TOKEN}\x01\x01"
        ok = len(args) == 2 and base64.b64decode(args[1]).decode() == expected
        return AuthResult(success=ok, handled=False)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture(scope="module")
def smtp(tmp_path_factory):
    root = tmp_path_factory.mktemp("smtp")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(root / "key.pem"),
                    "-out", str(root / "cert.pem")], check=True, capture_output=True)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(root / "cert.pem", root / "key.pem")
    inbox = Inbox()

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"me" and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=ctx, require_starttls=True,
                            authenticator=authenticate, auth_require_tls=True)
    controller.start()
    yield {"port": port, "cert": root / "cert.pem", "inbox": inbox}
    controller.stop()


@pytest.fixture
def ledger(tmp_path, cfg, db, smtp, monkeypatch):
    hostile = msg(days_before(2), "mallory@m.example", [ME], HOSTILE, f"Could you look at {HOSTILE} please?")[1]
    build_ledger(tmp_path / "mail", cfg, db, extra=[hostile])
    monkeypatch.setenv("GOLDENRULE_SMTP_PASSWORD", PASSWORD)
    cfg.smtp.host, cfg.smtp.port, cfg.smtp.tls = "127.0.0.1", smtp["port"], "starttls"
    cfg.smtp.ca_file, cfg.smtp.username, cfg.smtp.password_env = str(smtp["cert"]), "me", "GOLDENRULE_SMTP_PASSWORD"
    cfg.digest.day, cfg.digest.time, cfg.digest.timezone = "monday", "08:00", "Europe/Berlin"
    cfg.digest.base_url = "http://127.0.0.1:8001"
    smtp["inbox"].messages.clear()
    return db


def received(smtp):
    return [email.message_from_bytes(content, policy=email.policy.default)
            for _, _, content in smtp["inbox"].messages]


NOW = AS_OF  # Monday 30 June 2025, 12:00 UTC: this week's digest is due (08:00 Berlin)


def test_period_follows_the_configured_day_time_and_zone(cfg):
    cfg.digest.day, cfg.digest.time, cfg.digest.timezone = "monday", "08:00", "Europe/Berlin"
    end = period_end(cfg, NOW)
    assert end.isoformat() == "2025-06-30T08:00:00+02:00"
    early = dt.datetime(2025, 6, 30, 5, 59, tzinfo=dt.timezone.utc)  # 07:59 in Berlin: last week's
    assert period_end(cfg, early).isoformat() == "2025-06-23T08:00:00+02:00"


def test_digest_arrives_with_structure_headers_and_content(ledger, cfg, smtp):
    result = run_due(ledger, cfg, NOW)
    assert result["status"] == "sent"
    (m,) = received(smtp)
    assert m.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in m.iter_parts()] == ["text/plain", "text/html"]
    assert m["To"] == ME and m["Auto-Submitted"] == "auto-generated"
    assert m["Message-ID"] == result["message_id"] and m["Date"]
    assert m["Subject"] == "goldenrule: your week to 30 Jun 2025 - 4 to answer, 1 cooling"
    text = m.get_body(("plain",)).get_content()
    html = m.get_body(("html",)).get_content()
    for section in ("GOLDEN RULE", "WHAT YOU OWE", "COOLING", "CLOSE THE LOOP", "NEW PEOPLE TO FOLLOW UP"):
        assert section in text
    assert "gina@g.example: asked you 5 days ago in \"Budget\": \"Could you send me the budget for Q3?\"" in text
    assert "alice@a.example: usually in touch every 2 weeks; silent for 2 months." in text
    assert "introduced jack@j.example to kate@k.example; they wrote to each other on 2025-05-26" in text
    assert "http://127.0.0.1:8001/ledger/contact_timeline?contact=gina%40g.example" in html
    assert "http://127.0.0.1:8001/ledger/thread_help?thread=" in html
    # Mail text is data, never markup, in the HTML part.
    assert HOSTILE not in html and "&lt;script&gt;alert(" in html
    assert PASSWORD not in text + html


def test_once_per_week_across_restarts_and_catch_up(ledger, cfg, smtp):
    assert run_due(ledger, cfg, NOW)["status"] == "sent"
    # The same week again (a restart, a second process): not sent twice.
    assert run_due(ledger, cfg, NOW + dt.timedelta(hours=3))["status"] == "already sent"
    # A crash after 'sending' was recorded: the week is not sent again either (at most once).
    next_week = NOW + dt.timedelta(days=7)
    key = period_end(cfg, next_week).isoformat()
    ledger["digests"].insert({"period_end": key, "status": "sending"})
    assert run_due(ledger, cfg, next_week)["status"] == "already sending"
    # Down for two weeks: on start, only the latest missed week is sent.
    later = NOW + dt.timedelta(days=21)
    assert run_due(ledger, cfg, later)["status"] == "sent"
    assert len(smtp["inbox"].messages) == 2
    rows = [tuple(r) for r in ledger.execute("select period_end, status from digests order by period_end")]
    assert rows == [("2025-06-30T08:00:00+02:00", "sent"), ("2025-07-07T08:00:00+02:00", "sending"),
                    ("2025-07-21T08:00:00+02:00", "sent")]


def test_untrusted_server_is_refused_and_recorded(ledger, cfg, smtp):
    cfg.smtp.ca_file = ""
    with pytest.raises(DigestError, match="certificate of 127.0.0.1 not trusted"):
        run_due(ledger, cfg, NOW)
    assert smtp["inbox"].messages == []
    status, error = ledger.execute("select status, error from digests").fetchone()
    assert status == "failed" and PASSWORD not in error
    # Fixed, the next attempt sends the week that failed.
    cfg.smtp.ca_file = str(smtp["cert"])
    assert run_due(ledger, cfg, NOW)["status"] == "sent"


def test_wrong_password_is_a_clear_error(ledger, cfg, smtp, monkeypatch):
    monkeypatch.setenv("GOLDENRULE_SMTP_PASSWORD", "wrong")
    with pytest.raises(DigestError, match="login refused by 127.0.0.1"):
        run_due(ledger, cfg, NOW)


def test_an_empty_week_can_send_nothing(tmp_path, cfg, db, smtp):
    cfg.digest.to, cfg.digest.send_empty = ME, False
    assert run_due(db, cfg, NOW)["status"] == "empty"
    assert smtp["inbox"].messages == []


def test_preview_command_and_chromium_rendering(ledger, cfg, tmp_path):
    out = tmp_path / "preview"
    r = CliRunner().invoke(cli, ["digest", "--preview", "--out", str(out), "--db", cfg.db_path,
                                 "--as-of", "2025-06-30T12:00:00Z"])
    assert r.exit_code == 0, r.output
    text, html = (out / "digest.txt").read_text(), (out / "digest.html").read_text()
    assert text.startswith("Subject: goldenrule: your week to 30 Jun 2025") and "WHAT YOU OWE" in text
    assert {(out / n).stat().st_mode & 0o777 for n in ("digest.txt", "digest.html")} == {0o600}  # private
    assert "What you owe" in html
    shot = ARTIFACTS / "digest.png"
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run([chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=800,1400", f"--screenshot={shot}",
                    (out / "digest.html").as_uri()], check=True, capture_output=True, timeout=120)
    dom = subprocess.run([chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                          f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", (out / "digest.html").as_uri()],
                         check=True, capture_output=True, text=True, timeout=120).stdout
    assert "Could you send me the budget for Q3?" in dom and "<script>alert" not in dom
    assert shot.read_bytes().startswith(b"\x89PNG")
    r = CliRunner().invoke(cli, ["digest", "--db", cfg.db_path])
    assert r.exit_code == 2 and "exactly one of --preview and --send" in r.output


def test_xoauth2_with_a_token_command(ledger, cfg, smtp):
    """XOAUTH2 (Gmail, Microsoft 365): the token command runs before the connection, no password."""
    cfg.smtp.password_env, cfg.smtp.oauth2_token_command = "", f"printf {TOKEN}"
    assert run_due(ledger, cfg, NOW)["status"] == "sent"
    assert len(smtp["inbox"].messages) == 1


def test_an_empty_week_gets_a_short_note(tmp_path, cfg, db, smtp):
    cfg.digest.to = ME
    cfg.smtp.host, cfg.smtp.port, cfg.smtp.tls, cfg.smtp.ca_file = "127.0.0.1", smtp["port"], "starttls", str(smtp["cert"])
    smtp["inbox"].messages.clear()
    cfg.smtp.username = ""  # no login: aiosmtpd here requires none for delivery
    assert run_due(db, cfg, NOW)["status"] == "sent"
    (m,) = received(smtp)
    assert m["Subject"] == "goldenrule: your week to 30 Jun 2025"
    assert "A quiet week: nobody is waiting on you" in m.get_body(("plain",)).get_content()


def test_implicit_tls(ledger, cfg, smtp, tmp_path):
    """SMTPS (TLS from the first byte, port 465 style) with the certificate verified."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(smtp["cert"], Path(smtp["cert"]).with_name("key.pem"))
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=ctx)
    controller.start()
    try:
        cfg.smtp.tls, cfg.smtp.port, cfg.smtp.username = "implicit", port, ""
        assert run_due(ledger, cfg, NOW)["status"] == "sent"
        assert len(inbox.messages) == 1
    finally:
        controller.stop()


def test_a_clock_jumping_back_sends_no_old_week(ledger, cfg, smtp):
    assert run_due(ledger, cfg, NOW)["status"] == "sent"
    back = run_due(ledger, cfg, NOW - dt.timedelta(days=10))
    assert back["status"].startswith("skipped: a later week (2025-06-30T08:00:00+02:00)")
    assert len(smtp["inbox"].messages) == 1
    # Forward again (or a jump ahead): the latest week goes out once.
    assert run_due(ledger, cfg, NOW + dt.timedelta(days=7))["status"] == "sent"
    assert len(smtp["inbox"].messages) == 2
