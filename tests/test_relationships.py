"""Relationships on a generated mailbox with known rhythms: status by each tie's own cadence,
strength from its stored components, loose ends, the golden-rule score, and as-of recomputation."""

import datetime as dt
import json
import math

import pytest
from click.testing import CliRunner

from conftest import mbox
from daemon.cli import cli
from daemon.importer import import_messages
from daemon.relationships import update_relationships
from daemon.sources import read_path

AS_OF = dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.timezone.utc)
ME = "me@example.org"
_n = iter(range(1, 100000))


def msg(when, frm, to, subject, body, cc=(), reply_to=None):
    n = next(_n)
    headers = [f"Message-ID: <m{n}@test>", f"Date: {when.strftime('%a, %d %b %Y %H:%M:%S +0000')}",
               f"From: {frm}", f"To: {', '.join(to)}", f"Subject: {subject}"]
    if cc:
        headers.append(f"Cc: {', '.join(cc)}")
    if reply_to:
        headers.append(f"In-Reply-To: <{reply_to}>")
    return f"<m{n}@test>", "\n".join(headers) + "\n\n" + body + "\n"


def exchange(out, when, who, subject):
    """They write, I answer an hour later: one two-way interaction."""
    mid, a = msg(when, who, [ME], subject, "Here is the weekly status of the project.")
    _, b = msg(when + dt.timedelta(hours=1), ME, [who], "Re: " + subject, "Thanks, looks good to me.", reply_to=mid[1:-1])
    out += [a, b]


def days_before(d, hour=9):
    return AS_OF - dt.timedelta(days=d) + dt.timedelta(hours=hour - 12)


@pytest.fixture
def ledger(tmp_path, cfg, db):
    inbox = []
    for k in range(26):  # alice: every two weeks for a year, then silent for four months
        exchange(inbox, days_before(120 + 14 * k), "alice@a.example", f"Status {k}")
    for k in range(26):  # bob: every two weeks, up to last week
        exchange(inbox, days_before(5 + 14 * k), "bob@b.example", f"Update {k}")
    for k in range(4):  # erin: once a year, last time 200 days ago: a yearly rhythm, not cooling
        exchange(inbox, days_before(200 + 365 * k), "erin@e.example", f"Annual review {k}")
    for k in range(5):  # frank: two-way, but nothing for over a year
        exchange(inbox, days_before(400 + 20 * k), "frank@f.example", f"Old project {k}")
    exchange(inbox, days_before(10), "dan@d.example", "Nice to meet you")  # dan: new
    inbox.append(msg(days_before(20), "carol@c.example", [ME], "Hello", "I enjoyed your talk at the meetup.")[1])
    exchange(inbox, days_before(100), "olga@o.example", "Conference")  # olga: one exchange, long ago
    inbox.append(msg(days_before(5), "gina@g.example", [ME], "Budget", "Could you send me the budget for Q3?")[1])
    hank_ask, m = msg(days_before(30), "hank@h.example", [ME], "Deck", "Do you have the deck from the offsite?")
    inbox.append(m)
    inbox.append(msg(days_before(29), ME, ["hank@h.example"], "Re: Deck", "I'll send you the deck tomorrow.",
                     reply_to=hank_ask[1:-1])[1])
    inbox.append(msg(days_before(3), "ivy@i.example", [ME], "Acme",
                     "Thanks so much for the referral to Acme, I start on Monday!")[1])
    jack_ask, m = msg(days_before(40), "jack@j.example", [ME], "Tax advice", "Do you know a good tax lawyer?")
    inbox.append(m)
    inbox.append(msg(days_before(39), ME, ["jack@j.example"], "Re: Tax advice",
                     "I've copied Kate Lin, who is the best tax lawyer I know. She can help you.",
                     cc=["kate@k.example"], reply_to=jack_ask[1:-1])[1])
    inbox.append(msg(days_before(35), "kate@k.example", ["jack@j.example"], "Meeting",
                     "Jack, good to meet you by email. Are you free on Tuesday to discuss the case?")[1])
    box = mbox(tmp_path / "mail" / "INBOX.mbox", *inbox)
    import_messages(db, read_path(box), cfg, me=[ME])
    with db.conn:
        update_relationships(db, cfg, AS_OF)
    return db


def status_of(db):
    return dict(db.execute("select email, status from relationships"))


