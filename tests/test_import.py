import os
import stat
import sqlite3

import pytest

from conftest import CLOCK_TABLES
from daemon.importer import import_messages
from daemon.sources import RawMessage
from daemon.sources import read_path
from daemon.store import open_db
from fixtures import write_fixture_mailbox, write_ledger_mailbox


def run_import(db, cfg, *paths, me=()):
    def raws():
        for p in paths:
            yield from read_path(p)
    return import_messages(db, raws(), cfg, me=me)


def dump(path):
    """Every row of every table, for 'nothing changed' comparisons (import timestamps left out)."""
    con = sqlite3.connect(path)
    out = {}
    for (t,) in con.execute("select name from sqlite_master where type='table' and name not like 'messages_fts%'"):
        cols = [r[1] for r in con.execute(f"pragma table_info([{t}])") if r[1] not in ("imported_at",)]
        if t in ("imports", "schema_migrations") or t in CLOCK_TABLES:
            continue
        out[t] = sorted(map(repr, con.execute(f"select {', '.join(f'[{c}]' for c in cols)} from [{t}]")))
    return out


@pytest.fixture
def imported(tmp_path, cfg, db):
    box = write_fixture_mailbox(tmp_path / "mail")
    stats = run_import(db, cfg, box)
    return box, stats


def one(path, sql):
    return sqlite3.connect(path).execute(sql).fetchone()[0]


def rows(db, sql):
    return [tuple(r) for r in db.execute(sql).fetchall()]


def test_messages_exact_rows(imported, db):
    _, stats = imported
    assert (stats.copies_seen, stats.messages_new, stats.duplicates) == (8, 7, 1)
    assert rows(db, """select message_id, date, from_address, from_name, subject, is_from_me, is_automated,
                       category, own_text, parse_error from messages order by date is null, date""") == [
        ("a1@clientco.com", "2025-03-03T14:00:00Z", "ann@clientco.com", "Ann Smith", "Q3 numbers", 0, 0,
         "person", "Could you send me the Q3 numbers?", None),
        ("s1@example.org", "2025-03-03T15:00:00Z", "me@example.org", "Me Myself", "RE: Q3 numbers", 1, 0,
         "person", "Attached are the Q3 numbers.\n\nFrom the ledger: revenue is up.", None),
        ("n1@letters.example", "2025-03-04T06:00:00Z", "digest@letters.example", "Weekly Digest",
         "This week in widgets", 0, 1, "newsletter", "Ten things about widgets.", None),
        ("a2@clientco.com", "2025-03-04T13:30:00Z", "ann@clientco.com", "Ann Smith", "RE: Q3 numbers", 0, 0,
         "person", "Got them, thank you so much!", None),
        ("s2@example.org", "2025-03-05T14:00:00Z", "me@example.org", "Me Myself", "Proposal", 1, 0,
         "person", "Please review the proposal.", None),
        ("c1@partner.net", "2025-03-06T13:00:00Z", "carol@partner.net", "Carol Jones", "Re: Proposal", 0, 0,
         "person", "Here is my markup.", None),
        # No Message-ID: a stable synthetic one; no Date: recorded, never guessed; HTML-only: converted.
        (db.execute("select id from messages where from_address='bob@gmail.com'").fetchone()[0]
         + "@goldenrule.invalid", None, "bob@gmail.com", "Björn Berg", "Café on Friday?", 0, 0, "person",
         "Shall we meet at the café?", "missing Date header"),
    ]
    assert rows(db, "select automated_reason from messages where is_automated = 1") == [
        ("List-Unsubscribe without List-Post",)]
    assert rows(db, "select filename, content_type, size from attachments") == [("markup.pdf", "application/pdf", 22)]
    assert rows(db, "select html_only from messages where from_address = 'bob@gmail.com'") == [(1,)]


def test_duplicate_copies_point_to_one_message(imported, db):
    assert rows(db, """select c.folder, c.header_message_id, m.message_id from copies c
                       join messages m on m.id = c.message where m.from_address = 'me@example.org'
                       order by c.folder""") == [
        ("Sent", "s1@example.org", "s1@example.org"),
        ("Sent", "s2@example.org", "s2@example.org"),
        ("all_documents", "copy-s1@example.org", "s1@example.org"),
    ]


SENT_AT = "Wed, 01 Nov 2000 05:19:00 -0800"
NOTE = "Book us three rooms and make sure one of them has two beds.\n\nThanks\n"
QUOTED = ("\n-----Original Message-----\nFrom: dana@travel.example\nSent: Wednesday, November 01, 2000 10:35 AM\n"
          "Subject: Rooms\n\nWhich rooms would you like?\n")


def _copy(folder, mid, date, to="dana@travel.example", body=NOTE, extra=""):
    head = f"Message-ID: <{mid}>\nDate: {date}\nFrom: me@example.org\nTo: {to}\nSubject: Re: Rooms\n{extra}"
    return RawMessage(folder, f"{folder}#{mid}", (head + "\n" + body).encode())


