"""Speech acts in one message's own words: who asks, offers, thanks, delivers, introduces, advises.

Sentence-level rules on the own text (quotes and signatures already removed, which is what makes
rules workable at all). Each act carries the sentence that shows it, a confidence and the cue that
fired, so a person can see why. The cues are general English patterns of asking, thanking and
giving, never phrases taken from any particular mailbox. Politeness formulas ("Thanks,", "thanks in
advance", "thank you for your email") are recognised and are not gratitude for help.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# Acts that give something: a reply carrying one of these can fulfil a request.
HELP_ACTS = ("delivery", "introduction", "referral", "advice", "favor", "statement", "confirmation")


@dataclass(frozen=True)
class Act:
    act: str
    sentence: str
    confidence: float
    cue: str
    position: int  # sentence index within the own text


_LEAD = re.compile(r"^(?:\\b|\^\\s\*)(?:\(\?:([a-z' |?\-]+)\)|([a-z]+s?\??))(?=\\b|\\s|\\\.| |\)|\(\?:['| ]|\(\?<!|,|-|:|$)")
# Lookbehinds before a branch's first word ("(?<!once )\b(?:i|we) ..."): the word still gates it.
_LEADING_LOOKBEHINDS = re.compile(r"^(?:\(\?<!(?:[^()\\]|\\.)*\))+")


def _lead_words(part: str) -> list[str] | None:
    """The words one of which a branch needs to match ("\\b(?:i'm|we are) ..." needs "i" or "we"), or None."""
    m = _LEAD.match(_LEADING_LOOKBEHINDS.sub("", part))
    if not m:
        return None
    out = []
    for alt in (m.group(1) or m.group(2)).split("|"):
        word = re.split(r"[ '\-]", alt.strip())[0]
        if word.endswith("s?"):
            out += [word[:-2], word[:-1]]
        elif "?" in word or not word:
            return None
        else:
            out.append(word)
    return out


_WORDS = re.compile(r"[a-z]+")
_PATTERN_CHAR = re.compile(r"\\.|[A-Z]")


def _lower_pattern(p: str) -> str:
    """A pattern for the lowercased sentence: its letters lowercased ("(?:I|we)"), its escapes kept
    ("\\W" is not "\\w")."""
    return _PATTERN_CHAR.sub(lambda m: m.group(0) if m.group(0)[0] == "\\" else m.group(0).lower(), p)


class _Rules:
    """An alternation of cue patterns, matched against the lowercased sentence.

    Scanning every branch at every position was most of the inference time. Branches that begin with
    a plain word (or a group of plain words) are instead tried only where the sentence has one of
    those words, anchored there: a few anchored matches instead of a scan per branch."""

    def __init__(self, parts):
        self.parts = tuple(_lower_pattern(p) for p in parts)  # as written: what the gating must agree with
        by_word: dict[str, list[str]] = {}
        at_start: dict[str, list[str]] = {}
        always = []
        for p in self.parts:
            lead = _lead_words(p)
            if lead:
                for w in lead:
                    (at_start if p.startswith("^") else by_word).setdefault(w, []).append(p)
            else:
                always.append(p)
        # One alternation per leading word: one anchored match per occurrence of the word.
        self.gated = {w: re.compile("|".join(f"(?:{p})" for p in ps)) for w, ps in by_word.items()}
        self.at_start = {w: re.compile("|".join(f"(?:{p})" for p in ps)) for w, ps in at_start.items()}
        self.always = re.compile("|".join(f"(?:{p})" for p in always)) if always else None
        self.start_words, self.gate_words = frozenset(self.at_start), frozenset(self.gated)

    def search(self, low: str, words: set[str] | None = None):
        """A match anywhere in `low`, or None. `words`: the words of `low` (sentence_words)."""
        if words is None:
            words = sentence_words(low)
        if self.always is not None:
            m = self.always.search(low)
            if m:
                return m
        if self.start_words:
            for w in self.start_words & words:
                m = self.at_start[w].match(low)
                if m:
                    return m
        found = self.gate_words & words
        if not found:
            return None
        positions = words.positions if isinstance(words, SentenceWords) and words.low is low else None
        for w in found:
            rx = self.gated[w]
            for i in (positions(w) if positions else word_positions(low, w)):
                m = rx.match(low, i)
                if m:
                    return m
        return None


class SentenceWords(set):
    """The words (runs of a-z) of a lowercased sentence, and where those that rules are gated on start,
    each looked up once per sentence: a dozen rules ask where "i", "we" or "you" is in the same
    sentence (three lookups in four were repeats)."""

    __slots__ = ("low", "_at")

    def __init__(self, low: str):
        super().__init__(_WORDS.findall(low))
        self.low = low
        self._at: dict[str, list[int]] = {}

    def positions(self, word: str) -> list[int]:
        at = self._at.get(word)
        if at is None:
            at = self._at[word] = word_positions(self.low, word)
        return at


def sentence_words(low: str) -> SentenceWords:
    """The words of a lowercased sentence. Where a word starts is looked up only for the few words
    some rule is gated on (word_positions), not for every word of every sentence."""
    return SentenceWords(low)


def word_positions(low: str, word: str) -> list[int]:
    """Where `word` starts in `low` as a whole run of a-z: the positions _WORDS would find it at."""
    out = []
    n, end = len(word), len(low)
    i = low.find(word)
    while i >= 0:
        if (i == 0 or not "a" <= low[i - 1] <= "z") and (i + n == end or not "a" <= low[i + n] <= "z"):
            out.append(i)
        i = low.find(word, i + 1)
    return out


def _rx(*parts: str) -> _Rules:
    return _Rules(parts)


# --- sentence splitting -------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d{1,2}[.)])\s+")
# (A "?" after a colon, comma or semicolon is a lost non-breaking space, not a question's end: "Yes, I
# have a fax at work:? 82-31-555-0142.")
_SPLIT = re.compile(r"(?<=[.!?])(?<![,;:]\?)[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREV = re.compile(r"\b(?:mr|mrs|ms|dr|st|vs|etc|inc|co|corp|ltd|jr|sr|no|approx|e\.g|i\.e|a\.m|p\.m|u\.s)\.$", re.I)
# Footers, disclaimers and header residue: never anybody's act.
_BOILERPLATE = re.compile(
    r"intended (?:solely )?(?:only )?(?:for the )?(?:use of the )?(?:intended )?recipient|confidential(?:ity)? notice|"
    r"privileged and confidential|do you yahoo|yahoo! (?:mail|messenger|greetings)|get your (?:free|private)|"
    r"\b(?:try|download|get) msn\b|\bmsn (?:messenger|explorer|hotmail)\b|"
    r"unsubscribe|this (?:e-?mail|message) (?:and any attachments )?(?:is|may be) (?:confidential|privileged)|"
    r"^\s*(?:from|to|cc|bcc|sent|date|subject)\s*:|-{3,}\s*original message|^\s*\S+@\S+\s*$|"
    r"\bfrom:\s+\S+@\S+|"  # a quoted header run into the text ("... Ltd. From: ann@x.com  03/14/2024")
    r"<\S+@\S+>\s*wrote:|"  # a webmail quote header ('"Bass" <ann@x.com> wrote:')
    r"\bsent (?:from|via|using) (?:my |an? )?(?:blackberry|iphone|ipad|android|palm|treo|mobile|wireless|handheld)", re.I)
# A "?" right after a full stop or comma ends no question: it is a character lost in conversion
# ("...for Christmas.?", "but,?you know" in Enron's Lotus Notes mail), usually a non-breaking space.
_STRAY_QUESTION_MARK = re.compile(r"(?<=[.,;:])\s*\?+\s*$")
# Acting on the reader's advice: "on Jo's and your advice", "I took your advice", "per your suggestion".
_ACTED_ON_ADVICE = re.compile(r"\b(?:(?:on|per|following|after|taking) (?:\w+'s and )?your|(?:took|take|followed|follow|"
                              r"used|acted on) your) (?:advice|suggestions?|recommendations?|tip)\b")
_ACKNOWLEDGED = re.compile(r"^\W*(?:very |really )?(?:good|great|nice|excellent) (?:point|idea|catch|suggestion)s?\b")
_QUESTIONS_SENT = re.compile(r"\b(?:here(?: is| are|'s)|attached (?:is|are)|below (?:is|are)|(?:find|see) (?:attached|below))\b"
                             r"[^.!?]{0,40}\bquestions\b")
# "Below are some outstanding items that need to be addressed:": a list of what is still to do, an ask.
_OPEN_ITEMS = re.compile(r"\b(?:items|issues|things|points|questions|matters) (?:that |which )?(?:still )?(?:need|needs|have|has|remain) "
                         r"to be (?:addressed|resolved|discussed|decided|answered|done|covered|settled)\b")
_ANSWERING = re.compile(r"answer|respon|repl(?:y|ies)|your questions")
_PARAGRAPH = re.compile(r"\n\s*\n")
# Columns of a table row; not the wide gap some writers leave after a sentence ("June?   The latest").
_SPACED = re.compile(r"[^\s.!?] {3,}\S")
_DIGIT = re.compile(r"\d")
_GREETING_LINE = re.compile(r"^(?:hi|hello|hey|dear|greetings|good (?:morning|afternoon|evening))\b[^.!?]{0,30}[,:!\-]*$", re.I)
# A sign-off standing alone ("Regards", "Best regards,", "Sincerely"): the signature block under it (name,
# title, numbers) is one the reply parser's own patterns, which want "Regards,", did not take off.
_VALEDICTION = re.compile(r"(?i)(?:(?:best|kind|warm|warmest|with kind|many|with best) )?regards[,.!]?|sincerely(?: yours)?,?|"
                          r"yours (?:truly|sincerely),?|cheers[,!]?")
_SALUTATION = re.compile(r"^\s*(?:(?:hi|hello|hey|dear|greetings)\b[^.!?\n]{0,40}|[A-Z][a-z]+(?: [A-Z][a-z]+)?)\s*[,:;\-!]*\s*$")


# A signature's contact line: a phone number's digits or an address ("c  713.516.5440", "pg 877...").
_SIGNATURE_NUMBERS = re.compile(r"\d{3}|@")


def split_sentences(text: str) -> list[str]:
    """Sentences of a plain-text body: wrapped lines rejoined, list items and table rows kept apart."""
    if not text:
        return []
    out: list[str] = []
    for para in _PARAGRAPH.split(text.replace("\r", "")):
        lines = [l.rstrip() for l in para.split("\n") if l.strip()]
        if not lines:
            continue
        # Lines that look like a table or list stay separate; prose lines are joined.
        chunks: list[str] = []
        buf = ""
        for n, line in enumerate(lines):
            bare = line.strip()
            tabular = "\t" in bare or ("   " in bare and _SPACED.search(bare)) or _BULLET.match(line)
            if not buf and len(bare) < 40 and _GREETING_LINE.match(bare):
                continue  # "Hi Ann," on its own line: a greeting, not the first words of a sentence
            if tabular:
                if buf:
                    chunks.append(buf)
                    buf = ""
                chunks.append(_BULLET.sub("", line).strip())
            else:
                buf = f"{buf} {bare}" if buf else bare
                # (Not a name over an extension, "Kim Hillis / x30681", nor a letterhead over its numbers,
                # "Enron Broadband Services / p 713.853.3057": they sign off.)
                wrapped = n + 1 < len(lines) and re.match(r"[a-z](?!\d+$)\w", lines[n + 1].strip()) is not None \
                    and not _SALUTATION.match(bare) and not _SIGNATURE_NUMBERS.search(bare)
                if len(line) < 40 and not line.endswith((",", ";")) and buf == bare and not wrapped:
                    # A short standalone line (greeting, sign-off, heading) ends its own chunk; one the
                    # next line goes on from in lower case ("The latest / information / that I had")
                    # was wrapped short.
                    chunks.append(buf)
                    buf = ""
        if buf:
            chunks.append(buf)
        for chunk in chunks:
            pieces = _SPLIT.split(chunk)
            merged: list[str] = []
            for piece in pieces:
                # The abbreviation can only sit at the very end: search just the last few characters.
                if merged and _ABBREV.search(merged[-1], max(0, len(merged[-1]) - 10)):
                    merged[-1] = f"{merged[-1]} {piece}"
                else:
                    merged.append(piece)
            out.extend(" ".join(p.split()) for p in merged if p.strip())  # "the  opportunity": one space
    cut = next((i for i, s in enumerate(out) if i and _VALEDICTION.fullmatch(s)), len(out))
    return [s for s in out[:cut] if (not _SALUTATION.match(s) or _THANKS_ONLY.match(s)) and not _is_boilerplate(s)]


_BOILER_HINTS = ("recipient", "confidential", "privileged", "yahoo", "free", "unsubscribe", "@", "original message", "msn",
                 "sent ")


def _is_boilerplate(s: str) -> bool:
    low = s.lower()
    return (any(h in low for h in _BOILER_HINTS) or ":" in low[:12]) and _BOILERPLATE.search(low) is not None


# --- cues ---------------------------------------------------------------------------------------

_THANKS = re.compile(r"\b(?:thanks?|thank\s*(?:you|u)|thx|tks|appreciate[sd]?|grateful|gracias|merci|danke)\b", re.I)
_THANKS_HINTS = ("than", "thx", "tk", "apprecia", "grateful", "gracia", "merci", "dank")  # one is in every _THANKS match
_THANKS_ONLY = re.compile(r"^\W*(?:(?:thanks?|thank\s*you|thx|tks|many thanks|thanks again|thanks so much|"
                          r"thank you (?:so|very) much|thanks a lot|thanks much|much appreciated|cheers)"
                          r"[\s,.!]*)+(?:(?!anyways?\b)[A-Z][a-z]+|[A-Z]{1,4})?\W*$", re.I)
# "Thank you anyway": no thanks for help (a formula) and what was offered turned down (a decline).
_THANKS_ANYWAY = r"\b(?:thanks|thank you) (?:anyway|anyways|just the same)\b"
# (help_events: the asker's "Thanks anyway" takes back the reply it thanks.)
THANKS_ANYWAY = re.compile(_THANKS_ANYWAY, re.I)
# "We would be grateful if ...": a thanks formula (no gratitude for help) and, as a request, an ask.
_GRATEFUL_IF = r"\b(?:would|'d) be (?:most |very |really )?(?:grateful|thankful|obliged) if\b"
_POLITE_THANKS = _rx(
    r"\bthanks? (?:you )?in advance\b", r"\bthank(?:s| you) (?:again )?for (?:your?|the) (?:e-?mail|note|message|communication|"
    r"letter|reply|response|inquiry|interest|time|consideration|patience|attention|understanding|request|question|"
    r"cooperation|(?:prompt|quick|kind) (?:reply|response|attention|consideration))\b",
    r"\bthank(?:s| you) for (?:asking|writing|contacting|getting back|reaching out|your quick (?:reply|response|note))\b",
    r"\bappreciate (?:your|any) (?:(?:prompt|quick) )?(?:response|reply|attention|patience|cooperation|consideration)\b",
    r"\bwould (?:really |greatly |very much |much )?appreciate\b", r"\b(?:I|we)(?:'d| would) appreciate\b",
    # "I would be grateful (if ...)": the "if" form is _GRATEFUL_IF, which _APPRECIATE_ASK reads as an ask.
    r"\b(?:would|'d) be (?:most |very |really |so )?(?:grateful|thankful|obliged)\b",
    r"\b(?:appreciate|thank you for|thanks for) (?:your|the|this) (?:interest|concern|kind words|good news|thoughts and)\b",
    r"\bappreciate (?:it )?if\b", r"\bthanks? for (?:any|all) (?:help|input|assistance) you can\b",
    r"\bno,? thanks?\b", r"\bthanks,? but\b", r"\bthanks for nothing\b", _THANKS_ANYWAY,
    # Answering "how are you?": "My Monday is going great, thank you very much", "Fine, thanks".
    r"\b(?:going|doing|feeling|i'm|i am|we're|we are|all|been) (?:\w+ )?(?:great|fine|well|good|ok|okay|better)[,.!]* "
    r"(?:and )?(?:thanks|thank you)\b(?! to\b)",
    # Thanks for being handed an ask ("Thanks for sending me the request from ...") or for news to all
    # ("for keeping us all informed", "for taking the time to communicate with all of us").
    r"\b(?:thanks|thank you)(?: again| so much| very much)? for (?:sending|forwarding|passing) (?:me |us |along |on )*(?:the|this|your|her|his|their) "
    r"(?:\w+ )?(?:request|inquiry|question|invitation)\b",
    # Thanks for an FYI ("for pointing out this inspiring article"), unless it says it helped.
    r"\b(?:thanks|thank you)(?: again| so much| very much)? for (?:pointing out|sharing|passing (?:on|along)|forwarding|sending)"
    r"(?: (?:me|us|along|on))* (?:this|the|that|your|these|those) (?:\w+ )?(?:article|story|stories|link|clip|joke|piece|poem|quote|"
    r"news|cartoon|picture|photos?|video)\b(?![^.!?]*\b(?:useful|helpful|helped|helps)\b)",
    r"\b(?:thanks|thank you)(?: again| so much| very much)? for (?:taking the time to )?(?:keep(?:ing)?|communicat(?:e|ing) with|updat(?:e|ing)|inform(?:ing)?) "
    r"(?:us|all of us|everyone|everybody|the (?:employees|team|company))\b",
    r"\bappreciate (?:the|your|these|all the|all your) (?:\w+ )?updates\b",
    r"\b(?:thanks|thank you)(?: again| so much| very much)? for (?:the|your|these|all the|all your) (?:\w+ )?updates\b",
    # Social and transactional thanks: for an invitation, an offer, a call, good wishes, a purchase.
    r"\bthank(?:s| you)(?: again| so much| very much)? for (?:the |your |a )?(?:kind |nice |warm )?(?:invit\w*|offer(?:ing)?|call|"
    r"congrat\w*|compliments?|praise|wishes|words|(?:post ?|christmas |x-?mas |birthday |holiday |greeting )?cards?|"
    r"gift|flowers|pics|pictures?|photos?|jokes?|shopping|order\w*|"
    r"business|purchase|participation|visit|"
    r"opportunity|playing|coming|letting (?:me|us)|thinking|including|taking my|fast|prompt|speedy|"
    r"choosing(?! (?:me|us)\b)|subscribing|registering|signing up|joining|being (?:a|our) (?:valued )?(?:customer|member|subscriber)|"
    r"remembering|following up(?! with)|checking in|"
    r"hospitality|dinner|lunch|drinks|party|birthday|welcome)\b(?![^.!?]*\b(?:useful|helpful|helped|helps)\b)",
    r"\b(?:appreciate|thank you for) the (?:invit\w*|offer|opportunity|thought)\b",
    # Running something for a whole group ("Thanks for running the league", "for organizing all of
    # this"): service to everyone, not help to the thanker.
    r"\bthank(?:s| you)(?: again| so much| very much)?(?: [a-z]+)? for (?:running|organi[sz]ing|coordinating|planning|"
    r"putting together|hosting) (?:(?:the|this|our) (?:[a-z]+ )?(?:league|pool|party|tournament|tourney|outing|reunion|"
    r"gathering|happy hour|get-together|shower)|all (?:of )?this|everything)\b",
    # A customer's or a subscriber's thanks: "Thank you for using Yahoo!", "for visiting our store".
    r"\bthank(?:s| you)(?: again| so much| very much)? for (?:(?:using|visiting)(?! (?:your|my|his|her|their|me|us|him|them)\b)|shopping|purchasing|booking|reading|"
    r"making (?:a|your) (?:\w+ )?(?:purchase|reservation|booking|order|payment)|requesting (?:\w+ ){0,4}services|requesting (?:a quote|"
    r"a catalog|(?:more )?information (?:about|on|from) (?:our|us))|signing (?:the|your|our) petition|your (?:continued support|response to (?:the|our) survey)|"
    r"your (?:subscription|patronage|membership|recent (?:order|purchase|request|letter)))\b",
    # Admiration, not help done for the writer: "thank you for your leadership", "for being there for us",
    # "for giving me this opportunity", "for all that you have done for the company".
    r"\bthank(?:s| you)(?: again| so much| very much)? for (?:your |the )?(?:\w+ )?(?:leadership|commitment|"
    r"dedication|vision|inspiration|generosity|kindness|courage|loyalty|friendship|service to)\b",
    r"\b(?:thank(?:s| you)|grateful|appreciate)(?: again| so much| very much)? (?:for |to you for )?(?:giving (?:me|us) "
    r"(?:the|this|an?) (?:\w+ )?opportunit|being (?!so |(?:such )?(?:a |an |our |my )?(?:\w+ )?host)|all (?:that )?(?:you|you've|you have)(?: and \w+)?(?: have)? "
    r"(?:done|do|are doing) (?:for (?:the|our|enron|this|all)|and all\b)|the opportunit)",
    r"\b(?:would|will) be (?:much |greatly |very much |really )?appreciated\b",
    # "You will appreciate that time is short": you will understand, no thanks at all.
    r"\byou(?:'ll| will| may| can| must| would| should)? (?:well |surely |certainly )?appreciate (?:that|how|the need)\b")
# Help credited outright inside a sentence that opens politely ("Thanks for the call this morning,
# your help is very much appreciated"): the credit is not a formula.
_HELP_CREDITED = _rx(r"\byour (?:help|assistance|support) (?:is|was|has been) (?:\w+ ){0,2}appreciated\b")
# Thanks for help too generic to show what was done ("thanks for all your help"): weak evidence alone.
_GENERIC_THANKS = _rx(r"\b(?:thanks?|thank you)(?: again| so much| very much)? for (?:all )?(?:your|the) "
                      r"(?:help|assistance|support|efforts?|hard work|work|input|cooperation)\b",
                      r"\b(?:thanks?|thank you)(?: again| so much| very much)? for (?:it )?all\b(?! (?:the|your|of|that|this|these|those)\b)",
                      r"\bappreciate (?:all )?(?:your|the) (?:help|assistance|support|efforts?)\b")
# What the thanks names: decides the kind when only gratitude shows the help.
_THANKS_FOR = [
    ("introduction", _rx(r"\b(?:intro(?:duction|ducing)?|connecting|putting (?:me|us) in touch|the (?:contact|name))\b")),
    ("referral", _rx(r"\b(?:recommend(?:ation|ing)?|referr(?:al|ing)|reference|good word|passing (?:my|on my) (?:resume|name))\b")),
    ("advice", _rx(r"\b(?:advice|feedback|comments?|input|suggestions?|insights?|thoughts|guidance|review(?:ing)?|"
                   r"perspective|counsel|point|idea|catch)\b")),
    ("document", _rx(r"\b(?:sending|forwarding|attach(?:ed|ment)|the (?:[a-z]+ )?(?:file|doc(?:ument)?|spreadsheet|report|"
                     r"list|copy|copies|draft|data|numbers|deck|presentation|memo|materials?|schedule|info(?:rmation)?)|"
                     r"(?:this|these|that) (?:file|doc|report|list|spreadsheet|info))\b")),
    ("answer", _rx(r"\b(?:answer|clarif(?:y|ication)|explanation|explaining|the (?:update|info)|letting me know|"
                   r"getting back to me|the quick (?:turnaround|response))\b")),
    ("favor", _rx(r"\b(?:help(?:ing)?|assist(?:ance|ing)?|support|taking care|handling|arranging|setting (?:this |it )?up|"
                  r"hosting|covering|fixing|doing (?:this|that|it)|your (?:efforts?|work|hard work)|coming|"
                  r"lunch|dinner|hospitality|the (?:ride|tickets?|lift)|getting (?:this|that|it|me|us))\b")),
]
_GRATITUDE_STRONG = _rx(
    r"\b(?:thanks?|thank you)(?: (?:so|very) much| a lot| again)? for\b", r"\bappreciate (?:your|the|all|it|that|this)\b",
    r"\b(?:really|much|greatly) appreciated\b", r"\b(?:this|that|it) (?:really )?help(?:s|ed)\b",
    r"\byou(?:'re| are) (?:a lifesaver|the (?:best|man|greatest))\b", r"\bgrateful\b", r"\bowe you\b",
    r"\bthat(?:'s| is) (?:very |really |so )?(?:helpful|useful)\b", r"\bvery helpful\b")

_REQUEST = _rx(
    r"^\s*(?:please|pls|plz|kindly)\b(?!\s+(?:let me know if you have|feel free|do not hesitate|don't hesitate|call (?:me )?if you have|call (?:me )?with (?:any )?(?:questions|comments|concerns)|note\b|be advised|see (?:the )?(?:\w+ ){0,2}(?:attached|below)|find attached))",
    r"\b(?:please|pls|kindly)(?<!attached please)(?<!enclosed please)\s+"
    r"(?!(?:find|see)\s+(?:the\s+)?(?:\w+\s+){0,2}(?:attached|enclosed|below)|call (?:me )?with (?:any )?(?:questions|comments|concerns))"
    r"(?:send|forward|provide|let me know|advise|confirm|review|check|call|give|get|have|"
    r"make|look|find|help|update|respond|reply|fax|e-?mail|approve|sign|handle|take|add|remove|change|schedule|set up|"
    r"print|prepare|print|submit|put|verify|explain|tell|contact|follow|see that|ask|arrange|book|resend|fill)\b",
    r"\b(?:could|can|would|will|wd|cd)\s+(?:you|u|y'all|someone|somebody|anyone|one of you)\b(?!\s+(?:believe|imagine))",
    r"\b(?:do|did|have) you (?:know|have|get|send|see|think|remember|hear)\b",
    r"\b(?:I|we)(?:(?: would |'d | )(?:need|needed|want|would like|'d like|wanted|require)|(?:'d| would) like) (?:for )?(?:you|someone|somebody|"
    r"your (?:help|input|thoughts|advice|comments|approval|signature)|to (?:get|see|know|find out|have|talk|meet|"
    r"speak|confirm|schedule|discuss|review)|a copy|the|a list|an? (?:update|answer|estimate|quote))\b",
    # "I'd like to hear your thoughts on ...", "I'd love to get your feedback", "we welcome your comments"
    r"\b(?:I|we)(?:'d| would) (?:like|love) to (?:hear|get|have|know|see) your (?:\w+ )?(?:thoughts|input|feedback|views?|"
    r"opinions?|comments|take|advice|reactions?|suggestions|ideas)\b",
    r"\b(?:I|we)(?: would)? welcome your (?:\w+ )?(?:thoughts|input|feedback|views|opinions?|comments|suggestions|ideas)\b",
    r"\b(?:let me|let us|lmk) know\b(?! if you (?:have|need) any)",
    r"\b(?:let's|lets) (?:meet|talk|discuss|get together|plan|schedule|set up|try|do|go|have|plan)\b",
    r"\b(?:I|we)(?: would |'d | )appreciate (?:it )?if\b", r"\bwould (?:really |greatly |very much |much )?appreciate (?:your|any|a|it|if)\b",
    r"\bany (?:ideas|thoughts|suggestions|comments|feedback|help|input|word|update|news)\b[^.!]*\?",
    r"(?<!n't )(?<!not )(?<!never )\b(?:send|forward|fax|email|e-mail|give) me\b", r"\bi (?:was )?wonder(?:ing)? if\b",
    r"\bi(?:'m| am)(?: also| just| really)? curious (?:where|what|how|if|whether|why|when|who)\b",
    r"\bis it possible\b", r"\b(?:request|requesting|ask|asking|seek|seeking) (?:for )?your (?:approval|sign-?off|signature|"
    r"permission|consent|okay|ok)\b", r"\bwhat do you think\b", r"\bcan (?:I|we) (?:get|have|borrow|ask)\b",
    r"\byour (?:help|input|thoughts|feedback|comments|approval) (?:is|would be) (?:appreciated|welcome|great)\b",
    # "If you wouldn't mind looking into this ... it would be much appreciated." (Not after a clause of
    # the writer's own: "I will join you if you don't mind" asks leave, not help.)
    r"(?<![a-z] )\bif you (?:wouldn't|would not|don't|do not) mind\b",
    r"\b(?:would|will) be (?:much |greatly |very much |most |really |truly )?appreciated\b",
    r"\basap\b",
    r"\bwhy don'?t (?:you|we)\b", r"\bhow about\b", r"\b(?:don't|dont) forget\b",
    # "Make sure you ...", "please make sure": an instruction; "I wanted to make sure you got it" is not.
    r"^\W*(?:and |but |also |just )?make sure\b", r"\b(?:please|pls|you|must|should|always|also|just) make sure (?:you|to|that)\b",
    r"\bremember to\b", r"(?:^\W*|\band |\bplease |\bpls |\bjust |\bthen )tell (?:me|us) (?:what|how|if|whether|when|where|who)\b", r"\bgive (?:me|us) a call\b", r"\bcall me\b(?! if)", r"\b(?:join|come) (?:us|me)\b",
    r"\bwant to (?:come|join|meet|go|grab|get)\b", r"\bshould we\b", r"\bshall we\b",
    r"\bmight want to\b", r"\bneed (?:you|your)\b", r"\bwould (?:it|that) be (?:ok|okay|possible|alright)\b",
    r"\b(?:could|can) (?:really )?use (?:your|some|a little|a bit of) (?:help|input|advice|hand)\b",
    # "If you can wrap up the slides, I need to start on the budget": an ask in the form of a condition.
    r"^\W*(?:\w+,\s+)?if you (?:can|could) (?!not\b|believe\b|imagine\b|see\b|tell\b)[a-z]+")
# Proposals and instructions: requests in the broad sense (the Parakweet definition: "a request or a
# proposal"), kept with a low confidence when they ask nothing of one particular reader.
_PROPOSAL = _rx(
    r"\b(?:i|we)(?: would |'d | )(?:also |strongly |really |just )?(?:suggest|propose|recommend) (?:that |we |you |an? |the |\w+ing\b)",
    r"\b(?:we|you)(?:'ll| will)? (?:should|need to|must|have to|ought to) (?:get|meet|talk|discuss|set|call|send|make|"
    r"have|look|review|go|do|check|coordinate|figure|decide|schedule|sit|put|start|consider|keep|ask|try|work|"
    r"reach|update|agree|resolve|finalize|settle)\b",
    r"\b(?:we|you) (?:can|could|might) (?:meet|talk|discuss|get together|go|grab|catch up|set up|try|do lunch)\b",
    r"\b(?:let's|lets) (?:get|meet|talk|discuss|plan|schedule|set|have|go|do|try|sit|keep|find|touch base|take)\b",
    r"\bmaybe (?:we|you) (?:can|could|should)\b", r"\b(?:i|we)(?: would |'d | )(?:also |really )?(?:want|like|love|wanted) "
    r"to (?:discuss|meet|talk|get together|set up|schedule|follow up|inquire|ask|invite|confirm|know|sit down|chat|"
    r"recommend|suggest|propose)\b",
    r"^\W*(?:\w+, )?(?:would|'d) (?:love|like) to (?:have|see|get|hear|meet|talk)\b",
    r"\b(?:it|that) (?:would|will|'d) be (?:very |really |most )?(?:helpful|great|nice|good|wonderful|appreciated) if\b",
    r"\b(?:please|pls|plz)\b(?<!\bto please)", r"\byou(?:'re| are) (?:welcome|invited|encouraged) to\b", r"\b(?:feel free|don't hesitate) to\b",
    # Offers and suggestions wait for the reader's answer: asks, if weak ones.
    r"\b(?:i|we)(?:'d| would| will|'ll| shall| am| are|'m|'re)? (?:be )?(?:very )?(?:happy|glad|delighted|pleased) to\b",
    r"\byou (?:may|might) (?:want|need|wish|prefer|like) to\b", r"\bwould be (?:good|great|nice|useful|helpful) to\b",
    # "An update by Friday would be helpful.": the ask is the sentence's end.
    r"\b(?:would|will) be (?:very |most |really |extremely )?(?:helpful|appreciated)\W*$",
    r"\bany (?:\w+ )?(?:data|help|information|info|input|ideas|feedback|thoughts|suggestions) you (?:can|could|may|might)\b",
    r"\b(?:we|you) (?:can|could) (?:have|arrange|ask|start|delay|make|offer|chat|help|reach|call|discuss|grab|join)\b",
    r"\bi need (?:this|that|it|these|them|you|your|a|an|the|to know)\b", r"\bhope (?:that )?(?:we|you) (?:can|could|will)\b",
    # The writer's need with its "I" left off: "Need to know if it is final", "Also need your number".
    r"^\W*(?:\w+, )?(?:but |and |also |just |still )*need (?:to|you|your|a|an|the|some)\b")
# A sentence opening with a bare verb is an instruction ("Send me the file", "Call John at 3").
_IMPERATIVE = re.compile(
    r"^\W*(?:\w+,\s+)?(?:see|call|send|let|go|get|take|make|check|click|download|join|try|visit|read|review|contact|"
    r"register|sign|come|give|keep|note|remember|forward|find|use|enjoy|shop|open|apply|follow|pick|bring|tell|ask|watch|"
    r"fill|reply|respond|proceed|head|learn|discover|start|stop|add|update|save|print|fax|plan|put|set|schedule|"
    r"meet|talk|share|submit|attend|confirm|ensure|book|buy|order|grab|stay|wait|look|think|consider|resend|"
    r"email|e-mail|phone|ring|drop|stop by|swing by|talk|hold|move|change|cancel|delete|remove|fix|verify|"
    r"double-check|run|pull|prepare|draft|write|coordinate|arrange|handle|ignore|leave|tape|bill|pay|approve)\b"
    r"(?!\s+(?:you|ya|u)\b(?! (?:know|at|in|there|then)))"
    # "Let me call him", "Look forward to it": the writer's own doing, not an instruction.
    # ("Get back with you soon": the writer's promise, its "I'll" left out.)
    r"(?<!\blet(?= me\b(?! know)))(?<!\blook(?= forward))(?<!\bget(?= back (?:to|with) (?:you|ya|u)\b))")
# "I would appreciate it if you could ...": a politeness formula for thanks, but an ask all the same.
_APPRECIATE_ASK = _rx(r"\b(?:would|'d) (?:really |greatly |very much |certainly )?appreciate (?:it )?(?:if|your|you|a|any)\b",
                      _GRATEFUL_IF, r"\bappreciate it if\b", r"\b(?:i|we)(?:'d| would) (?:ask|request) (?:that )?(?:you|someone)\b")
# "You must sign up", "you'll need to confirm": the reader is told what to do.
_YOU_MUST = re.compile(r"^\W*(?:\w+, )?you(?:'ll| will)? (?:still )?(?:must|need to|have to)\b")
# "If you want the old prices, call ...", "To sign up, send ...": an instruction after its condition or purpose.
_LEAD_CLAUSE = re.compile(r"^\W*(?:if you|to \w+)[^,.;:!?]{0,100},\s*(?:just |simply |then )?")
_ASKS_POLITELY = frozenset({"appreciate", "grateful", "thankful", "obliged", "ask", "request"})  # words _APPRECIATE_ASK needs
_NOT_REQUEST = _rx(
    r"\bif you have any (?:questions|problems|concerns|comments)\b", r"\bwith any (?:questions|problems|concerns)\b",
    r"\bif (?:you|anyone|anybody) (?:\w+ ){0,3}ha(?:ve|s) (?:any )?(?:further |other |more )?(?:questions|problems|concerns)\b",
    r"\b(?:please|pls) (?:do not|don't) hesitate\b", r"\bfeel free\b", r"\bif you need anything\b",
    r"\bif (?:there is|there's) anything (?:else )?(?:I|we) can do\b", r"\bcan you believe\b",
    r"\blet me know if (?:you|there)\b[^.!?]*\b(?:anything else|any other|more)\b",
    # "Let me know whether it works": checking on what was just given, not a new ask.
    r"\blet (?:me|us) know (?:if|whether) (?:it|this|that|they|these) (?:works?|helps?|opens?|runs?|is what you)\b")
# A sentence that opens with "please" ("Ann, please ..."), and, below, what follows it.
_PLEASE_LEAD = r"^\W*(?:\w+,\s+)?(?:please|pls|kindly)"
_PLEASE = re.compile(_PLEASE_LEAD + r"\b")
# "Please see / find / note the attached": pointing at what is given, not asking.
_PLEASE_SEE = re.compile(_PLEASE_LEAD + r" (?:see|find|note|review|look at|refer to)\b")
# An ask made outright: "please" and a verb other than an offer's ("feel free", "call me if ...").
_PLEASE_DO = re.compile(_PLEASE_LEAD + r" (?!(?:feel free|do not|don't|call|contact|let (?:me|us) know|"
                        r"e-?mail|reach|get back|give (?:me|us) a (?:call|ring)|ring|direct|refer|forward (?:any|all|your) "
                        r"(?:questions|comments))\b)[a-z]+")
# A mass mailing's call to action: a condition, then a channel that is nobody in particular ("If you no
# longer wish to receive these emails, click here", "If you have any questions, please visit our Help
# Center", "To ensure delivery, please add us to your address book"). It asks no one for anything.
_CALL_TO_ACTION = re.compile(
    r"^\W*(?:if you|if at any time you|to ensure|to make sure (?:that )?(?:you|our|your))\b"
    r"(?!.*\b(?:i|me|my|i'm|i'll|i'd)\b)"  # "If you have questions, call me": a person offering, not a mailing
    r".*\b(?:us|our|here|below|link|click|visit|website|site|http|www|unsubscribe|opt[ -]out|preferences|"
    r"address book|contacts list|profile|settings|account|inbox|delivery)\b"
    # "Please add news@shop.example to your address book", "Click here to receive your first $10"
    r"|^\W*(?:please )?add (?:us|\S+@\S+)(?: to your)? (?:address book|contacts?|safe senders?)"
    r"|^\W*click (?:here|above|below|on the link|the link|the button)\b")
# Arranging to meet or talk with the reader ("I'll call you tomorrow", "we can meet at 10", "when we talk
# on Friday"): not a request and not yet help, but the proposal the Parakweet labels count with asks.
_MEETING = _rx(
    r"\b(?:i|we)(?:'ll| will| shall|'d better| can| could| would| might)? (?:(?:just|then|also|probably|definitely|"
    r"try to|plan to|hope to) )?(?:call|ring|phone|meet|see|join|catch up with|get together with|come by|stop by|"
    r"swing by|talk to|talk with|speak with|speak to) (?:you|with you|y'all|u)\b",
    r"\b(?:i|we)(?:'ll| will| shall| can| could|'d| would)? (?:\w+ )?give (?:you|y'all|u) a (?:call|ring|buzz|shout)\b",
    r"\b(?:we|you and i)(?:'ll| will| shall| can| could| should| need to| have to| must)? (?:meet|discuss|talk|"
    r"get together|go over|sit down|catch up)\b",
    r"\bwhen we (?:talk|meet|speak|get together)\b", r"\b(?:i|we) can meet\b",
    r"\blet me (?:call|ring|phone|meet|see|talk to|talk with|speak to|speak with|catch up with) (?:you|u)\b",
    r"\b(?:find|set up|arrange|agree on|pick) a (?:convenient |good |suitable )?time (?:for us |for you )?to\b",
    r"^\W*(?:\w+, )?(?:i )?(?:just )?(?:want|wanted) to (?:touch base|check in|catch up|follow up)\b",
    r"\b(?:i|we)(?: would|'d)? (?:very much |really |also )?(?:like|love|want|wanted|hope) to (?:see|visit|sit|speak|"
    r"talk|meet|have a (?:meeting|call)|get together|chat|catch up|set up a (?:meeting|call)|touch base)\b",
    r"\b(?:set(?:ting)? up|arrange|schedule|hold|have|request) (?:a|an|the) (?:[a-z-]+ ){0,2}(?:meeting|call|"
    r"conference call|video conference|lunch|dinner)\b",
    # Taking up a proposed time: "Saturday is good", "2 pm works", "I'm free on Thursday", "count me in".
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|next week|morning|afternoon|"
    r"lunch|noon|[0-9](?::[0-9][0-9])? ?(?:am|pm)?)\b[^.!?]{0,30}\b(?:works|is good|would work|would be best|is fine|"
    r"is better|sounds good)\b",
    r"\b(?:i'm|i am|we're|we are) (?:open|available|free) (?:for|on|to|at|any|this|next|tomorrow|monday|tuesday|"
    r"wednesday|thursday|friday|wed|thu)\b", r"\bcount me in\b")
# A question whose writer left off the mark ("Does this look right to you.", "Can we move the closing."): a
# sentence opening with an auxiliary verb before its subject. Not "Should you need anything, call me"
# (a condition) nor "Would you believe it" (a figure of speech).
_UNMARKED_QUESTION = re.compile(
    r"^\W*(?:[a-z]+,\s+)?(?:(?:so|and|but|ok|okay|well|then),?\s+)?(?:do|does|did|is|are|was|were|can|could|will|would|"
    r"have|has)(?:n't)?\s+"
    r"(?:you|we|i|they|he|she|it|this|that|these|those|there|anyone|anybody|someone|somebody|everyone|"
    r"everything|the|our|your|my)\b(?!\s+believe\b)|"
    # "why the heck am I getting all the crap", "what are you doing tonight": a wh-word, then the verb
    # before its subject.
    r"^\W*(?:[a-z]+,\s+)?(?:why|what|where|when|who|how come)(?: the (?:heck|hell))? (?:do|does|did|is|are|was|were|am|"
    r"can|could|would|should|will)(?:n't)? (?:i|you|we|they|he|she|it)\b")
_QUESTION_WORD = re.compile(r"^\s*(?:who|what|when|where|why|how|which|whose|whom|is|are|was|were|do|does|did|can|could|"
                            r"will|would|should|shall|may|might|have|has|had|am|any)\b", re.I)

_PROMISE = _rx(
    r"\b(?:I|we)(?:'ll| will| shall|'m going to| am going to| are going to|'re going to) (?:send|forward|get|call|check|"
    r"look|find|follow|let you know|take care|handle|have|put|make|fax|e-?mail|try|work|set up|arrange|pass|talk|"
    r"ask|review|give|see (?:what|if)|get back|circle back|be (?:sending|happy))\b",
    r"\blet me (?:check|find out|look|see|ask|get back|dig|think|confirm|talk|pull|work|chat|speak|call|verify|"
    r"double-check|research|touch base|run)\b", r"^\W*(?:will )?get back (?:to|with) (?:you|ya|u)\b",
    r"\bI can (?:send|get|help|do|handle|take|forward|put together|introduce|call|arrange|cover|try)\b",
    r"\b(?:I'd|I would) be (?:happy|glad|delighted) to\b", r"\bhappy to help\b", r"\b(?:i'm|im) on it\b",
    r"\bwill do\b")

_DELIVERY = _rx(
    r"\battached (?:is|are|please find|you will find|you'll find|herewith|for your|please see)\b",
    r"\b(?:find|see) (?:the )?attached\b", r"\b(?:find|see) (?:the )?(?:\w+ ){0,2}(?:below|attached)\b",
    r"\b(?:I|we)(?:'ve| have)? (?:attached|enclosed|included)\b",
    # (Not "the issue here is that ...": "here" after a noun points at the matter, not at a thing given.)
    r"(?<!issue )(?<!problem )(?<!point )(?<!question )(?<!thing )(?<!concern )(?<!situation )(?<!things )"
    r"(?<!everything )(?<!everyone )(?<!people )(?<!folks )(?<!weather )(?<!life )(?<!all )"
    r"\bhere(?: is| are|'s)\b(?! (?:hoping|to)\b)", r"\bhere (?:it|they) (?:is|are)\b", r"\bhere you go\b", r"\benclosed (?:is|are|please find)\b",
    r"\b(?:is|are) attached\b", r"\battached (?:to this|file|spreadsheet|document|is)\b", r"^\s*attached\b",
    # "Try the file Options_1.xls in the drop box": pointing the reader at what will do it.
    r"(?<![a-z] )\btry (?:the|this|my|our|using the) (?:\w+ )?(?:file|link|spreadsheet|version|tool|program|macro|"
    r"site|website|url|address|number|template|model)\b",
    # ("I just emailed you, but ...": an earlier note, nothing handed over now.)
    r"\b(?:I|we)(?:'ve| have| just)? (?:sent|forwarded|faxed|e-?mailed|uploaded|posted|saved|put) (?:you(?![,;]| (?:but|and|"
    r"earlier|yesterday|last|this morning|about|a (?:note|message|line))\b)|it|them|"
    r"the|a copy|over|this|that|those|these|along)\b(?![^.!?]*\bon (?:my|our|the|his|her|your) (?:schedule|calendar)\b)",
    r"\bbelow (?:is|are)\b", r"\b(?:is|are) (?:below|as follows)\b", r"\bas follows\b", r"\bthe following\b",
    # A link, but not a signature's web address ("Web site: www.stdauto.com/", a line of just "www.acme.com"):
    # "go to www.snopes.com, click on ..." still points somewhere.
    r"(?<!web site: )(?<!website: )(?<!web: )(?<!url: )(?<!visit us at )\b(?:https?://|(?<!://)www\.)\w",
    r"\b(?:his|her|their|my) (?:phone|cell|number|e-?mail|address|contact)\b[^.!?]*(?:\d{3}|@)",
    r"(?:^|\s)(?:[a-z]:|\\\\\w+)\\\w",  # where a file is: "k:\\reports\\q3", "\\\\server\\share"
    r"\b(?:link|file|document|spreadsheet|report|list|draft|copy) (?:is|can be found) (?:now )?(?:at|on|in|under|here|"
    r"below|attached|available|posted|saved|located|ready)\b")
# The writer's own worry or need, even "as we discussed": raising a problem, not answering an ask.
_OWN_CONCERN = re.compile(r"\b(?:i|we)(?:'m| am|'re| are) (?:very |quite |still )?(?:concerned|worried)\b|\b(?:i|we) (?:still )?(?:need|want)\b")
_SOLICITED = _rx(
    r"\bas (?:you )?(?:requested|asked|instructed|directed|promised|discussed|agreed|we discussed|per our conversation)\b",
    # "as Omar (?) requested", "as your boss asked": someone's ask passed on, not the writer's own.
    r"\bas (?!(?:i|we|they|others|people|everyone|everybody|many|some|most|all) )(?:(?!(?:have|has|had) )\w+ ){1,2}"
    r"(?:\(\?\) )?(?:requested|asked|instructed)\b",
    r"\bper (?:your|our) (?:request|conversation|discussion|call|e-?mail|note)\b",
    r"\b(?:you|he|she) (?:asked|requested|wanted|needed|were looking) for\b",
    r"\b(?:that|which) you (?:asked|requested|wanted|needed|were looking)\b",
    # "the items we discussed", "as we talked about": not "We discussed the need for ...", a narrative.
    r"\bin response to your\b", r"\b(?:we|you and i) (?:discussed|talked about)\b(?! (?:the|a|an|this|that|these|those|it|how|"
    r"what|whether|some|our|your|his|her|their|getting|having|doing|making)\b)", r"\bto answer your\b",
    r"\bregarding your (?:question|request)\b",
    # "you asked for", "as you requested", "you wanted to know": not "you asked everyone to work harder".
    r"\byou (?:asked|requested|wanted)\b(?! (?:everyone|everybody|all|people|employees|the employees|them|us all|to (?!know|see|have|get)))",
    r"\byou (?:were|have been) (?:asking|looking) (?:about|for)\b",
    r"\bfollowing up on your\b")
# "the answer to your question", "at your request", "I forwarded your request to ...": not "I am
# surprised by your request for payment". Tried only where "your" and the noun are (common first words).
_YOUR_ASK = re.compile(r"\b(?:per|re|regarding|to|on|about|following|for|at|answer|answers|answering|addressing|address|"
                       r"forwarded|forwarding|emailed|e-mailed|sent|passed):? (?:\w+ ){0,3}your (?:question|request)s?\b")
_ASK_NOUNS = frozenset(("question", "questions", "request", "requests"))


def _solicited(low: str, words) -> bool:
    """Whether a sentence says it answers an earlier ask ("as you requested", "answers to your questions")."""
    return bool(_SOLICITED.search(low, words)) or (
        "your" in words and not words.isdisjoint(_ASK_NOUNS) and _YOUR_ASK.search(low) is not None)

_INTRODUCTION = _rx(
    r"\b(?:let me|I'd like to|I would like to|I want to|allow me to|wanted to|want to) introduce\b",
    # (Not "I'll introduce myself to Theresa": nobody is connected.)
    r"\b(?:introduce|introducing) (?:you|to you)\b", r"\bI(?:'ve| have)? (?:copied|cc'?e?d|included|added|looped in)\b",
    r"\byou (?:should|may want to|might want to|could|can|need to) (?:talk|speak|contact|call|get in touch|reach out|"
    r"chat|check|touch base|get with|follow up) (?:to|with)?\b",
    r"\b(?:he|she|they) (?:can|could|will|should|would) (?:be able to )?(?:help|assist|answer|get you|take care)\b",
    r"\bis the (?:right |best )?(?:person|contact|one to)\b", r"\b(?:contact|touch) (?:person|is)\b",
    r"\bput you in touch\b", r"\bthe person (?:who|to)\b",
    r"\b(?:forward|forwarded|forwarding) (?:this|your (?:request|question|note|e-?mail)) to\b")
# Introductions that name the person: matched case-sensitively on the original sentence.
_INTRO_NAMED = re.compile(
    r"\b(?:[Cc]opying|[Cc][Cc]'?ing|[Ll]ooping in|[Aa]dding|[Mm]eet)\s+[A-Z][a-z]+\b"
    # ("I will chat with Dick after trading", "let me check with Ann": the writer's own errand, no one put in touch)
    r"|(?=[TtSsCcGg])(?<!I will )(?<!I'll )(?<![Ww]e will )(?<![Ww]e'll )(?<!I can )(?<![Ll]et me )(?<![Gg]oing to )(?<!need to )"
    r"(?<!want to )(?<![Tt]ry to )(?<!I would )(?<!I'd )(?<!I )(?<![Ww]e )"
    r"\b(?:[Tt]alk|[Ss]peak|[Cc]hat|[Cc]heck|[Gg]et) with [A-Z][a-z]+\b"
    r"|\b(?:[Cc]all|[Cc]ontact) [A-Z][a-z]+(?: [A-Z][a-z]+)? (?:at|on)\b"
    r"|\b[A-Z][a-z]+ (?:can|could|will|should|would) (?:be able to )?(?:help|assist|answer|get you|take care)\b"
    r"|\b(?:[Ss]end|[Ff]orward) (?:this|it|them) to [A-Z][a-z]+\b")
# Every _INTRO_NAMED match has one of these words: the case-sensitive scan runs only then.
_INTRO_NAMED_WORDS = frozenset({"copying", "cc", "ccing", "looping", "adding", "meet", "with", "call", "contact", "help",
                                "assist", "answer", "get", "take", "send", "forward"})
# Someone put forward for a job, a place or a deal: "I recommended you for the analyst position", "I
# passed your resume on", "I talked to both buyers about your company".
_REFERRAL = _rx(
    r"\b(?:recommend|recommended|recommending) (?:him|her|you|them|me) (?:for|to)\b",
    r"\b(?:referred|referring|refer) (?:you|him|her|them)\b", r"\bput in a good word\b", r"\bendorse\b",
    r"\b(?:pass|passed|passing|forward|forwarded|sent|send|gave|give|hand|handed) (?:on |along )?(?:your|his|her|their) "
    r"(?:name|resume|cv|info|information|r\u00e9sum\u00e9)\b",
    r"\b(?:talked|spoke|spoken) (?:to|with) [^.!?]{0,60}\babout (?:you\b(?!r)|him\b|her\b|your (?:company|firm|business|"
    r"background|experience|resume|candidacy|application|qualifications|work|services|products))")
# Talk of jobs, interviews and resumes ("I had a good interview with them", "matt did take the job
# with UBS"): news of careers, nobody put forward.
_CAREER_TALK = _rx(
    r"\b(?:resume|cv|curriculum vitae)\b", r"résumé", r"\bcandidate\b",
    r"\b(?:job|position|opening|role|internship) (?:at|with|in|for)\b", r"\b(?:interview|interviews|interviewed)\b")
# Changes made to someone's draft ("I made two small additions", "I've made a few edits", "I revised yours"):
# a review of their work.
_EDITS_MADE = re.compile(r"\b(?:i|we)(?:'ve| have)? (?:just )?made (?:\w+ ){0,2}(?:(?:additions?|edits|revisions|tweaks)\b|"
                         r"(?:changes|corrections|comments) (?:to|on|in) (?:your|the|this) (?:\w+ )?(?:draft|letter|memo|document|"
                         r"proposal|language|text|filing|outline|presentation|agreement|contract|response)s?\b)"
                         r"|\b(?:rewrote|rewrite|revised|edited|marked up) yours\b")
# A third person's contact details, or who to contact: the reader is put in touch with them.
# (A phone number or an address, not a sum: "Nov's number for Tom is $(1,700,000)" gives a figure.)
_CONTACT_GIVEN = re.compile(r"\b(?:his|her|their|[a-z]+'s) (?:phone|cell|mobile|number|e-?mail|address|contact|extension)\b"
                            r"[^.!?]*(?:(?<![$\d,.])\(?\d{1,4}\)?(?:[-./ ]\(?\d{2,4}\)?){1,4}\b|\bx\s?\d{4,5}\b|@)|"
                            r"\b(?:his|her|their|[a-z]+'s) (?:extension|ext\.?)(?: number)?(?: is)?:? ?x?\d(?:-?\d){3,4}\b|"
                            r"\b(?:individuals|people|persons?|contacts?) (?:that|who|whom) [^.!?]{0,40}\bshould (?:contact|call|talk to)\b")
_NUMBER_FOR_NAMED = re.compile(r"\b(?:number|e-?mail|address|contact) for [A-Z][a-z]+ [A-Z][a-z]+\b[^.!?]*\d{3}")  # a person's name
_OWN_RESUME = re.compile(r"\bmy (?:resume|cv|curriculum vitae|résumé)\b")
_ADVICE = _rx(
    r"\b(?:I|we)(?:'d| would) (?:suggest|recommend|advise|push back|not|be careful|go with|use|try|stick|wait|"
    r"consider|change|add|remove|keep|make|ask|call|talk|check)\b",
    r"\b(?:I|we)(?:'d| would)? (?:(?:strongly|highly|really|definitely|certainly|also|just) )?(?:suggest|recommend|advise)\b",
    r"^\W*(?:one |a |my )?(?:suggestion|recommendation|tip)s?\b",
    r"\bmy (?:suggestion|recommendation|advice|comments?|thoughts|"
    r"two cents|opinion|take|view|edits|changes|concern)\b",
    # (Not an offer's condition: "If you need to reach me, I can be reached at ...".)
    r"(?<!\bif )\byou (?:should|might want to|may want to|need to|ought to|could also|might consider|may consider)\b",
    r"\b(?:I|we) think (?:you|we|it|that|this|they)\b[^.!?]*\b(?:should|would|could|need|better|fine|good|ok|okay|work|makes sense)\b",
    r"\b(?:comments|edits|changes|revisions|markup|notes) (?:are )?(?:below|attached|in (?:red|blue|bold))\b",
    r"\b(?:looks?|looking) (?:good|great|fine|ok|okay)\b", r"\bmakes sense\b", r"\bbe (?:sure|careful)\b",
    # Not "I wanted to make sure you knew", nor the writer's own duty: "I need to make sure we are not paying".
    r"(?<!wanted to )(?<!want to )(?<!trying to )(?<!just to )(?<!i need to )(?<!we need to )(?<!i have to )"
    r"(?<!we have to )(?<!i will )(?<!i'll )(?<!we will )(?<!we'll )\bmake sure\b",
    r"\b(?:it|this|that) (?:would|might|may) be (?:better|best|wise|worth)\b", r"\bthe best (?:way|approach|option)\b",
    r"\bif I were you\b", r"\b(?:don't|dont) (?:worry|bother|sign|agree|accept)\b",
    r"\bI would\b(?! (?:actually |really |also |still |so |just )?(?:be (?:more than |very |so |really )?(?:happy|glad|pleased|delighted|honou?red|grateful|thankful|obliged)|love|like|appreciate)\b)", r"\bgood (?:point|idea)\b",
    r"\b(?:I|we) (?:agree|disagree)\b", r"\bsounds (?:good|right|fine|reasonable)\b")
_DONE = (r"(?<!will )(?<!would )(?<!should )(?<!could )(?<!must )(?<!might )(?<!may )"  # not "should have been booked"
         r"(?:is|are|has been|have been|was|were) (?:now |all |already |just )?(?:done|fixed|approved|processed|"
         r"set up|completed|taken care of|resolved|corrected|updated|changed|entered|created|booked|reserved|"
         r"scheduled|ready|available|in place|signed|submitted|paid|sent|confirmed|cleared|handled|added|removed|"
         r"reversed|extended|released|delivered)\b")
_FAVOR = _rx(
    # Not in a clause of condition or time: "If we got the gas for free, ...", "when I called".
    r"(?<!if )(?<!when )(?<!once )(?<!unless )(?<!until )(?<!before )(?<!whether )"
    r"\b(?:I|we)(?:'ve| have| just| already)? (?:approved|arranged|booked|reserved|scheduled|set up|fixed|signed|"
    r"processed|handled|taken care|took care|changed|updated|entered|corrected|submitted|spoke|talked|called|"
    r"paid|covered|created|added|moved|extended|resolved|cleared|got(?<!'ve got)(?<!have got)|gotten|made|ordered|requested|asked|"
    r"confirmed|checked|verified|finished|completed|reviewed|printed|left|delivered|notified|contacted|"
    r"renewed|released|removed|deleted|closed|opened|reversed|adjusted|issued|mailed|paid|picked up|dropped off|"
    r"re-?compiled|compiled|rebuilt|re-?ran|re-?run|re-?booked|reset|restored|installed|granted|re-?issued|"
    r"rescheduled|re-?sent)\b(?! (?:back|home|here|there|sick|married|stuck|lost)\b)"  # "I just got home": news
    # "I have confirmed my flights": one's own travel, no favor to anyone.
    r"(?! (?:my|our) (?:\w+ )?(?:flights?|hotel|travel|trip|reservations?|arrangements|room|rental car|tickets?)\b)"
    # "I made a mistake", "I've made quite an impression", "we made it home": making is work done only
    # when what was made is.
    r"(?<!made(?= (?:a |an |quite an? |such an? |the same |my |our |some |no |any )?(?:\w+ )?(?:mistakes?|errors?|impression|"
    r"point|decision|it|sense|money|fun|progress|friends|plans?|comments?|remarks?|joke|guess|assumption|bet)\b))"
    # Receiving is not doing: "I just got your email", "got a note you sent", "we got it by fax".
    r"(?<!got(?= (?:your|the|his|her|their|a|an|\w+'s) (?:[\w-]+ ){0,2}(?:e-?mails?|messages?|msgs?|notes?|voice ?mails?|vms?|"
    r"letters?|fax(?:es)?|calls?|pages?|cards?|packages?|gifts?|invit(?:ation|e)s?|pictures?|pics|replies|"
    r"reply|response)\b))"
    # News of oneself: "I got a tattoo", "we got a new puppy", "I got a cold".
    r"(?<!got(?= (?:a |an |my )?(?:new )?(?:tattoo|haircut|car|truck|boat|dog|puppy|cat|house|apartment|job|promotion|"
    r"raise|cold|flu|bonus)\b))"
    r"(?<!got(?= it\b(?! (?:done|fixed|working|set up|approved|sorted|signed|to work|taken care))))"
    r"(?<!left(?= (?:you |him |her )?(?:a |an )?(?:message|voice ?mail|vm)\b))"  # leaving word: no favor yet
    r"(?<!moved(?= (?:from|to|into|away|out|here|there|back|down|up) ))"  # "I moved from Houston to Calgary": news
    # Asking for oneself: "I just asked Wade to send me a worksheet".
    r"(?<!asked(?= (?:\w+ ){1,2}to (?:\w+ )?(?:send|get|give|forward|e-?mail|fax|call|show|bring) (?:me|us)\b))"
    # Talking with the reader is no favor done for them: "I just talked to you 5 minutes ago".
    r"(?<!talked(?= (?:to|with) you\b))(?<!spoke(?= (?:to|with) you\b))(?<!called(?= you\b))",
    # Not in a clause of time or condition: "before it was sent", "if it is approved".
    r"(?<!before )(?<!after )(?<!when )(?<!until )(?<!if )(?<!once )(?<!unless )(?<!whether )"
    r"\b(?:it|this|that|they|these|those|everything)(?: \w+)? " + _DONE,
    r"\b(?:the|your) \w+(?: \w+)? " + _DONE, r"\byour \w+ (?!(?:once|when|if|before|after|until)\b)\w+ \w+ " + _DONE,
    # "Contract No. 4471 has been changed to the new rate": whatever the thing is called, it was done.
    r"(?<!will )(?<!would )(?<!should )(?<!could )(?<!must )(?<!might )(?<!may )(?<!to )(?<!not )"
    r"\b(?:has|have) (?:now |just |already )?been (?:changed|fixed|updated|corrected|entered|processed|approved|"
    r"resolved|reversed|adjusted|deleted|removed|added|set up|created|extended|released|completed|cleared|"
    r"taken care of|re-?booked|booked|re-?entered|moved|transferred|terminated|killed|activated|loaded|posted|"
    r"zeroed out|re-?set|re-?run|refunded|credited|unlocked|granted)\b",
    # Work done on the reader's things in a verb of the trade ("I have netted the two swaps"): whatever
    # the verb, a first-person past action on something named; not in a condition ("once we've outlined").
    r"(?<!once )(?<!if )(?<!until )(?<!unless )(?<!whether )"
    r"\b(?:i|we)(?:'ve| have)(?: just| now| already)? (?!(?:received|noticed|heard|read|seen|looked|wondered|wanted|"
    r"needed|talked|discussed|attached|enclosed|included|learned|decided|asked|requested|tried|started|"
    r"forwarded|enjoyed|liked|loved|missed|used|worked|planned|hoped|discovered|realized|realised|concluded|assumed|"
    r"gathered|guessed|suspected|believed|expected|figured|observed|felt)\b)[a-z]+ed (?:the|your|it|them|this|that|"
    r"these|those|all|both)\b",
    r"^\s*(?:done|all set|all done|taken care of|fixed|approved|completed|no problem|consider it done|will do)\b",
    r"\bgo ahead\b", r"\byou(?:'re| are) (?:all )?set\b", r"\bhappy to (?:do|help|cover)\b")
# A favor that names the reader as the one it was done for ("your deal is fixed", "I called him for you").
_FOR_READER = re.compile(r"\b(?:your|yours|(?:for|to|with) you|you (?:asked|wanted|requested|needed))\b")


def _favor_cue(low: str) -> str:
    """Which cue a favor carries: done for the reader (named in it), or on someone's behalf."""
    return "done for the reader" if _FOR_READER.search(low) else "done on someone's behalf"


