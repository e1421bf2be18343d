"""Separate a message's own words from the quoted history and signature below them.

The maintained reply parser (mail-parser-reply) knows many clients' reply headers and signatures;
these rules add what it misses in real corporate mail: Outlook's `-----Original Message-----`,
Lotus Notes `Forwarded by` lines and `Name@ORG / date / To: / cc: / Subject:` header blocks, Gmail's
`On ... wrote:` wrapped over two lines, and `>`-quoted lines between the user's own.
"""

from __future__ import annotations

import re

from mailparser_reply import EmailReplyParser
from mailparser_reply.parser import EmailMessage


# The characters Python's case-insensitive matching takes for ASCII letters besides the letters
# themselves ("ſ" matches "s", "K" matches "k"): folded to them before a literal test on lowercased
# text stands in for a case-insensitive pattern.
_ASCII_FOLD = {0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k"}


def _folded(text: str) -> str:
    """The text lowercased, those characters folded, after a line break (so a line start is "\n")."""
    return "\n" + (text if text.isascii() else text.translate(_ASCII_FOLD)).lower()


# What each of mail-parser-reply's English patterns cannot match without: a signature starts a line
# (after "> " quoting) with a dash or underscore or one of its sign-off phrases; a reply header holds
# "wrote:", a header field name with its colon, or "original message"; a disclaimer holds one of its
# keywords and "mail". Checked on _folded text. Languages other than English have other words.
_MAY_BE_SIGNATURE = re.compile(r"\n ?(?:> ?)*(?:[-_]|best regards|kind regards|thanks,|thank you,|best,|all the best|"
                               r"regards,|sent from my|get outlook for)")
_MAY_BE_HEADER = re.compile(r"wrote:|from:|sent:|to:|subject:|date:|cc:|organization:|original message")
_MAY_BE_DISCLAIMER = re.compile(r"caution:|disclaimer|warning:|confidential|privileged|private|sensitive|important")


class _Gated:
    """One of the reply parser's compiled patterns behind a cheap test that every text it can match
    passes: most messages have no signature, reply header or disclaimer, and the library's patterns
    (case-insensitive, line-anchored alternations) were most of its time. Same answers, by construction
    and by test."""

    def __init__(self, rx, maybe):
        self.rx, self.maybe = rx, maybe

    def search(self, text, *args):
        return self.rx.search(text, *args) if self.maybe(_folded(text)) else None

    def findall(self, text, *args):
        return self.rx.findall(text, *args) if self.maybe(_folded(text)) else []

    def __getattr__(self, name):
        return getattr(self.rx, name)


_GATES = {
    "_header_regex": lambda low: _MAY_BE_HEADER.search(low) is not None,
    "_disclaimers_regex": lambda low: "mail" in low and _MAY_BE_DISCLAIMER.search(low) is not None,
    "_signature_regex": lambda low: _MAY_BE_SIGNATURE.search(low) is not None,
}


class _ReplyReader:
    """mail-parser-reply's parser with its three patterns built once, not for every message
    (building them was a fifth of its time), and, for English, run only on texts that may match."""

    def __init__(self, languages: tuple[str, ...]):
        self.languages = EmailReplyParser(languages=list(languages)).languages
        probe = EmailMessage(text="", languages=list(self.languages))
        try:
            self.compiled = _library_patterns(probe)
            EmailMessage(text="", languages=list(self.languages), **self.compiled)
        except (AttributeError, TypeError):  # another version of the library: let it build them itself
            self.compiled = {}
        if self.compiled and probe.languages == ["en"] and _fingerprint(self.compiled) == _GATED_FOR:
            self.compiled = {k: _Gated(rx, _GATES[k]) for k, rx in self.compiled.items()}

    def read(self, text: str) -> EmailMessage:
        return EmailMessage(text=text, languages=list(self.languages), **self.compiled).read()


# The gates were written for these patterns (the library's English ones, mail-parser-reply 1.36):
# another version's patterns run ungated.
_GATED_FOR = "837c2a78e95ca2c7"


def _library_patterns(m: EmailMessage) -> dict:
    """The three patterns a parsed message would build, under the names EmailMessage takes them by."""
    return {"_header_regex": m.HEADER_REGEX, "_disclaimers_regex": m.DISCLAIMERS_REGEX,
            "_signature_regex": m.SIGNATURE_REGEX}


def _english_library_patterns() -> dict:
    return _library_patterns(EmailMessage(text="", languages=["en"]))


def _fingerprint(compiled: dict) -> str:
    import hashlib

    text = "\0".join(compiled[k].pattern for k in ("_header_regex", "_disclaimers_regex", "_signature_regex"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_parsers: dict[tuple[str, ...], _ReplyReader] = {}


def _reply_parser(languages: tuple[str, ...]) -> _ReplyReader:
    if languages not in _parsers:
        _parsers[languages] = _ReplyReader(languages)
    return _parsers[languages]

# Yahoo! Mail: '--- "Bass, Eric" <Eric.Bass@ENRON.com> wrote:' (its dashes sometimes lost to a "?").
YAHOO_WROTE = re.compile(r"^\s*(?:-{2,}\s*|\?\s+)[^\n]{0,120}@[^\n]{0,120}\bwrote\s*:\s*$", re.I)
# Markers after which everything is quoted history (checked line by line).
CUT_MARKERS = [
    ("outlook", re.compile(r"^\s*-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|mensaje original)\s*-{2,}", re.I)),
    ("forward", re.compile(r"^\s*-{3,}\s*forwarded by\b", re.I)),
    ("forward", re.compile(r"^\s*-{3,}\s*forwarded message\s*-{3,}", re.I)),
    ("forward", re.compile(r"^\s*begin forwarded message:", re.I)),
    ("outlook", re.compile(r"^\s*_{10,}\s*$")),
    # Lotus Notes: "From:  Eric Bass @ ECT    11/16/2000 12:01 PM" on one line.
    ("lotus", re.compile(r"^\s*from:\s+\S.*\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}", re.I)),
    ("wrote", re.compile(r"^\s*(?:on|am|le|el|il|op)\s.{4,200}\b(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef)\s*:\s*$", re.I)),
    # Eudora and others: "At 08:28 AM 12/12/2000 -0600, you wrote:".
    ("wrote", re.compile(r"^\s*at\s+\d{1,2}[:/].{2,200}\bwrote\s*:\s*$", re.I)),
    ("wrote", YAHOO_WROTE),
]
WROTE_END = re.compile(r"\b(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef)\s*:\s*$", re.I)
WROTE_START = re.compile(r"^\s*(?:(?:on|am|le|el|il|op)\s|at\s+\d{1,2}[:/])", re.I)
# "From: x" then "Sent:" / "Date:" within the next lines: an Outlook header block without a marker.
FROM_LINE = re.compile(r"^\s*\*?from:\*?\s*\S", re.I)
SENT_LINE = re.compile(r"^\s*\*?(?:sent|date):\*?\s*\S", re.I)
# Lotus Notes puts its header block at the line start, or in a right-hand column beside the sender
# and date ("Susan.Scott@e          To:     Charles Caldwell").
TO_LINE = re.compile(r"^\s*(?:\S.*?\s{3,})?to:\s", re.I)
CC_SUBJ_LINE = re.compile(r"^\s*(?:\S.*?\s{3,})?(?:cc|subject):", re.I)
# The same two tests for `search`, in time linear in the line: the lazy ".*?" before a run of spaces
# retries the run at every step, which on Enron's long space-padded lines was most of the own-text
# split. A field at the line start, or three spaces right before it anywhere, is exactly what they accept.
TO_LINE_ANYWHERE = re.compile(r"^\s*to:\s|\s{3}to:\s", re.I)
CC_SUBJ_LINE_ANYWHERE = re.compile(r"^\s*(?:cc|subject):|\s{3}(?:cc|subject):", re.I)
LOTUS_DATE = re.compile(r"(?:\d{1,2}/\d{1,2}/\d{2,4}|\d{4}/\d{1,2}/\d{1,2})\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:AM|PM)?", re.I)
LOTUS_FROM_OR_SENT_BY = re.compile(r"^(?:from:|sent by:|please respond to)\s+\S", re.I)
LOTUS_SENDER = re.compile(r"^\s*\S.*(?:@|\bon\s+\d{1,2}/\d{1,2}/\d{2,4})")
ONE_LINE_FIELD = re.compile(r"\b(to|cc|subject):[ \t]?(.*?)(?=\s{2,}(?:to|cc|subject):|$)", re.I)
# A line that continues a list of recipients: it holds an address or ends with a comma.
ADDRESS_LIST_LINE = re.compile(r"^\s*\S.*(?:@[\w.-]+|,\s*$)")
SIG_DASHES = re.compile(r"^-- ?$")
HEADER_FIELD = re.compile(r"^\s*\*?(from|sent|date|to|cc|subject)\s*:\*?\s*(.*)$", re.I)
# Every line any rule above could start on matches this; the rest (nearly all lines) are skipped
# with one regex instead of eleven.
MAYBE_CUT = re.compile(r"^\s*(?:[-_*]|\?\s|from:|(?:on|am|le|el|il|op|at|begin)\s)|to:", re.I)


def _find_lotus_block(lines: list[str], i: int) -> int | None:
    """If line i is a Lotus 'To:' line starting a header block, return the index where the block starts."""
    to = TO_LINE_ANYWHERE.search(lines[i])
    if not to:
        return None
    # The fields follow on the next lines, or on the same one ("John Smith 2001/01/16 05:07   To: Ann
    # Lee/AP/Corp@Corp  cc:   Subject: Re: budget", Notes' one-line form), after a recipient list that
    # may run over many lines of addresses.
    after = i + 1
    while after < min(len(lines), i + 60) and ADDRESS_LIST_LINE.match(lines[after]):
        after += 1
    if not any(CC_SUBJ_LINE_ANYWHERE.search(l) for l in lines[after:after + 5]) \
            and not CC_SUBJ_LINE_ANYWHERE.search(lines[i][to.end():]):
        return None
    start = i
    # Walk back over the sender and date lines ("John Smith@ENRON", "09/27/2000 08:38 AM",
    # "jdoe@example.com on 03/16/2000 10:53:20 AM", "From:  Jane Doe", "Sent by: Liz Taylor"), at
    # most six, and over the blank lines Notes may leave between them and the "To:" line.
    found, dated, after_date = 0, False, False
    for j in range(i - 1, max(-1, i - 12), -1):
        line = lines[j].strip()
        if not line:
            if dated:  # above the sender and date: the writer's own text
                break
            continue
        # A short line right above a line holding only the date names the sender ("Greg Whalley").
        has_date = LOTUS_DATE.search(line) is not None
        header = has_date or LOTUS_SENDER.match(line) or line.endswith(("AM", "PM")) or LOTUS_FROM_OR_SENT_BY.match(line)
        name = not header and after_date and len(line) <= 60 and not line.endswith((".", "?", "!", ":", ","))
        if header or name:
            start = j
            found += 1
            dated = dated or has_date
            after_date = LOTUS_DATE.fullmatch(line) is not None
            if found == 6 or name:
                break
        else:
            break
    if start == i:
        # A bare To:/cc:/Subject: block is only quoted history if something precedes it.
        return i if i > 0 else None
    return start


def find_cut(lines: list[str]) -> tuple[int, str] | None:
    """Index of the first line of quoted history, and which rule found it."""
    for i, line in enumerate(lines):
        if not MAYBE_CUT.search(line):
            continue
        for name, rx in CUT_MARKERS:
            if rx.match(line):
                return i, name
        if WROTE_START.match(line) and i + 1 < len(lines) and WROTE_END.search(lines[i + 1]) \
                and len(line) + len(lines[i + 1]) < 300:
            return i, "wrote"
        if FROM_LINE.match(line) and any(SENT_LINE.match(l) for l in lines[i + 1:i + 4]):
            return i, "outlook"
        start = _find_lotus_block(lines, i)
        if start is not None:
            return start, "lotus"
    return None


WROTE_SENDER = re.compile(r"(\"[^\"]*\"\s*<[^<>]+>|[^\s,][^,<>]*<[^<>]+>|[^\s<>,]+@[^\s<>,]+)\s*(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef)", re.I)


def quoted_header(lines: list[str], kind: str = "") -> dict | None:
    """From / date / subject of the quoted original, read from the lines after the cut."""
    if kind == "wrote":
        first = lines[0].strip()
        joined = first if WROTE_END.search(first) else " ".join(l.strip() for l in lines[:2])
        m = WROTE_SENDER.search(joined)
        if m:
            sender = re.sub(r"^.*\b(?:\d{4}|[AP]M|\d:\d\d)\s*,?\s*", "", m.group(1)).strip().lstrip("-?> ")
            return {"from": sender or m.group(1).strip()}
        m = WROTE_END.search(joined)
        if not m:
            return None
        # "At 04:39 PM 07/31/2000 -0700, Louie, Stephanie wrote:" -> "Louie, Stephanie"; "you" names no one.
        sender = re.sub(r"^\s*at\s+[\d:/apm +\-]+,\s*", "", joined[:m.start()], flags=re.I).strip()
        return {"from": sender} if sender and sender.lower() != "you" else None
    out: dict[str, str] = {}
    for k, line in enumerate(lines[:14]):
        m = HEADER_FIELD.match(line)
        if m:
            key = m.group(1).lower()
            key = "date" if key == "sent" else key
            out.setdefault(key, m.group(2).strip())
            continue
        stripped = line.strip()
        # Rules and separators ("_____", "-----Original Message-----") name nobody.
        if not stripped or CUT_MARKERS[0][1].match(line) or CUT_MARKERS[1][1].match(line) \
                or stripped.endswith("-----") or not any(c.isalnum() for c in stripped):
            continue
        if not (out.keys() & {"to", "cc", "subject"}):
            # Lotus: "John Smith@ENRON" / "jdoe@x.com on 03/16/2000 10:53 AM" / a date line.
            d = LOTUS_DATE.search(stripped)
            if d and "date" not in out:
                out["date"] = d.group(0).strip()
                sender = re.sub(r"\s+on$", "", stripped[:d.start()].strip())
                if sender and "from" not in out:
                    out["from"] = sender
                # Notes' one-line form: "... 05:07   To: Ann Lee/AP/Corp@Corp  cc:   Subject: Re: budget"
                for key, value in ONE_LINE_FIELD.findall(stripped[d.end():]):
                    out.setdefault(key.lower(), value.strip())
            elif not d and "from" not in out and kind != "outlook" and WROTE_END.search(stripped) is None:
                # (A Notes sender line; after an Outlook rule, a line without a field is the text.)
                out["from"] = stripped
        if "subject" in out:
            break
    return out or None


QUOTED_CHARS = 1500


QUOTE_MARK = re.compile(r"^\s*>\s?")


def _unquote(lines: list[str]) -> list[str]:
    return [QUOTE_MARK.sub("", l) if ">" in l else l for l in lines]


def quoted_body(lines: list[str], kind: str) -> str:
    """The words of the message being replied to: after its header block, before older history.

    Kept (shortened) so that a one-line reply ("Done.", "Yes") can be read against what it answers
    even when that message itself is not in the mailbox."""
    if kind == "wrote":
        start = 1 if WROTE_END.search(lines[0]) else 2
        body = []
        for line in lines[start:]:
            if body and not line.lstrip().startswith(">") and line.strip():
                break
            body.append(line)
        body = _unquote(body)
    else:
        start = 1
        for k, line in enumerate(lines[:16]):
            if HEADER_FIELD.match(line) and HEADER_FIELD.match(line).group(1).lower() == "subject":
                start = k + 1
                break
        else:
            # No Subject line: the header block ends at the first blank line after it.
            for k, line in enumerate(lines[1:16], 1):
                if not line.strip():
                    start = k + 1
                    break
        body = _unquote(lines[start:])
    cut = find_cut(body)
    if cut is not None:
        body = body[:cut[0]]
    return "\n".join(body).strip()[:QUOTED_CHARS]


def split_own_text(text: str, languages: tuple[str, ...] = ("en",)) -> tuple[str, dict | None, bool]:
    """Return (own text, header of the quoted original or None, whether anything was quoted)."""
    own, header, quoted, _ = split_reply(text, languages)
    return own, header, quoted


def split_reply(text: str, languages: tuple[str, ...] = ("en",)) -> tuple[str, dict | None, bool, str]:
    """Own text, quoted header, whether anything was quoted, and the quoted message's own words."""
    if not text:
        return "", None, False, ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    cut = find_cut(lines)
    header = None
    quoted = ""
    if cut is not None:
        header = quoted_header(lines[cut[0]:], cut[1])
        try:
            quoted = quoted_body(lines[cut[0]:], cut[1])
        except Exception:  # context only; never let it stop an import
            quoted = ""
        lines = lines[:cut[0]]
    had_gt = False
    kept = []
    gt_lines = []
    for line in lines:
        if line.lstrip().startswith(">"):
            had_gt = True
            gt_lines.append(line)
            continue
        if SIG_DASHES.match(line):
            break
        kept.append(line)
    # A trailing "On ... wrote:" introducing '>' quotes that were removed.
    while kept and not kept[-1].strip():
        kept.pop()
    if kept and had_gt and WROTE_END.search(kept[-1]):
        kept.pop()
        if kept and WROTE_START.match(kept[-1]):
            kept.pop()
    own = "\n".join(kept).strip()
    if own:
        try:
            message = _reply_parser(tuple(languages)).read(own)
            first = message.replies[0].body if message.replies else own
        except Exception:  # the reply parser is a helper; never let it stop an import
            first = own
        own = first.strip() if first and first.strip() else own
    if not quoted and gt_lines:
        quoted = "\n".join(_unquote(gt_lines)).strip()[:QUOTED_CHARS]
    return own, header, cut is not None or had_gt, quoted
