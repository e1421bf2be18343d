"""Recognise bulk and automated mail from its headers, and from behaviour across the mailbox.

Such mail is kept and marked with the reason, but its senders never become contacts. Domains are
never a criterion: people write from webmail addresses too.
"""

from __future__ import annotations

import email
import re
from email import policy

NOREPLY = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]daemon|postmaster|bounces?|"
    r"notify|digest|automailer|auto[-_.]?confirm|daemon|listserv|majordomo|announce|"
    # Also a shop's or a system's prefixed role: "store-news@", "exchange.administrator@", "account-alerts@".
    r"(?:[a-z0-9]+[-_.])?(?:administrator|sysadmin|news|newsletters?|alerts?|notifications?))(?:[-+_.][^@]*)?@",
    re.I,
)
AUTO_SUBJECT = re.compile(
    r"^\s*(?:out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?reply|autoreply|"
    r"undeliver(?:ed|able)|delivery status notification|returned mail|mail delivery failed)",
    re.I,
)
# "ADV: ..." is how bulk advertisers were told to mark their subjects (US and state laws of the 2000s).
ADVERTISEMENT = re.compile(r"^\s*(?:\[adv\]|adv\s*:)", re.I)
TRANSACTIONAL = ("Feedback-ID", "X-Mailgun-Sid", "X-SES-Outgoing", "X-SG-EID", "X-MC-User",
                 "X-Mailchimp-Campaign", "X-Campaign", "X-CampaignID")


# Every header block `classify_headers` calls bulk matches this (a property test keeps it so): mail
# between people, nearly all of a mailbox, is known not to be bulk without parsing its headers.
# Each branch starts a header line; written after a line break (searched in the block after one) so
# the regex engine jumps from line break to line break instead of trying every position.
_MAYBE_BULK = re.compile(
    rb"\n(?:(?:list-[\w-]*|precedence|auto-submitted|feedback-id|x-mailgun-sid|x-ses-outgoing|x-sg-eid|x-mc-user|"
    rb"x-mailchimp-campaign|x-campaign(?:id)?|x-autoreply|x-autorespond)[ \t]*:"
    rb"|return-path:(?![^\r\n]*@)"
    rb"|content-type:[^\r\n]*(?:report|delivery-status)"
    rb"|from:[^\r\n]*(?:no[-_.]?reply|not[-_.]?reply|mailer|postmaster|bounce|notif|alert|news|digest|auto|"
    rb"daemon|listserv|majordomo|announce|administrator|sysadmin)"
    rb"|subject:[^\r\n]*(?:office|auto|undeliver|delivery|returned|=\?|adv))",
    re.I)
UNFOLD = re.compile(rb"\r?\n[ \t]+")  # folded header lines joined (raw bytes)


_FOLD = re.compile(rb"\n[ \t]+")


def might_be_bulk(header: bytes) -> bool:
    """False when a raw header block certainly is not bulk or automated mail (no parse needed).

    Line ends are made plain "\n" first (no branch reads a CR at a line end), so unfolding is a search
    for a literal line break, several times faster than UNFOLD's optional CR."""
    return _MAYBE_BULK.search(b"\n" + _FOLD.sub(b" ", header.replace(b"\r\n", b"\n"))) is not None


def triage(header: bytes, msg=None) -> tuple[str | None, str | None]:
    """`classify_headers` for a raw header block, read only when it shows a bulk sign. `msg`: the
    message already parsed, if the caller has it; otherwise the header block is parsed here."""
    if not might_be_bulk(header):
        return None, None
    if msg is None:
        try:
            msg = email.message_from_bytes(header, policy=policy.compat32)
        except Exception:
            return None, None
    return classify_headers(msg)


def _get(msg, name: str) -> str:
    value = msg.get(name)
    return str(value).strip() if value is not None else ""


def automated_sender(address: str) -> str | None:
    """The reason to take mail from `address` for automated (noreply@, postmaster@, a system's
    administrator@), or None."""
    return f"automated sender address ({address.split('@')[0][:30]}@)" if NOREPLY.match(address) else None


def classify_headers(msg) -> tuple[str | None, str | None]:
    """(category, reason) for bulk/automated mail, (None, None) for mail between people."""
    auto = _get(msg, "Auto-Submitted").lower()
    if auto and auto != "no":
        return "automated", f"Auto-Submitted: {auto[:40]}"
    ctype = _get(msg, "Content-Type").lower()
    if ctype.startswith("multipart/report") or "delivery-status" in ctype:
        return "bounce", "delivery report (multipart/report)"
    if msg.get("Return-Path") is not None and _get(msg, "Return-Path") in ("<>", ""):
        return "bounce", "empty Return-Path"
    if msg.get("List-Id") is not None or msg.get("List-Unsubscribe") is not None:
        if msg.get("List-Post") is not None:
            return "list", "mailing list (List-Post)"
        header = "List-Id" if msg.get("List-Id") is not None else "List-Unsubscribe"
        return "newsletter", f"{header} without List-Post"
    prec = _get(msg, "Precedence").lower()
    if prec in ("bulk", "junk", "list"):
        return ("list" if prec == "list" else "newsletter"), f"Precedence: {prec}"
    for name in TRANSACTIONAL:
        if msg.get(name) is not None:
            return "automated", f"{name} header (bulk sender)"
    if msg.get("X-Autoreply") is not None or msg.get("X-Autorespond") is not None:
        return "automated", "auto-reply header"
    m = re.search(r"[\w.+-]+@[\w.-]+", _get(msg, "From"))
    if m and (reason := automated_sender(m.group(0))):
        return "automated", reason
    if AUTO_SUBJECT.match(_get(msg, "Subject")):
        return "automated", "auto-reply or bounce subject"
    if ADVERTISEMENT.match(_get(msg, "Subject")):
        return "newsletter", "advertisement (ADV: subject)"
    return None, None


