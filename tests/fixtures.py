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