@pytest.mark.parametrize("together", [True, False], ids=["same import", "second import"])
@pytest.mark.parametrize("copy, same", [
    (_copy("sent_items", "b", "Wed, 01 Nov 2000 17:19:00 -0800"), True),  # AM and PM swapped
    (_copy("sent_items", "b", "Wed, 01 Nov 2000 05:19:00 +0200"), True),  # written in the wrong zone: 10 hours
    (_copy("sent_items", "b", "Wed, 01 Nov 2000 17:19:00 -0800", to="'dana'@travel.example"), True),
    (_copy("sent_items", "b", "Thu, 02 Nov 2000 05:19:00 -0800"), False),  # a day later: sent again
    (_copy("sent_items", "b", "Wed, 01 Nov 2000 07:20:00 -0800"), False),  # not whole hours apart
    (_copy("sent_items", "b", "Wed, 01 Nov 2000 07:19:00 -0800", to="eli@travel.example"), False),  # someone else
    (_copy("sent_items", "b", "Wed, 01 Nov 2000 17:19:00 -0800", body="Thanks!\n"), False),  # too little text
    # The quoted history rendered otherwise (a non-breaking space become "?"): the same message.
    (_copy("sent_items", "b", "Wed, 01 Nov 2000 17:19:00 -0800", body=NOTE + QUOTED.replace(" 10:35", "? 10:35")),
     True),
    # Its own words differ, though the quoted history is the same: another message.
    (_copy("sent_items", "b", "Wed, 01 Nov 2000 17:19:00 -0800", body="Book us two rooms instead, both with two beds.\n"
           + QUOTED), False),
])
def test_a_copy_whose_date_slipped_by_whole_hours_is_the_same_message(cfg, db, copy, same, together):
    """Outlook exports write some copies of a sent message with AM and PM swapped or in the wrong time
    zone, under another Message-ID: the same sender, subject, text and a recipient, whole hours
    apart (at most 14), is one message. A day apart, a minute off, to someone else, or a note too
    short to tell, are two."""
    first = _copy("Sent", "a", SENT_AT, body=NOTE + QUOTED if b"Original" in copy.raw else
                  NOTE if b"Thanks!" not in copy.raw else "Thanks!\n")
    if together:
        stats = import_messages(db, [first, copy], cfg)
    else:
        import_messages(db, [first], cfg)
        stats = import_messages(db, [copy], cfg)
    assert stats.duplicates == int(same)
    expected = [("a",)] if same else [("a",), ("b",)]
    assert rows(db, "select message_id from messages order by message_id") == expected
    assert rows(db, "select c.source_key, m.message_id from copies c join messages m on m.id = c.message "
                    "order by c.source_key") == [("Sent#a", "a"), ("sent_items#b", "a" if same else "b")]


def test_bulk_mail_repeated_on_the_hour_stays_two_messages(cfg, db):
    """An alert repeats its text every hour: never taken for one message whose date slipped."""
    alert = "List-Unsubscribe: <mailto:off@alerts.example>\n"
    mk = lambda mid, date: _copy("INBOX", mid, date, to="me@example.org", body="The nightly backup finished.\n",
                                 extra=alert)
    import_messages(db, [mk("x1", "Wed, 01 Nov 2000 05:00:00 +0000"), mk("x2", "Wed, 01 Nov 2000 06:00:00 +0000")],
                    cfg)
    import_messages(db, [mk("x3", "Wed, 01 Nov 2000 07:00:00 +0000")], cfg)
    assert rows(db, "select message_id from messages order by message_id") == [("x1",), ("x2",), ("x3",)]


def test_threads_by_references_and_by_subject(imported, db):
    threads = rows(db, """select group_concat(message_id, ' '), min(t.formed_by), count(*) from
                          (select * from messages order by date) m join threads t on t.id = m.thread_id
                          group by thread_id order by min(m.date) is null, min(m.date)""")
    assert threads == [
        ("a1@clientco.com s1@example.org a2@clientco.com", "quoted_header,references", 3),
        ("n1@letters.example", "single", 1),
        ("s2@example.org c1@partner.net", "references", 2),
        (threads[3][0], "single", 1),
    ]
    assert rows(db, "select message_id, thread_link from messages where message_id like 'a2@%'") == [
        ("a2@clientco.com", "quoted_header")]


def _referencing(mid, day, subject, refs=(), frm="ann@clientco.com", to="me@example.org"):
    head = [f"Message-ID: <{mid}>", f"Date: Mon, {day:02d} Apr 2001 09:00:00 +0000", f"From: {frm}", f"To: {to}",
            f"Subject: {subject}"]
    if refs:
        head.append("References: " + " ".join(f"<{r}>" for r in refs))
    return RawMessage("INBOX", f"refs#{mid}", ("\n".join(head) + "\n\nSee the figures for this week.\n").encode())


