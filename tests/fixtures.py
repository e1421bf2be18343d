"""A small recorded mailbox: three folders, with a duplicate copy under another Message-ID."""

import datetime as dt
from pathlib import Path

from conftest import mbox

ANN_ASKS = """\
Message-ID: <a1@clientco.com>
Date: Mon, 3 Mar 2025 09:00:00 -0500
From: Ann Smith <ann@clientco.com>
To: Me Myself <me@example.org>
Subject: Q3 numbers

Could you send me the Q3 numbers?

Thanks,
Ann
"""

NEWSLETTER = """\
Message-ID: <n1@letters.example>
Date: Tue, 4 Mar 2025 06:00:00 +0000
From: Weekly Digest <digest@letters.example>
To: me@example.org
Subject: This week in widgets
List-Unsubscribe: <mailto:unsub@letters.example>

Ten things about widgets.
"""

ANN_THANKS = """\
Message-ID: <a2@clientco.com>
Date: Tue, 4 Mar 2025 08:30:00 -0500
From: Ann Smith <ann@clientco.com>
To: me@example.org
Subject: RE: Q3 numbers

Got them, thank you so much!

-----Original Message-----
From: Me Myself
Sent: Monday, March 03, 2025 10:00 AM
To: Smith, Ann
Subject: RE: Q3 numbers

Attached are the Q3 numbers.
"""

BOB_HTML = """\
From: =?utf-8?q?Bj=C3=B6rn_Berg?= <Bob@Gmail.com>
To: me@example.org
Subject: =?utf-8?q?Caf=C3=A9_on_Friday=3F?=
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><body><p>Shall we meet at the <b>caf&eacute;</b>?</p></body></html>
"""

CAROL_REPLY = """\
Message-ID: <c1@partner.net>
Date: Thu, 6 Mar 2025 14:00:00 +0100
From: Carol Jones <carol@partner.net>
To: me@example.org
Subject: Re: Proposal
In-Reply-To: <s2@example.org>
References: <s2@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

--XX
Content-Type: text/plain; charset=us-ascii

Here is my markup.

On Wed, Mar 5, 2025 at 9:00 AM Me Myself <me@example.org> wrote:
> Please review the proposal.
--XX
Content-Type: application/pdf; name="markup.pdf"
Content-Disposition: attachment; filename="markup.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcTl8uXrp/Og0MTGCg==
--XX--
"""

ME_ANSWERS = """\
Message-ID: <{mid}>
Date: Mon, 3 Mar 2025 10:00:00 -0500
From: Me Myself <me@example.org>
To: Ann Smith <ann@clientco.com>
Subject: RE: Q3 numbers
In-Reply-To: <a1@clientco.com>

Attached are the Q3 numbers.

>From the ledger: revenue is up.

> Could you send me the Q3 numbers?
"""

ME_PROPOSES = """\
Message-ID: <s2@example.org>
Date: Wed, 5 Mar 2025 09:00:00 -0500
From: Me Myself <me@example.org>
To: carol@partner.net
Subject: Proposal

Please review the proposal.
"""


