"""Help events on a recorded mailbox: one conversation per rule, exact rows, incremental recompute."""

import json
from datetime import datetime, timedelta, timezone

from click.testing import CliRunner

from daemon.cli import cli
from daemon.help_events import update_help_events
from daemon.importer import derive, import_messages
from daemon.sources import read_path
from fixtures import write_help_mailbox

EXPECTED = [
    # helper, helped, kind, subject of the evidence message, evidence
    ("me@example.org", "ann@clientco.com", "document", "RE: Q3 numbers", "Attached are the Q3 numbers."),
    ("carol@partner.net", "me@example.org", "advice", "Re: Proposal", "Here is my markup."),
    ("me@example.org", "dave@dave.example", "introduction", "Re: Contact at Acme?",
     "Dave, I've copied Erin Wu, who runs procurement at Acme."),
    ("me@example.org", "frank@frank.example", "advice", "Last week",
     "Thanks again for reviewing my business plan over coffee last week, it made a real difference."),
    ("me@example.org", "jack@jack.example", "favor", "RE: Delivery date", "I changed the delivery date to May 2."),
    # A figure asked for, answered in two words.
    ("me@example.org", "kim@kim.example", "answer", "Re: Storage transfer", "Nov 1st."),
    # A reported problem fixed in a direct reply.
    ("me@example.org", "mia.cole@corp.example", "favor", "Re: EOL deal",
     "I changed the counterparty to Dynegy Marketing."),
    # "Done. Thanks.": the thanks under one's own help is a sign-off, so no event the other way.
    ("pat.kim@corp.example", "me@example.org", "favor", "RE: Reliant deal", "Done."),
    # A file with an instruction about it in the same sentence is still a file sent.
    ("rita.diaz@corp.example", "me@example.org", "document", "Deferral election form",
     "Here is the benefits enrollment form, please send it to Ray Dunn."),
    # An answer to one person's ask stays help to that person, however many are copied.
    ("sam@law.example", "me@example.org", "document", "Side letter",
     "Per our call this morning, attached please find the revised side letter."),
    # Thanks for help in general, with nothing else in the message: a favor received.
    ("me@example.org", "vic@vic.example", "favor", "The package", "Thanks for your help."),
    # "Good point." in my reply credits the suggestion: the event sits at the suggestion.
    ("wes@wes.example", "me@example.org", "advice", "Old prices",
     "You should ask procurement for the older price list, they keep copies."),
    # My answer with a question back; Lou's reply to that question is no help returned.
    ("me@example.org", "lou@lou.example", "answer", "Re: Fuel rate", "The fuel rate is 2.1% for zone 4."),
    # A favor unasked, done for the reader; news of oneself ("I moved to Denver") is none.
    ("me@example.org", "olga@olga.example", "favor", "Friday", "I have booked the boardroom for your team on Friday."),
    # A draft sent for review: the comments on it are the help, the draft is none.
    ("quin@quin.example", "me@example.org", "advice", "Re: Lease draft",
     "I would cut clause 4, the landlord will never accept it."),
    # I answered Rae; three weeks later, in the same thread, she answers me: both are help (the
    # second is last below, by date).
    ("me@example.org", "rae@rae.example", "answer", "Re: Iroquois contract", "The demand charge is $0.42 per dth."),
    # Tom's answer, and ten days later thanks for a call since: two events.
    ("tom@tom.example", "me@example.org", "answer", "Re: Settlement dates", "The April settlement closes on May 9."),
    ("tom@tom.example", "me@example.org", "favor", "Re: Settlement dates",
     "Thanks for walking me through the settlement process on the phone yesterday."),
    ("rae@rae.example", "me@example.org", "answer", "Re: Iroquois contract", "The east desk has booked it since April."),
]


def said(mid, sender, to, text="", hours=0.0, subject="Subject", **extra):
    """One message of a thread for infer_thread, `hours` after 2025-03-03 09:00 UTC, its acts read
    from `text`."""
    from daemon.acts import message_acts
    from daemon.help_events import Msg

    when = datetime(2025, 3, 3, 9, tzinfo=timezone.utc) + timedelta(hours=hours)
    return Msg(mid, mid, when.strftime("%Y-%m-%dT%H:%M:%SZ"), when.timestamp(), sender, list(to), [], False, subject,
               acts=message_acts(text) if text else [], **extra)


def run_import(db, cfg, *paths):
    return import_messages(db, (r for p in paths for r in read_path(p)), cfg)


def events(db):
    return [tuple(r) for r in db.execute(
        "select e.helper, e.helped, e.kind, m.subject, e.evidence from help_events e "
        "join messages m on m.id = e.message order by m.date")]


def test_help_events_exact_rows(tmp_path, cfg, db):
    """Request -> help -> thanks is one event at the help; thanks alone shows help given outside
    email; an unkept promise, a broadcast, "thanks for your help" handing out work, a reply saying
    when one will come, a reply saying no, the asker's answer to a question back and a list
    someone else sent, passed on unasked, are none."""
    run_import(db, cfg, write_help_mailbox(tmp_path / "mail"))
    assert events(db) == EXPECTED
    row = db.execute("select * from help_events e join messages m on m.id = e.message "
                     "where m.message_id = 's1@example.org'").fetchone()
    cols = [d[0] for d in db.execute("select * from help_events limit 0").description]
    e = dict(zip(cols, row))
    # The contract the scorer and Datasette read.
    assert e["occurred_at"] == "2025-03-03T15:00:00Z" and e["message_id"] == "s1@example.org"
    assert 0 < e["confidence"] <= 1 and e["found_by"].startswith("reply to request")
    assert e["thread_id"] == db.execute("select thread_id from messages where message_id = 'a1@clientco.com'"
                                        ).fetchone()[0]
    assert e["request_message"] == db.execute("select id from messages where message_id = 'a1@clientco.com'"
                                              ).fetchone()[0]


def test_quoted_ask_is_read_but_never_evidence(tmp_path, cfg, db):
    run_import(db, cfg, write_help_mailbox(tmp_path / "mail"))
    acts = [tuple(r) for r in db.execute(
        "select a.part, a.act, a.sentence from message_acts a join messages m on m.id = a.message "
        "where m.message_id = 's5@example.org' order by a.part, a.position, a.act")]
    assert ("quoted", "request", "Could you move the delivery date to May 2?") in acts
    evidence = db.execute("select evidence from help_events").fetchall()
    assert all("Could you move" not in e for (e,) in evidence)


def test_new_mail_recomputes_only_the_threads_it_touches(tmp_path, cfg, db):
    box = write_help_mailbox(tmp_path / "mail")
    sent = box / "Sent Items.mbox"
    run_import(db, cfg, *[p for p in sorted(box.iterdir()) if p != sent])
    before = events(db)
    assert ("me@example.org", "frank@frank.example") in {(h, d) for h, d, *_ in before}
    # A sentinel on a thread the new mail does not touch: recomputing it would undo the edit.
    db.execute("update help_events set evidence = 'sentinel' where helped = 'frank@frank.example'")
    db.conn.commit()
    run_import(db, cfg, sent)
    after = events(db)
    assert ("me@example.org", "frank@frank.example", "advice", "Last week", "sentinel") in after
    assert ("me@example.org", "dave@dave.example", "introduction", "Re: Contact at Acme?",
            "Dave, I've copied Erin Wu, who runs procurement at Acme.") in after
    # A full recompute gives exactly what a one-pass import gives.
    with db.conn:
        update_help_events(db, None)
    assert events(db) == EXPECTED


def test_rebuild_is_idempotent(tmp_path, cfg, db):
    run_import(db, cfg, write_help_mailbox(tmp_path / "mail"))
    first = [tuple(r) for r in db.execute("select * from help_events order by id")]
    derive(db, cfg, new_ids=None)
    assert [tuple(r) for r in db.execute("select * from help_events order by id")] == first