def test_status_follows_each_ties_own_rhythm(ledger):
    s = status_of(ledger)
    assert (s["alice@a.example"], s["bob@b.example"], s["erin@e.example"], s["frank@f.example"],
            s["dan@d.example"], s["carol@c.example"], s["olga@o.example"]) == (
        "cooling", "active", "active", "dormant", "new", "new", "one-off")
    reason = ledger.execute("select status_reason from relationships where email = 'alice@a.example'").fetchone()[0]
    assert reason == "usually in touch every 2 weeks; silent for 4 months"
    row = ledger.execute("select typical_gap_days, gap_count, silence_days, two_way, messages, messages_in, "
                         "messages_out, my_median_reply_hours from relationships where email = 'bob@b.example'"
                         ).fetchone()
    assert tuple(row) == (14.0, 25, 5.1, 1, 52, 26, 26, 1.0)


def test_strength_is_explained_by_its_components(ledger):
    for inter, help_, t, strength in ledger.execute(
            "select strength_interactions, strength_help, strength_two_way_factor, strength from relationships"):
        assert strength == pytest.approx(100 * (1 - math.exp(-(inter + help_) * t / 25)), abs=0.2)
    s = dict(ledger.execute("select email, strength from relationships"))
    assert s["bob@b.example"] > s["alice@a.example"] > s["frank@f.example"]  # recent beats faded
    assert s["carol@c.example"] < 5  # one unanswered message is no tie


def test_loose_ends(ledger):
    rows = sorted(tuple(r) for r in ledger.execute("select kind, address, detail from loose_ends"))
    assert rows == [
        ("introduction", "jack@j.example",
         "introduced jack@j.example to kate@k.example; they wrote to each other on 2025-05-26"),
        ("no_follow_up", "carol@c.example", "first wrote on 2025-06-10; no reply within 7 days"),
        ("unanswered_request", "gina@g.example", "Could you send me the budget for Q3?"),
        ("unanswered_thanks", "ivy@i.example", "Thanks so much for the referral to Acme, I start on Monday!"),
        ("unkept_promise", "hank@h.example", "I'll send you the deck tomorrow."),
    ]


def test_help_balance_and_golden_rule(ledger):
    given = dict(ledger.execute("select email, help_given from relationships where help_given > 0"))
    assert given == {"ivy@i.example": 1, "jack@j.example": 1}
    assert ledger.execute("select count(*) from contact_help where direction = 'given'").fetchone()[0] == 2
    score = ledger.execute("select people_helped_90d, important_people_helped_90d, quarter from golden_rule_score"
                           ).fetchone()
    assert tuple(score) == (2, 0, "2025-Q2")
    assert [tuple(r) for r in ledger.execute("select quarter, people_helped, help_given from golden_rule")] == [
        ("2025-Q2", 2, 2)]


def test_as_of_reads_the_past_as_it_was(ledger, cfg):
    with ledger.conn:
        update_relationships(ledger, cfg, "2025-02-01")
    s = status_of(ledger)
    assert s["alice@a.example"] == "active"  # she was still writing then
    assert "dan@d.example" not in s and "ivy@i.example" not in s  # not met yet
    assert ledger.execute("select as_of from golden_rule_score").fetchone()[0] == "2025-02-01T23:59:59Z"


def test_people_cli_marks_important_and_lists(ledger, cfg):
    r = CliRunner().invoke(cli, ["people", "important", "JACK@j.example", "--db", cfg.db_path])
    assert r.exit_code == 0, r.output
    assert "JACK@j.example: contact" in r.output and "important=1" in r.output
    r = CliRunner().invoke(cli, ["people", "--db", cfg.db_path, "--as-of", "2025-06-30T12:00:00Z", "--important",
                                 "--json"])
    rows = [json.loads(l) for l in r.output.splitlines()]
    assert "jack@j.example" in [x["email"] for x in rows]
    assert CliRunner().invoke(cli, ["people", "--db", cfg.db_path, "--as-of", "2025-06-30T12:00:00Z"]
                              ).output.startswith("As of 2025-06-30: you helped 2 people in the last 90 days, 1 of")
    r = CliRunner().invoke(cli, ["people", "ignore", "carol@c.example", "--db", cfg.db_path])
    assert "ignored=1" in r.output
    assert "carol@c.example" not in status_of(ledger)
    r = CliRunner().invoke(cli, ["people", "merge", "kate@k.example", "--db", cfg.db_path])
    assert r.exit_code == 2 and "at least two addresses" in r.output
    r = CliRunner().invoke(cli, ["people", "--as-of", "June", "--db", cfg.db_path])
    assert r.exit_code == 2 and "not a date: 'June'" in r.output
