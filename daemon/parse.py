"""Parse raw messages into rows: headers and triage first, the full MIME parse only where it pays.

`prekey` runs on every copy and is cheap (regexes and a hash over raw bytes): it gives the
Message-ID and a content fingerprint so duplicate copies are recognised before any real parsing.
`parse_message` runs in worker processes on distinct messages: the stdlib reads the headers, bulk and
automated mail is recognised from them and gets a light parse, and person-to-person mail gets the
full mail-parser treatment (decoded addresses, text and HTML bodies, attachments) and own-text split.
Nothing here raises on bad input: problems are recorded in the row's `parse_error`.
"""

from __future__ import annotations

import datetime as dt
import email
import email.header
import email.message
import email.parser
import email.utils
import hashlib
import logging
import re
from email import policy

import mailparser
from inscriptis import get_text

from .bulk import UNFOLD, mailing_footer, triage
from .own_text import split_reply

logging.getLogger("mailparser").setLevel(logging.CRITICAL)

HEADER_END = re.compile(rb"\r?\n\r?\n")  # the definition; _header_block finds the same faster
# A field and its continuation lines, found after a newline: the literal "\n" lets the regex
# engine skip ahead instead of trying every position as a multi-line "^" would.
PREKEY_FIELDS = re.compile(rb"\n((?i:message-id|from|date|subject))[ \t]*:(.*(?:\r?\n[ \t].*)*)")
WS = re.compile(rb"\s+")
SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|sv|wg|tr|antw|rif|r|vs|ref)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*|\[[^\]]{1,40}\]\s*)+",
    re.I,
)
REPLY_PREFIX = re.compile(r"^\s*(?:\[[^\]]{1,40}\]\s*)*(?:re|fw|fwd|aw|sv|wg|tr|antw|rif|vs)\s*(?:\[\d+\])?\s*[:：]", re.I)
MSGID = re.compile(r"<([^<>\s]+)>")
MIN_DATE = dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)


def _header_block(raw: bytes) -> tuple[bytes, bytes]:
    """(header, body), split at the first blank line (HEADER_END's first match)."""
    j = raw.find(b"\n\n")
    k = raw.find(b"\n\r\n", 0, j + 2 if j >= 0 else len(raw))  # one that starts before j
    if k >= 0:
        j, end = k, k + 3
    elif j >= 0:
        end = j + 2
    else:
        return raw, b""
    start = j - 1 if j and raw[j - 1] == 13 else j  # a CR before the first LF belongs to the separator
    return raw[:start], raw[end:]


def prekey(raw: bytes) -> tuple[str | None, str]:
    """(Message-ID, fingerprint) from raw bytes without parsing.

    The fingerprint hashes sender, date, subject and body with all white space removed, so copies
    of one message in different folders (or fetched over IMAP) match even with other Message-IDs,
    line endings or header folding.
    """
    return prekeys(raw)[:2]


# Where quoted history may start: a line opening with dashes or underscores (Original Message,
# Forwarded by), a header field of a quoted message, or ">". Found after a newline, as PREKEY_FIELDS.
QUOTE_START = re.compile(rb"\n[ \t]*(?:-{3}|_{5}|>|(?i:from|to|sent|subject|cc|date)[ \t]*:)")
MIN_SLIP_BODY = 20  # bytes of text (white space removed) a message needs to be matched by content alone