def test_threads_ghost_parents_self_references_and_merges(cfg, db):
    """Two replies to a message never stored share a thread through it (a ghost); a message that
    names itself in References stays alone; a later message referencing two threads merges them,
    whole, into the thread of the earliest message; every row says how it was linked."""
    def thread_rows():
        return rows(db, """select group_concat(m.message_id, ' '), t.formed_by, t.message_count,
                                  t.participant_count
                           from (select * from messages order by date, id) m join threads t on t.id = m.thread_id
                           group by m.thread_id order by min(m.date)""")

    first = [_referencing("g1@x", 2, "Budget", ["absent@x"]),
             _referencing("g2@x", 3, "Budget figures", ["absent@x"], frm="bo@partner.net"),
             _referencing("self@x", 4, "Alone", ["self@x"]),
             _referencing("h1@x", 5, "Travel"),
             _referencing("h2@x", 6, "Travel plans", ["h1@x"], frm="me@example.org", to="ann@clientco.com")]
    import_messages(db, iter(first), cfg, me=["me@example.org"])
    assert thread_rows() == [
        ("g1@x g2@x", "references", 2, 3),
        ("self@x", "single", 1, 2),
        ("h1@x h2@x", "references", 2, 2),
    ]
    assert rows(db, "select message_id, thread_link from messages order by date") == [
        ("g1@x", "root"), ("g2@x", "references"), ("self@x", "root"), ("h1@x", "root"), ("h2@x", "references")]
    # New mail that references both threads merges them, recomputed whole, in the earliest one's thread.
    import_messages(db, iter([_referencing("j1@x", 7, "Both", ["g2@x", "h2@x"])]), cfg, me=["me@example.org"])
    assert thread_rows() == [
        ("g1@x g2@x h1@x h2@x j1@x", "references", 5, 3),
        ("self@x", "single", 1, 2),
    ]
    assert rows(db, "select count(*) from threads") == [(2,)]
    assert rows(db, """select m.message_id from threads t join messages m on m.id = t.root_message
                       order by t.first_date""") == [("g1@x",), ("self@x",)]


def test_a_reply_that_lost_its_re_joins_by_subject_within_a_week(cfg, db):
    """A message under the same subject, with no "Re:", quote or reference, written back to the sender
    of one its writer received less than a week before, is the same conversation; from an outsider,
    later, after only one's own message under that subject (a newsletter's daily subject), or to
    someone else (a common subject), it starts its own."""
    mail = [_referencing("m1@x", 2, "Site plan"),
            _referencing("m2@x", 3, "Site plan", frm="me@example.org", to="ann@clientco.com"),  # answer, no Re:
            _referencing("m3@x", 4, "Site plan", frm="cy@other.example", to="dee@other.example"),  # outsiders
            _referencing("m4@x", 12, "Site plan"),  # nine days after Ann's last
            _referencing("m5@x", 13, "Site plan"),  # Ann again, after her own message only
            _referencing("m6@x", 14, "Site plan", frm="me@example.org", to="bo@partner.net")]  # a new one, to someone else
    import_messages(db, iter(mail), cfg, me=["me@example.org"])
    assert rows(db, """select group_concat(message_id, ' ') from (select * from messages order by date)
                       group by thread_id order by min(date)""") == [
        ("m1@x m2@x",), ("m3@x",), ("m4@x",), ("m5@x",), ("m6@x",)]
    assert rows(db, "select message_id, thread_link from messages where message_id = 'm2@x'") == [("m2@x", "subject")]


def test_a_reply_joins_by_subject_only_a_message_of_the_same_exchange(cfg, db):
    """Replies with no stored reference join by subject; the owner of the mailbox is in every message,
    so sharing a participant is not enough: the owner's earlier message to someone else under the same
    subject ("RE: (no subject)") is another conversation, an earlier one to the same person is not."""
    mail = [_referencing("n1@x", 2, "RE: (no subject)", frm="me@example.org", to="ann@clientco.com"),
            _referencing("n2@x", 3, "RE: (no subject)", frm="me@example.org", to="bo@partner.net"),  # someone else
            _referencing("n3@x", 4, "RE: (no subject)", frm="me@example.org", to="bo@partner.net"),  # Bo again
            _referencing("n4@x", 5, "RE: (no subject)", frm="ann@clientco.com", to="me@example.org")]  # Ann answers
    import_messages(db, iter(mail), cfg, me=["me@example.org"])
    assert rows(db, """select group_concat(message_id, ' ') from (select * from messages order by date)
                       group by thread_id order by min(date)""") == [("n1@x n4@x",), ("n2@x n3@x",)]


def test_self_contacts_and_no_newsletter_contact(imported, db):
    assert rows(db, "select address, source from identities") == [("me@example.org", "sent_folder")]
    assert rows(db, """select name, email, is_self, messages_from, messages_to, threads from contacts
                       order by id""") == [
        ("Ann Smith", "ann@clientco.com", 0, 2, 1, 1),
        ("Björn Berg", "bob@gmail.com", 0, 1, 0, 1),
        ("Carol Jones", "carol@partner.net", 0, 1, 1, 1),
        ("Me Myself", "me@example.org", 1, 2, 0, 2),
    ]
    assert rows(db, "select name, role, copies from folders order by name") == [
        ("INBOX", "other", 5), ("Sent", "sent", 2), ("all_documents", "other", 1)]