_ARRANGED = re.compile(r"\b(?:i|we)(?:'ve| have| just| already)* (?:booked|reserved|arranged|re-?scheduled|"
                       r"set up|re-?booked|confirmed|got(?<!'ve got)(?<!have got) (?:us|you|the|a(?! (?:call|message|note|voice ?mail|e-?mail|"
                       r"letter|chance|minute|second)\b)|tickets))\b"
                       # "I FedEx'd the tickets to you today": what the plans need, handed over.
                       r"|\b(?:i|we)(?:'ve| have| just| already)* (?:sent|mailed|fedex(?:'?ed|'d)?|overnighted|dropped off|"
                       r"left|delivered) (?:the |your |(?:two|three|four|\d+) )?(?:\w+ )?tickets\b")
# Passing on what someone else wrote ("here is an e-mail from the plant manager", "the list the bank
# sent me", "I sent this to Kim earlier"): a forward in all but name.
_RELAY = re.compile(r"\b(?:sent (?:me|us|to me|to us|over)|forwarded (?:to )?(?:me|us)|(?:e-?mail|note|message|response|"
                    r"reply|letter|memo|update|news|recap) (?:from|that (?:\w+ )?(?:sent|wrote))|i (?:sent|forwarded) (?:this|it) to|"
                    # "Here is what FPLE sent", "Here is the latest Kinder-Morgan update from Scott"
                    r"what (?!you\b|i\b|we\b)\w+(?: \w+)? sent\b|"
                    # "I sent this information on to Bruce": passed to someone else, not to the reader
                    r"(?:sent|forwarded|passed) (?:this|it|that|them)(?: \w+)? on to|"
                    r"(?:see|read) (?:the )?(?:e-?mail|note|message|response|reply|thread)s? below|"
                    # An FYI: "Thought you might find the attached article interesting".
                    r"thought you(?:'d| would| might| may)? (?:find|enjoy|like|be interested|appreciate|want to see|get a kick)|"
                    r"^\W*fyi\b|for your (?:information|reading pleasure|amusement|enjoyment|files|records))\b")