def test_help_events_are_read_from_the_full_text_whatever_is_kept(tmp_path, cfg, db):
    """With store_bodies = "none" no text is kept at all, and the same help events are still found
    (acts are read on arrival, before the privacy setting trims the text); a rebuild keeps them.
    Only kinds read from wording can differ: an ask to review makes a reply advice, a thank-you that
    names what it thanks for gives its kind; without text both fall back (document, favor)."""
    cfg.privacy.store_bodies = "none"
    run_import(db, cfg, write_help_mailbox(tmp_path / "mail"))
    assert db.execute("select count(*) from messages where quoted_text is not null or own_text is not null"
                      ).fetchone()[0] == 0
    assert db.execute("select count(*) from message_acts where sentence is not null").fetchone()[0] == 0
    assert db.execute("select count(*) from help_events where evidence is not null").fetchone()[0] == 0
    who = [(e[0], e[1], e[3]) for e in EXPECTED]
    assert [(e[0], e[1], e[3]) for e in events(db)] == who
    assert [e[2] for e in events(db)] == ["document", "document", "introduction", "favor", "favor", "answer", "favor",
                                          "favor", "document", "document", "favor", "advice", "answer",
                                          "favor", "advice", "answer", "answer",
                                          "favor", "answer"]
    derive(db, cfg, new_ids=None)
    assert [(e[0], e[1], e[3]) for e in events(db)] == who


def test_snippet_privacy_cuts_evidence_sentences(tmp_path, cfg, db):
    cfg.privacy.store_bodies, cfg.privacy.snippet_chars = "snippet", 20
    run_import(db, cfg, write_help_mailbox(tmp_path / "mail"))
    assert db.execute("select max(length(sentence)) from message_acts").fetchone()[0] == 20
    assert [(e[0], e[1], e[3], e[4]) for e in events(db)] == [(e[0], e[1], e[3], e[4][:20]) for e in EXPECTED]


def test_acts_command_reads_stdin():
    r = CliRunner().invoke(cli, ["acts"], input="Could you send me the deck?\n\nThanks in advance.\n")
    assert r.exit_code == 0, r.output
    lines = [json.loads(l) for l in r.output.splitlines()]
    assert [l["text"] for l in lines] == ["Could you send me the deck?", "Thanks in advance."]
    assert lines[0]["acts"] == ["question", "request"] and lines[1]["acts"] == []
    assert "politeness formula" in lines[1]["cues"]


def test_explain_shows_acts_and_thread_events(tmp_path, cfg, db):
    run_import(db, cfg, write_help_mailbox(tmp_path / "mail"))
    r = CliRunner().invoke(cli, ["explain", "<s1@example.org>", "--db", cfg.db_path])
    assert r.exit_code == 0, r.output
    assert "delivery" in r.output and "Attached are the Q3 numbers." in r.output
    assert "* = evidence in this message" in r.output
    assert "me@example.org helped ann@clientco.com  document" in r.output
    r = CliRunner().invoke(cli, ["explain", "a1@clientco.com", "--db", cfg.db_path, "--json"])
    out = json.loads(r.output)
    assert [a["act"] for a in out["acts"]] == ["question", "request"]
    assert [e["helper"] for e in out["events"]] == ["me@example.org"] and not out["events"][0]["this_message"]
    r = CliRunner().invoke(cli, ["explain", "nope@nowhere", "--db", cfg.db_path])
    assert r.exit_code == 1 and "no stored message matches 'nope@nowhere'" in r.output


def write_old_address_mailbox(root):
    """Two people write to my old address, and I answer each from my new one; Dana writes to Zed and
    I answer her (I was blind-copied); I ask Carl, who answers my old address."""
    import datetime as dt

    from conftest import mbox
    from fixtures import msg

    old, me = "me.old@example.net", "me@example.org"

    def at(day, hour):
        return dt.datetime(2025, 3, day, hour, tzinfo=dt.timezone.utc)

    a1, ann_asks = msg(at(3, 9), "ann@ann.example", [old], "Fuel rate", "Could you send me the fuel rate for zone 4?")
    b1, bob_asks = msg(at(4, 9), "bob@bob.example", [old], "Plant hours", "Which meter number does the Bedford plant use?")
    d1, dana_asks = msg(at(5, 9), "dana@dana.example", ["zed@zed.example"], "Lease",
                        "Can you check the lease renewal date for the Elm Street office?")
    c1, i_ask_carl = msg(at(6, 9), me, ["carl@carl.example"], "Q3 volumes", "Do you have the Q3 volumes for Hartford storage?")
    mbox(root / "INBOX.mbox", ann_asks, bob_asks, dana_asks,
         msg(at(6, 11), "carl@carl.example", [old], "Re: Q3 volumes", "The Q3 volumes at Hartford were 41,000 dth.",
             reply_to=c1[1:-1])[1])
    mbox(root / "Sent.mbox",
         msg(at(3, 10), me, ["ann@ann.example"], "Re: Fuel rate", "The fuel rate is 2.1% for zone 4.", reply_to=a1[1:-1])[1],
         msg(at(4, 10), me, ["bob@bob.example"], "Re: Plant hours", "The Bedford plant uses meter 6012.",
             reply_to=b1[1:-1])[1],
         msg(at(5, 10), me, ["dana@dana.example"], "Re: Lease", "The Elm Street lease renews on 1 June.",
             reply_to=d1[1:-1])[1],
         i_ask_carl)
    return root


def test_mail_to_my_old_address_is_mail_to_me(tmp_path, cfg, db):
    """An address two people wrote to alone and I answered is mine: the self contact holds it, and
    asks sent to it are asks to me, answers sent to it answers to me. The evidence names each
    address as that message's headers do. Zed, written to by Dana alone, stays someone else."""
    run_import(db, cfg, write_old_address_mailbox(tmp_path / "mail"))
    assert [tuple(r) for r in db.execute("select address, source from identities order by address")] == [
        ("me.old@example.net", "received_at"), ("me@example.org", "sent_folder")]
    selves = {r[0] for r in db.execute("select a.address from contact_addresses a join contacts c "
                                       "on c.id = a.contact_id where c.is_self")}
    assert selves == {"me.old@example.net", "me@example.org"}
    assert sorted(tuple(r) for r in db.execute("select helper, helped, kind, evidence from help_events")) == [
        ("carl@carl.example", "me.old@example.net", "answer", "The Q3 volumes at Hartford were 41,000 dth."),
        ("me@example.org", "ann@ann.example", "answer", "The fuel rate is 2.1% for zone 4."),
        ("me@example.org", "bob@bob.example", "answer", "The Bedford plant uses meter 6012."),
    ]


def test_help_too_weak_to_report_does_not_make_the_answer_back_a_return():
    """An answer back to someone who just helped me is my side of that exchange, not help returned;
    but a loose remark of mine, too weak to be reported as help, is no help given: Tess's answer to
    the question I asked under it is help to me."""
    from daemon.acts import Act
    from daemon.help_events import Msg, infer_thread

    me, tess = "me@example.org", "tess@tess.example"
    m1 = Msg("m1", "m1", "2025-03-03T09:00:00Z", 1741000000.0, tess, [me], [], False, "Offsite",
             acts=[Act("question", "Who has the keys to the lab?", 0.7, "question mark", 0),
                   Act("request", "Who has the keys to the lab?", 0.6, "direct question", 0)])
    m2 = Msg("m2", "m2", "2025-03-03T10:00:00Z", 1741003600.0, me, [tess], [], False, "Re: Offsite",
             acts=[Act("statement", "Nice work on the floor plan.", 0.5, "statement", 0),
                   Act("question", "Which room should we use for the offsite?", 0.9, "question mark", 1),
                   Act("request", "Which room should we use for the offsite?", 0.6, "direct question", 1)])
    m3 = Msg("m3", "m3", "2025-03-03T11:00:00Z", 1741007200.0, tess, [me], [], False, "Re: Offsite",
             acts=[Act("advice", "I would use the large room on the third floor.", 0.65, "opinion or recommendation", 0)])
    found = {(e["helper"], e["helped"], e["message"]): e["confidence"] for e in infer_thread([m1, m2, m3])}
    assert found[(me, tess, "m2")] < 0.5  # found, but too weak to report
    assert found[(tess, me, "m3")] >= 0.5


