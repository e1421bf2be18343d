"""The weekly digest: whom to help, whom you owe, which ties are cooling -- one email a week.

It reads the same SQL as Datasette's canned queries (`queries.py`) plus a few of its own, renders a
plain-text and an HTML part from Jinja2 templates (HTML autoescaped, inline styles), and sends them
over SMTP with verified TLS. Each period is recorded in `digests` before it is sent: a restart never
sends the same week twice (at most once), and the latest missed week is sent on start.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import smtplib
import ssl
import urllib.parse
import zoneinfo
from email.message import EmailMessage
from pathlib import Path

import jinja2

from .config import Config
from .queries import CANNED
from .relationships import as_of_time, iso

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TEMPLATES = Path(__file__).parent / "templates"


class DigestError(Exception):
    """A one-line reason the digest could not be sent (no server configured, refused login...)."""


# --- periods ------------------------------------------------------------------------------------

def period_end(cfg: Config, now: dt.datetime) -> dt.datetime:
    """The latest scheduled send time at or before `now` (the end of the week the digest covers)."""
    tz = zoneinfo.ZoneInfo(cfg.digest.timezone)
    local = now.astimezone(tz)
    hour, minute = map(int, cfg.digest.time.split(":"))
    candidate = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    candidate -= dt.timedelta(days=(local.weekday() - DAYS.index(cfg.digest.day)) % 7)
    if candidate > local:
        candidate -= dt.timedelta(days=7)
    return candidate


# --- content ------------------------------------------------------------------------------------

def _rows(db, sql: str, params: dict) -> list[dict]:
    return list(db.query(sql, params))


def build(db, cfg: Config, end: dt.datetime) -> dict:
    """Everything the digest says for the week ending at `end` (relationships as of then)."""
    from .relationships import update_relationships

    with db.conn:
        update_relationships(db, cfg, end)
    start = end - dt.timedelta(days=7)
    db_name = Path(cfg.db_path).stem
    base = cfg.digest.base_url.rstrip("/")

    def thread_url(thread):
        return f"{base}/{db_name}/thread_help?thread={urllib.parse.quote(thread)}" if thread else None

    def person_url(address):
        return f"{base}/{db_name}/contact_timeline?contact={urllib.parse.quote(address)}"

    week = {"since": start.astimezone(dt.timezone.utc).strftime("%Y-%m-%d"),
            "until": (end - dt.timedelta(seconds=1)).astimezone(dt.timezone.utc).strftime("%Y-%m-%d")}
    helped_week = _rows(db, CANNED["people_i_helped"]["sql"], week)
    score = db.execute("select important_people_helped_90d, people_helped_90d, quarter from golden_rule_score"
                       ).fetchone()
    quarters = _rows(db, "select quarter, people_helped, important_people_helped from golden_rule "
                         "order by quarter desc limit 4", {})
    owe = _rows(db, CANNED["what_i_owe"]["sql"], {})
    cooling = _rows(db, CANNED["cooling"]["sql"], {})[:10]
    asked = _rows(db, """
        select m.from_address as address, coalesce(r.name, m.from_address) as person, m.subject, m.thread_id,
               a.sentence as ask, m.date
        from message_acts a join messages m on m.id = a.message
        left join contact_addresses ca on ca.address = m.from_address
        left join relationships r on r.contact_id = ca.contact_id
        where a.part = 'own' and a.act = 'request' and a.confidence >= 0.6 and m.is_from_me = 0
          and m.is_automated = 0 and m.date >= :since and m.date < :until
          and not exists (select 1 from help_events e where e.request_message = m.id)
          and not exists (select 1 from loose_ends l where l.message = m.id)
        group by m.id order by m.date desc limit 10""",
                  {"since": iso(start.timestamp()), "until": iso(end.timestamp())})
    not_helped = _rows(db, """
        select name as person, email as address, help_received, last_help_given_at, last_thread, last_subject
        from relationships
        where two_way = 1 and help_received > 0 and status in ('active', 'cooling', 'new')
          and (last_help_given_at is null or last_help_given_at < date(as_of, '-180 days'))
        order by (important or important_inferred) desc, help_received desc, strength desc limit 5""", {})
    loops = _rows(db, "select address, detail, subject, thread_id, resolved_at from loose_ends "
                      "where kind = 'introduction' order by since desc limit 10", {})
    new_people = _rows(db, "select address, detail, subject, thread_id from loose_ends "
                           "where kind = 'no_follow_up' order by since desc limit 10", {})
    for section in (helped_week, owe, cooling, asked, not_helped, loops, new_people):
        for item in section:
            address = item.get("address") or item.get("email")
            if address:
                item["person_url"] = person_url(address)
            thread = item.get("thread_id") or item.get("last_thread")
            item["thread_url"] = thread_url(thread)
    items = sum(map(len, (helped_week, owe, cooling, asked, not_helped, loops, new_people)))
    return {
        "period_end": end, "period_start": start, "as_of": iso(end.timestamp()),
        "helped_week": helped_week, "helped_90d": score[1] if score else 0,
        "important_helped_90d": score[0] if score else 0, "quarters": quarters,
        "owe": owe, "cooling": cooling, "asked": asked, "not_helped": not_helped,
        "loops": loops, "new_people": new_people, "items": items, "dashboard_url": f"{base}/dashboard",
    }


def render(content: dict) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of a digest."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(
        enabled_extensions=("html",), default_for_string=True), trim_blocks=True, lstrip_blocks=True)
    end = content["period_end"]
    subject = f"goldenrule: your week to {end:%d %b %Y}"
    if content["items"]:
        subject += f" - {len(content['owe'])} to answer, {len(content['cooling'])} cooling"
    text = env.get_template("digest.txt").render(**content)
    html = env.get_template("digest.html").render(**content)
    return subject, text, html


def compose(cfg: Config, me: str, subject: str, text: str, html: str) -> EmailMessage:
    msg = EmailMessage()
    sender = cfg.digest.from_address or cfg.digest.to or me
    msg["From"] = sender
    msg["To"] = cfg.digest.to or me
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = email.utils.make_msgid(domain=sender.rpartition("@")[2] or "goldenrule.invalid")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


# --- sending ------------------------------------------------------------------------------------

def smtp_ssl_context(s) -> ssl.SSLContext:
    """The system's CAs, or with `ca_file` that file's alone (as for IMAP accounts)."""
    try:
        return ssl.create_default_context(cafile=str(Path(s.ca_file).expanduser()) if s.ca_file else None)
    except (OSError, ssl.SSLError) as e:
        raise DigestError(f"smtp.ca_file {s.ca_file}: {getattr(e, 'strerror', None) or e}") from None


def send(cfg: Config, msg: EmailMessage) -> None:
    """Deliver over SMTP with a verified certificate; the secret comes from its configured source."""
    from .imap_sync import SyncError, get_secret

    s = cfg.smtp
    if not s.host:
        raise DigestError("no [smtp] host configured: use `goldenrule digest --preview`, or configure [smtp]")
    ctx = smtp_ssl_context(s)
    port = s.port or {"implicit": 465, "starttls": 587, "none": 25}[s.tls]
    try:
        if s.tls == "implicit":
            server = smtplib.SMTP_SSL(s.host, port, timeout=s.timeout_seconds, context=ctx)
        else:
            server = smtplib.SMTP(s.host, port, timeout=s.timeout_seconds)
        with server:
            if s.tls == "starttls":
                server.starttls(context=ctx)
            if s.username:
                try:
                    kind, secret = get_secret(s)
                except SyncError as e:
                    raise DigestError(str(e).replace("account smtp", "smtp")) from None
                if kind == "oauth2":
                    token = f"user={s.username}\x01auth=Bearer {secret}\x01\x01"
                    server.ehlo()
                    server.auth("XOAUTH2", lambda challenge=None: token, initial_response_ok=True)
                else:
                    server.login(s.username, secret)
            server.send_message(msg)
    except smtplib.SMTPAuthenticationError as e:
        raise DigestError(f"smtp: login refused by {s.host}: {e.smtp_code}") from None
    except ssl.SSLCertVerificationError as e:
        raise DigestError(f"smtp: certificate of {s.host} not trusted: {e.verify_message}") from None
    except (OSError, smtplib.SMTPException) as e:
        raise DigestError(f"smtp: {s.host}:{port}: {e.__class__.__name__}: {e}") from None


def _me(db, cfg: Config) -> str:
    if cfg.digest.to:
        return cfg.digest.to
    # An address only written to (an old one, learned from replies) is the last choice to write to.
    row = db.execute("select address from identities order by source = 'config' desc, source = 'received_at', "
                     "messages desc limit 1").fetchone()
    if not row:
        raise DigestError("no address to send the digest to: set [digest] to, or import mail with --me")
    return row[0]


def run_due(db, cfg: Config, now: dt.datetime | None = None, force: bool = False) -> dict:
    """Send the digest for the latest week that ended by `now`, unless that week was already handled.

    The period is recorded as 'sending' before the SMTP conversation and 'sent' after it: after a
    crash in between, the week is not sent again (at most once)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    end = period_end(cfg, now)
    key = end.isoformat()
    row = db.execute("select status from digests where period_end = ?", (key,)).fetchone()
    if row and not force and row[0] in ("sent", "sending", "empty"):
        return {"period_end": key, "status": "already " + row[0]}
    # A clock that jumped back must not send an old week again (or for the first time, late).
    latest = db.execute("select max(period_end) from digests where status in ('sent', 'sending', 'empty')"
                        ).fetchone()[0]
    if latest and not force and dt.datetime.fromisoformat(latest) > end:
        return {"period_end": key, "status": f"skipped: a later week ({latest}) was already handled"}
    me = _me(db, cfg)
    content = build(db, cfg, end)
    stamp = iso(as_of_time(None))
    if not content["items"] and not cfg.digest.send_empty:
        with db.conn:
            db["digests"].upsert({"period_end": key, "status": "empty", "recorded_at": stamp, "items": 0},
                                 pk="period_end")
        return {"period_end": key, "status": "empty"}
    subject, text, html = render(content)
    msg = compose(cfg, me, subject, text, html)
    with db.conn:
        db["digests"].upsert({"period_end": key, "status": "sending", "recorded_at": stamp,
                              "message_id": msg["Message-ID"], "items": content["items"], "error": None},
                             pk="period_end")
    try:
        send(cfg, msg)
    except DigestError as e:
        with db.conn:
            db["digests"].upsert({"period_end": key, "status": "failed", "error": str(e)}, pk="period_end")
        raise
    with db.conn:
        db["digests"].upsert({"period_end": key, "status": "sent", "sent_at": iso(as_of_time(None))},
                             pk="period_end")
    return {"period_end": key, "status": "sent", "message_id": msg["Message-ID"], "items": content["items"]}