# "I will deliver it to you for your approval": the decision will be asked when the thing comes.
_APPROVAL_TO_COME = re.compile(r"\b(?:i|we)(?:'ll| will| am going to|'m going to| are going to) (?:\w+ )?(?:deliver|send|forward|"
                               r"bring|submit|route|pass|give)\b[^.!?]* for (?:your|an?) ")
# A decision asked for ("we seek your approval to ...", "need your sign-off"): an "OK" answers it.
_DECISION_ASKED = re.compile(r"\b(?:request|requesting|need|needs|want|ask(?:ing)?|seek(?:ing)?|for) (?:for )?(?:your|an?) "
                             r"(?:approval|sign-?off|signature|go-ahead|ok|okay)\b"
                             # Leave asked of the reader: "I would like to take a vacation day this Thursday".
                             r"|\b(?:i|we)(?: would|'d) like to take (?:a |the |next |this |two |\d+ )?(?:\w+ )?(?:vacation|"
                             r"days? off|afternoon off|morning off|time off|personal day|sick day)")
# Work handed over to be looked at ("here are three invoices to look at", "attached for your
# review"): the sender asks for the reader's eyes, the file is no help to the reader.
_FOR_REVIEW = re.compile(r"\b(?:(?:for|subject to) (?:your )?(?:review|approval|signature|comments?|input|feedback|sign-?off)|"
                         r"(?:for you )?to (?:look at|look over|review|check|sign|approve|comment on)|"
                         # "Attached are some more (questions) we would appreciate your help on"
                         r"(?:appreciate|need|want|could use) your (?:help|input|comments|thoughts|review|assistance))\b")