def test_what_an_ask_recalls_was_asked_before_is_background():
    """A message that asks outright, mentioning in passing what the reader asked for before, hands
    nothing over; a file it says was asked for does."""
    from daemon.acts import Act
    from daemon.help_events import Msg, infer_thread

    me, vic = "me@example.org", "vic@vic.example"
    asks = Msg("v1", "v1", "2025-03-03T09:00:00Z", 1741000000.0, vic, [me], [], False, "Deals",
               acts=[Act("statement", "As you asked in March, the meters were moved to the new contract.", 0.9,
                         "answers an earlier ask", 0),
                     Act("request", "Please look into why they still bill.", 0.85, "request form", 1)])
    assert infer_thread([asks]) == []
    sends = Msg("v2", "v2", "2025-03-04T09:00:00Z", 1741086400.0, vic, [me], [], False, "Deals",
                acts=[Act("delivery", "As you requested, attached are the invoices for both deals.", 0.9,
                          "answers an earlier ask", 0),
                      Act("request", "Please check the totals.", 0.85, "request form", 1)])
    assert [(e["helper"], e["helped"], e["found_by"]) for e in infer_thread([sends])] == [
        (vic, me, "delivery answering an earlier ask")]


def test_work_done_as_instructed_is_help_though_it_ends_with_a_question():
    """ "As instructed, I removed ..." reports a task done on an earlier ask, by phone or in a thread
    not in the mailbox: help to the reader, even when it goes on to ask what to do next."""
    from daemon.acts import message_acts
    from daemon.help_events import Msg, infer_thread

    me, fay = "me@example.org", "fay@corp.example"
    text = ("As instructed, I removed the three draft invoices from the live system.\n"
            "There were nine in the batch, do you want to keep the other six?")
    msg = Msg("f1", "f1", "2025-03-03T09:00:00Z", 1741000000.0, fay, [me], [], False, "Invoices",
              acts=message_acts(text))
    assert [(e["helper"], e["helped"], e["kind"], e["found_by"]) for e in infer_thread([msg])] == [
        (fay, me, "favor", "delivery answering an earlier ask")]


def test_a_favor_done_for_the_reader_may_hand_over_next_steps_but_is_not_counted_twice():
    """ "Your reports are ready. Please set up the views you need." is help done for the reader,
    whatever it asks next (an ask before it would make it a message that asks); a second report of
    help to the same person within three days is the same help."""
    from daemon.acts import message_acts
    from daemon.help_events import Msg, infer_thread

    me, ned = "me@example.org", "ned@corp.example"

    def msg(n, text, day=0):
        return Msg(f"n{n}", f"n{n}", f"2025-03-{3 + day:02d}T09:00:00Z", 1741000000.0 + 86400 * day, ned, [me], [],
                   False, "Reports", acts=message_acts(text))

    ready = msg(1, "Your monthly reports are ready.\nPlease set up the views you want and ask us to publish them.")
    assert [(e["helper"], e["helped"], e["kind"], e["found_by"]) for e in infer_thread([ready])] == [
        (ned, me, "favor", "done for the reader")]
    asks_first = msg(2, "Please set up the views you want.\nYour monthly reports are ready.")
    assert infer_thread([asks_first]) == []
    again = msg(3, "Your reports have been set up and copied to the shared drive.", day=1)
    assert [e["message"] for e in infer_thread([ready, again])] == ["n1"]
    assert [e["message"] for e in infer_thread([ready, msg(4, again.acts[0].sentence, day=5)])] == ["n1", "n4"]


def test_a_promise_to_get_the_reader_something_is_help_once_kept():
    """ "Saw your voicemail. I'll get you the rates by Friday." stands for an ask made by phone: the
    figure sent next is help, at the message that sends it; the promise alone is none."""
    from daemon.acts import message_acts
    from daemon.help_events import Msg, infer_thread

    me, nia = "me@example.org", "nia@corp.example"

    def msg(n, sender, to, text, hours):
        return Msg(f"p{n}", f"p{n}", f"2025-03-03T{9 + hours:02d}:00:00Z", 1741000000.0 + 3600 * hours, sender, [to], [],
                   False, "Rates for May", acts=message_acts(text))

    promise = msg(1, me, nia, "Saw your voicemail.\nI'll get you the rates by Friday, sooner if I can.", 0)
    assert infer_thread([promise]) == []
    kept = msg(2, me, nia, "Freight surcharge for May 2025 = 3.15%", 3)
    assert [(e["helper"], e["helped"], e["kind"], e["message"]) for e in infer_thread([promise, kept])] == [
        (me, nia, "answer", "p2")]
    # A promise about oneself is no stand-in for an ask.
    news = msg(3, me, nia, "I'll get back from Denver on Friday.", 0)
    assert infer_thread([news, kept]) == []


def test_someones_contact_details_sent_are_an_introduction():
    """Who to contact, with their number, sent to one person puts them in touch: an introduction,
    though nobody new is copied."""
    from daemon.acts import message_acts
    from daemon.help_events import Msg, infer_thread

    me, ed = "me@example.org", "ed@corp.example"
    m = Msg("c1", "c1", "2025-03-03T09:00:00Z", 1741000000.0, ed, [me], [], False, "Contacts",
            acts=message_acts("Below are the people that your analysts should contact for each topic:\n"
                              "Billing - Ann Lee 555-0100"))
    assert [(e["helper"], e["helped"], e["kind"], e["found_by"]) for e in infer_thread([m])] == [
        (ed, me, "introduction", "contact details sent")]


def test_a_file_of_answers_is_an_answer():
    """What a file or list hands over is answers when it says so ("the spreadsheet holds our answers to
    your questions"): kind answer; any other file is a document."""
    from daemon.acts import message_acts
    from daemon.help_events import Msg, infer_thread

    me, gus = "me@example.org", "gus@corp.example"

    def sent(text):
        m = Msg("g1", "g1", "2025-03-03T09:00:00Z", 1741000000.0, gus, [me], [], False, "Ridgeway",
                acts=message_acts(text, attachment_count=1))
        return [(e["helper"], e["helped"], e["kind"]) for e in infer_thread([m])]

    assert sent("Attached, the spreadsheet holds our answers to your questions from Monday.") == [(gus, me, "answer")]
    assert sent("Here is our reply to the Ridgeway question.") == [(gus, me, "answer")]
    assert sent("To address your questions before the call, attached is our summary.") == [(gus, me, "answer")]
    assert sent("Attached is the revised budget for Ridgeway.") == [(gus, me, "document")]


def _exchange(asker, ask, answerer, answer):
    """Two messages an hour apart (a sentence each, or a list of sentences), with the acts (and their
    cues) the classifier reads in each sentence."""
    from daemon.acts import Act, _classify
    from daemon.help_events import Msg

    def one(n, sender, to, text):
        sentences = [text] if isinstance(text, str) else text
        read = [(i, t, *_classify(t)[:2]) for i, t in enumerate(sentences)]
        return Msg(f"x{n}", f"x{n}", f"2025-03-03T{9 + n:02d}:00:00Z", 1741000000.0 + 3600 * n, sender, [to], [],
                   False, "Rate", acts=[Act(a, t, c, why.get(a, ""), i) for i, t, acts, why in read
                                        for a, c in acts.items()])
    return [one(0, asker, answerer, ask), one(1, answerer, asker, answer)]


def test_go_ahead_is_leave_given_only_to_an_ask():
    """ "Go ahead and buy on that news", in reply to a link sent round, grants nothing nobody asked for;
    to "Can I buy more for the pool?" it is the leave asked for."""
    from daemon.help_events import infer_thread

    tim, eric = "tim@example.org", "eric@example.org"
    assert infer_thread(_exchange(tim, "http://www.example.com/moneyline", eric,
                                  "Go ahead and buy on that news. You know it is going to be bullish!!!")) == []
    assert [(e["helper"], e["helped"]) for e in infer_thread(_exchange(
        tim, "Can I buy more of the stock for the pool?", eric, "Go ahead and buy it."))] == [(eric, tim)]


def test_ok_answers_a_decision_asked():
    """ "OK" to a request for approval is the decision asked for: an answer."""
    from daemon.help_events import infer_thread

    me, sid = "me@example.org", "sid@sid.example"
    thread = _exchange(sid, "We seek your approval to pay the two late invoices.", me, "OK")
    assert [(e["helper"], e["helped"], e["kind"]) for e in infer_thread(thread)] == [(me, sid, "answer")]
    thread = _exchange(sid, "Could you tell me whether taking the 3rd to the 14th off is a problem?", me, "Sounds good")
    assert [(e["helper"], e["helped"], e["kind"]) for e in infer_thread(thread)] == [(me, sid, "answer")]


