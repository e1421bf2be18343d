"""A small recorded mailbox: three folders, with a duplicate copy under another Message-ID."""

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


def write_help_mailbox(root: Path) -> Path:
    """The recorded mailbox plus one conversation for each help-event rule."""
    write_fixture_mailbox(root)
    mbox(root / "Help.mbox", DAVE_ASKS, FRANK_THANKS, GINA_ASKS, HANK_BROADCAST, IVY_HANDS_WORK)
    mbox(root / "Sent Items.mbox", ME_INTRODUCES, ME_PROMISES, ME_DID_IT)
    return root