def test_reimport_changes_nothing(tmp_path, cfg, db, imported):
    box, _ = imported
    before = dump(cfg.db_path)
    stats = run_import(db, cfg, box)
    assert (stats.messages_new, stats.already_imported) == (0, 8)
    assert dump(cfg.db_path) == before


def test_full_text_search_finds_imported_and_edited_messages(tmp_path, cfg, db, imported):
    box, _ = imported
    run_import(db, cfg, box)  # a re-import leaves the index consistent
    db.execute("insert into messages_fts (messages_fts) values ('integrity-check')")
    assert db.execute("select count(*) from messages_fts").fetchone()[0] == 7
    assert rows(db, "select m.message_id from messages_fts f join messages m on m.rowid = f.rowid "
                    "where messages_fts match 'markup'") == [("c1@partner.net",)]
    # an edited text is re-indexed (the update trigger)
    db.execute("update messages set own_text = 'Here is my redline.' where message_id = 'c1@partner.net'")
    assert rows(db, "select rowid from messages_fts where messages_fts match 'markup'") == []
    assert len(rows(db, "select rowid from messages_fts where messages_fts match 'redline'")) == 1


def test_database_is_private(imported, cfg):
    assert stat.S_IMODE(os.stat(cfg.db_path).st_mode) == 0o600


@pytest.mark.parametrize("policy, expected", [("own_text", "Got them, thank you so much!"),
                                              ("snippet", "Got them"), ("none", None)])
def test_body_privacy_setting(tmp_path, cfg, policy, expected):
    cfg.privacy.store_bodies = policy
    cfg.privacy.snippet_chars = 8
    db = open_db(cfg.db_path)
    run_import(db, cfg, write_fixture_mailbox(tmp_path / "m"))
    row = db.execute("select own_text, has_quote, quoted_from from messages where message_id = 'a2@clientco.com'"
                     ).fetchone()
    # the analysis (own text split, quoted header) ran on the full text whatever is kept
    assert tuple(row) == (expected, 1, "Me Myself")


@pytest.mark.parametrize("name, canonical", [
    ("Smith, John", "john smith"), ("John Q. Smith", "john q smith"), ("Dana Reyes (E-mail)", "dana reyes"),
    ("e-mail", ""), ("Email", ""), ("Internet Mail", ""), ("Ann", ""), ("ann@x.com", "")])
def test_names_that_merge_addresses(name, canonical):
    """Two addresses at one domain under the same full name are one person; an address book's
    "(E-mail)" marker is not part of the name, and "e-mail" alone is no name at all."""
    from daemon.people import canonical_name

    assert canonical_name(name) == canonical


@pytest.mark.parametrize("written, stored", [
    ("John.Smith/HOU/ECT@corp.example", "john.smith@corp.example"),  # a Lotus Notes name before the domain
    ("<ann.lee/corp/acme@acme.example>", "ann.lee@acme.example"),
    ("/o=acme/ou=na/cn=recipients/cn=jdoe@acme.example", "/o=acme/ou=na/cn=recipients/cn=jdoe@acme.example"),
    ("ann@clientco.com", "ann@clientco.com")])
def test_addresses_as_stored(written, stored):
    """Addresses are stored lower case without brackets; a Lotus Notes hierarchical name in front of
    the mail domain is the person's address at that domain (an Exchange path is no name and stays)."""
    from daemon.parse import normalize_address

    assert normalize_address(written) == stored


def test_notes_names_stored_before_are_rewritten_and_derived_again(cfg, db):
    """A database from before Lotus Notes names were read as addresses is rewritten when opened, and
    the messages concerned are threaded again by the next run: the same rows as mail stored now."""
    from daemon.importer import derive_underived

    mail = [_referencing("n1@x", 2, "Deal file", to="ann.lee/corp/acme@acme.example"),
            _referencing("n2@x", 3, "Re: Deal file", ["n1@x"], frm="ann.lee@acme.example", to="ann@clientco.com")]
    import_messages(db, iter(mail), cfg, me=["ann@clientco.com"])
    now = dump(cfg.db_path)
    # As an older version stored it:
    db.execute("update message_addresses set address = 'ann.lee/corp/acme@acme.example' where address = "
               "'ann.lee@acme.example' and message in (select id from messages where message_id = 'n1@x')")
    db.execute("update messages set to_addresses = 'ann.lee/corp/acme@acme.example' where message_id = 'n1@x'")
    db.execute("delete from schema_migrations where name = '0011_notes_names'")
    db.conn.commit()
    again = open_db(cfg.db_path)
    assert rows(again, "select message_id, to_addresses, thread_id is null from messages order by message_id") == [
        ("n1@x", "ann.lee@acme.example", 1), ("n2@x", "ann@clientco.com", 0)]
    assert derive_underived(again, cfg) == 1
    assert dump(cfg.db_path) == now