def test_ok_to_leave_asked_is_the_decision():
    """ "I would like to take a vacation day this Thursday" asks the reader for leave: "ok" decides it."""
    from daemon.help_events import infer_thread

    me, ida = "me@example.org", "ida@example.org"
    thread = _exchange(ida, "I would like to take a vacation day this Thursday.", me, "ok")
    assert [(e["helper"], e["helped"], e["kind"]) for e in infer_thread(thread)] == [(me, ida, "answer")]


def test_thanks_for_an_announcement_to_many_is_no_help_unless_it_helped():
    """An announcement to six people thanked by one ("Thank you for the information.") was help to no one
    in particular; "thanks, this is very useful" says it helped that reader."""
    from daemon.acts import Act, classify
    from daemon.help_events import Msg, infer_thread

    me, many = "me@example.org", [f"p{i}@example.org" for i in range(6)]

    def thread(thanks):
        m1 = Msg("a1", "a1", "2025-03-03T09:00:00Z", 1741000000.0, me, many, [], False, "Board meeting",
                 acts=[Act(a, "Attached is the agenda for the board meeting.", c, "", 0)
                       for a, c in classify("Attached is the agenda for the board meeting.")[0].items()])
        m2 = Msg("a2", "a2", "2025-03-03T10:00:00Z", 1741003600.0, many[0], [me], [], False, "Re: Board meeting",
                 acts=[Act(a, thanks, c, cue, 0) for a, c, cue in
                       [(a, c, classify(thanks)[1][0]) for a, c in classify(thanks)[0].items()]])
        return [(e["helper"], e["helped"]) for e in infer_thread([m1, m2])]

    assert thread("Thank you for the information.") == []
    assert thread("Thanks, this is very useful for the board.") == [(me, many[0])]


def test_ok_to_a_task_accepts_it_and_gives_nothing_yet():
    """ "That is fine." to "Would you please mail this form for me?" takes the task on; nothing is
    done yet, so no help (a "Done." later would be)."""
    from daemon.help_events import infer_thread

    me, sid = "me@example.org", "sid@sid.example"
    assert infer_thread(_exchange(sid, "Would you please mail the signed form to the bank for me?", me,
                                  "That is fine.")) == []
    assert [(e["helper"], e["kind"]) for e in infer_thread(_exchange(
        sid, "Would you please mail the signed form to the bank for me?", me, "Done."))] == [(me, "favor")]


def test_an_address_learned_as_mine_can_be_disowned(tmp_path, cfg, db):
    """`[identity] not_mine` undoes what was learned: the old address is someone else again, in the
    identities, the self contact and help events, once the ledger is derived again."""
    from daemon.importer import derive

    run_import(db, cfg, write_old_address_mailbox(tmp_path / "mail"))
    assert db.execute("select source from identities where address = 'me.old@example.net'").fetchone() == ("received_at",)
    assert db.execute("select count(*) from help_events").fetchone()[0] == 3
    cfg.identity.not_mine = ["Me.Old@example.net"]
    derive(db, cfg, new_ids=None)
    assert [tuple(r) for r in db.execute("select address, source from identities")] == [("me@example.org", "sent_folder")]
    selves = {r[0] for r in db.execute("select a.address from contact_addresses a join contacts c "
                                       "on c.id = a.contact_id where c.is_self")}
    assert selves == {"me@example.org"}
    # Asks to the old address are no longer asks to me; Carl's answer there is no longer to me.
    assert db.execute("select count(*) from help_events").fetchone()[0] == 0


def test_a_verdict_is_an_answer_and_comments_on_work_sent_for_review_are_advice():
    """ "Looks good." is the decision asked for (answer), to "Is the new rate OK?" and to "Could you
    review my draft?" alike (reviewers' bare "Looks good." and "This is correct." are approvals);
    a review that goes on to comment is an opinion on the asker's work (advice)."""
    from daemon.help_events import infer_thread

    me, uma = "me@example.org", "uma@uma.example"

    def kinds(ask, reply):
        return [(e["helper"], e["kind"]) for e in infer_thread(_exchange(uma, ask, me, reply))]

    assert kinds("Is the new rate OK for the March invoices?", "Looks good to me.") == [(me, "answer")]
    assert kinds("Is the new rate OK for the March invoices?", "The rate is fine.") == [(me, "answer")]
    assert kinds("Could you look over the plan for Monday?", "The plan looks good.") == [(me, "answer")]
    assert kinds("Could you review my draft of the lease?", "Looks good to me.") == [(me, "answer")]
    assert kinds("Could you review my draft of the lease?", ["Looks good to me.", "I would move the deadline to May."]
                 ) == [(me, "advice")]
    assert kinds("Could you review my draft of the lease?", "I would move the deadline to May.") == [(me, "advice")]


def test_a_question_of_fact_is_answered_whatever_the_wording():
    """ "Which desk books this?" asks for a fact: "I would say the gas desk books it" answers it. "Should
    we book it on the gas desk?" asks for an opinion: the same words advise."""
    from daemon.help_events import infer_thread

    me, uma = "me@example.org", "uma@uma.example"

    def kinds(ask, reply):
        return [(e["helper"], e["kind"]) for e in infer_thread(_exchange(uma, ask, me, reply))]

    assert kinds("Which desk books the Leidy storage deal?", "I would say the gas desk books it.") == [(me, "answer")]
    assert kinds("Should we book the Leidy storage deal on the gas desk?", "I would say the gas desk books it."
                 ) == [(me, "advice")]


def test_a_message_that_names_no_recipient_in_a_conversation(cfg, db):
    """My sent copy whose To line was lost went back to whoever asked, or to the one whose message it
    quotes; an answer to me that names no recipient (Bcc) came to me; an announcement to a hidden list
    that nobody asked for helps no one."""
    from daemon.sources import RawMessage

    def mail(mid, hour, frm, subject, body, to=None):
        head = [f"Message-ID: <{mid}>", f"Date: Mon, 02 Apr 2001 {hour:02d}:00:00 +0000", f"From: {frm}",
                f"Subject: {subject}"] + ([f"To: {to}"] if to else [])
        return RawMessage("INBOX", f"n#{mid}", ("\n".join(head) + "\n\n" + body + "\n").encode())

    me = "me@example.org"
    mail_in = [mail("a1@x", 8, "ann@clientco.com", "Deal 12", "Could you change the rate on deal 12 to 4.5?", to=me),
               mail("a2@x", 9, me, "RE: Deal 12", "This has been changed."),
               mail("b1@x", 10, me, "Pricing", "Can you send me the price sheet?", to="bo@partner.example"),
               mail("b2@x", 11, "bo@partner.example", "RE: Pricing", "Attached is the price sheet you asked for."),
               mail("c1@x", 12, "news@corp.example", "Benefits", "Attached is the new benefits guide."),
               # My reply quoting Dee's ask (her message is not in the mailbox), with no To line: to Dee.
               mail("d1@x", 13, me, "Re: Deals 7 and 8", "These deals have been changed to swaps.\n\n\n\n"
                    "Dee Park@ECT\n05/08/2001 02:17 PM\nTo: Me Myself/Corp@Corp\ncc:\nSubject: Deals 7 and 8\n\n"
                    "Can you change deals 7 and 8 to swaps?"),
               mail("d2@x", 14, "dee.park@partner.example", "RE: Deals 7 and 8", "thanks", to=me)]
    import_messages(db, iter(mail_in), cfg, me=[me])
    assert [(h, d, k) for h, d, k, _, _ in events(db)] == [
        (me, "ann@clientco.com", "favor"), ("bo@partner.example", me, "document"), (me, "dee.park@partner.example", "favor")]


