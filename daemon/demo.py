"""The built-in sample mailbox: a deterministic year of mail for one persona, written by this code.

Colleagues, a mentor, clients, a recruiter, a friend, a newsletter and notifications; questions
answered and ignored, thanks, an introduction, Outlook- and Gmail-style quoting, replies without
reply headers. Seeded, so every run writes the same mailbox.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from pathlib import Path

ME = ("Alex Morgan", "alex@morgan-consulting.example")
PEOPLE = {
    "dana": ("Dana Whitfield", "dana.whitfield@northwind.example"),
    "raj": ("Raj Patel", "raj@patel-advisory.example"),
    "lena": ("Lena Brooks", "lena.brooks@gmail.com"),
    "tom": ("Tom Okafor", "tom.okafor@contoso.example"),
    "mia": ("Mia Chen", "mia.chen@fabrikam.example"),
    "sam": ("Sam Rivera", "sam@talentbridge.example"),
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

    def message(self, when, sender, to, subject, body, *, cc=(), reply_to_id=None, headers=()):
        self.n += 1
        mid = f"demo-{self.n:05d}@goldenrule.example"
        lines = [
            f"Message-ID: <{mid}>",
            f"Date: {email.utils.format_datetime(when)}",
            f"From: {email.utils.formataddr(sender)}",
            "To: " + ", ".join(email.utils.formataddr(p) for p in to),
        ]
        if cc:
            lines.append("Cc: " + ", ".join(email.utils.formataddr(p) for p in cc))
        lines.append(f"Subject: {subject}")
        if reply_to_id:
            lines.append(f"In-Reply-To: <{reply_to_id}>")
        lines += list(headers)
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
    end = end or dt.datetime(2026, 11, 1, 17, 0, tzinfo=dt.timezone.utc)
    start = end - dt.timedelta(days=365)
    w = _Writer()
    cadence = {"dana": 9, "raj": 30, "lena": 21, "tom": 14, "mia": 45, "sam": 60}
    stop = {"tom": end - dt.timedelta(days=120)}  # a tie that goes quiet
    for key, every in cadence.items():
        person = PEOPLE[key]
        when = start + dt.timedelta(days=rng.randint(0, every))
        while when < stop.get(key, end):
            topic = rng.choice(TOPICS)
            subject = topic.capitalize()
            they_ask = rng.random() < 0.5
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
    # An introduction: Raj introduces Alex to Mia.
    intro_at = start + dt.timedelta(days=200)
    w.message(intro_at, PEOPLE["raj"], [ME, PEOPLE["mia"]], "Introduction: Alex, meet Mia",
              "Alex, meet Mia Chen, who runs data at Fabrikam. Mia, Alex is the best pricing person I know.\n"
              "I'll let you two take it from here.")
    # Newsletter and notifications: bulk mail that never makes a contact.
    for i in range(12):
        when = start + dt.timedelta(days=30 * i + 3)
        w.message(when, ("Widget Weekly", "newsletter@widgetweekly.example"), [ME], f"Widget Weekly #{100 + i}",
                  "This week: ten things about widgets.", headers=["List-Unsubscribe: <mailto:u@widgetweekly.example>"])
        w.message(when + dt.timedelta(hours=2), ("Calendar", "no-reply@calendar.example"), [ME],
                  "Reminder: weekly sync", "You have an event tomorrow.", headers=["Auto-Submitted: auto-generated"])
    w.write(root)
    return root


def run_demo(out_dir: Path, cfg, serve: bool = True, port: int = 8001) -> None:
    """Generate the sample mailbox, import it through the real pipeline, then serve it."""
    import click

    from .importer import import_messages
    from .sources import read_path
    from .store import open_db

    mailbox = generate(out_dir / "mailbox")
    if not cfg.database.path:
        cfg.database.path = str(out_dir / "goldenrule.db")
    db = open_db(cfg.db_path)
    stats = import_messages(db, (r for p in sorted(mailbox.iterdir()) for r in read_path(p)), cfg,
                            paths=[str(mailbox)])
    click.echo(f"Sample mailbox: {mailbox} ({stats.copies_seen} messages)")
    click.echo(f"Database: {cfg.db_path}: {db['messages'].count} messages, {db['threads'].count} threads, "
               f"{db['contacts'].count} contacts")
    if serve:
        from .ledger_views import serve as serve_ledger

        click.echo(f"Datasette: http://127.0.0.1:{port}/dashboard  (Ctrl-C to stop)")
        serve_ledger(str(cfg.db_path), "127.0.0.1", port)