_SOCIAL = _rx(r"\b(?:congrat\w*|happy birthday|condolences|sorry (?:to hear|for your loss)|merry|happy (?:new year|holidays)|"
              r"good luck|have a (?:good|great|nice) (?:weekend|day|time|trip))\b",
              # A holiday's wish: "I hope you guys have a happy 4th", "Happy Thanksgiving!"
              r"\b(?:have a (?:happy|safe|wonderful|great|good|nice) |happy )(?:4th|fourth|thanksgiving|easter|halloween|"
              r"hanukkah|passover|independence day|labor day|memorial day|valentine'?s)\b",
              # Holidays and weather as small talk ("Hope you had a great holiday", "this beautiful weather"),
              # not as the business days and the temperatures an energy desk trades on.
              r"\b(?:good|great|nice|wonderful|fantastic|safe|happy|fun|relaxing|incredible|beautiful|gorgeous|pretty|"
              r"lovely|tanning) (?:holidays?|weather)\b",
              r"\bhow (?:are|r) (?:you|u|things|ya|people|everyone|folks|y'all|ya'll)\b", r"^\W*heard you\b",
              r"\bdid (?:you|u|y'all|ya'll|you guys) (?:win\W*$|have fun\b|have a good\b)", r"\bhow(?:'s| is| was) (?:it going|life|your|the (?:weekend|trip|family))\b",
              # "How's things going for you?", "How is Jason doing?"
              r"\bhow(?:'s| is| are| was)? (?:things|everything|life|\w+) (?:going|doing)\b",
              r"\bhow (?:is|was|are|were) (?:everything|every thing|your (?:parents|kids|family|folks|mom|dad|wife|husband)|"
              r"the (?:wedding|holidays?|vacation|honeymoon|party|game|move|new job))\b",
              r"\bwhat(?:'s| is) up\b", r"\bhope (?:all is|you are|you're|everything)\b", r"\bmiss (?:you|ya)\b",
              r"\b(?:had|have) (?:a )?(?:great|good|fun|wonderful) (?:time|weekend|trip)\b",
              r"\b(?:good|nice|great) (?:to|to hear|hearing|seeing|talking) (?:from )?(?:you|ya)\b",
              r"\b(?:it was|it's|it is|was) (?:great|nice|good|fun|a pleasure) (?:to|seeing|meeting|talking)\b",
              # A farewell: "It has been great working with you!", "I've enjoyed working with all of you".
              r"\b(?:been|was) (?:\w+ )?(?:great|a pleasure|a real pleasure|fun|nice|wonderful|an honou?r|a privilege) "
              r"(?:working|to work) with\b", r"\benjoyed working with\b",
              r"\b(?:i'm|i am|we're|we are) (?:so |really |very )?(?:excited|happy|glad|sorry|thrilled|proud|jealous|bored)\b",
              r"^\W*(?:so |very |really )?glad (?:to|you|that|it)\b",
              # Rhetorical and personal: "how difficult could that be?", "just checking on you", "please
              # accept my apology".
              r"\bhow (?:hard|difficult|bad|tough|tricky) (?:could|can|would) (?:that|it|this) be\b", r"\bwho (?:knew|cares)\b",
              r"\bcheck(?:ing)? (?:on|in on|up on) you\b",
              r"\bplease accept (?:my|our) (?:\w+ )?(?:apolog\w*|condolences|sympathy|congratulations)\b",
              r"\b(?:lovely|awesome|hilarious|crazy|funny)\b", r"\bhow (?:about|was) (?:that|the)\b",
              r"\bare (?:you|u) (?:happy|ok|okay|alive|there|kidding|serious)\b",
              # "Are you doing okay???", "Are you feeling better?"; a farewell's "Please remember me", "keep in touch".
              r"\bare (?:you|u) (?:doing|feeling) (?:ok|okay|alright|all right|well|better|any better)\b",
              r"\b(?:keep|stay) in touch\b", r"^\W*(?:please )?remember me\W*$",
              # "Hope you had a nice long weekend", "Hope you enjoyed the trip to Vail!"
              r"\bhope (?:you|y'all|everyone|all of you|you guys) (?:had|enjoyed) (?:a |an |the |your )?(?:\w+ ){0,2}"
              r"(?:weekend|holidays?|trip|time|vacation|christmas|thanksgiving|birthday|day|evening|night|visit|break)\b",
              r"\bwhat(?:'s| has| have)(?: been)? (?:happening|new|going on)\b", r"\bplans for\b",
              # "How is Texas?", "How was Vail?": the reader's life; "does it sound like fun?"
              r"^\W*how(?:'s| is| was| are| were) [a-z]+\W*$", r"\bfun\b",
              r"\b(?:vacation|birthday|anniversary|baby|kids|mom|dad|wife|husband|girlfriend|"
              r"boyfriend|family|christmas|thanksgiving|married|marriage|engaged|pray|prayers?|blessings?|dogs?|cats?|puppy|kitty)\b",
              r"\bhow old (?:are you|is (?:he|she|your))\b",
              r"^\W*(?:i'm |i am |so |very |really )*sorry (?:about|that)\b",
              # The reader's own life: "are you still in Lisbon?", "do you ever hear from Priya?"
              r"\b(?:are|r) (?:you|u) still (?:in|at|living|over|out|up|down)\b", r"\bdo you ever\b")