def test_a_quoted_ask_of_a_third_person_is_not_the_readers():
    """A reply to one person whose quoted original (not in the mailbox) asks something was asked by that
    person; a message to one person quoting someone else's ask is a forward with a comment: the reader
    did not ask, and what the comment says answers nobody, unless the quoted message was itself a
    forward, passing on an ask that may be the reader's."""
    from daemon.acts import Act, message_acts
    from daemon.help_events import Msg, infer_thread

    kim, lou = "kim@corp.example", "lou@corp.example"
    ask = [Act("request", "Can you tell me which meter this deal flows through?", 0.9, "request form", -1)]

    def reply(quoted_from, quoted_subject="Meter"):
        return Msg("q1", "q1", "2025-03-03T09:00:00Z", 1741000000.0, kim, [lou], [], False, "RE: Meter",
                   quoted_from=quoted_from, quoted_subject=quoted_subject, quoted=ask,
                   acts=message_acts("The deal flows through meter 4021 on the east line."))

    assert [(e["helper"], e["helped"], e["kind"]) for e in infer_thread([reply("Lou Diaz")])] == [(kim, lou, "answer")]
    assert [(e["helper"], e["helped"]) for e in infer_thread([reply("")])] == [(kim, lou)]  # no header: the reader
    assert infer_thread([reply("Max Stone")]) == []
    assert infer_thread([reply("Lou Diaz/HOU/ECT")]) != []
    # Max forwarded an ask ("FW: Meter") to Kim, who answers the reader: likely the reader's own ask.
    assert [(e["helper"], e["helped"]) for e in infer_thread([reply("Max Stone", "FW: Meter")])] == [(kim, lou)]


def test_a_reminder_quoting_its_own_earlier_message_asks_nothing_new():
    """A survey's reminder that quotes its own first message (no header above the quote) does not
    turn the first message's asks into the reader's, nor its own text into an answer to them."""
    from daemon.acts import Act, message_acts
    from daemon.help_events import Msg, infer_thread

    desk, me = "survey@desk.example", "me@example.org"
    ask = "If you have technical problems, please call the help desk at 555-0100."
    first = Msg("s1", "s1", "2025-03-03T09:00:00Z", 1741000000.0, desk, [me], [], False, "Survey",
                acts=message_acts("You have been asked to give feedback on a colleague.\n" + ask))
    reminder = Msg("s2", "s2", "2025-03-06T09:00:00Z", 1741259200.0, desk, [me], [], False, "Survey",
                   acts=message_acts("Your input is very valuable and must be received by Friday, October 6."),
                   quoted=[Act("request", ask, 0.7, "request form", -1)])
    assert [a.sentence for a in first.acts if a.act == "request"] == [ask]
    assert infer_thread([first, reminder]) == []
    # The same reply after someone else's message that asked it: an answer to the reader.
    other = Msg("s0", "s0", "2025-03-01T09:00:00Z", 1740827200.0, me, [desk], [], False, "Survey",
                acts=message_acts("Can you tell me when the results are due?"))
    assert [(e["helper"], e["helped"]) for e in infer_thread([other, reminder])] == [(desk, me)]


def test_an_answer_from_behind_a_shared_address_helps_the_asker():
    """My question went to the help desk's shared address; someone on the desk answers me alone, on
    topic, with my question quoted: help. Someone the ask did not go to who writes back off topic, or
    without the question quoted, or to others too, answers nobody's ask."""
    from daemon.acts import Act
    from daemon.help_events import infer_thread

    me, desk, sam, ned = "me@example.org", "it.desk@corp.example", "sam@corp.example", "ned@corp.example"
    question = "How do I get a new logon id for the billing system?"
    ask = said("a1", me, [desk], question, subject="Logon id")

    def answer(text, to=(me,), quoted=True):
        return said("a2", sam, to, text, hours=6, subject="RE: Logon id",
                    quoted=[Act("question", question, 0.9, "question mark", -1)] if quoted else [])

    good = "Your new logon id for the billing system is P00501250."
    assert [(e["helper"], e["helped"], e["kind"]) for e in infer_thread([ask, answer(good)])] == [(sam, me, "answer")]
    assert infer_thread([ask, answer("Our team has three new analysts starting in the spring.")]) == []
    assert infer_thread([ask, answer(good, quoted=False)]) == []
    assert infer_thread([ask, answer(good, to=(me, ned))]) == []


def test_a_file_with_no_recipient_that_says_we_discussed_it_came_to_me(cfg, db):
    """A message that reached my mailbox naming no recipient, saying it gives what we discussed, was
    sent to me; a hidden-list mailing "in response to your requests" helps no one."""
    from daemon.sources import RawMessage

    def mail(mid, frm, subject, body):
        head = [f"Message-ID: <{mid}>", "Date: Mon, 02 Apr 2001 10:00:00 +0000", f"From: {frm}", f"Subject: {subject}"]
        return RawMessage("INBOX", f"n#{mid}", ("\n".join(head) + "\n\n" + body + "\n").encode())

    me = "me@example.org"
    import_messages(db, iter([
        mail("h1@x", "sol@partner.example", "Eval form", "Guys, here's that evaluation form we discussed."),
        mail("h2@x", "office@corp.example", "Deadline", "In response to your requests, the deadline has been extended "
             "to Friday, October 12.")]), cfg, me=[me])
    assert [(h, d, k) for h, d, k, _, _ in events(db)] == [("sol@partner.example", me, "document")]


def test_a_thing_named_as_done_written_to_one_person_was_done_for_them():
    """ "Contract 42789 has been extended to 10/31/2002." to one person is work done for them, even with a
    question about it after; what should have been done, or praise "credited with", is not."""
    from daemon.help_events import infer_thread

    sy, cat = "sy@corp.example", "cat@corp.example"

    def note(text):
        return said("d1", sy, [cat], text, subject="Contract 42789")

    done = infer_thread([note("Contract 42789 has been extended to 10/31/2002. Do you need anything else on it?")])
    assert [(e["helper"], e["helped"], e["kind"], e["evidence"]) for e in done] == [
        (sy, cat, "favor", "Contract 42789 has been extended to 10/31/2002.")]
    assert infer_thread([note("It should have been booked to the upstream book last month.")]) == []
    assert infer_thread([note("Our solutions have been credited with delivering large gains in revenue.")]) == []


def test_a_same_day_file_after_help_to_the_same_person_is_the_same_event():
    """Answers sent, then "Here is also the budget" to the same person that afternoon: one event (a
    same-day follow-up on the same help); the file a day later, or after mere thanks, is another."""
    from daemon.help_events import infer_thread

    me, jane = "me@example.org", "jane@law.example"
    ask = said("q", jane, [me], "Can you send me the answers to the environmental questions?", subject="Questions")
    answer = said("a", me, [jane], "Here are the answers to the environmental questions.", hours=1, subject="Re: Questions")
    budget = "Here is also the 2001 maintenance budget."
    for hours, found in [(5, ["a"]), (30, ["a", "b"])]:
        later = said("b", me, [jane], budget, hours=hours, subject="Re: Questions")
        assert [e["message"] for e in infer_thread([ask, answer, later])] == found, hours


def test_work_reported_done_outranks_a_weak_giving_and_a_denial_is_none():
    """ "The following pricing has been completed for the Westfield deal." to one person is work done for
    them, though "the following" also reads as something given; "Neither you nor Nick have been
    removed from the list" reports nothing done."""
    from daemon.help_events import infer_thread

    gt, ben = "gt@corp.example", "ben@corp.example"

    def note(text):
        return infer_thread([said("p1", gt, [ben], text, subject="Westfield")])

    done = note("The following pricing has been completed for the Westfield deal.\nTotal price is $5.68 per kW-month.")
    assert [(e["helper"], e["helped"], e["kind"]) for e in done] == [(gt, ben, "favor")]
    assert note("FYI - neither you nor Nick have been removed from the group list.") == []


def test_a_file_pointed_at_in_a_reply_to_the_readers_message_is_a_document():
    """The reader wrote; the reply, within days, points at a file ("Try the file X in the dropbox"):
    a document for the reader, though the pointing is weaker than "attached". The same line sent
    unprompted, or passing on someone's mail ("see email below"), is none."""
    from daemon.help_events import infer_thread

    sue, tang = "sue@corp.example", "tang@corp.example"
    note = said("n1", sue, [tang], subject="nov 6 support")

    def reply(text, hours=20):
        return said("n2", tang, [sue], text, hours=hours, subject="Re: nov 6 support")

    pointed = "Try the file RegionalOptions_1.xls in the dropbox."
    assert [(e["helper"], e["helped"], e["kind"]) for e in infer_thread([note, reply(pointed)])] == [(tang, sue, "document")]
    assert infer_thread([note, reply(pointed, hours=24 * 5)]) == []
    assert infer_thread([note, reply("Great job. See email below.")]) == []


