"""The built-in sample mailbox: a deterministic year of mail for one persona, written by this code.

Colleagues (Dana, Priya), a mentor (Raj), clients (Tom, Mia, Jules), a recruiter (Sam), a friend
(Lena), a designer met once (Omar), a newcomer (Nina), a newsletter and notifications; questions
answered and ignored, thanks (one never answered), introductions that connected and one that did
not, a promise kept and one broken, ties that are active, cooling, cold and dormant, Outlook- and Gmail-style
quoting, replies without reply headers, an attachment and a message with a broken date. Seeded, so
every run writes the same mailbox.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from pathlib import Path

from .store import write_private

ME = ("Alex Morgan", "alex@morgan-consulting.example")
# The demo world's "today": a Monday at 08:00 UTC, when the default digest is due.
DEMO_END = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.timezone.utc)
# The demo imports mail before this from files (an old export) and syncs the rest over IMAP.
ARCHIVE_BEFORE = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
PEOPLE = {
    "dana": ("Dana Whitfield", "dana.whitfield@northwind.example"),
    "raj": ("Raj Patel", "raj@patel-advisory.example"),
    "lena": ("Lena Brooks", "lena.brooks@gmail.com"),
    "tom": ("Tom Okafor", "tom.okafor@contoso.example"),
    "mia": ("Mia Chen", "mia.chen@fabrikam.example"),
    "sam": ("Sam Rivera", "sam@talentbridge.example"),
    "priya": ("Priya Nair", "priya.nair@northwind.example"),
    "omar": ("Omar Haddad", "omar@haddad-design.example"),
    "jules": ("Jules Martin", "jules.martin@wingtip.example"),
    "nina": ("Nina Kowalski", "nina.k@fourthcoffee.example"),
}
TOPICS = ["pricing model", "Q3 roadmap", "vendor contract", "board deck", "hiring plan", "data migration",
          "launch checklist", "budget review"]
ASKS = ["Could you send me the latest {t} draft?", "Do you have a minute to look at the {t}?",
        "Can you share your notes on the {t}?", "What did the client decide about the {t}?"]
ANSWERS = ["Attached is the {t} draft you asked for.", "Here are my notes on the {t}: keep it simple.",
           "They approved the {t} this morning.", "I reviewed the {t}; my comments are below."]
THANKS = ["Thanks so much, this is exactly what I needed!", "Really appreciate your help with the {t}.",
          "Thank you, that saved me a day of work."]


class _Writer:
    def __init__(self):
        self.inbox: list[tuple[dt.datetime, str]] = []
        self.sent: list[tuple[dt.datetime, str]] = []
        self.n = 0

    def message(self, when, sender, to, subject, body, *, cc=(), reply_to_id=None, headers=(), attachment=None,
                raw_date=None):
        self.n += 1
        mid = f"demo-{self.n:05d}@goldenrule.example"
        lines = [
            f"Message-ID: <{mid}>",
            f"Date: {raw_date or email.utils.format_datetime(when)}",
            f"From: {email.utils.formataddr(sender)}",
            "To: " + ", ".join(email.utils.formataddr(p) for p in to),
        ]
        if cc:
            lines.append("Cc: " + ", ".join(email.utils.formataddr(p) for p in cc))
        lines.append(f"Subject: {subject}")
        if reply_to_id:
            lines.append(f"In-Reply-To: <{reply_to_id}>")
        lines += list(headers)
        if attachment:
            name, ctype, content = attachment
            lines += ["MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="demo-boundary"', "",
                      "--demo-boundary", "Content-Type: text/plain; charset=utf-8", "", body.rstrip(), "",
                      "--demo-boundary", f'Content-Type: {ctype}; name="{name}"',
                      f'Content-Disposition: attachment; filename="{name}"', "", content.rstrip(),
                      "--demo-boundary--", ""]
        else:
            lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", body.rstrip(), ""]
        text = "\n".join(lines)
        (self.sent if sender == ME else self.inbox).append((when, text))
        return mid

    def write(self, root: Path):
        root.mkdir(parents=True, exist_ok=True)
        for name, items in (("INBOX.mbox", self.inbox), ("Sent.mbox", self.sent)):
            with open(root / name, "w", encoding="utf-8") as f:
                for when, text in sorted(items):
                    f.write(f"From goldenrule-demo {when:%a %b %d %H:%M:%S %Y}\n")
                    f.write(text.replace("\nFrom ", "\n>From ") + "\n")


def _outlook_quote(sender, when, subject, body):
    return (f"\n\n-----Original Message-----\nFrom: {sender[0]}\nSent: {when:%A, %B %d, %Y %I:%M %p}\n"
            f"To: {ME[0]}\nSubject: {subject}\n\n{body}")


def _gmail_quote(sender, when, body):
    quoted = "\n".join("> " + line for line in body.splitlines())
    return f"\n\nOn {when:%a, %b %d, %Y at %I:%M %p} {sender[0]} <{sender[1]}>\nwrote:\n{quoted}"


def generate(root: Path, seed: int = 7, end: dt.datetime | None = None) -> Path:
    """Write the sample mailbox (INBOX.mbox, Sent.mbox) under root and return root."""
    rng = random.Random(seed)
    end = end or DEMO_END
    start = end - dt.timedelta(days=365)
    w = _Writer()
    cadence = {"dana": 9, "raj": 30, "lena": 21, "tom": 14, "mia": 45, "sam": 60, "priya": 7, "jules": 12}
    # Ties that go quiet: Priya (weekly) two and a half months ago is cooling, Tom (fortnightly) three
    # months ago is cold, Jules seven months ago is dormant.
    stop = {"tom": end - dt.timedelta(days=95), "priya": end - dt.timedelta(days=75),
            "jules": end - dt.timedelta(days=210)}
    for key, every in cadence.items():
        person = PEOPLE[key]
        when = start + dt.timedelta(days=rng.randint(0, every))
        while when < stop.get(key, end):
            topic = rng.choice(TOPICS)
            subject = topic.capitalize()
            they_ask = rng.random() < 0.5 and key != "raj"  # the mentor gives; Alex asks
            asker, helper = (person, ME) if they_ask else (ME, person)
            ask = rng.choice(ASKS).format(t=topic)
            mid = w.message(when, asker, [helper], subject, f"Hi,\n\n{ask}\n\nBest,\n{asker[0].split()[0]}")
            if rng.random() < 0.8:  # answered (20 % stay open)
                later = when + dt.timedelta(hours=rng.randint(1, 30))
                answer = rng.choice(ANSWERS).format(t=topic)
                outlook = rng.random() < 0.5
                quote = _outlook_quote(asker, when, subject, ask) if outlook else _gmail_quote(asker, when, ask)
                # Outlook-style replies carry no reply headers; Gmail-style ones do.
                mid2 = w.message(later, helper, [asker], f"RE: {subject}" if outlook else f"Re: {subject}",
                                 answer + quote, reply_to_id=None if outlook else mid)
                if rng.random() < 0.6:
                    w.message(later + dt.timedelta(hours=rng.randint(1, 20)), asker, [helper], f"Re: {subject}",
                              rng.choice(THANKS).format(t=topic), reply_to_id=mid2)
            when += dt.timedelta(days=max(1, rng.gauss(every, every / 3)))
    P = PEOPLE
    # An introduction: Raj introduces Alex to Mia.
    intro_at = start + dt.timedelta(days=200)
    w.message(intro_at, P["raj"], [ME, P["mia"]], "Introduction: Alex, meet Mia",
              "Alex, meet Mia Chen, who runs data at Fabrikam. Mia, Alex is the best pricing person I know.\n"
              "I'll let you two take it from here.")
    # Introductions Alex makes: Lena and Sam then write to each other; Dana and Omar never do.
    at = end - dt.timedelta(days=40)
    ask = w.message(at, P["lena"], [ME], "Looking for a new role",
                    "Hi Alex,\n\nDo you know a good recruiter for product roles?\n\nLena")
    w.message(at + dt.timedelta(hours=3), ME, [P["lena"]], "Re: Looking for a new role",
              "Lena, I've copied Sam Rivera, who places product people at Talentbridge. "
              "Sam can help you with the search.", cc=[P["sam"]], reply_to_id=ask)
    w.message(at + dt.timedelta(days=2), P["sam"], [P["lena"]], "Product roles",
              "Hi Lena, good to meet you. Are you free on Thursday for a call about two openings?",
              cc=[ME])
    at = end - dt.timedelta(days=30)
    ask = w.message(at, P["dana"], [ME], "Brand refresh",
                    "Alex, do you know anyone who could help with our brand refresh?")
    w.message(at + dt.timedelta(hours=5), ME, [P["dana"]], "Re: Brand refresh",
              "Dana, I've copied Omar Haddad, the designer who did our launch deck. He can help you.",
              cc=[P["omar"]], reply_to_id=ask)
    # A promise kept (the file follows the next day) and one broken.
    at = end - dt.timedelta(days=20)
    ask = w.message(at, P["mia"], [ME], "Benchmark data", "Could you share the pricing benchmark data?")
    w.message(at + dt.timedelta(hours=2), ME, [P["mia"]], "Re: Benchmark data",
              "Sure, I'll send you the benchmark spreadsheet tomorrow.", reply_to_id=ask)
    w.message(at + dt.timedelta(days=1), ME, [P["mia"]], "Benchmark data",
              "Attached is the pricing benchmark spreadsheet, as promised.",
              attachment=("benchmark.csv", "text/csv", "segment,price\nsmb,49\nmid,199\n"))
    at = end - dt.timedelta(days=12)
    ask = w.message(at, P["raj"], [ME], "Case study", "Could you send me the case study draft before Friday?")
    w.message(at + dt.timedelta(hours=4), ME, [P["raj"]], "Re: Case study",
              "I'll send you the draft by Thursday.", reply_to_id=ask)
    # Asked and never answered, and thanks never answered.
    w.message(end - dt.timedelta(days=6), P["dana"], [ME], "Offsite agenda",
              "Could you review the offsite agenda and tell me what is missing?")
    w.message(end - dt.timedelta(days=3), P["sam"], [ME], "Thank you",
              "Thanks so much for the introduction to Lena, she is a great fit for the role!")
    # A question to a group: a chance to give first.
    w.message(end - dt.timedelta(days=2), P["dana"], [P["priya"], P["tom"]], "QBR deck",
              "Does anyone have a good template for the QBR deck?", cc=[ME])
    # A newcomer who wrote first and got no reply.
    w.message(end - dt.timedelta(days=18), P["nina"], [ME], "Hello from Fourth Coffee",
              "Hi Alex, we met at the pricing meetup last week. I would love to hear how you run "
              "pricing reviews.")
    # A message with a broken Date header: stored with the problem recorded.
    w.message(end - dt.timedelta(days=8), P["lena"], [ME], "Weekend", "Are you around this weekend?",
              raw_date="Someday, 99 Foo 20XX")
    # Newsletter and notifications: bulk mail that never makes a contact.
    for i in range(12):
        when = start + dt.timedelta(days=30 * i + 3)
        w.message(when, ("Widget Weekly", "newsletter@widgetweekly.example"), [ME], f"Widget Weekly #{100 + i}",
                  "This week: ten things about widgets.", headers=["List-Unsubscribe: <mailto:u@widgetweekly.example>"])
        w.message(when + dt.timedelta(hours=2), ("Calendar", "no-reply@calendar.example"), [ME],
                  "Reminder: weekly sync", "You have an event tomorrow.", headers=["Auto-Submitted: auto-generated"])
    w.write(root)
    return root


def _sync_over_imap(mailbox: Path, raws: list, cfg, svc, db) -> str:
    """As a user starting out would: import an old export from files, then sync the live mailbox
    from a private Dovecot on 127.0.0.1 as the daemon does."""
    import os

    from .config import AccountConfig
    from .local_imap import USER, Dovecot

    dated = [(_date_of(r.raw), r) for r in raws]
    archive = [r for when, r in dated if when < ARCHIVE_BEFORE]
    svc.run_job("import", lambda: _import(db, archive, cfg, [str(mailbox)]))
    server = Dovecot()
    try:
        server.start()
        for folder in sorted({r.folder for r in raws}):
            server.load(folder, [(when, r.raw) for when, r in dated if r.folder == folder and when >= ARCHIVE_BEFORE])
        os.environ["GOLDENRULE_DEMO_IMAP_PASSWORD"] = server.password
        cfg.accounts = [AccountConfig(name="demo", host="127.0.0.1", port=server.tls_port, tls="implicit",
                                      ca_file=str(server.cert), username=USER,
                                      password_env="GOLDENRULE_DEMO_IMAP_PASSWORD")]
        svc.run_job("sync", svc.sync)
        status, error = db.execute("select status, error from sync_runs order by id desc limit 1").fetchone()
        if status != "ok":
            raise RuntimeError(f"the IMAP sync ended {status}: {error}")
        return (f"the {len(archive)} before {ARCHIVE_BEFORE:%Y-%m-%d} imported from the files, the rest synced "
                f"over IMAP from a private Dovecot on 127.0.0.1:{server.tls_port} (now stopped)")
    finally:
        server.cleanup()
        cfg.accounts = []


def _import(db, raws, cfg, paths) -> dict:
    from .importer import import_messages

    return {"messages_new": import_messages(db, iter(raws), cfg, paths=paths).messages_new}


def _date_of(raw: bytes) -> dt.datetime:
    """The Date header for APPEND's INTERNALDATE; the demo's one broken date gets DEMO_END."""
    import email.parser

    value = email.parser.BytesHeaderParser().parsebytes(raw).get("Date", "")
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return DEMO_END
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


class _Outbox:
    """An SMTP server's handler that files each message it receives under a directory."""

    def __init__(self, directory: Path):
        self.directory = directory

    async def handle_DATA(self, server, session, envelope):
        self.directory.mkdir(parents=True, exist_ok=True)
        n = len(list(self.directory.glob("*.eml"))) + 1
        write_private(self.directory / f"{n:03d}.eml", envelope.original_content or envelope.content)
        return "250 Message accepted"