_HANDED = re.compile(r"attach|enclos|here(?: is| are|'s)|find")  # a delivery's surest words
_BARE_SITE = re.compile(r"^\W*(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+/?\W*$")  # a line of just "www.acme.com"
_FUTURE_LEAD = re.compile(r"^\W*(?:\w+,\s+)?(?:i|we)(?:'ll| will| shall|'m going to| am going to| are going to)\b")
# A day or an hour: "Monday", "September 11", "3:00 p.m.", "noon".
_WHEN = (r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|"
         r"nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?|the \d{1,2}(?:st|nd|rd|th)|\d{1,2}(?::\d\d)? ?(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d\d(?:ish)?|noon)(?!\w)")
# "Does this mean I have to call you Mister now?!": a question exclaimed is a joke or a protest.
_EXCLAIMED = re.compile(r"(?:\?!|!\?)[?!]*\W*$")
# Making plans: asking or answering when and where to meet is not asking for help.
_SCHEDULING = _rx(r"\b(?:lunch|dinner|drinks?|beers?|happy hour|coffee|breakfast|golf|game|party|tickets?|tourney|tournament|"
                  r"tonight|this weekend|movie|concert|wedding|bar)\b",
                  r"\b(?:i'm|i am|we're|we are|count me) (?:in|good|ok|okay|free|available|out)\b(?! (?:the|this|that|a)\b)",
                  r"\b(?:works|good|fine|ok|okay) (?:for|with) (?:me|us)\b", r"\bsee (?:you|ya) (?:there|then|tomorrow|at)\b",
                  r"\b(?:want|wanna|like) to (?:come|go|join|grab|meet)\b", r"\bare (?:you|u) (?:coming|going|in|free|around)\b",
                  r"\bi(?:'ll| will) be there\b", r"\b(?:on|in|to|into) (?:my|our) (?:calendar|schedule)\b",
                  # When one is free: "I'd be free on Thursday", "I already have a 3:30 staff meeting".
                  r"\b(?:be|am|is|are) (?:free|available) (?:on|at|for|to|any|this|next|tomorrow|after|before|"
                  r"monday|tuesday|wednesday|thursday|friday)\b",
                  r"\b(?:i|we)(?:'ve| have)? (?:currently |already )?(?:have|got) (?:a|an|another) (?:[\d:]+ ?(?:am|pm) )?(?:\w+ )?"
                  r"(?:meeting|mtg|session|call|appointment|conflict)\b",
                  # "He can do November 20 at 5 p.m." (and _TIME_SUITS, below)
                  r"\b(?:can|could|will|would) (?:do|make it|make) (?:it )?(?:on |at )?" + _WHEN,
                  # "i can't the weekend of the 10th ... but maybe the 3rd", "My vote is for the 22nd".
                  r"\b(?:can't|cannot|can not|can) (?:do |make (?:it )?)?(?:on |at )?(?:the )?weekend of\b",
                  r"\b(?:can't|cannot|can not|couldn't) (?:do |make (?:it )?)?(?:on |at )?" + _WHEN, r"\bmy vote is\b",
                  # Where to meet: "Conference room ECS04105 at 3:30 PM".
                  r"\b(?:conference |conf\.? |meeting )?room [\w-]+ (?:at|@) " + _WHEN,
                  r"\b(?:call|dial)-in (?:number|no\b|info(?:rmation)?|details)",
                  r"\b(?:call|dial) in (?:number|no\b|info(?:rmation)?|details)",
                  r"\b(?:conference call|bridge) (?:number|no\b|info(?:rmation)?|details)",
                  # Who is coming and when: "is anyone going to show up?", "can you make it down?"
                  r"\b(?:show up|make it (?:to|down|up|over|out|back|in)|shoot for|too (?:early|late) for)\b",
                  r"\b(?:to|going to|gonna) (?:play|visit|attend)\b",
                  r"\b(?:will|would|are) (?:you|u) be (?:around|in the office|in town|free|available|there|here)\b",
                  # Finding a time: "let me know your availability", "how about sometime after noon?"
                  r"\b(?:your|my|their) availability\b", r"\b(?:set ?up|schedule|find|pick) a (?:time|date|meeting|call)\b",
                  r"\bwhat time\b", r"\bwhen (?:are|would|will) (?:you|you guys|y'all) (?:be )?(?:free|available|around)\b",
                  r"\bwhat(?:'s| is) the plan\b", r"\b(?:out to eat|eat out|eating out)\b",
                  r"\b(?:details|logistics|directions) (?:of|for|to) (?:the |our |this |"
                  r"tomorrow's |today's |next week's )?(?:meeting|call|conference call|dinner|lunch|event|session|reception)\b",
                  r"\b(?:how|what) about (?:sometime |some time )?(?:after|before|around|at|this|next|tomorrow|"
                  r"monday|tuesday|wednesday|thursday|friday|morning|afternoon|noon)\b",
                  # Where one will be when: "I'm leaving the office around 2:15", "I can be back by 7:30 am",
                  # "I usually get in around 8", "I'm calling in from the hotel".
                  r"\b(?:leav(?:e|ing)|arriv(?:e|ing)|get(?:ting)? in|be back|back in the office|there|home) "
                  r"(?:[a-z]+ ){0,3}(?:around|at|by|until|till) \d",
                  r"\b(?:dial(?:l)?ing|calling|call) in from\b", r"\bworking from home\b",
                  # "I dropped by yesterday and your meeting went over": a visit, not an answer.
                  r"\b(?:i|we|he|she|they)(?: just| already)? (?:dropped|stopped|swung|came) by\b",
                  r"(?<![a-z] )\b(?:i|we)(?: can| could|'ll| will| might| may)? (?:come|stop|swing|drop|run) (?:by|over)\b"
                  r"[^.!?]*\b(?:today|tomorrow|tonight|later|monday|tuesday|wednesday|"
                  r"thursday|friday|this (?:afternoon|morning|evening|week)|next week)\b",
                  # Who is away: "Dana will be out of the office", "she is out of town until Wednesday".
                  r"\b(?:be|is|am|are|was|were) (?:out of (?:the )?(?:office|town|city|country)|on vacation|"
                  r"(?:away|traveling|travelling) (?:on|until|till|this|next|today|tomorrow))\b",
                  r"\b(?:will not|won't|will) (?:not )?be (?:here|there|back|in the office|in town) (?:for|on|until|till|"
                  r"this|next|today|tomorrow|monday|tuesday|wednesday|thursday|friday)\b",
                  r"\b(?:will not|won't) be (?:here|there|in the office|in town|around|available)\b",
                  # Coming back and coming by: "he is returning from his trip today", "I can come by your
                  # floor around 5"; a meeting notice's "Time: 11:00 a.m." line.
                  r"\breturn(?:s|ing|ed)? (?:from|to the office|to town|to houston|home)\b",
                  r"\b(?:come|stop|swing|drop|run) (?:by|over|up|down)\b[^.!?]*\b(?:around|at|by|after|before) \d",
                  r"^\W*(?:time|date|place|location|room|where|when|dial-?in|call-?in|video|conference|bridge)\s*:",
                  # A time slot: "can we meet from 10am-11am instead?", "a meeting from 3:00 - 5:00"
                  r"\b(?:meet|talk|get together) (?:from|at|around|between|instead|earlier|later)\b",
                  r"\b\d{1,2}(?::\d\d)? ?(?:am|pm) ?(?:-|to|until) ?\d{1,2}(?::\d\d)? ?(?:am|pm)\b",
                  r"\b\d{1,2}:\d\d ?(?:-|to|until) ?\d{1,2}:\d\d\b")