def _mail(mid, day, frm, subject, body, to="me@example.org"):
    head = [f"Message-ID: <{mid}>", f"Date: Mon, {day:02d} Apr 2001 09:00:00 +0000", f"From: {frm}", f"To: {to}",
            f"Subject: {subject}"]
    return RawMessage("INBOX", f"mail#{mid}", ("\n".join(head) + "\n\n" + body).encode())


FOOTERS = [
    _mail("o1@x", 2, "offers@shop.example", "Your rewards", "On behalf of our partners, we thank you for your "
          "generosity.\n\nThis message was not  sent unsolicited. If you no longer wish to receive these\ne-mails, "
          "click here.\n"),
    _mail("o2@x", 3, "lena@partner.example", "Gas flows letter", "Attached is this month's letter.  To be removed "
          "from the distribution, reply with Remove in the subject.\n"),
    _mail("o3@x", 6, "offers@shop.example", "ADV: Save on licences", "We thank you for your time.\n"),
    _mail("p1@x", 4, "bo@partner.example", "Volumes", "Please let me know that you received this email.\n"),
    _mail("p2@x", 5, "me@example.org", "Re: Weekly letter", "Please remove me from this distribution list.\n",
          to="lena@partner.example"),
]


def test_a_mailing_footer_marks_a_newsletter_without_bulk_headers(cfg, db):
    """Older newsletters and offers carry no List-* header, only a footer in their text: such a message
    is a newsletter (no contact, no help event: "we thank you for your generosity" thanks nobody for
    help). A person asking to be taken off a list, or asking whether an e-mail arrived, is a person."""
    import_messages(db, iter(FOOTERS), cfg, me=["me@example.org"])
    assert rows(db, "select message_id, category, automated_reason from messages order by message_id") == [
        ("o1@x", "newsletter", "mailing footer in the text (This message was not sent unsolicited)"),
        ("o2@x", "newsletter", "mailing footer in the text (To be removed from)"),
        ("o3@x", "newsletter", "advertisement (ADV: subject)"),
        ("p1@x", "person", None), ("p2@x", "person", None)]
    assert rows(db, "select helper, helped from help_events") == []


def test_mailing_footers_stored_before_are_marked_and_derived_again(cfg, db):
    """A database from before mailing footers were read is brought up to date when opened: the same
    rows as mail stored now, once the next run derives the messages concerned again."""
    from daemon.importer import derive_underived

    import_messages(db, iter(FOOTERS), cfg, me=["me@example.org"])
    now = dump(cfg.db_path)
    # As an older version stored it (and derived from it):
    db.execute("update messages set is_automated = 0, category = 'person', automated_reason = null where "
               "message_id in ('o1@x', 'o2@x')")
    db.execute("insert into help_events (id, helper, helped, kind, message) select 'old', 'me@example.org', "
               "from_address, 'favor', id from messages where message_id = 'o1@x'")
    db.execute("delete from schema_migrations where name = '0012_mailing_footers'")
    db.conn.commit()
    again = open_db(cfg.db_path)
    assert rows(again, "select message_id, category, thread_id is null from messages order by message_id") == [
        ("o1@x", "newsletter", 1), ("o2@x", "newsletter", 1), ("o3@x", "newsletter", 0), ("p1@x", "person", 0),
        ("p2@x", "person", 0)]
    assert derive_underived(again, cfg) == 2
    assert dump(cfg.db_path) == now


def test_a_footer_naming_who_sent_it_marks_a_mailing_also_in_an_older_database(cfg, db):
    """ "This message was sent to you by Egreetings.com.": a mailing that no header, and none of its
    several sender addresses alone, gives away (its "Here's what we got for V-Day:" handed the reader
    nothing). A database stored before this footer was read is marked when next opened."""
    card = _mail("e1@x", 2, "yourfriends@cards.example", "Hearts for V-Day!", "Here's some of what we got for "
                 "V-Day: new cards.\n\nCards values your privacy. This message was sent to you by Cards.example.\n")
    import_messages(db, iter([card]), cfg, me=["me@example.org"])
    marked = [("newsletter", "mailing footer in the text (This message was sent to you by)")]
    assert rows(db, "select category, automated_reason from messages") == marked
    assert rows(db, "select helper from help_events") == []
    db.execute("update messages set is_automated = 0, category = 'person', automated_reason = null")
    db.conn.commit()
    again = _opened_after(db, cfg, "0016_mailing_footers_sent_by")
    assert rows(again, "select category, automated_reason from messages") == marked