def prekeys(raw: bytes) -> tuple[str | None, str, str | None, str | None]:
    """`prekey`'s (Message-ID, fingerprint), and a content key with the Date field it was sent with.

    The content key hashes sender, subject and the body up to where quoted history starts (the
    copies of one message can differ there: another client's rendering of the quoted header, a
    non-breaking space turned into "?"), but not the date: a copy whose Date was written in the
    wrong time zone or with AM and PM swapped (Outlook exports do both: one copy of a sent message
    dated 05:19, another 17:19) has another fingerprint but the same content key (see
    `importer._Deduper`, which decides whether the dates are a slip); a message with (almost) no
    text of its own, a forward say, is hashed with all its text. None for a message with almost no
    text at all, where sharing sender, subject and text says little."""
    head, body = _header_block(raw)
    fields: dict[bytes, bytes] = {}
    for m in PREKEY_FIELDS.finditer(b"\n" + head):
        name = m.group(1).lower()
        if name not in fields:  # the first of each, unfolded and stripped
            fields[name] = UNFOLD.sub(b" ", m.group(2)).lstrip(b" \t").rstrip()
    mid = None
    if b"message-id" in fields:
        found = MSGID.search(fields[b"message-id"].decode("latin-1"))
        mid = found.group(1) if found else (fields[b"message-id"].decode("latin-1").strip() or None)
        if mid and len(mid) > 900:
            mid = mid[:900]
    sender = WS.sub(b"", fields.get(b"from", b"")).lower()
    date = WS.sub(b"", fields.get(b"date", b"")).lower()
    subject = WS.sub(b"", fields.get(b"subject", b"")).lower()
    text = body.translate(None, b" \t\r\n\x0b\x0c")
    fp = hashlib.blake2b(b"%s\0%s\0%s\0%s" % (sender, date, subject, text), digest_size=16).hexdigest()
    content = None
    if sender and date and len(text) >= MIN_SLIP_BODY:
        quoted = QUOTE_START.search(b"\n" + body)
        own = (body[:max(quoted.start() - 1, 0)] if quoted else body).translate(None, b" \t\r\n\x0b\x0c")
        # A forward with nothing of its own: its whole text, quoted history and all.
        content = hashlib.blake2b(b"%s\0%s\0%s" % (sender, subject, own if len(own) >= MIN_SLIP_BODY else text),
                                  digest_size=16).hexdigest()
    return mid, fp, content, fields.get(b"date", b"").decode("latin-1") if content else None


RECIPIENT_FIELDS = re.compile(rb"\n(?i:to|cc|bcc)[ \t]*:(.*(?:\r?\n[ \t].*)*)")
ADDRESS_LIKE = re.compile(rb"[^\s<>,;:\"()\[\]]+@[^\s<>,;:\"()\[\]]+")


def plain_address(address: str) -> str:
    """An address lowercased and without quote marks, for comparing copies whose clients quoted or
    mangled the same address differently ("'jo.doe'@example.com")."""
    return address.lower().replace("'", "").strip(".")


def recipient_addresses(raw: bytes) -> set[str]:
    """The addresses in a raw message's To, Cc and Bcc fields, as `plain_address` gives them."""
    head, _ = _header_block(raw)
    return {plain_address(a.decode("latin-1")) for m in RECIPIENT_FIELDS.finditer(b"\n" + head)
            for a in ADDRESS_LIKE.findall(m.group(1))}


def clean(s) -> str:
    """Any header or body value as valid text: undecodable bytes replaced, NULs dropped."""
    if s is None:
        return ""
    if type(s) is str and s.isascii():  # nearly every value: nothing to replace but NULs
        return s.replace("\x00", "") if "\x00" in s else s
    if isinstance(s, email.header.Header):
        try:
            s = str(s)
        except Exception:
            s = s.encode()
    if isinstance(s, bytes):
        s = s.decode("utf-8", "replace")
    s = str(s)
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        s = s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return s.replace("\x00", "")


def decode_header(value) -> str:
    value = clean(value)
    if "=?" in value:
        try:
            value = str(email.header.make_header(email.header.decode_header(value)))
        except Exception:
            pass
    return " ".join(clean(value).split())


# A Lotus Notes hierarchical name left in front of the mail domain ("john.smith/hou/ect@corp.com"):
# the person's address is the name's first part at that domain.
NOTES_NAME = re.compile(r"^([a-z0-9'_-]+(?:\.[a-z0-9'_-]+)+)(?:/[a-z0-9 _-]+)+(@[a-z0-9.-]+)$")


def normalize_address(addr: str) -> str:
    addr = clean(addr).strip().strip("<>\"' ").lower()
    if "/" in addr:
        addr = NOTES_NAME.sub(r"\1\2", addr)
    return addr[:320]


def normalize_subject(subject: str) -> str:
    return " ".join(SUBJECT_PREFIX.sub("", subject or "").lower().split())


def _date_to_utc(value) -> dt.datetime | None:
    if value is None:
        return None
    try:
        d = email.utils.parsedate_to_datetime(clean(value)) if not isinstance(value, dt.datetime) else value
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if d is None:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.timezone.utc)
    try:
        return d.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):
        return None


def iso(d: dt.datetime | None) -> str | None:
    return d.strftime("%Y-%m-%dT%H:%M:%SZ") if d else None


def message_date(msg) -> tuple[dt.datetime | None, str, str | None]:
    """The message's date in UTC, where it came from, and a problem if there was one."""
    raw = msg.get("Date")
    d = _date_to_utc(raw)
    now = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)
    if d and MIN_DATE <= d <= now:
        return d, "date", None
    problem = "missing Date header" if raw is None else f"unreadable or implausible Date: {clean(raw)[:80]!r}"
    for received in msg.get_all("Received") or []:
        _, _, when = clean(received).rpartition(";")
        r = _date_to_utc(when.strip())
        if r and MIN_DATE <= r <= now:
            return r, "received", problem
    return None, "none", problem