def write_fixture_mailbox(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    mbox(root / "INBOX.mbox", ANN_ASKS, NEWSLETTER, ANN_THANKS, BOB_HTML, CAROL_REPLY)
    mbox(root / "Sent.mbox", ME_ANSWERS.format(mid="s1@example.org"), ME_PROPOSES)
    # The archive holds the same sent message again, under another Message-ID and with CRLF lines.
    mbox(root / "all_documents.mbox", ME_ANSWERS.format(mid="copy-s1@example.org").replace("\n", "\r\n"))
    return root


# --- help events: one recorded conversation per rule ------------------------------------------

DAVE_ASKS = """\
Message-ID: <d1@dave.example>
Date: Mon, 10 Mar 2025 09:00:00 +0000
From: Dave Park <dave@dave.example>
To: me@example.org
Subject: Contact at Acme?

Do you know anyone at Acme who handles procurement?
"""

ME_INTRODUCES = """\
Message-ID: <s3@example.org>
Date: Mon, 10 Mar 2025 11:00:00 +0000
From: Me Myself <me@example.org>
To: Dave Park <dave@dave.example>
Cc: Erin Wu <erin@acme.example>
Subject: Re: Contact at Acme?
In-Reply-To: <d1@dave.example>

Dave, I've copied Erin Wu, who runs procurement at Acme. She can help you with the tender.
"""

FRANK_THANKS = """\
Message-ID: <f1@frank.example>
Date: Tue, 11 Mar 2025 08:00:00 +0000
From: Frank Ode <frank@frank.example>
To: me@example.org
Subject: Last week

Thanks again for reviewing my business plan over coffee last week, it made a real difference.
"""

GINA_ASKS = """\
Message-ID: <g1@gina.example>
Date: Wed, 12 Mar 2025 09:00:00 +0000
From: Gina Rossi <gina@gina.example>
To: me@example.org
Subject: Slides

Can you send me the slides from Tuesday's workshop?
"""

ME_PROMISES = """\
Message-ID: <s4@example.org>
Date: Wed, 12 Mar 2025 10:00:00 +0000
From: Me Myself <me@example.org>
To: gina@gina.example
Subject: Re: Slides
In-Reply-To: <g1@gina.example>

Sure, I'll send them tomorrow.
"""

HANK_BROADCAST = """\
Message-ID: <h1@corp.example>
Date: Thu, 13 Mar 2025 09:00:00 +0000
From: Hank Bell <hank@corp.example>
To: me@example.org, a@corp.example, b@corp.example, c@corp.example, d@corp.example, e@corp.example
Subject: Offsite

Attached is the agenda for the offsite.
"""

IVY_HANDS_WORK = """\
Message-ID: <i1@ivy.example>
Date: Thu, 13 Mar 2025 10:00:00 +0000
From: Ivy Chen <ivy@ivy.example>
To: me@example.org
Subject: Calendar

Please update the shared calendar with the new dates. Thanks for your help!
"""

ME_DID_IT = """\
Message-ID: <s5@example.org>
Date: Fri, 14 Mar 2025 09:00:00 +0000
From: Me Myself <me@example.org>
To: Jack Lee <jack@jack.example>
Subject: RE: Delivery date

Done. I changed the delivery date to May 2.

-----Original Message-----
From: Lee, Jack
Sent: Thursday, March 13, 2025 4:00 PM
To: Myself, Me
Subject: Delivery date

Could you move the delivery date to May 2?
"""


KIM_ASKS_DATE = """\
Message-ID: <k1@kim.example>
Date: Mon, 17 Mar 2025 09:00:00 +0000
From: Kim Ng <kim@kim.example>
To: me@example.org
Subject: Storage transfer

What month and date is this effective?
"""

ME_ANSWERS_DATE = """\
Message-ID: <s6@example.org>
Date: Mon, 17 Mar 2025 10:00:00 +0000
From: Me Myself <me@example.org>
To: Kim Ng <kim@kim.example>
Subject: Re: Storage transfer
In-Reply-To: <k1@kim.example>

Nov 1st.
"""

# A problem reported, no question asked; the reply reports the fix without a "you" in it.
MIA_REPORTS = """\
Message-ID: <m1@corp.example>
Date: Wed, 19 Mar 2025 09:00:00 +0000
From: Mia Cole <mia.cole@corp.example>
To: me@example.org
Subject: EOL deal

Deal QW8614 was put in as a trade with Dynegy Canada, but EOL says the counterparty is Dynegy Marketing.
"""

ME_CHANGED_IT = """\
Message-ID: <s8@example.org>
Date: Wed, 19 Mar 2025 10:00:00 +0000
From: Me Myself <me@example.org>
To: Mia Cole <mia.cole@corp.example>
Subject: Re: EOL deal
In-Reply-To: <m1@corp.example>

I changed the counterparty to Dynegy Marketing.
"""


ME_ASKS_PAT = """\
Message-ID: <s9@example.org>
Date: Thu, 20 Mar 2025 09:00:00 +0000
From: Me Myself <me@example.org>
To: Pat Kim <pat.kim@corp.example>
Subject: Reliant deal

I just created deal 1131700, a purchase from Reliant. Please add it to the April schedule.
"""

# Help with a sign-off: "Thanks" here thanks for the asking, and is no help from me.
PAT_DONE_THANKS = """\
Message-ID: <p1@corp.example>
Date: Thu, 20 Mar 2025 10:00:00 +0000
From: Pat Kim <pat.kim@corp.example>
To: me@example.org
Subject: RE: Reliant deal
In-Reply-To: <s9@example.org>

Done. Thanks.
"""


# A file sent with an instruction about it in the same sentence: still a file sent.
RITA_SENDS_FORM = """\
Message-ID: <r1@corp.example>
Date: Fri, 21 Mar 2025 09:00:00 +0000
From: Rita Diaz <rita.diaz@corp.example>
To: me@example.org
Subject: Deferral election form

Here is the benefits enrollment form, please send it to Ray Dunn.

Thanks
"""


# An answer to one person's ask, copied to many: still help to that one person.
SAM_ANSWERS_COPIED = """\
Message-ID: <t1@law.example>
Date: Mon, 24 Mar 2025 09:00:00 +0000
From: Sam Ortiz <sam@law.example>
To: me@example.org
Cc: a@corp.example, b@corp.example, c@corp.example, d@corp.example, e@corp.example, f@corp.example
Subject: Side letter

Per our call this morning, attached please find the revised side letter.
"""


# My question answered in a message addressed to someone else, me only copied: help for the
# addressee (whose own ask is not in the mailbox), not an event for me.
ME_ASKS_TINA = """\
Message-ID: <u1@example.org>
Date: Mon, 31 Mar 2025 09:00:00 +0000
From: Me <me@example.org>
To: tina@corp.example
Subject: Contract 4471

Which desk owns contract 4471?
"""

TINA_ANSWERS_UMA = """\
Message-ID: <u2@corp.example>
Date: Mon, 31 Mar 2025 11:00:00 +0000
From: Tina Marsh <tina@corp.example>
To: uma@corp.example
Cc: me@example.org
Subject: RE: Contract 4471
In-Reply-To: <u1@example.org>
References: <u1@example.org>

Contract 4471 belongs to the central desk since January.
"""


# Thanks for help in general, the help itself not in the mailbox: still help received (a favor).
VIC_THANKS = """\
Message-ID: <v1@vic.example>
Date: Tue, 01 Apr 2025 08:00:00 +0000
From: Vic Stone <vic@vic.example>
To: me@example.org
Subject: The package

I did get it!  Thanks for your help.
"""


# "Good point." credits the suggestion it answers: the suggester helped me (advice).
WES_SUGGESTS = """\
Message-ID: <w1@wes.example>
Date: Wed, 02 Apr 2025 08:00:00 +0000
From: Wes Park <wes@wes.example>
To: me@example.org
Subject: Old prices

You should ask procurement for the older price list, they keep copies.
"""

ME_ACKNOWLEDGES = """\
Message-ID: <w2@example.org>
Date: Wed, 02 Apr 2025 10:00:00 +0000
From: Me <me@example.org>
To: wes@wes.example
Subject: Re: Old prices
In-Reply-To: <w1@wes.example>

Good point.  I will ask them tomorrow.
"""


# Who is coming when: the answer is a routine scheduling reply, not help.
XENA_ASKS_WHO_COMES = """\
Message-ID: <x1@xena.example>
Date: Thu, 03 Apr 2025 08:00:00 +0000
From: Xena Ford <xena@xena.example>
To: me@example.org
Subject: Site visit

Can you make it down to the plant on Friday?
"""

ME_SAYS_WHEN = """\
Message-ID: <x2@example.org>
Date: Thu, 03 Apr 2025 09:00:00 +0000
From: Me <me@example.org>
To: xena@xena.example
Subject: Re: Site visit
In-Reply-To: <x1@xena.example>

I should be there by ten, Carl is driving me down.
"""


# A request answered with a no: nothing was given.
YARA_ASKS_REVIEW = """\
Message-ID: <y1@yara.example>
Date: Fri, 04 Apr 2025 08:00:00 +0000
From: Yara Bell <yara@yara.example>
To: me@example.org
Subject: Henderson lease

Could you look over the Henderson lease before Friday?
"""

ME_DECLINES = """\
Message-ID: <y2@example.org>
Date: Fri, 04 Apr 2025 09:00:00 +0000
From: Me <me@example.org>
To: yara@yara.example
Subject: Re: Henderson lease
In-Reply-To: <y1@yara.example>

My calendar is full with the audit until the end of the month.  Sorry, I can't help with this one.
"""

# I answer Lou and ask back whether he needs more; his reply to my question is his side of the same
# exchange, not help he returns: one event, mine.
LOU_ASKS_RATE = """\
Message-ID: <l1@lou.example>
Date: Mon, 07 Apr 2025 08:00:00 +0000
From: Lou Grant <lou@lou.example>
To: me@example.org
Subject: Fuel rate

What is the fuel rate on the Transco contract?
"""

ME_ANSWERS_AND_ASKS = """\
Message-ID: <l2@example.org>
Date: Mon, 07 Apr 2025 09:00:00 +0000
From: Me <me@example.org>
To: lou@lou.example
Subject: Re: Fuel rate
In-Reply-To: <l1@lou.example>

The fuel rate is 2.1% for zone 4.  Do you need the zone 6 rate as well?
"""

LOU_REPLIES = """\
Message-ID: <l3@lou.example>
Date: Mon, 07 Apr 2025 10:00:00 +0000
From: Lou Grant <lou@lou.example>
To: me@example.org
Subject: Re: Fuel rate
In-Reply-To: <l2@example.org>

No, zone 4 is the only zone we use on that deal.
"""

# A favor done for the reader, unasked: it names them as the one it was for.
ME_BOOKS_FOR_OLGA = """\
Message-ID: <o1@example.org>
Date: Tue, 08 Apr 2025 08:00:00 +0000
From: Me <me@example.org>
To: olga@olga.example
Subject: Friday

I have booked the boardroom for your team on Friday.
"""

# News of oneself with a done-verb in it is no favor to the reader, whoever "you" are in it.
ME_TELLS_NED = """\
Message-ID: <n1@example.org>
Date: Wed, 09 Apr 2025 08:00:00 +0000
From: Me <me@example.org>
To: ned@ned.example
Subject: News

I know you think I have vanished, but I moved to the Denver office in May.
"""

# Passing on what someone else wrote, unasked, is a forward in all but name: no event.
ME_RELAYS_TO_PIA = """\
Message-ID: <p1@example.org>
Date: Thu, 10 Apr 2025 08:00:00 +0000
From: Me <me@example.org>
To: pia@pia.example
Subject: Site visit

Here is the list the contractor sent me.
"""

# A draft sent for review asks for the reader's eyes: the reader's comments are the help (advice),
# the draft itself is none to the reader.
ME_SENDS_DRAFT_TO_QUIN = """\
Message-ID: <q1@example.org>
Date: Fri, 11 Apr 2025 08:00:00 +0000
From: Me <me@example.org>
To: quin@quin.example
Subject: Lease draft

Here is the draft lease for your review.
"""

QUIN_COMMENTS = """\
Message-ID: <q2@quin.example>
Date: Fri, 11 Apr 2025 11:00:00 +0000
From: Quin Hale <quin@quin.example>
To: me@example.org
Subject: Re: Lease draft
In-Reply-To: <q1@example.org>

The draft reads well.  I would cut clause 4, the landlord will never accept it.
"""

# Help given back weeks later in the same thread is help, not the same exchange.
RAE_ASKS = """\
Message-ID: <r1@rae.example>
Date: Mon, 14 Apr 2025 08:00:00 +0000
From: Rae Quinn <rae@rae.example>
To: me@example.org
Subject: Iroquois contract

What is the demand charge on the Iroquois contract?
"""

ME_ANSWERS_RAE = """\
Message-ID: <r2@example.org>
Date: Mon, 14 Apr 2025 09:00:00 +0000
From: Me <me@example.org>
To: rae@rae.example
Subject: Re: Iroquois contract
In-Reply-To: <r1@rae.example>

The demand charge is $0.42 per dth.
"""

ME_ASKS_RAE_LATER = """\
Message-ID: <r3@example.org>
Date: Mon, 05 May 2025 09:00:00 +0000
From: Me <me@example.org>
To: rae@rae.example
Subject: Re: Iroquois contract
In-Reply-To: <r2@example.org>

Which desk books the Iroquois transport now?
"""

RAE_ANSWERS_LATER = """\
Message-ID: <r4@rae.example>
Date: Mon, 05 May 2025 11:00:00 +0000
From: Rae Quinn <rae@rae.example>
To: me@example.org
Subject: Re: Iroquois contract
In-Reply-To: <r3@example.org>

The east desk has booked it since April.
"""

# Thanks ten days after an answer, for a call since: new help, given outside email.
ME_ASKS_TOM = """\
Message-ID: <t1@example.org>
Date: Tue, 15 Apr 2025 08:00:00 +0000
From: Me <me@example.org>
To: tom@tom.example
Subject: Settlement dates

When does the April settlement close?
"""

TOM_ANSWERS = """\
Message-ID: <t2@tom.example>
Date: Tue, 15 Apr 2025 10:00:00 +0000
From: Tom Reyes <tom@tom.example>
To: me@example.org
Subject: Re: Settlement dates
In-Reply-To: <t1@example.org>

The April settlement closes on May 9.
"""

ME_THANKS_TOM_LATER = """\
Message-ID: <t3@example.org>
Date: Fri, 25 Apr 2025 09:00:00 +0000
From: Me <me@example.org>
To: tom@tom.example
Subject: Re: Settlement dates
In-Reply-To: <t2@tom.example>

Thanks for walking me through the settlement process on the phone yesterday.
"""

def write_help_mailbox(root: Path) -> Path:
    """The recorded mailbox plus one conversation for each help-event rule."""
    write_fixture_mailbox(root)
    mbox(root / "Help.mbox", DAVE_ASKS, FRANK_THANKS, GINA_ASKS, HANK_BROADCAST, IVY_HANDS_WORK, KIM_ASKS_DATE,
         MIA_REPORTS, PAT_DONE_THANKS, RITA_SENDS_FORM,
         SAM_ANSWERS_COPIED, TINA_ANSWERS_UMA, VIC_THANKS, WES_SUGGESTS, XENA_ASKS_WHO_COMES, YARA_ASKS_REVIEW,
         LOU_ASKS_RATE, LOU_REPLIES, QUIN_COMMENTS, RAE_ASKS, RAE_ANSWERS_LATER,
         TOM_ANSWERS)
    mbox(root / "Sent Items.mbox", ME_INTRODUCES, ME_PROMISES, ME_DID_IT, ME_ANSWERS_DATE, ME_CHANGED_IT,
         ME_ASKS_PAT, ME_ASKS_TINA, ME_ACKNOWLEDGES, ME_SAYS_WHEN, ME_DECLINES,
         ME_ANSWERS_AND_ASKS, ME_BOOKS_FOR_OLGA, ME_TELLS_NED, ME_RELAYS_TO_PIA,
         ME_SENDS_DRAFT_TO_QUIN, ME_ANSWERS_RAE, ME_ASKS_RAE_LATER,
         ME_ASKS_TOM, ME_THANKS_TOM_LATER)
    return root


# --- relationships: a generated mailbox with known rhythms ------------------------------------

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
    mid, a = msg(when, who, [ME], subject, "Quick update: the project is on track this week.")
    _, b = msg(when + dt.timedelta(hours=1), ME, [who], "Re: " + subject, "Good to hear, see you at the review.", reply_to=mid[1:-1])
    out += [a, b]


def days_before(d, hour=9):
    return AS_OF - dt.timedelta(days=d) + dt.timedelta(hours=hour - 12)


def write_ledger_mailbox(root: Path, extra=()) -> Path:
    """A year and more of mail with known rhythms, asks, promises, thanks and an introduction."""
    inbox = []
    for k in range(26):  # alice: every two weeks for a year, then silent for ten weeks
        exchange(inbox, days_before(70 + 14 * k), "alice@a.example", f"Status {k}")
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
    ask, m = msg(days_before(12), ME, ["bob@b.example"], "Q2 report", "Could you send me the Q2 report?")
    inbox.append(m)
    inbox.append(msg(days_before(12, hour=11), "bob@b.example", [ME], "Re: Q2 report",
                     "Attached is the Q2 report you asked for.", reply_to=ask[1:-1])[1])
    inbox += list(extra)
    return mbox(root / "INBOX.mbox", *inbox)


def build_ledger(root: Path, cfg, db, extra=()):
    """Import the ledger mailbox and compute relationships as of AS_OF."""
    from daemon.importer import import_messages
    from daemon.relationships import update_relationships
    from daemon.sources import read_path

    import_messages(db, read_path(write_ledger_mailbox(root, extra)), cfg, me=[ME])
    with db.conn:
        update_relationships(db, cfg, AS_OF)
    return db