def test_a_systems_role_address_is_automated_also_in_an_older_database(cfg, db):
    """ "exchange.administrator@" warning that the mailbox is nearly full is a system, not a person (its
    "This warning is sent ... to inform you" did the reader no favor); a database stored before this
    was read is marked when next opened. A person's name with "admin" in it stays a person."""
    warning = _mail("w1@x", 2, "exchange.administrator@corp.example", "WARNING: Your mailbox is approaching the "
                    "size limit", "This warning is sent to inform you that your mailbox is approaching the limit.\n")
    person = _mail("w2@x", 3, "adminah.cole@corp.example", "Volumes", "The volumes for May are attached.\n")
    import_messages(db, iter([warning, person]), cfg, me=["me@example.org"])
    marked = [("w1@x", "automated", "automated sender address (exchange.administrator@)"), ("w2@x", "person", None)]
    assert rows(db, "select message_id, category, automated_reason from messages order by message_id") == marked
    assert rows(db, "select helper from help_events where helper like 'exchange%'") == []
    db.execute("update messages set is_automated = 0, category = 'person', automated_reason = null")
    db.execute("delete from messages where message_id = 'w2@x'")
    db.conn.commit()
    again = _opened_after(db, cfg, "0017_role_senders")
    assert rows(again, "select message_id, category, automated_reason from messages") == marked[:1]


_SHOP_OFFER = _mail("s1@x", 2, "deals@shop.example", "A $5 gift", "Here's an incentive to cross a few things off "
                    "your list.\n\nWe hope you enjoyed receiving this message. However, if you'd rather not receive "
                    "future e-mails of this sort from Shop.example, please use the link below.\n")
_SHOP_NEWS = _mail("s2@x", 3, "store-news@shop.example", "Introducing free shipping", "Here is our new shipping "
                   "offer for you.\n")


@pytest.mark.parametrize("mail, marked, migration", [
    (_SHOP_OFFER, ("newsletter", "mailing footer in the text (if you'd rather not receive)"),
     "0018_mailing_footers_rather_not"),
    (_SHOP_NEWS, ("automated", "automated sender address (store-news@)"), "0019_prefixed_role_senders")])
def test_a_shops_rather_not_footer_and_prefixed_news_sender_mark_mailings_also_in_an_older_database(
        cfg, db, mail, marked, migration):
    """ "If you'd rather not receive future e-mails of this sort from Shop.example" is a mailing's footer,
    and "store-news@" a shop's role address: neither offer ("here's an incentive ...") hands the reader
    a document. A database stored before these were read is marked when next opened."""
    import_messages(db, iter([mail]), cfg, me=["me@example.org"])
    assert rows(db, "select category, automated_reason from messages") == [marked]
    assert rows(db, "select helper from help_events") == []
    db.execute("update messages set is_automated = 0, category = 'person', automated_reason = null")
    db.conn.commit()
    again = _opened_after(db, cfg, migration)
    assert rows(again, "select category, automated_reason from messages") == [marked]


def _daily(day):
    return _mail(f"d{day}@x", day, "desk@research.example", f"Gas analysis for 4-{day}-01",
                 "Attached please find the natural gas analysis for today.\n", to="readers@research.example")


def test_a_sender_who_never_addresses_you_is_a_broadcaster(cfg, db):
    """A sender whose messages (five or more) never name the user in To or Cc sends by Bcc or
    through a list: automated, even though the user answered once. When the fifth such message
    arrives in a later run, the events of the earlier ones go too: the same rows as one import."""
    reply = _mail("r1@x", 4, "me@example.org", "RE: Gas analysis for 4-3-01", "What storage number do you use?\n",
                  to="desk@research.example")
    person = [_mail(f"p{d}@x", d, "bo@partner.example", f"Note {d}", "Attached please find the agenda.\n")
              for d in range(2, 8)] + [_mail("q1@x", 9, "me@example.org", "Agenda", "Got it.\n", to="bo@partner.example")]
    import_messages(db, iter([_daily(d) for d in range(2, 6)] + [reply] + person), cfg, me=["me@example.org"])
    assert rows(db, "select count(*) from help_events where helper = 'desk@research.example'") == [(4,)]
    import_messages(db, iter([_daily(6)]), cfg)
    assert rows(db, "select distinct category, automated_reason from messages where from_address = "
                    "'desk@research.example'") == [("automated", "never addressed to you: 5 messages, all by Bcc or "
                                                                 "through a list")]
    assert rows(db, "select count(*) from help_events where helper = 'desk@research.example'") == [(0,)]
    assert rows(db, "select count(*) from messages where from_address = 'bo@partner.example' and is_automated = 0") \
        == [(6,)]
    once = dump(cfg.db_path)
    fresh = type(cfg)()
    fresh.database.path = str(cfg.db_path) + ".fresh.db"
    import_messages(open_db(fresh.db_path), iter([_daily(d) for d in range(2, 7)] + [reply] + person), fresh,
                    me=["me@example.org"])
    assert dump(fresh.db_path) == once