SIMPLE_ADDRESS = re.compile(r"^\s*<?([\w.+'&=/-]+@[\w.-]+)>?\s*$")


def _addresses(values) -> list[tuple[str, str]]:
    """(display name, address) pairs; plain comma-separated address lists skip the full parser."""
    out = []
    if all(isinstance(v, str) and '"' not in v and "(" not in v and "=?" not in v for v in values):
        pieces = [p for v in values for p in v.split(",")]
        simple = [SIMPLE_ADDRESS.match(p) for p in pieces if p.strip()]
        if all(simple):
            return [("", normalize_address(m.group(1))) for m in simple]
    try:
        pairs = email.utils.getaddresses([decode_header(v) for v in values])
    except Exception:
        pairs = []
    for name, addr in pairs:
        addr = normalize_address(addr)
        if addr and ("@" in addr or len(addr) > 1):
            out.append((" ".join(clean(name).split()).strip("'\" "), addr))
    return out


def _mp_addresses(pairs) -> list[tuple[str, str]]:
    out = []
    for pair in pairs or []:
        try:
            name, addr = pair
        except (TypeError, ValueError):
            continue
        addr = normalize_address(addr)
        if addr:
            out.append((" ".join(clean(name).split()).strip("'\" "), addr))
    return out


def _lotus_names(msg, header: str, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Enron-style X-From / X-To / X-cc carry display names the address headers lack."""
    x = msg.get(header)
    if not x or not pairs or all(n for n, _ in pairs):
        return pairs
    names = [n.strip() for n in decode_header(x).split(",")] if len(pairs) > 1 else [decode_header(x)]
    if len(names) != len(pairs):
        return pairs
    out = []
    for (name, addr), hint in zip(pairs, names):
        if not name and hint and "@" not in hint and "<" not in hint and len(hint) < 80:
            name = hint.strip("'\" ")
        out.append((name, addr))
    return out


def _html_to_text(html: str) -> str:
    try:
        return get_text(html)
    except Exception:
        return re.sub(r"<[^>]+>", " ", html)


def _light_body(msg) -> tuple[str, list[dict]]:
    """First text part and attachment metadata using only the stdlib (for bulk mail)."""
    text, html, attachments = None, None, []
    for part in msg.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        ctype = part.get_content_type()
        if filename or part.get("Content-Disposition", "").lower().startswith("attachment"):
            payload = part.get_payload()
            size = len(payload) if isinstance(payload, str) else 0
            if (part.get("Content-Transfer-Encoding") or "").strip().lower() == "base64":
                size = size * 3 // 4
            attachments.append({"filename": decode_header(filename or ""), "content_type": ctype, "size": size})
            continue
        if ctype in ("text/plain", "text/html"):
            try:
                payload = part.get_payload(decode=True) or b""
                charset = part.get_content_charset() or "utf-8"
                try:
                    body = payload.decode(charset, "replace")
                except LookupError:
                    body = payload.decode("utf-8", "replace")
            except Exception:
                continue
            if ctype == "text/plain" and text is None:
                text = body
            elif ctype == "text/html" and html is None:
                html = body
    if text is None and html is not None:
        text = _html_to_text(html)
    return clean(text or ""), attachments


def _is_simple(msg) -> bool:
    """Single-part plain text with plain ASCII headers: the stdlib reads it exactly as mail-parser would."""
    if msg.is_multipart() or msg.get_content_type() != "text/plain" or msg.defects:
        return False
    if (msg.get("Content-Transfer-Encoding") or "7bit").strip().lower() not in ("7bit", "8bit", "binary"):
        return False
    for name in ("From", "To", "Cc", "Bcc", "Subject"):
        for v in msg.get_all(name) or ():
            if not isinstance(v, str) or "=?" in v or not v.isascii():
                return False
    return True


def _simple_parse(msg) -> dict:
    payload = msg.get_payload(decode=True) or b""
    charset = msg.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset, "replace")
    except LookupError:
        text = payload.decode("utf-8", "replace")
    return {
        "from": _addresses(msg.get_all("From") or []),
        "to": _addresses(msg.get_all("To") or []),
        "cc": _addresses(msg.get_all("Cc") or []),
        "bcc": _addresses(msg.get_all("Bcc") or []),
        "text": clean(text), "html_only": False, "attachments": [], "defects": [],
    }


def _deep_parse(msg) -> dict:
    if _is_simple(msg):
        return _simple_parse(msg)
    mp = mailparser.MailParser(msg)
    text = "\n".join(clean(t) for t in mp.text_plain)
    html_only = False
    if not text.strip() and mp.text_html:
        text = clean(_html_to_text("\n".join(clean(t) for t in mp.text_html)))
        html_only = True
    attachments = []
    for a in mp.attachments:
        payload = a.get("payload") or ""
        size = len(payload)
        if a.get("binary"):
            size = size * 3 // 4 - payload[-2:].count("=")
        attachments.append({
            "filename": clean(a.get("filename") or ""),
            "content_type": clean(a.get("mail_content_type") or ""),
            "size": size,
        })
    defects = sorted(mp.defects_categories) if mp.has_defects else []
    return {
        "from": _mp_addresses(mp.from_),
        "to": _mp_addresses(mp.to),
        "cc": _mp_addresses(mp.cc),
        "bcc": _mp_addresses(mp.bcc),
        "text": text,
        "html_only": html_only,
        "attachments": attachments,
        "defects": defects,
    }


class _IndexedMessage(email.message.Message):
    """A stdlib Message whose `get` and `get_all` look names up in an index built once per header
    list, where the stdlib lowercases every header's name on every lookup (a message is asked for
    about thirty headers, by this parser, triage and mail-parser). Same answers: the index is rebuilt
    whenever the header list is replaced or grows, and dropped when a header is replaced in place."""

    _index: tuple | None = None

    def _by_name(self) -> dict:
        headers = self._headers
        if self._index is None or self._index[0] is not headers or self._index[1] != len(headers):
            by_name: dict = {}
            for k, v in headers:
                by_name.setdefault(k.lower(), []).append((k, v))
            self._index = (headers, len(headers), by_name)
        return self._index[2]

    def get(self, name, failobj=None):
        found = self._by_name().get(name.lower())
        return self.policy.header_fetch_parse(*found[0]) if found else failobj

    def get_all(self, name, failobj=None):
        found = self._by_name().get(name.lower())
        return [self.policy.header_fetch_parse(k, v) for k, v in found] if found else failobj

    def replace_header(self, _name, _value):
        self._index = None
        super().replace_header(_name, _value)


_PARSER = email.parser.BytesParser(_IndexedMessage, policy=policy.compat32)


def read_message(raw: bytes, split: tuple[bytes, bytes] | None = None) -> email.message.Message:
    """The stdlib's reading of a message, exactly as `email.message_from_bytes` gives it, faster.

    The stdlib parser reads a message line by line to the end, even a single-part body it then keeps
    as one string. Here it reads only the header block; a single-part message's body is then the
    rest of the bytes as that parser would have decoded them. Messages with parts, and headers that
    end without a blank line (where the parser decides what belongs to the body), are parsed whole.
    `split`: `_header_block(raw)`, when the caller has it already."""
    _, body = split if split is not None else _header_block(raw)
    if body:
        msg = _PARSER.parsebytes(raw[:len(raw) - len(body)], headersonly=True)
        if msg.get_payload() == "" and msg.get_content_maintype() not in ("multipart", "message"):
            msg.set_payload(body.decode("ascii", "surrogateescape"))
            return msg
    return _PARSER.parsebytes(raw)


def parse_message(raw: bytes, fingerprint: str, header_mid: str | None,
                  max_body_bytes: int = 5_000_000, languages: tuple[str, ...] = ("en",)) -> dict:
    """One distinct message as a dict: 'message' row, 'recipients' and 'attachments' rows."""
    errors: list[str] = []
    split = _header_block(raw)
    try:
        msg = read_message(raw, split)
    except Exception as e:  # the stdlib parser is lenient; this is a last resort
        msg = email.message_from_string("")
        errors.append(f"unparseable message: {type(e).__name__}: {e}")
    if not raw.strip():
        errors.append("empty message")
    elif not msg.keys():
        errors.append("no mail headers found")
    subject = decode_header(msg.get("Subject", ""))[:2000]
    date, date_source, date_problem = message_date(msg)
    if date_problem:
        errors.append(date_problem)
    # Mail between people (nearly all of it) is known not to be bulk from one scan of the raw header.
    category, reason = triage(split[0], msg)
    deep = None
    if category is None:
        try:
            deep = _deep_parse(msg)
        except Exception as e:
            errors.append(f"MIME parse failed, headers kept: {type(e).__name__}: {str(e)[:200]}")
    if deep is None:
        try:
            text, attachments = _light_body(msg)
        except Exception as e:
            text, attachments = "", []
            errors.append(f"body unreadable: {type(e).__name__}: {str(e)[:200]}")
        deep = {
            "from": _addresses(msg.get_all("From") or []),
            "to": _addresses(msg.get_all("To") or []),
            "cc": _addresses(msg.get_all("Cc") or []),
            "bcc": _addresses(msg.get_all("Bcc") or []),
            "text": text, "html_only": False, "attachments": attachments, "defects": [],
        }
    if "AddressHeaderDefect" in deep["defects"]:
        # mail-parser drops addresses it finds invalid (Enron's "n..gray@enron.com"); keep them as written.
        for key, header in (("from", "From"), ("to", "To"), ("cc", "Cc"), ("bcc", "Bcc")):
            deep[key] = _addresses(msg.get_all(header) or [])
    frm = _lotus_names(msg, "X-From", deep["from"][:1])
    to = _lotus_names(msg, "X-To", deep["to"])
    cc = _lotus_names(msg, "X-cc", deep["cc"])
    bcc = deep["bcc"]
    if not frm:
        errors.append("no From address")
    if deep["defects"]:
        errors.append("MIME defects: " + ", ".join(deep["defects"]))
    text = deep["text"]
    truncated = False
    fetched_part = msg.get("X-Goldenrule-Truncated")
    if fetched_part:  # the IMAP sync fetched only part of a huge message
        truncated = True
        errors.append(f"huge message: {decode_header(fetched_part)}")
    if len(text) > max_body_bytes:
        text, truncated = text[:max_body_bytes], True
        errors.append(f"body longer than {max_body_bytes} characters: truncated")
    if category is None:
        # Own words sit at the top: a megabyte is plenty, and the reply parser slows down on more.
        own, qheader, has_quote, quoted = split_reply(text[:1_000_000], languages)
        footer = mailing_footer(own)
        if footer:
            category, reason = "newsletter", footer
    else:
        own, qheader, has_quote, quoted = text[:2000].strip(), None, False, ""
    in_reply_to = [m for m in MSGID.findall(decode_header(msg.get("In-Reply-To", ""))) if len(m) < 900]
    references = [m for m in MSGID.findall(decode_header(" ".join(map(str, msg.get_all("References") or []))))
                  if len(m) < 900][-50:]
    synthetic = header_mid is None
    message_id = header_mid or f"{fingerprint}@goldenrule.invalid"
    from_name, from_address = frm[0] if frm else ("", "")
    row = {
        "id": fingerprint,
        "message_id": message_id,
        "message_id_synthetic": int(synthetic),
        "date": iso(date),
        "date_source": date_source,
        "from_address": from_address,
        "from_name": from_name,
        "to_addresses": ", ".join(a for _, a in to),
        "cc_addresses": ", ".join(a for _, a in cc),
        "subject": subject,
        "subject_normalized": normalize_subject(subject),
        "is_reply": int(bool(REPLY_PREFIX.match(subject) or in_reply_to or references or has_quote)),
        "in_reply_to": in_reply_to[0] if in_reply_to else None,
        "references": " ".join(references) or None,
        "own_text": own,
        "has_quote": int(has_quote),
        "quoted_from": (qheader or {}).get("from", "")[:200] or None,
        "quoted_date": (qheader or {}).get("date", "")[:100] or None,
        "quoted_subject": (qheader or {}).get("subject", "")[:500] or None,
        "quoted_text": quoted or None,
        "html_only": int(deep["html_only"]),
        "body_chars": len(deep["text"]),
        "body_truncated": int(truncated),
        "attachment_count": len(deep["attachments"]),
        "size_bytes": len(raw),
        "is_automated": int(category is not None),
        "category": category or "person",
        "automated_reason": reason,
        "parse_error": "; ".join(errors) or None,
    }
    recipients = []
    seen = set()
    for kind, pairs in (("from", frm), ("to", to), ("cc", cc), ("bcc", bcc)):
        for name, addr in pairs:
            if (kind, addr) in seen:
                continue
            seen.add((kind, addr))
            recipients.append({"message": fingerprint, "kind": kind, "address": addr, "name": name[:200]})
    attachments = [
        {"message": fingerprint, "position": i, **a} for i, a in enumerate(deep["attachments"])
    ]
    return {"message": row, "addresses": recipients, "attachments": attachments}