def test_comments_handed_over_are_advice():
    """ "Here are my comments on the lease." sent to one person hands over a review: advice (the
    guideline's own example), where "Here is the revised lease." is a document."""
    from daemon.help_events import infer_thread

    def sent(text):
        return infer_thread([said("c1", "sue@corp.example", ["lin@corp.example"], text, subject="Lease")])

    assert [e["kind"] for e in sent("Here are my comments on the lease.")] == ["advice"]
    assert [e["kind"] for e in sent("Here are my notes on the lease: keep it short.")] == ["advice"]
    assert [e["kind"] for e in sent("Here is the revised lease.")] == ["document"]


def test_a_file_sent_unasked_with_a_let_me_know_is_still_a_document():
    """A file sent to one person with "Just let me know your preference." asks only to hear back: the
    file is still a document for them. With a task handed over ("Please sign it and fax it back") or
    a "let me know what you think" (sent for the reader's review), it is none."""
    from daemon.help_events import infer_thread

    def sent(text):
        return [(e["helper"], e["helped"], e["kind"]) for e in
                infer_thread([said("t1", "mia@corp.example", ["ben@corp.example"], text, subject="Trip")])]

    itinerary = "Please find attached your travel itinerary for Friday. "
    assert sent(itinerary + "Just let me know your preference.") == [("mia@corp.example", "ben@corp.example", "document")]
    assert sent(itinerary + "Please sign the expense form and fax it back to me.") == []
    assert sent("Here is the draft memo. Let me know what you think of it.") == []
    assert sent("Attached is the letter we are going to send him subject to your review.") == []
    assert sent("Attached is the first draw request, I will need some of these funds immediately.") == []
    assert sent("Here is a presentation I need by noon.") == []
    # An FYI unasked ("thought you'd enjoy this") is no help unless the reader says it was useful.
    assert sent("Thought you might find the attached article interesting.") == []
    assert sent("Attached for your reading pleasure is the testimony we filed.") == []


def test_news_in_a_conversation_titled_hi_answers_nothing():
    """Under a greeting for a subject ("Hi", "RE: Long Time...", "Happy St Paddy's Day"), a catch-up between friends: what is
    said there is news, not an answer. The same exchange under a subject of its own is an answer; a
    file handed over under "Hi" is still a document."""
    from daemon.help_events import infer_thread

    ann, bo = "ann@home.example", "bo@corp.example"

    def exchange(subject, reply):
        return [(e["helper"], e["helped"], e["kind"]) for e in infer_thread([
            said("h1", ann, [bo], "Did you ever sell the boat to the dealer?", subject=subject),
            said("h2", bo, [ann], reply, hours=3, subject="RE: " + subject)])]

    news = "I have not sold it yet, the dealer wants to pay too little for it."
    assert exchange("Hi", news) == []
    assert exchange("Long Time...", news) == []
    assert exchange("Happy St Paddy's Day", news) == []
    assert exchange("LONG TIME NO TALK!!!!!", news) == []
    assert exchange("Merry Christmas!", news) == []
    assert exchange("The boat", news) == [(bo, ann, "answer")]
    assert exchange("Happy to help with the boat", news) == [(bo, ann, "answer")]
    assert exchange("Hi", "Here is the bill of sale you asked for.") == [(bo, ann, "document")]


def test_thanks_on_a_message_passed_on_thank_ahead_for_the_help_it_asks():
    """Passing Gary's pricing on to Edith with only "Thanks for your help." thanks her ahead: no help
    yet, but an ask, which her reply with the corrected price answers. The same thanks in a reply to
    Edith's own message (its quoted header names her) thanks her for help."""
    from daemon.help_events import infer_thread

    ben, edith = "ben@corp.example", "edith.cross@corp.example"
    passed = said("p1", ben, [edith], "Thanks for your help.", subject="Westfield",
                  quoted_from="Gary Tripp 03/09/2000 12:51 PM")
    answer = said("p2", edith, [ben], "The capacity price is now $4.20 per kW-month.", hours=1,
                  subject="Re: Westfield")
    assert [(e["helper"], e["helped"], e["kind"], e["message"]) for e in infer_thread([passed])] == []
    assert [(e["helper"], e["helped"], e["kind"], e["message"]) for e in infer_thread([passed, answer])] == [
        (edith, ben, "answer", "p2")]
    reply = said("p3", ben, [edith], "Thanks for your help.", subject="Re: Westfield", quoted_from="Edith Cross 03/09/2000")
    assert [(e["helper"], e["helped"], e["kind"]) for e in infer_thread([reply])] == [(edith, ben, "favor")]


def test_an_answer_to_a_relayed_ask_helps_the_one_who_first_asked():
    """Chris asks his team about taxes; Kay passes the question on to Dan ("Do you know the answer to the
    tax question?", a message the mailbox never got). Dan's reply quoting Kay, to Kay and Chris, helps
    Chris, who asked, not Kay, who relayed. Sent to Kay alone it helps Kay."""
    from daemon.acts import Act
    from daemon.help_events import infer_thread

    chris, kay, dan, ed = "chris@corp.example", "kay@corp.example", "dan@corp.example", "ed@corp.example"
    ask = said("t0", chris, [kay, ed], "We sell the gas at Dawn, in Canada. Are there any special tax issues to address?",
               subject="Park and loan")
    relayed = [Act("question", "Do you know the answer to the tax question, or at least who to ask?", 0.9,
                   "question mark", -1)]

    def reply(to):
        return said("t1", dan, to, "The buyer pays the seller the sales tax, which the seller remits to the province.",
                    hours=20, subject="RE: Park and loan", quoted=relayed, quoted_from="Kay Mann 02/27/2002")

    assert [(e["helper"], e["helped"]) for e in infer_thread([ask, reply([kay, chris])])] == [(dan, chris)]
    assert [(e["helper"], e["helped"]) for e in infer_thread([ask, reply([kay])])] == [(dan, kay)]


def test_a_file_sent_to_a_mailing_lists_address_is_an_announcement():
    """ "Please find attached the advisory statement" to tie_list_server@ or all.employees@ goes to many,
    though the message names one address: no help to anyone; the same file to one person is."""
    from daemon.help_events import infer_thread

    text = "Please find attached the advisory statement mapping for the December invoicing."

    def sent(to):
        return [e["helped"] for e in infer_thread([said("l1", "sam@iso.example", [to], text, subject="Mapping")])]

    assert sent("tie_list_server@iso.example") == [] and sent("all.employees@corp.example") == []
    assert sent("dl-gas-desk@corp.example") == []
    assert sent("allen.lee@corp.example") == ["allen.lee@corp.example"]


def test_looks_good_in_a_reply_to_one_person_is_the_approval_they_asked_for():
    """ "Looks good." in a reply to Ted, whose message the mailbox never got: the approval he asked for,
    an answer. "Sounds good" accepts a plan, "Looks good, but I need ..." asks for more, and a verdict
    in a message of its own (no "Re:") answers nothing seen."""
    from daemon.help_events import infer_thread

    def reply(text, subject="Re: Authorized trader memo"):
        return [(e["helper"], e["helped"], e["kind"]) for e in
                infer_thread([said("v1", "john@corp.example", ["ted@corp.example"], text, subject=subject)])]

    assert reply("Looks good.") == [("john@corp.example", "ted@corp.example", "answer")]
    assert reply("Everything looks correct, except for Friday.") == [("john@corp.example", "ted@corp.example", "answer")]
    assert reply("Sounds good.") == []
    assert reply("That looks good, but I need an index product for July.") == []
    assert reply("Looks good.", subject="Authorized trader memo") == []


def test_new_rules_recompute_every_event_once(tmp_path, cfg, db):
    """After an upgrade that changes the rules (their code's fingerprint differs from the stored one),
    the next run reads acts again and recomputes every event, even with no new mail; with the same
    rules, a run with no new mail touches nothing."""
    from daemon.help_events import rules_fingerprint
    from daemon.importer import derive_underived

    run_import(db, cfg, write_help_mailbox(tmp_path / "mail"))
    before = events(db)
    assert before and db.execute("select id, fingerprint from inference_rules").fetchall() == [(1, rules_fingerprint())]
    db.execute("delete from help_events")
    assert derive_underived(db, cfg, if_any=True) == 0 and events(db) == []
    # The ledger of older rules: other acts, other events.
    db.execute("delete from message_acts")
    db.execute("update inference_rules set fingerprint = 'older-rules'")
    assert derive_underived(db, cfg, if_any=True) == 0
    assert events(db) == before
    assert db.execute("select fingerprint from inference_rules").fetchall() == [(rules_fingerprint(),)]