def _send_digest_locally(out_dir: Path, cfg, svc, db) -> None:
    """Send this week's digest through a real SMTP server on 127.0.0.1 that files it in out_dir/outbox."""
    import socket

    from aiosmtpd.controller import Controller

    from .digest import run_due

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(_Outbox(out_dir / "outbox"), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        cfg.smtp.host, cfg.smtp.port, cfg.smtp.tls, cfg.smtp.allow_plaintext = "127.0.0.1", port, "none", True
        svc.run_job("digest", lambda: run_due(db, cfg, now=DEMO_END))
    finally:
        controller.stop()


def run_demo(out_dir: Path, cfg, serve: bool = True, port: int = 8001, imap: bool = True) -> None:
    """Generate the sample mailbox, run it through the real pipeline as of the demo's last day (over
    IMAP from a private Dovecot when one is installed, else from the files), send this week's digest
    through a local SMTP server, then serve the ledger in Datasette."""
    import click

    from . import local_imap
    from .digest import build, period_end, render
    from .importer import derive
    from .people import set_override
    from .service import Service
    from .sources import read_path
    from .store import open_db

    mailbox = generate(out_dir / "mailbox")
    if not cfg.database.path:
        cfg.database.path = str(out_dir / "goldenrule.db")
    db = open_db(cfg.db_path)
    svc = Service(cfg, None)
    svc.db = db
    raws = [r for p in sorted(mailbox.iterdir()) for r in read_path(p)]  # read once, used by every path
    how = None
    if imap and local_imap.available():
        try:
            how = _sync_over_imap(mailbox, raws, cfg, svc, db)
        except Exception as e:  # a Dovecot that cannot start here must not stop the demo
            click.echo(f"Dovecot could not serve the sample mailbox ({str(e).splitlines()[0][:200]}); "
                       "reading it from the files instead", err=True)
    if how is None:
        # Idempotent: copies an IMAP attempt already stored are skipped.
        svc.run_job("import", lambda: _import(db, raws, cfg, [str(mailbox)]))
        how = ("all imported from the files" + ("" if not imap else
               " (install dovecot-imapd to see it synced over IMAP, filling sync_state and sync_runs)"))
    set_override(db, "important", [PEOPLE["raj"][1]])  # the mentor matters most
    derive(db, cfg, new_ids=[], as_of=DEMO_END)
    _send_digest_locally(out_dir, cfg, svc, db)
    subject, text, html = render(build(db, cfg, period_end(cfg, DEMO_END)))
    write_private(out_dir / "digest.txt", f"Subject: {subject}\n\n{text}")
    write_private(out_dir / "digest.html", html)
    statuses = ", ".join(f"{n} {s}" for s, n in db.execute(
        "select status, count(*) from relationships group by status order by count(*) desc"))
    digest = db.execute("select status from digests order by period_end desc limit 1").fetchone()
    click.echo(f"Sample mailbox: {mailbox} ({len(raws)} messages, one year to {DEMO_END:%Y-%m-%d}), {how}")
    click.echo(f"Database: {cfg.db_path}: {db['messages'].count} messages, {db['threads'].count} threads, "
               f"{db['contacts'].count} contacts, {db['help_events'].count} help events")
    click.echo(f"Relationships as of {DEMO_END:%Y-%m-%d}: {statuses}")
    click.echo(f"Digest preview: {out_dir / 'digest.txt'} and {out_dir / 'digest.html'}")
    click.echo(f"Digest email: {digest[0] if digest else 'not sent'} through a local SMTP server, "
               f"filed in {out_dir / 'outbox'}")
    db.conn.close()
    if serve:
        from .ledger_views import serve as serve_ledger

        click.echo(f"Datasette: http://127.0.0.1:{port}/dashboard  (Ctrl-C to stop)")
        serve_ledger(str(cfg.db_path), "127.0.0.1", port)