# A day or an hour that suits: "Would either September 11 or 13 work?", "Tuesday at 2 works fine",
# "if that day works for you".
# Tried only on sentences with one of _SUIT_WORDS (a time cannot gate a _Rules branch).
_TIME_SUITS = re.compile(_WHEN + r"(?:[^.!?]|[ap]\.m\.){0,50}\b(?:work|works|suit|suits|sounds?|"
                         r"is(?: not|n't)? (?:good|fine|great|perfect|best|bad|convenient|open|ok|okay)|be (?:alright|all right|ok|okay|good|fine|great|perfect|best|better))\b"
                         r"|\b(?:day|date|time|week|slot)s? (?:works?|suits?|is (?:good|best|better|convenient))\b(?! \w+ed\b)")
_SUIT_WORDS = frozenset("work works suit suits sound sounds good fine great perfect best better bad convenient open alright all ok okay".split())
# A short yes, "done" or "that's correct": an answer only to an explicit question or request.
_CONFIRM = re.compile(r"^\W*(?:yes|yep|yeah|yea|yup|ok|okay|correct|that(?:'s| is) (?:correct|right|fine|ok|okay)|"
                      r"(?:this|these|that|those|it|the \w+) (?:is|are) (?:correct|right|fine|good|ok|okay)|done|approved|"
                      r"looks (?:good|fine|ok)|sounds good|go ahead|"
                      r"that(?:'s| is| will be) fine|fine|sure|no problem|will do|agreed|absolutely|definitely)\b")