def test_me_option_and_config_merge(tmp_path, cfg):
    cfg.people.merge = [["ann@clientco.com", "ann.smith@gmail.com"]]
    cfg.people.important = ["carol@partner.net"]
    db = open_db(cfg.db_path)
    box = write_fixture_mailbox(tmp_path / "m")
    (box / "Sent.mbox").unlink()  # no Sent folder: only --me says who the user is
    (box / "all_documents.mbox").unlink()
    run_import(db, cfg, box, me=["Me@Example.org"])
    assert rows(db, "select address, source from identities") == [("me@example.org", "cli")]
    assert rows(db, "select email, important from contacts where important = 1") == [("carol@partner.net", 1)]


def test_worker_pool_gives_the_same_database(tmp_path, cfg):
    box = write_fixture_mailbox(tmp_path / "m")
    run_import(open_db(cfg.db_path), cfg, box)
    cfg2 = type(cfg)()
    cfg2.database.path = str(tmp_path / "pool.db")
    cfg2.import_.workers = 2
    run_import(open_db(cfg2.db_path), cfg2, box)
    assert dump(cfg.db_path) == dump(cfg2.db_path)


def test_parser_processes_replaced_after_each_task_give_the_same_database(tmp_path, cfg, monkeypatch):
    """Parser processes are replaced as they go (importer.WORKER_TASKS), so their memory does not
    grow with the mailbox; replaced after every task of 16 messages, they store what one process does."""
    from daemon import importer

    box = write_ledger_mailbox(tmp_path / "m")
    run_import(open_db(cfg.db_path), cfg, box)
    monkeypatch.setattr(importer, "WORKER_TASKS", 1)
    cfg2 = type(cfg)()
    cfg2.database.path = str(tmp_path / "pool.db")
    cfg2.import_.workers = 2
    stats = run_import(open_db(cfg2.db_path), cfg2, box)
    assert stats.messages_new > 3 * 16 * 2  # several tasks per process, each process replaced after one
    assert dump(cfg.db_path) == dump(cfg2.db_path)


def test_a_run_of_long_messages_is_stored_a_few_megabytes_at_a_time(tmp_path, cfg, monkeypatch):
    """The import stores parsed messages once they hold BATCH_BYTES of mail (as read), not only
    every BATCH messages, so its memory follows the bytes in hand; the database is the same."""
    from daemon import importer

    box = write_fixture_mailbox(tmp_path / "m")
    run_import(open_db(cfg.db_path), cfg, box)
    cfg2 = type(cfg)()
    cfg2.database.path = str(tmp_path / "small.db")
    stored = []
    store = importer.store_batch
    monkeypatch.setattr(importer, "store_batch", lambda db, parsed, *a, **k: stored.append(
        [p["message"]["size_bytes"] for p in parsed]) or store(db, parsed, *a, **k))
    monkeypatch.setattr(importer, "BATCH_BYTES", 600)
    run_import(open_db(cfg2.db_path), cfg2, box)
    groups = [sizes for sizes in stored if sizes]
    assert len(groups) > 2 and sum(map(len, groups)) == one(cfg.db_path, "select count(*) from messages")
    assert all(sum(sizes[:-1]) < 600 <= sum(sizes) for sizes in groups[:-1])  # stored when it reached the bound
    assert dump(cfg.db_path) == dump(cfg2.db_path)


def test_contacts_rebuilt_with_nothing_new_write_nothing(imported, cfg, db):
    from daemon import people

    before = rows(db, "select * from contacts order by id")
    changes = db.conn.total_changes
    with db.conn:
        people.rebuild_contacts(db, cfg, {r[0] for r in db.execute("select address from identities")})
    assert db.conn.total_changes == changes
    assert rows(db, "select * from contacts order by id") == before
    db.execute("update contacts set name = 'Someone Else' where email = 'ann@clientco.com'")
    with db.conn:
        people.rebuild_contacts(db, cfg, {r[0] for r in db.execute("select address from identities")})
    assert rows(db, "select * from contacts order by id") == before  # a changed row is written back


def test_insert_or_replace_writes_what_sqlite_utils_insert_all_writes(tmp_path):
    """The derived tables are written without sqlite-utils' per-value checks: the rows, their values
    (lists, dicts and dates converted as sqlite-utils converts them) and replacements must be the same."""
    import datetime as dt

    import sqlite_utils

    from daemon.store import insert_or_replace

    db = sqlite_utils.Database(tmp_path / "t.db")
    for name in ("theirs", "ours"):
        db[name].create({"id": int, "a": str, "b": float, "c": str, "d": int}, pk="id")
        db[name].insert({"id": 1, "a": "old", "b": 0.5, "c": "x", "d": 9})
    rows = [{"id": 1, "a": "new", "b": 1.25, "c": ["x", 2], "d": True},
            {"id": 2, "a": None, "b": 3, "c": {"k": "é"}},
            {"id": 3, "c": dt.datetime(2026, 11, 26, 9, 30), "a": "z", "b": None, "d": 0}]
    db["theirs"].insert_all([dict(r) for r in rows], pk="id", replace=True)
    insert_or_replace(db, "ours", [dict(r) for r in rows])
    query = "select id, a, typeof(a), b, typeof(b), c, typeof(c), d, typeof(d) from {} order by id"
    assert db.execute(query.format("ours")).fetchall() == db.execute(query.format("theirs")).fetchall()
    assert db.execute("select c from ours where id = 3").fetchone() == ("2026-11-26T09:30:00",)