def test_a_chatty_reply_whose_only_help_is_a_plain_statement_is_chat():
    """Two sentences of small talk or more around a plain statement: a catch-up between friends, not
    an answer; the same statement with less small talk, a chatty reply that hands over a file, or one
    that says it answers ("To your questions:") beside two lines of small talk, is help."""
    from daemon.help_events import infer_thread

    ann, bo = "ann@example.org", "bo@example.org"
    ask = said("q", ann, [bo], "Where did you end up going over the break?", subject="The break")

    def reply(text):
        return said("r", bo, [ann], text, hours=3, subject="Re: The break")

    chat = "How are you? Hope all is well with the family. I went skiing in Colorado with some friends from work."
    assert infer_thread([ask, reply(chat + " Happy new year!")]) == []
    assert infer_thread([ask, reply("Hope all is well with the family. I went skiing in Colorado with some friends "
                                    "from work. Happy new year!")]) == []
    assert [e["helper"] for e in infer_thread([ask, reply("Hope all is well with the family. To your questions: I "
                                                          "went skiing in Colorado. Happy new year!")])] == [bo]
    assert [e["helper"] for e in infer_thread([ask, reply("I went skiing in Colorado with some friends from work.")])] == [bo]
    assert [e["kind"] for e in infer_thread([ask, reply(chat + " Happy new year! Attached are the trip photos you asked for.")])
            ] == ["document"]


def test_taking_up_a_plan_is_routine_but_sounds_good_to_a_decision_asked_answers():
    """ "Sounds good to me." to "How about tennis later this afternoon?" takes up a plan, a
    routine reply (the guideline's "3pm works for me"); the same words to "Is this rate acceptable?" or
    "Let me know if there is a conflict with my leave" give the decision asked for."""
    from daemon.help_events import infer_thread

    def reply(ask, answer):
        thread = [said("p1", "amy@corp.example", ["ben@corp.example"], ask, subject="Friday"),
                  said("p2", "ben@corp.example", ["amy@corp.example"], answer, hours=2, subject="Re: Friday")]
        return [(e["helper"], e["helped"], e["kind"]) for e in infer_thread(thread)]

    assert reply("How about tennis later this afternoon?", "Sounds good to me.") == []
    assert reply("Where would you want to eat on Friday?", "Either place sounds great, see you there.") == []
    decided = [("ben@corp.example", "amy@corp.example", "answer")]
    assert reply("Is the new rate acceptable to you?", "Sounds good to me.") == decided
    assert reply("I am taking next Friday off. Let me know if there is a conflict.", "Sounds good.") == decided


def test_a_mailing_list_is_nobody_helped_or_helping():
    """The chief's note to the company list thanks "you" for supporting the company: the list address
    is no person, so no one was helped; the same thanks to one colleague show help given."""
    from daemon.help_events import infer_thread

    def thanks_to(to):
        text = "Thank you for covering the Houston desk while I was out."
        return [(e["helper"], e["helped"]) for e in infer_thread([said("t1", "coo@corp.example", [to], text)])]

    assert thanks_to("dl-ga-all_staff@corp.example") == []
    assert thanks_to("all.worldwide@corp.example") == []
    assert thanks_to("lena@corp.example") == [("lena@corp.example", "coo@corp.example")]


def test_my_address_spelled_with_another_mark_is_mine(tmp_path, cfg, db):
    """Other people's address books write me as "ann_lee@" beside my "ann.lee@" (same domain): mail to
    it is mail to me, so Carl's answer to it is help to me and the self contact holds it. "bo_lee@"
    is someone else, as is "a_lee@" beside an "a.lee@" of mine (an initial, not a whole name)."""
    import datetime as dt

    from conftest import mbox
    from fixtures import msg

    me, spelled = "ann.lee@corp.example", "ann_lee@corp.example"

    def at(day, hour):
        return dt.datetime(2025, 3, day, hour, tzinfo=dt.timezone.utc)

    c1, i_ask_carl = msg(at(6, 9), me, ["carl@carl.example"], "Q3 volumes", "Do you have the Q3 volumes for Hartford storage?")
    root = tmp_path / "mail"
    mbox(root / "INBOX.mbox",
         msg(at(6, 11), "carl@carl.example", [spelled, "bo_lee@corp.example"], "Re: Q3 volumes",
             "The Q3 volumes at Hartford were 41,000 dth.", reply_to=c1[1:-1])[1],
         msg(at(7, 9), "dee@dee.example", ["a_lee@corp.example"], "Lunch", "Lunch on Friday?")[1])
    mbox(root / "Sent.mbox", i_ask_carl, msg(at(7, 8), "a.lee@corp.example", ["dee@dee.example"], "Hi", "Hello Dee.")[1])
    cfg.identity.addresses = ["a.lee@corp.example"]
    run_import(db, cfg, root)
    assert [tuple(r) for r in db.execute("select address, source from identities order by address")] == [
        ("a.lee@corp.example", "config"), ("ann.lee@corp.example", "sent_folder"), (spelled, "spelling")]
    selves = {r[0] for r in db.execute("select a.address from contact_addresses a join contacts c "
                                       "on c.id = a.contact_id where c.is_self")}
    assert selves == {"a.lee@corp.example", me, spelled}
    assert [tuple(r) for r in db.execute("select helper, helped, kind from help_events")] == [
        ("carl@carl.example", spelled, "answer")]


def test_advice_offered_outright_is_help_unasked():
    """ "My advice is to wait for the spring term." or "Eric, I strongly recommend that you say nothing to
    the press.", written to the reader, is advice though nobody asked; "you should see the view" is
    not advice offered outright, and a message that also asks something waits for its answer."""
    from daemon.help_events import infer_thread

    def sent(text, to=("eric.bass@corp.example",)):
        return [(e["helper"], e["helped"], e["kind"], e["found_by"])
                for e in infer_thread([said("a1", "dad@home.example", list(to), text, subject="The news")])]

    advice = [("dad@home.example", "eric.bass@corp.example", "advice", "advice given unasked")]
    assert sent("My advice is to wait for the spring term.") == advice
    assert sent("Eric, I strongly recommend that you say nothing to the press.",
                to=("kim.bass@corp.example", "eric.bass@corp.example")) == advice
    assert sent("You should see the view from the new office.") == []
    assert sent("Dee asked if I would advise you that she did not get the job.") == []
    assert sent("My advice is to wait. Can you send me the tax forms?") == []


def test_someone_named_as_the_one_to_see_in_a_reply_is_an_introduction():
    """In a reply to Ben (whose message the mailbox lacks), "You should also talk with Nadia Petrov who
    directs the program." or "Bob Superty is the best person to ask." points him to someone who can
    help: an introduction. "You should call me so I can hassle you" points nowhere; a message of its
    own (no "Re:") answers nothing seen."""
    from daemon.help_events import infer_thread

    def reply(text, subject="Re: School visit"):
        return [(e["helper"], e["helped"], e["kind"]) for e in
                infer_thread([said("i1", "prof@univ.example", ["ben@corp.example"], text, subject=subject)])]

    pointed = [("prof@univ.example", "ben@corp.example", "introduction")]
    assert reply("You should also talk with Nadia Petrov who directs the program.") == pointed
    assert reply("Bob Superty is the best person to ask about the tariff.") == pointed
    assert reply("You should call me so I can hassle you some.") == []
    assert reply("You should also talk with Nadia Petrov who directs the program.", subject="School visit") == []


def test_an_arrangement_reported_to_the_one_person_written_to_is_a_favor():
    """An assistant writes to her boss: "Below is the availability of rooms at the inn. I have reserved
    golf for Friday at 7:20 a.m. Please let me know how you would like to proceed." The arrangement is
    done for him (a favor), though the list ranks first and a question follows; "I have booked my
    flight to Denver" is one's own travel."""
    from daemon.help_events import infer_thread

    def note(text):
        return [(e["helper"], e["helped"], e["kind"], e["evidence"]) for e in
                infer_thread([said("r1", "dee@corp.example", ["john@corp.example"], text, subject="Golf trip")])]

    assert note("Below is the availability of rooms at the inn for March 8-11. I have reserved golf for 7:20 "
                "on Friday. Please let me know how you would like to proceed.") == [
        ("dee@corp.example", "john@corp.example", "favor", "I have reserved golf for 7:20 on Friday.")]
    assert note("I have booked my flight to Denver for Friday.") == []