# First-person future or work in progress: a promise, not yet help.
_IN_PROGRESS = _rx(r"\b(?:i|we)(?:'ll| will| shall|'m going to| am going to| are going to|'re going to) (?!be (?:happy|glad))",
                   r"\b(?:i|we|[a-z]+ and i)(?:'m| am|'re| are) (?:still |now |currently )?(?:working|putting|looking|checking|trying|"
                   r"waiting|getting|pulling|preparing|finishing|reviewing|going through|talking)\b",
                   r"\b(?:i|we) (?:have|haven't|have not) (?:not )?(?:heard (?:back )?from you|had a chance|gotten)\b",
                   # "Carlos and I are almost ready to send it", "I hope to have it by tonight"
                   r"\b(?:i|we|[a-z]+ and i)(?:'m| am|'re| are) (?:almost|nearly|just about) (?:ready|done|finished|there)\b",
                   r"\b(?:i|we) (?:hope|expect|plan) to (?:have|get|send|finish)\b")
# Done only later: "a confirmation will be sent to you once the order is processed".
_LATER = re.compile(r"\b(?:will|shall) (?:be )?\w+\b[^.!?]*\b(?:after|once|when|until|as soon as) |"
                    r"\b(?:after|once|until|as soon as) [^.!?]*\b(?:will|shall) ")
# What is left of a phone-number or timestamp line ("713-853-0380 (office)", "11/29/2000 07:59 AM")
# once its digits and labels are gone: nothing. Such lines are signatures and header residue.
_CONTACT_LINE = re.compile(r"[\d\W_]+|\b(?:am|pm|office|cell|fax|phone|tel|ext|x|mobile|mobil|mob|cellular|telephone|"
                           r"telefon|pager|pg|p|t|home|work|direct|voice|ph|w|h|c|m|o|f)(?![a-z])")
# Saying no: "Sorry, we can't take this one on", "unfortunately I won't be able to". Whatever else the sentence
# says, it gives nothing.
_DECLINE = _rx(r"\b(?:sorry|unfortunately|afraid)\b[^.!?]*\b(?:can't|cannot|couldn't|could not|won't be able|"
               r"will not be able|wasn't able|was not able|unable|not able)\b",
               r"\b(?:i|we) (?:can't|cannot|couldn't|could not|won't be able to|am unable to|are unable to) help\b",
               _THANKS_ANYWAY,
               # "I can't seem to open it": the file did not arrive; the message gives nothing back.
               r"\b(?:i|we) (?:can't|cannot|couldn't|could not|am unable to|was unable to)(?: seem to)? (?:open|download|"
               r"read|access|view|print) (?:it|them|this|that|(?:the|his|her|your|this|that) (?:\w+ )?(?:file|attachment|document|"
               r"link|spreadsheet|resume|fax|copy|version))\b")
# "Yes, we got it by fax", "I received your letter": saying a thing arrived gives nothing back.
_RECEIVED = re.compile(r"^\W*(?:(?:yes|yep|ok|okay|thanks|thank you)\W+)?(?:[a-z]+,\s+)?(?:i|we)(?: just| finally| did| have|'ve)? "
                       r"(?:got|gotten|received|receive|get) (?:(?:it|them|both|all)\b(?! (?:done|fixed|working|set|approved|"
                       r"sorted|signed|to|taken|changed|moved|back|out|in|up)\b)|(?:the|your|his|her|their|this|that|these|those) "
                       r"(?:\w+ )?(?:e-?mails?|messages?|notes?|fax(?:es)?|letters?|files?|attachments?|packages?|documents?|"
                       r"cop(?:y|ies)|info(?:rmation)?|voice ?mails?|checks?|forms?|invitations?)\b(?! (?:to|into|onto|for|over|out|back|off)\b))")
_ARRIVAL_ASKED = re.compile(r"\b(?:confirm|let (?:me|us) know|tell (?:me|us)|advise)(?: (?:that|if|whether|when|once))? "
                            r"(?:you|u)(?: have|'ve)? (?:received|got|get|receive|can open|were able to open)\b"
                            # "Didn't you receive it?", "Did you get my fax?"
                            r"|\b(?:did|didn't|did not|have|haven't|have not) (?:you|u) (?:receive|received|get|got|gotten) "
                            r"(?:it|them|this|that|(?:my|our|the|his|her|their) (?:\w+ )?(?:e-?mail|message|note|fax|letter|file|"
                            r"attachment|package|copy|voice ?mail|invitation|invite)s?)(?!\w| (?:\w+ed|to|done|back)\b)")
_MORE_THAN_ARRIVAL = re.compile(r"\b(?:and|but|so) (?:yes|no|i|we|he|she|they|it|that)\b|\byou (?:requested|asked|wanted|needed)\b|"
                                r"\bfor (?:you|him|her|them)\b")
# "I'm not aware of any...", "I don't know that one.": saying one cannot answer answers nothing.
_DOES_NOT_KNOW = re.compile(r"^\W*(?:\w+,\s+)?(?:sorry,?\s+(?:but\s+)?)?(?:(?:i'm|i am|we're|we are) not (?:familiar|aware|sure)|(?:(?:i|we) )?(?:don't|do not|"
                            r"didn't|did not) (?:know|recognize|remember)|(?:i|we) have no (?:idea|clue|record)|no idea)\b")
# "I don't know how this deal works on demand charges": what one does not know, said at any length, is
# still no answer (where "I don't know anything about the west desk moving its book" passes on news);
# a guess after the disclaimer ("I'm not sure, but I think it should be the East book") may answer.
_KNOWN_WH = re.compile(r"^\W*(?:\w+,\s+)?(?:i'm|i am|we're|we are|i|we) (?:not sure|(?:don't|do not|didn't|did not) know) "
                       r"(?:how|what|who|whom|whether|if|why|where|when|which|the answers?)\b")
_HEDGED_ANSWER = re.compile(r"\b(?:but|though|although|however|think|believe|guess|probably|maybe|perhaps|might|should|"
                            r"would|could|must|seems?|looks?|assume|suspect|except|unless)\b|[,;:]")
# A smiley, "!!" or "lol" marks a sentence as banter ("I'm telling you life can't get any better!!!!"):
# said in a reply, it tells nothing anyone asked for.
_CHAT_MARK = re.compile(r"[:;]-?[)(pd](?!\w)|:o\)|!!|\b(?:lol|ha(?:ha)+|he(?:he)+|jk)\b|\bha[!.,]* ha\b")
# "I am definitely still interested in the position": the writer's own wish, told to one who offers;
# "This email serves as a confirmation": a notice's formula. Neither answers anything.
_OWN_WISH_OR_NOTICE = re.compile(r"\b(?:i am|i'm|we are|we're) (?:\w+ )?(?:still )?(?:very |really )?interested in\b|"
                                 r"^\W*this (?:e-?mail|message|note|letter) (?:serves as|is) (?:a |an |your )?"
                                 r"(?:confirmation|notification|notice|reminder|receipt)\b|"
                                 # Receipt acknowledged: "We are now in possession of your application".
                                 r"^\W*(?:\w+ ){0,2}(?:i am|i'm|we are|we're) (?:now )?in (?:possession|receipt) of (?:your|the)\b")
# Owning up to one's own slip in a few words ("My mistake.", "Looks like I have the wrong contract.",
# "Sorry - getting ahead of myself."): it tells the reader nothing they asked for.
_OWN_SLIP = re.compile(r"\bmy (?:mistake|bad|fault|error|oversight)\b|\b(?:i|we)(?:'ve| have| had| got| used| sent| pulled| "
                       r"grabbed| was looking at| were looking at| looked at)? (?:the )?wrong (?:\w+ )?(?:contract|file|one|version|"
                       r"number|deal|month|day|date|sheet|copy|attachment|screen|link|person|address)\b|"
                       r"\bgetting ahead of (?:myself|ourselves)\b|\bi stand corrected\b|"
                       r"\b(?:i|we) made (?:a|an) (?:\w+ )?(?:mistake|error|boo-?boo|blunder|typo)\b")
# "Sorry for the delay", "Sorry I took a while to reply": a formula, no answer.
_SORRY_FOR_DELAY = re.compile(r"^\W*(?:i'm |i am |so |very |really )*sorry\b[^.!?]{0,40}\b(?:delay|late|so long|"
                              r"sooner|earlier|get(?:ting)? back|respond|reply|answer)"
                              # "Only took me 3 weeks to respond."
                              r"|^\W*(?:(?:it )?only |it )?took (?:me|us) (?:\w+ ){0,3}(?:days?|weeks?|months?|long|a while|forever) "
                              r"to (?:respond|reply|answer|write back|get back)")
# An instruction to do something for the writer ("Order us four chairs", "send me the file"): work
# handed out, whatever advice words it uses ("... and make sure they match the table").
_FOR_THE_WRITER = re.compile(r"^\W*(?:\w+,\s+)?(?:please |pls |just )?[a-z-]+ (?:me|us)\b(?! (?:know|think|see)\b)")
# "Sorry I couldn't get back to you sooner" apologises for the delay; it declines nothing.
_APOLOGY_FOR_DELAY = re.compile(r"\b(?:sooner|earlier|before now|delay|get back|respond|reply|answer)\b")
_ROUTINE = re.compile(r"^\s*(?:ok(?:ay)?|sure|yes|yep|yeah|yea|no|nope|sounds good|fine|great|cool|got it|will do|"
                      r"see you(?: then| there)?|works for me|that works|me too|same here|ha+|lol|hehe)\W*$")


# "David is going to send us an email with what he remembers": someone else's help still to come, no answer yet.
_SOMEONE_WILL_SEND = re.compile(r"^\W*(?:\w+,\s+)?(?!(?:it|this|that|which|there|these|those)\b)[a-z]+(?: and [a-z]+)? "
                                r"(?:is going to|are going to|will) "
                                r"(?:send|forward|get|call|provide|give|e-?mail|fax)\b")


def _owns_slip(low: str, n_words: int) -> bool:
    """The sentence, a short one, only owns up to the writer's own slip ("My mistake.")."""
    return n_words <= 8 and _OWN_SLIP.search(low) is not None


def _does_not_know(low: str, n_words: int) -> bool:
    """The sentence only says the writer does not know (no figure, no guess after it)."""
    if not _DOES_NOT_KNOW.match(low) or _DIGIT.search(low):
        return False
    wh = _KNOWN_WH.match(low)
    return n_words <= 8 or bool(wh) and not _HEDGED_ANSWER.search(low, wh.end())


def classify(sentence: str) -> tuple[dict[str, float], list[str]]:
    """Acts shown by one sentence, with confidences, and the names of the cues that fired."""
    acts, _, cues = _classify(sentence)
    return dict(acts), list(cues)