LONG_LIST = ("Monday at 5 works for him.\n\nThanks.\n\n\n\"Ortiz, Sam\" <sam@uni.example> on 11/02/2000 10:51:36 AM\n\n"
             "To:   \"'ann@a.example'\" <ann@a.example>, \"'bo@b.example'\" <bo@b.example>,\n"
             "      \"'cy@c.example'\" <cy@c.example>, \"'di@d.example'\"\n      <di@d.example>, \"'ed@e.example'\"\n"
             "      <ed@e.example>, \"'flo@f.example'\" <flo@f.example>\n"
             "cc:   \"'ivy@i.example'\" <ivy@i.example>\nSubject:  Panel\n\n\n"
             "Attached please find the revised summary of the panel.\n")


def _opened_after(db, cfg, migration):
    """The database reopened as if `migration` had not run yet (an older version's), which leaves its one
    message to be derived again; derived."""
    from daemon.importer import derive_underived

    db.execute("delete from schema_migrations where name = ?", [migration])
    db.conn.commit()
    again = open_db(cfg.db_path)
    assert rows(again, "select thread_id is null from messages") == [(1,)]
    assert derive_underived(again, cfg) == 1
    return again


def test_recipient_lists_stored_before_are_cut_and_derived_again(cfg, db):
    """A database from before long Lotus "To:" lists were recognised keeps the quoted message in the
    stored own text (and an event from its "Attached please find ..."): opening it cuts the text as
    mail stored now is cut, drops the acts read from the part cut away, and the next run derives the
    message again: the same text, acts and events as mail stored now."""
    mail = [_mail("l1@x", 2, "me@example.org", "Re: Panel", LONG_LIST, to="sam@uni.example")]
    import_messages(db, iter(mail), cfg, me=["me@example.org"])
    query = ("select own_text, has_quote, quoted_from, quoted_date, quoted_subject from messages",
             "select part, position, act, sentence from message_acts where part = 'own' order by position, act",
             "select helper, helped, kind, evidence from help_events")
    now = [rows(db, q) for q in query]
    assert now[0] == [("Monday at 5 works for him.\n\nThanks.", 1, '"Ortiz, Sam" <sam@uni.example>',
                       "11/02/2000 10:51:36 AM", "Panel")]
    assert now[2] == []
    # As an older version stored it (and derived from it):
    db.execute("update messages set own_text = ?, has_quote = 0, quoted_from = null, quoted_date = null, "
               "quoted_subject = null", [LONG_LIST.strip()])
    db.execute("insert into message_acts (message, part, position, act, sentence, confidence, cue) select id, 'own', "
               "9, 'delivery', 'Attached please find the revised summary of the panel.', 0.9, 'giving' from messages")
    db.execute("insert into help_events (id, helper, helped, kind, message, evidence) select 'old', 'me@example.org', "
               "'sam@uni.example', 'document', id, 'Attached please find the revised summary of the panel.' from messages")
    again = _opened_after(db, cfg, "0013_recipient_lists")
    assert [rows(again, q) for q in query] == now


YAHOO_REPLY = ("Yes, the fax number at the base is 82-31-555-0142.\n\nPat\n\n--- \"Lee, Dana\" <dana@corp.example> wrote:\n"
               "Hey Pat,\n\nIs there a fax number at the base?  Have a great holiday, ha! ha!\n\nLove,\nDana\n")


def test_yahoo_quotes_stored_before_are_cut_and_derived_again(cfg, db):
    """A database from before Yahoo! Mail's '--- Name <address> wrote:' was recognised keeps the quoted
    letter in the stored own text: opening it cuts the text as mail stored now is cut, drops the acts
    read from the part cut away, and the next run derives the message again, as mail stored now."""
    mail = [_mail("y1@x", 2, "pat@home.example", "Re: Fax", YAHOO_REPLY, to="dana@corp.example")]
    import_messages(db, iter(mail), cfg, me=["dana@corp.example"])
    query = ("select own_text, has_quote, quoted_from from messages",
             "select part, position, act, sentence from message_acts where part = 'own' order by position, act")
    now = [rows(db, q) for q in query]
    assert now[0] == [("Yes, the fax number at the base is 82-31-555-0142.\n\nPat", 1, '"Lee, Dana" <dana@corp.example>')]
    assert all(r[1] < 2 for r in now[1])
    # As an older version stored it (and derived from it):
    db.execute("update messages set own_text = ?, has_quote = 0, quoted_from = null", [YAHOO_REPLY.strip()])
    db.execute("insert into message_acts (message, part, position, act, sentence, confidence, cue) select id, 'own', "
               "5, 'question', 'Is there a fax number at the base?', 0.9, 'question mark' from messages")
    again = _opened_after(db, cfg, "0015_yahoo_quotes")
    assert [rows(again, q) for q in query] == now