def test_a_reply_that_puts_the_answer_off_answers_nothing_yet():
    """To "Can we replace the capacity, and would there be any cost?", "I need to check on this. If it
    turns out to be retail, we will get the credit." answers nothing yet, nor does "We will have to find
    out who bought it. The pool is listed under Op 2."; "The cost is $0.01 on the Aritech capacity." does."""
    from daemon.help_events import infer_thread

    def reply(text):
        thread = [said("q1", "jo@ces.example", ["chris@corp.example"], "Can we replace the capacity we bought for "
                       "April, and would there be any cost for the capacity?", subject="Capacity"),
                  said("q2", "chris@corp.example", ["jo@ces.example"], text, hours=3, subject="Re: Capacity")]
        return [(e["helper"], e["kind"]) for e in infer_thread(thread)]

    assert reply("I need to check on this. If it turns out to be retail capacity, we will get the credit.") == []
    assert reply("We will have to find out who bought it. The capacity pool is listed under Op 2 for April.") == []
    assert reply("This was before my time, but I can check with the capacity desk about April.") == []
    assert reply("The capacity was billed monthly. Let me chat with Doug about April. Get back with you soon.") == []
    assert reply("The capacity was billed monthly. I'll get back to you.") == []
    assert reply("The cost is $0.01 on the Aritech capacity for April.") == [("chris@corp.example", "answer")]
    # Answering now ("To get back with you on ..."), or the rest to come beside what is given, is no putting off.
    assert reply("To get back with you on the capacity: it costs $0.01 for April.") == [("chris@corp.example", "answer")]
    assert reply("The capacity costs $0.01 for April. I'll get back to you on the date.") == [
        ("chris@corp.example", "answer")]
    # A reason given, or what one does know after what one does not, is no putting off.
    assert reply("I don't know what the retail desk will pay, but the capacity costs nothing.") == [
        ("chris@corp.example", "answer")]
    assert reply("The capacity costs nothing, as we do not know what the retail desk will pay for it.") == [
        ("chris@corp.example", "answer")]


def test_three_letter_topic_words_put_an_answer_on_topic():
    """ "fax", "tax", "gas" carry a topic as well as longer words; "the", "and", "you" do not."""
    from daemon.help_events import _content_words, infer_thread

    assert _content_words("Do you have the fax and tax forms?") == {"fax", "tax", "forms"}
    me, ivy = "me@example.org", "ivy@ivy.example"
    thread = _exchange(ivy, "Do you have a fax number at work?", me, "Yes, our fax is 555 0100.")
    assert [(e["helper"], e["helped"], e["found_by"]) for e in infer_thread(thread)] == [
        (me, ivy, "reply to request, on topic")]


def test_help_still_under_way_is_none_yet():
    """A reply whose main act reports the help under way ("... haven't heard back", "working hard on
    answering") gives nothing yet; beside a real answer, it does not take the answer away."""
    from daemon.help_events import infer_thread

    me, una = "me@example.org", "una@una.example"
    ask = "Can you find out whether the bank will waive the fee?"
    for reply in ["I called the bank Friday afternoon... haven't heard back.",
                  "Our team is now working hard on answering your questions by Friday."]:
        assert infer_thread(_exchange(una, ask, me, reply)) == []
    thread = _exchange(una, ask, me, ["Yes, the bank waived the fee for May.", "Haven't heard back on June yet."])
    assert [(e["helper"], e["helped"], e["evidence"]) for e in infer_thread(thread)] == [
        (me, una, "Yes, the bank waived the fee for May.")]


def test_thanks_anyway_takes_back_the_reply_it_thanks():
    """ "Thanks anyway ... I eventually tracked it down" says the reply before gave nothing: no event
    there; plain thanks keep it."""
    from daemon.help_events import infer_thread

    me, ivy = "me@example.org", "ivy@ivy.example"

    def thread(thanks):
        return [said("a1", me, [ivy], "Do you have Emily's phone number in London? Could you email it to me?"),
                said("a2", ivy, [me], "Her phone number in London was 020 7946 0000 last year.", hours=2,
                     subject="Re: Hello"),
                said("a3", me, [ivy], thanks, hours=5, subject="Re: Hello")]

    assert [(e["helper"], e["helped"]) for e in infer_thread(thread("Thanks!"))] == [(ivy, me)]
    assert infer_thread(thread("Thanks anyway... I eventually tracked it down yesterday.")) == []


def test_a_reply_saying_the_mail_reached_the_wrong_person_gives_nothing():
    """ "I believe this message was intended for the other Ann Lee" points the asker elsewhere: no answer,
    whatever else it says; a confidentiality footer's "is intended only for" takes no answer away."""
    from daemon.help_events import infer_thread

    me, una = "me@example.org", "una@una.example"
    ask = "Can you send me the capacity figures for the Kern line?"
    for reply in ["I believe this message was intended for Ann Lee of the gas desk. I'm with ETS Legal.",
                  "I think this was meant for the other Ann Lee.", "You have the wrong person, I work in Legal."]:
        assert infer_thread(_exchange(una, ask, me, reply)) == [], reply
    thread = _exchange(una, ask, me, ["The Kern line capacity is 1,200 MMcf/d for May.",
                                      "This e-mail is intended only for the named recipient."])
    assert [(e["helper"], e["helped"], e["kind"]) for e in infer_thread(thread)] == [(me, una, "answer")]
    # What a thing was meant for answers a question: "it was intended for the May invoice".
    thread = _exchange(una, "What was the $400 Kern payment for?", me,
                       "The Kern payment was $400 and it was intended for the May invoice.")
    assert [(e["helper"], e["helped"], e["kind"]) for e in infer_thread(thread)] == [(me, una, "answer")]


def test_a_thank_you_note_answers_nothing():
    """A reply that thanks the asker for something done and otherwise only says plain things gives
    nothing back: the help ran the other way."""
    from daemon.help_events import infer_thread

    me, viv = "me@example.org", "viv@viv.example"
    ask = "Please review the attached travel itinerary for your visit."
    thread = _exchange(viv, ask, me, ["Thank you for taking care of all the travel arrangements.",
                                      "I look forward to meeting your team tomorrow in Kansas City."])
    assert [(e["helper"], e["helped"], e["kind"]) for e in infer_thread(thread)] == [(viv, me, "favor")]


def test_thanks_naming_a_favor_after_a_chatty_note_sit_at_the_thanks():
    """ "Thanks for the ride in this morning" answering a note that only says things thanks for help
    given outside email: the event is the favor, at the thanks, with the thanks as its evidence. After
    a message that hands something over, the thanks still credit that message."""
    from daemon.help_events import infer_thread

    me, ted = "me@example.org", "ted@ted.example"
    thread = _exchange(me, "The lake was busy last night but the water was warm.", ted,
                       "Thanks for the ride in this morning and dropping off the movies.")
    assert [(e["helper"], e["helped"], e["kind"], e["message"], e["evidence"]) for e in infer_thread(thread)] == [
        (me, ted, "favor", "x1", "Thanks for the ride in this morning and dropping off the movies.")]
    thread = _exchange(me, "Attached is the lease you wanted.", ted, "Thanks for the lease.")
    assert [(e["helper"], e["helped"], e["message"]) for e in infer_thread(thread)] == [(me, ted, "x0")]


def test_a_reply_asking_back_off_topic_answers_nothing():
    """A reply that asks outright and says only something plain beside it, sharing no word with the
    open ask, asks back; the same reply on the ask's topic still answers it."""
    from daemon.help_events import infer_thread

    me, wes = "me@example.org", "wes@wes.example"
    ask = "Can you check the nominations for the Oglethorpe meter?"
    thread = _exchange(wes, ask, me, ["Just curious...I was out yesterday.", "Can you tell me who is nominating this gas?"])
    assert infer_thread(thread) == []
    thread = _exchange(wes, ask, me, ["The Oglethorpe meter had no nominations yesterday.",
                                      "Can you tell me who is nominating this gas?"])
    assert [(e["helper"], e["helped"], e["found_by"]) for e in infer_thread(thread)] == [
        (me, wes, "reply to request, on topic")]