@functools.lru_cache(maxsize=4096)  # bounded: it lives as long as a parser worker (a whole import or sync)
def _classify(sentence: str) -> tuple[dict[str, float], dict[str, str], list[str]]:
    """Cached: mail repeats itself (sign-offs, "let me know", disclaimers). Callers must not mutate."""
    s = sentence.strip().replace("\u2019", "'")  # "I’d like": typographic apostrophes read as plain ones
    if not _QUESTION_WORD.match(s):  # "Is that right.?" may still ask
        s = _STRAY_QUESTION_MARK.sub("", s)
    low = s.lower()
    words = sentence_words(low)
    acts: dict[str, float] = {}
    why: dict[str, str] = {}
    cues: list[str] = []

    def hit(act: str, conf: float, cue: str) -> None:
        if conf > acts.get(act, 0.0):
            acts[act] = conf
            why[act] = cue
        cues.append(cue)

    if not s or (len(s) <= 48 and _DIGIT.search(s) and not _CONTACT_LINE.sub("", low).strip()) \
            or not any(c.isalpha() for c in s):
        return acts, why, cues  # empty, a (short) phone number or timestamp line, or marks alone ("?"): nobody's act
    n_words = len(s.split())
    is_question = s.rstrip().endswith("?")
    # "Please review the draft and call me with any questions": the offer closes a real ask.
    polite_req = bool(_NOT_REQUEST.search(low, words)) and not _PLEASE_DO.match(low)
    mailing = _CALL_TO_ACTION.match(low) is not None
    thanks = any(h in low for h in _THANKS_HINTS) and _THANKS.search(s)
    if thanks:
        if _THANKS_ONLY.match(s):
            hit("gratitude", 0.4, "bare thanks")
        elif _POLITE_THANKS.search(low, words) and not _HELP_CREDITED.search(low, words):
            cues.append("politeness formula")
        elif _GENERIC_THANKS.search(low, words):
            if polite_req:  # "Thanks for all, and ring me if you have any questions": a sign-off
                cues.append("politeness formula")
            else:
                hit("gratitude", 0.6, "thanks for help in general")
        elif _GRATITUDE_STRONG.search(low, words):
            hit("gratitude", 0.9, "thanks for something")
        else:
            hit("gratitude", 0.5, "thanks")
    # "Good point." opening a reply credits the reader's suggestion: the reader helped the writer.
    acknowledged = n_words <= 4 and not is_question and bool(_ACKNOWLEDGED.match(low))
    if acknowledged:
        hit("gratitude", 0.9, "acknowledges a suggestion")
    if is_question:
        hit("question", 0.9 if _QUESTION_WORD.match(s) else 0.7, "question mark")
    elif _UNMARKED_QUESTION.match(low) and not _LEAD_CLAUSE.match(low):
        is_question = True
        hit("question", 0.7, "question without its mark")
    if mailing:
        cues.append("mailing's call to action")
    elif not polite_req and (_REQUEST.search(low, words)
                           or not _ASKS_POLITELY.isdisjoint(words) and _APPRECIATE_ASK.search(low, words)):
        hit("request", 0.85 if (is_question or re.match(r"\s*(?:please|pls|kindly)\b", low)) else 0.7,
            "request form")
    elif is_question and not polite_req:
        hit("request", 0.6, "direct question")
    if "request" in acts and _ARRIVAL_ASKED.search(low):
        # "Please confirm you received the folders": whatever the answer, nobody is helped by it.
        acts["request"] = min(acts["request"], 0.4)
        if "question" in acts:
            acts["question"] = min(acts["question"], 0.4)
        cues.append("asks whether it arrived")
    if not mailing and _DECISION_ASKED.search(low) and not _APPROVAL_TO_COME.search(low):
        hit("request", 0.85, "decision asked")
    if "request" not in acts and not is_question and not mailing:
        lead = _LEAD_CLAUSE.match(low)
        if _IMPERATIVE.match(low) or lead and _IMPERATIVE.match(low[lead.end():]) or _YOU_MUST.match(low):
            hit("request", 0.55, "instruction")
        elif _PROPOSAL.search(low, words):
            hit("request", 0.4 if polite_req else 0.55, "proposal")
        elif polite_req:
            hit("request", 0.3, "offer to help further")
    social = bool(_SOCIAL.search(low, words)) or (("?!" in s or "!?" in s) and _EXCLAIMED.search(s) is not None)
    scheduling = bool(_SCHEDULING.search(low, words)) or (
        not words.isdisjoint(_SUIT_WORDS) and _TIME_SUITS.search(low) is not None)
    if "request" in acts and (social or scheduling) and why.get("request") != "decision asked":
        acts["request"] = min(acts["request"], 0.4)
        cues.append("plans or chat")
    if "question" in acts and (social or scheduling):
        acts["question"] = min(acts["question"], 0.4)
    promise = bool(_PROMISE.search(low, words) or _IN_PROGRESS.search(low, words))
    if promise and not is_question:
        hit("promise", 0.7, "commitment")
    if not is_question and _MEETING.search(low, words):
        hit("meeting", 0.6, "arranging to meet or talk")
    declines = bool(_DECLINE.search(low, words)) and not _APOLOGY_FOR_DELAY.search(low)
    if declines and not is_question:
        hit("decline", 0.7, "declines")
    # "Here is my CV": the writer asks for a job or a referral, and hands over nothing.
    own_resume = "my" in words and _OWN_RESUME.search(low) is not None
    arrival = _RECEIVED.match(low)
    # ... and nothing more: not "I got the figures you asked for", "I got your note and yes, we wired it".
    received = arrival is not None and not _MORE_THAN_ARRIVAL.search(low, arrival.end())
    if received:
        cues.append("says it arrived")
    if not is_question and not social and not scheduling and not received and "decline" not in acts:
        if own_resume:
            cues.append("own resume sent")
        elif ("questions" in words and _QUESTIONS_SENT.search(low) or _OPEN_ITEMS.search(low)) and not _ANSWERING.search(low) \
                and not _solicited(low, words):
            hit("request", 0.6, "questions sent")  # "Here are my questions on the deal": asking, not giving
        elif _DELIVERY.search(low, words) and not (_PLEASE_DO.match(low) and not _PLEASE_SEE.match(low)) \
                and not _BARE_SITE.match(low) and (
                (handed := _HANDED.search(low) is not None) or not (promise and _FUTURE_LEAD.match(low))):
            # "I will be performing the following 2 tasks tomorrow": what one will do is a promise, not a
            # thing handed over (where "Attached are the steps I will take" hands one over).
            hit("delivery", 0.85 if handed else 0.65,
                "passing on" if _RELAY.search(low) else "for review" if _FOR_REVIEW.search(low) else "giving")
            if why.get("delivery") == "for review":
                hit("request", 0.6, "sent for review")
        if _INTRODUCTION.search(low, words) or (_INTRO_NAMED_WORDS & words and _INTRO_NAMED.search(s)):
            hit("introduction", 0.7, "connecting people")
        elif _CONTACT_GIVEN.search(low) or _NUMBER_FOR_NAMED.search(s):
            # "Maria's cell is 555-...", "I have a number for Lena Ortiz at 555-...": who to reach.
            acts.pop("delivery", None)
            hit("introduction", 0.7, "someone's contact details")
        if not own_resume and _REFERRAL.search(low, words):
            hit("referral", 0.6, "career")
        elif not own_resume and _CAREER_TALK.search(low, words):
            hit("referral", 0.45, "career talk")  # too weak to be help; no answer either
        # ("I don't know if you need to be involved or not": no opinion given.)
        if _ADVICE.search(low, words) and not acknowledged and not _does_not_know(low, n_words):
            hit("advice", 0.65, "opinion or recommendation")
        if _EDITS_MADE.search(low):
            hit("advice", 0.7, "edits to the reader's work")  # "I made two additions": a review, not a favor
        elif _FAVOR.search(low, words) and not promise and not _LATER.search(low) and not _owns_slip(low, n_words) \
                and not (acts.get("request", 0) >= 0.85 and _PLEASE.match(low) and not _PLEASE_SEE.match(low)):
            # ("Please call the folks we talked about": work asked for, whatever was done before it.)
            hit("favor", 0.7, _favor_cue(low))
        # ("I do not know the answer to your questions offhand": no answer given.)
        if _solicited(low, words) and not own_resume and not _OWN_CONCERN.search(low) and not _DOES_NOT_KNOW.match(low):
            hit("delivery" if "delivery" in acts else "statement", 0.9, "answers an earlier ask")
        # Anything else said may answer an ask, unless it is a formula, banter or one's own wish.
        if not acts and not own_resume and not mailing and not thanks and not (
                _SORRY_FOR_DELAY.match(low) or _CHAT_MARK.search(low) or _OWN_WISH_OR_NOTICE.search(low)
                or _owns_slip(low, n_words) or _SOMEONE_WILL_SEND.match(low)):
            if n_words >= 5 and not _ROUTINE.match(low) and not _does_not_know(low, n_words):
                hit("statement", 0.6 if _DIGIT.search(s) else 0.5, "statement")
            elif _DIGIT.search(s):
                hit("statement", 0.5, "short answer")  # "Nov 1st.", "Q07901.1 = -$243,079": a figure asked for
        # An imperative handing out work is a request, whatever advice words it uses.
        if acts.get("request", 0) >= 0.7 or why.get("request") == "instruction" and _FOR_THE_WRITER.match(low):
            for a in ("advice", "statement"):
                acts.pop(a, None)
    # Arranging the plans for someone ("I have booked dinner for Saturday at 8:30") is a favor, where
    # talking about them is not.
    if scheduling and not social and not is_question and not promise and _ARRANGED.search(low):
        hit("favor", 0.7, _favor_cue(low))
    if _ROUTINE.match(low):
        cues.append("routine reply")
    if not is_question and n_words <= 10 and _CONFIRM.match(low) and not social and not scheduling and not promise \
            and not received:
        hit("confirmation", 0.5, "short yes or done")
    if _ACTED_ON_ADVICE.search(low) and not is_question:
        # "On your advice, we kept the old contract": the reader advised; what the writer does
        # with it is the writer's own business, neither a favor nor a promise to the reader.
        acts.clear()
        why.clear()
        hit("gratitude", 0.9, "acknowledges a suggestion")
    if social:
        cues.append("social")
    if social or not acts and _CHAT_MARK.search(low):
        hit("chat", 0.5, "chat")  # small talk ("How are you?", "... lol"): counted per message, never help
    if scheduling:
        cues.append("plans")
    return acts, why, cues


MAX_SENTENCES = 15  # acts are read from the first sentences of a message: where asks and answers sit
MAX_CHARS = 4000


def quoted_asks(quoted_text: str | None) -> list[Act]:
    """Requests and questions in the message being replied to (its text as quoted below the reply)."""
    out = []
    for i, s in enumerate(split_sentences((quoted_text or "")[:MAX_CHARS])[:MAX_SENTENCES]):
        s = s[:600]
        low = s.lower()
        if "?" not in s and not _REQUEST.search(low):
            continue  # cheap test first: most quoted sentences ask nothing
        acts, why, _ = _classify(s)
        for act in ("request", "question"):
            if act in acts:
                out.append(Act(act, s[:300], acts[act], why.get(act, ""), i))
    return out


def message_acts(own_text: str | None, attachment_count: int = 0) -> list[Act]:
    """Every act in a message's own text, in order, one per (act, sentence)."""
    sentences = split_sentences((own_text or "")[:MAX_CHARS])
    out: list[Act] = []
    arrived = False
    for i, s in enumerate(sentences[:MAX_SENTENCES]):
        acts, why, cues = _classify(s[:600])
        arrived = arrived or "says it arrived" in cues
        for act, conf in acts.items():
            out.append(Act(act, s[:300], conf, why.get(act, ""), i))
    # A lone "Thanks!" as the whole reply is gratitude for what came before, not a sign-off; after
    # "we got it" it acknowledges receipt.
    # (Not after an ask of its own, "Please volunteer via the link. Thanks": thanks ahead, a formula.)
    if len(sentences) <= 2 and not arrived and any(a.act == "gratitude" and a.cue == "bare thanks" for a in out) \
            and not any(a.act == "request" and a.confidence >= 0.55 for a in out):
        out = [Act(a.act, a.sentence, 0.7, "thanks as the whole reply", a.position) if a.cue == "bare thanks" else a
               for a in out]
    if attachment_count and not any(_OWN_RESUME.search(s.lower()) for s in sentences[:MAX_SENTENCES]):
        first = sentences[0][:300] if sentences else ""
        out.append(Act("delivery", first, 0.75, "attachment", 0))
    return out


def act_rows(own_text: str | None, attachment_count: int = 0, quoted_text: str | None = None) -> list[tuple]:
    """A message's acts as message_acts rows (part, position, act, sentence, confidence, cue): its own
    acts, and the asks of the message it quotes at negative positions (context, never evidence),
    read only when it gives something that could answer them."""
    own = message_acts(own_text, attachment_count)
    rows = [("own", a.position, a.act, a.sentence, a.confidence, a.cue) for a in own]
    if quoted_text and any(a.act in HELP_ACTS for a in own):
        rows += [("quoted", -1 - a.position, a.act, a.sentence, a.confidence, a.cue) for a in quoted_asks(quoted_text)]
    return rows


def thanks_kind(sentence: str) -> str:
    """The kind of help a thank-you names ('thanks for the intro' is an introduction); favor if none."""
    low = sentence.lower()
    for kind, rx in _THANKS_FOR:
        if rx.search(low):
            return kind
    return "favor"