# A mass mailing's footer in the sender's own text ("If you no longer wish to receive these e-mails",
# "To unsubscribe, send a blank message to ...", "You received this e-mail because you registered at
# ..."): older newsletters and offers carry no List-* header, only this. A person asking to be taken
# off a list ("please remove me from this distribution list") is not one.
MAILING_FOOTER = re.compile(
    r"\bif you (?:no longer |do not |don't |would (?:rather|prefer) not )?(?:wish|want|care|like|choose) (?:not )?to "
    r"(?:receive|be on|continue receiving)\b"
    # "If you'd rather not receive future e-mails of this sort from Amazon.com"
    r"|\bif you(?:'d| would) (?:rather|prefer) not (?:to )?(?:receive|get)\b"
    r"|\bto (?:unsubscribe|opt[- ]?out|be removed from|remove yourself from|stop receiving)\b"
    r"|\bclick (?:here )?to (?:unsubscribe|be removed|opt[- ]?out)\b"
    r"|\byou (?:are )?receiv(?:ed|ing) this (?:e-?mail|message|newsletter|mailing) (?:because|as|since)\b"
    r"|\bthis (?:e-?mail|message) (?:was|is) (?:not sent unsolicited|sent to you because)\b"
    # "This message was sent to you by Egreetings.com.", "This email has been sent to you by TheStreet.com"
    r"|\bthis (?:e-?mail|message|newsletter|mailing) (?:was|is|has been) sent to you by\b"
    r"|\b(?:unsubscribe|opt[- ]out) (?:instructions|information|link|at any time)\b"
    r"|\bremove (?:you|your (?:e-?mail|name|address)) from (?:our|this|the) (?:\w+ )?(?:mailing |e-?mail |distribution )?list\b",
    re.I)


def mailing_footer(own_text: str) -> str | None:
    """The reason to take a message with no bulk header for a mailing: the footer its own text carries."""
    m = MAILING_FOOTER.search(" ".join((own_text or "").split()))  # "not  sent": runs of spaces are one
    return f"mailing footer in the text ({m.group(0)[:40]})" if m else None


# Behaviour: a sender who wrote to you this often and was never written to by you, and never
# took part in a thread you wrote in, is a broadcaster, not a correspondent. So is one who wrote to
# you this often and never named you in To or Cc (a daily analysis sent by Bcc, a list), even if
# you answered once.
BEHAVIOUR_MIN_MESSAGES = 5


def mark_one_way_senders(db, self_addresses: set[str]) -> list[str]:
    """Mark mail from senders the user never writes to (and never converses with), and from senders
    who never address the user, as automated. Returns the ids of the messages marked (their threads
    have help events to recompute)."""
    if not self_addresses:
        return []
    marks = ",".join("?" * len(self_addresses))
    params = list(self_addresses)
    one_way = f"""
    with written_to as (
        select distinct a.address from message_addresses a join messages m on m.id = a.message
        where m.from_address in ({marks}) and a.kind in ('to', 'cc', 'bcc')
    ),
    my_threads as (select distinct thread_id from messages where from_address in ({marks})),
    candidates as (
        select from_address, count(*) n from messages
        where is_automated = 0 and from_address not in ({marks}) and from_address != ''
          and from_address not in (select address from written_to)
          and (thread_id is null or thread_id not in (select thread_id from my_threads where thread_id is not null))
        group by from_address
        having count(*) >= {BEHAVIOUR_MIN_MESSAGES}
    )
    select from_address, n from candidates
    where from_address not in (
        select m.from_address from messages m where m.thread_id in (select thread_id from my_threads)
    )
    """
    never_named = f"""
    select from_address, count(*) n from messages
    where is_automated = 0 and from_address not in ({marks}) and from_address != ''
      and from_address not in (
        select distinct m.from_address from messages m join message_addresses a on a.message = m.id
        where a.kind in ('to', 'cc') and a.address in ({marks}))
      and from_address not in (  -- someone you write to (twice or more) is a correspondent
        select a.address from message_addresses a join messages m on m.id = a.message
        where m.from_address in ({marks}) and a.kind in ('to', 'cc', 'bcc')
        group by a.address having count(*) >= 2)
    group by from_address
    having count(*) >= {BEHAVIOUR_MIN_MESSAGES}
    """
    found = {address: f"one-way sender: {n} messages to you, never written to or answered"
             for address, n in db.execute(one_way, params * 3).fetchall()}
    for address, n in db.execute(never_named, params * 3).fetchall():
        found.setdefault(address, f"never addressed to you: {n} messages, all by Bcc or through a list")
    marked: list[str] = []
    for address, reason in found.items():
        # "+is_automated": look the sender up by from_address. An index on is_automated (since
        # dropped) made SQLite scan every person-to-person message once per sender.
        ids = [r[0] for r in db.execute("select id from messages where from_address = ? and +is_automated = 0", [address])]
        db.execute("update messages set is_automated = 1, category = 'automated', automated_reason = ? "
                   "where from_address = ? and +is_automated = 0", [reason, address])
        marked += ids
    return marked
