"""Who helped whom: help events inferred per thread from the acts in each message.

A thread is read in date order, keeping the requests still open. A message that gives something
(an answer, a document, an introduction, advice, a favor) to someone whose request is open resolves
it: one event, helper = the sender, helped = the asker. Thanks name the helper (the person thanked)
and show help given outside email; when the thanked message is itself the help, the event sits at
that message. Deliveries that say they answer an earlier ask ("as you requested") count without a
visible request. Broadcasts, automated mail, politeness formulas and promises never kept make no
event. One message gives at most one event per (helper, helped) pair.

Incremental: only threads touched by new mail are recomputed, each whole.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from .acts import HELP_ACTS, THANKS_ANYWAY, Act, act_rows, thanks_kind
from .store import chunks, insert_or_replace, parse_time, store_acts
from .threads import threads_of

# The subject of a forward: the message quoted passed someone's ask on.
RELAYED = re.compile(r"^\s*(?:fw|fwd)\s*:", re.I)
BROADCAST = 5  # this many recipients or more is an announcement, not help to one person
# A mailing list's address ("tie_list_server@", "all.employees@", "dl-gas-desk@"): however few the
# addresses, the message goes to many.
LIST_ADDRESS = re.compile(r"^(?:[^@]*[._-])?(?:list|lists|listserv|listserver|all|everyone|everybody|distribution|dl|"
                          r"announce|announcements|mailing)(?:[._-][^@]*)?@")
REQUEST_WINDOW_DAYS = 21
# An ask for an opinion on one's own work: the reply is advice, whatever form it takes.
REVIEW_ASK = re.compile(r"\b(?:review|comment|comments|feedback|thoughts|opinion|look over|take a look|proofread|"
                        r"mark ?up|what do you think|any suggestions)\b", re.I)
# Asking for an opinion or a recommendation ("should we ...?", "would you recommend ...?"): what
# answers it is advice. Other questions ask for facts or a decision: what answers them is an answer,
# however it is worded ("I think it is the Dynegy deal").
OPINION_ASK = re.compile(r"\b(?:what do you think|(?:do|would) you (?:think|suggest|recommend|advise)|should (?:i|we)|"
                         r"how (?:should|would|do) (?:i|we)|what would you|your (?:thoughts|opinion|view|advice|input|take|"
                         r"recommendation|suggestions?)|any (?:thoughts|ideas|suggestions|advice|recommendations)|"
                         r"is it (?:worth|better|wise)|advi[cs]e)\b", re.I)
# A verdict on what was asked about ("Looks good.", "This is correct.", "I agree to ..."): outside a
# request for review, the answer (a decision) rather than advice.
VERDICT = re.compile(r"^\W*(?:\w+[,.]+\s+)?(?:(?:it|this|that|these|they|all|everything|the \w+) (?:looks?|is|are|seems?) "
                     r"(?:good|fine|ok|okay|correct|right)|looks? (?:good|fine|ok|okay)|looking good|sounds? (?:good|fine|right)|"
                     r"(?:this|that|these) (?:is|are) (?:correct|right|good|fine)|i agree\b)", re.I)
# A verdict on a thing looked at ("Looks good.", "Everything looks correct, except ...", "The numbers seem
# ok"), not a plan accepted ("Sounds good", "I agree").
LOOKS_RIGHT = re.compile(r"^\W*(?:\w+[,.]+\s+)?(?:(?:it|this|that|these|they|all|everything|the \w+|your \w+) )?"
                         r"(?:looks?|looking|seems?) (?:good|fine|ok|okay|correct|right|great)\b|"
                         r"^\W*(?:this|that|these|it|everything) (?:is|are) (?:correct|right)\b", re.I)
# Taking up a plan ("Sounds good to me.", "Either option sounds great", "anthonys sounds good - 7 it is"):
# a routine reply, unless what was asked was a decision ("for your approval", "Does this look correct?",
# "let me know if there is a conflict", "Can I take the 14th off?") or a review.
ACCEPTS = re.compile(r"\bsounds? (?:good|great|fine|perfect|fun|like a plan)\b", re.I)
DECISION_ASK = re.compile(r"\b(?:approv\w*|ok\?|okay\?|(?:ok|okay|alright|all right|fine) (?:with you|if|to)|correct|acceptable|"
                          r"agreed?|objections?|conflicts?|a problem|an issue|sign[- ]off|permission|go ahead|(?:may|can|could) i|"
                          r"vacation|leave|days? off|(?:take|taking) [^.!?]{0,30}\boff|review|comments?|feedback|look over|"
                          r"take a look)\b", re.I)
# ("I would advise you that she did not get the job" informs.)
EXPLICIT_ADVICE = re.compile(r"\bi(?:'d| would)? (?:(?:strongly|highly|really|definitely) )?(?:(?:recommend|suggest)(?: that)? you|"
                             r"advise (?:you to|that you))\b|\bmy (?:advice|recommendation|suggestion) (?:to you )?is\b", re.I)
# Someone named as the one to see, with why ("You should also talk with Nadia Petrov who directs the
# program", "Bob Superty is the best person to chat with"): an introduction, even unasked.
POINTED_TO = re.compile(r"\b(?i:you (?:should|may want to|might want to|could|can) (?:also )?(?:talk|speak|check|chat|get in touch|"
                        r"meet) (?:to|with) )(?:[A-Z][a-z]+\.? ){0,2}[A-Z][a-z]+,? (?i:who|he|she|since|because)\b|"
                        r"\b(?:[A-Z][a-z]+ ){1,2}(?i:is|would be) (?i:the (?:best|right) (?:person|one|guy|contact) to (?:talk|speak|ask|"
                        r"contact|chat|call|see))\b")
# Arrangements reported to the one person written to ("I have reserved golf for Friday at 7:20", "I
# booked the boardroom for Tuesday"): made for them.
ARRANGED_FOR = re.compile(r"^\W*(?:\w+,\s+)?(?:i|we)(?: have| 've|'ve)? (?:already |just |now )?(?:reserved|booked|arranged|"
                          r"scheduled|set up)\b", re.I)
PUT_OFF = re.compile(r"\b(?:i|we)(?:'ll| will| need to| have to|'m going to| am going to| are going to| can)(?: have to)? "
                     r"(?:try (?:and|to) )?(?:check (?:on|into) (?:this|that|it)|look into (?:this|that|it)|dig (?:up|into)|"
                     r"find out|research (?:this|that|it)|investigate|check with)\b(?! one\b)|"
                     # (Not a reason given: "... as we do not know what the new company's position will be"; not
                     # "I don't know what your needs are, but Scott is a good broker".)
                     r"(?<!\bas )(?<!\bsince )(?<!\bbecause )(?<!\bif )\b(?:i|we) (?:do not|don't) know (?:the answer|what|which|"
                     r"who|where|how)\b(?![^.!?]*\b(?:but|however|though)\b)|\b(?:i|we) (?:didn't|did not) even know\b|"
                     r"\bnever dealt with\b|"
                     # "Let me chat with Doug ... Get back with you soon.": the answer is to come (not "To get back
                     # with you re: your question, ...", which answers now, nor "on that piece": the rest is here).
                     r"\blet me (?:check|chat|talk|speak|ask|find out|look into|dig|verify|touch base|run it)\b|"
                     r"(?<!\bto )\b(?:get|circle|come) back (?:to|with) you\b(?! on (?:that|this|the) (?:one |last |other )?"
                     r"(?:piece|part|point|item|rest|remainder|question|date|number)\b)", re.I)
# A sentence that reports help still under way gives none yet: "I called Jill Friday afternoon... haven't
# heard back", "Our team is now working hard on answering your questions by Friday".
UNDER_WAY = re.compile(r"\b(?:haven't|have not|hasn't|has not) (?:heard (?:anything )?back|heard anything|"
                       r"gotten back to me|got back to me)\b|\b(?:are|am|is) (?:now |still )?working (?:hard )?on (?:answering|"
                       r"getting)\b", re.I)
# Mail that reached the wrong person ("I believe this message was intended for Susan M Scott of ENA"):
# the reply points the sender elsewhere and gives nothing. (Not a footer's "is intended only for".)
# (Not "it was intended for the May invoice", which answers what a payment was for.)
MISDIRECTED = re.compile(r"\b(?:i (?:believe|think|guess|suspect)|i don't think|i do not think) (?:that )?(?:this|that|your)"
                         r"(?: message| e-?mail| note| request)? (?:was|were) (?:probably |actually )?(?:intended|meant) for\b|"
                         r"\b(?:this|that|your) (?:message|e-?mail|note|mail|request) (?:was|were) (?:probably |likely |actually )?"
                         r"(?:intended|meant) for\b|"
                         r"\b(?:sent|came|forwarded|addressed) (?:this |it )?to me (?:by mistake|in error|by accident)\b|"
                         r"\byou(?:'ve| have)? (?:got |reached |emailed |e-mailed |written to |sent (?:this |it )?to )?the wrong "
                         r"(?:person|recipient|one)\b", re.I)
# Thanks that say the thing helped: what makes an announcement or an FYI help after all.
USEFUL = re.compile(r"\b(?:useful|helpful|helped|helps|invaluable|exactly what I needed|just what I needed)\b", re.I)
# A promise to hand the reader something: "I'll get you the rates", "we will send it to you".
PROMISED_TO_READER = re.compile(r"\b(?:i|we)(?:'ll| will|'m going to| am going to) (?:\w+ )?(?:get|send|forward|fax|e-?mail|"
                                r"give|pull|find) (?:you|it to you|them to you|that to you)\b", re.I)
# A task asked of the reader ("Would you please mail this form", "Please order two monitors for Sam"),
# not an answer or a decision ("please let me know", "could you confirm").
TASK_ASKED = re.compile(r"(?:^\W*(?:\w+,\s+)?(?:please|pls|kindly)|\b(?:would|could|can|will) (?:you|u)(?: please| kindly)?) "
                        r"(?!(?:let|advise|confirm|tell|approve|answer|check|verify|review|look|comment|think|know|"
                        r"explain|clarify|be|have|give me a call|call me|help)\b)[a-z]+", re.I)
# "Go ahead and buy on that news": leave to go on, which only an ask makes a favor (not found unasked).
GO_AHEAD = re.compile(r"^\W*(?:\w+,\s+)?(?:ok,?\s+|sure,?\s+)?go ahead\b", re.I)
# The writer's own need beside a file ("Attached is the draw request, I will need these funds
# immediately"): the file asks for something, it helps no one.
WRITER_NEEDS = re.compile(r"\b(?:i|we)(?:'ll| will| would|'d| still| really| urgently)* need (?!to (?:know|let|tell|thank)\b)", re.I)
# "Just let me know your preference.", "Let me know if you need more": asks only to hear back.
# ("Let me know what you think" asks for a review: what was sent is the writer's own work.)
LET_ME_KNOW = re.compile(r"^\W*(?:\w+,\s+)?(?:just |so |please |pls )*(?:let (?:me|us) know|advise)\b"
                         r"(?![^.!?]*\b(?:think|thoughts|comments?|opinions?|feedback|review)\b)", re.I)
# What is handed over is answers: "here is our reply to the pricing question".
ANSWERS_SENT = re.compile(r"\b(?:(?:answers?|responses?|repl(?:y|ies)) to|address(?:ing)?|answer(?:ing)?) (?:the |your |these |"
                          r"those |his |her |their |our |my )?(?:\w+ )?(?:questions?|queries|inquiry|inquiries)\b", re.I)
# What is handed over is the writer's review: "my comments are below", "here is my markup".
COMMENTS_SENT = re.compile(r"\b(?:my|our) (?:\w+ )?(?:comments|edits|mark-?ups?|suggestions|feedback|revisions|thoughts|"
                           r"suggested changes|proposed changes|notes on)\b", re.I)
# A thing named, then what was done to it: "Contract No. 58120447 has been changed to 03/01/2001."
DONE_TO_IT = re.compile(r"^\W*(?:\w+,\s+)?(?:the |your |this |that |these |those |all )?[\w#./-]+(?: [\w#./-]+){0,4} (?:has|have) "
                        r"(?:now |just |already )?been (?:changed|fixed|updated|corrected|entered|processed|approved|resolved|"
                        r"reversed|adjusted|set up|created|extended|re-?booked|booked|moved|transferred|activated|loaded|"
                        r"refunded|credited(?! with)|unlocked|granted|completed|finished|handled|paid|cleared|removed|"
                        r"added|deleted|signed|submitted|released|taken care of)\b", re.I)
# Not done: "should have been booked", "Neither you nor Nick have been removed".
MODAL_HAVE = re.compile(r"\b(?:should|would|could|must|might|may|will|to)(?: not)? have been\b|"
                        r"\b(?:not|never|neither|nor|nobody|nothing)\b|n't\b", re.I)
# "here's that info sheet we discussed", "Per your request": one person's ask, made in person (not
# a mailing's "in response to your requests").
ASKED_IN_PERSON = re.compile(r"\b(?:we (?:discussed|talked about|spoke about)|as (?:we )?discussed|(?:per|as per|following|after) "
                             r"our (?:conversation|discussion|call|talk|meeting)|per your request\b(?!s))", re.I)
# A conversation titled with a greeting ("Hi", "Long Time...", "What's up?") is a catch-up: what is said
# in it is news and opinions between friends, not answers or advice (files and numbers handed over
# still count).
GREETING_SUBJECT = re.compile(r"^\W*(?:(?:re|fw|fwd)\s*:\s*)*(?:hi+|hey+|hello|howdy|hola|yo|greetings|good morning|"
                              r"hi there|hey there|what'?s up|how are (?:you|ya|things)|how'?s it going|"
                              r"long time(?: no (?:see|talk|hear|speak))?|catching up|catch up|checking in|miss (?:you|ya)|"
                              # A holiday's or a birthday's greeting: "Happy St Paddy's Day", "Merry Christmas!"
                              r"happy [\w'. ]{0,25}?(?:day|year|holidays?|birthday|thanksgiving|easter|halloween|hanukkah)|"
                              r"merry (?:christmas|x-?mas)|season'?s greetings)\W*$", re.I)
# Help found without an ask of its own: the same day as other help from the same helper to the same
# person in the thread, it is a follow-up of that help ("Here is also the '01 budget."), one event.
UNASKED = ("document sent", "done for the reader", "contact details sent")
# Thanks that name what was done ("thanks for the intro", "Good point."): evidence enough alone.
NAMING_THANKS = ("thanks for something", "acknowledges a suggestion")
KIND_OF_ACT = {"delivery": "document", "introduction": "introduction", "referral": "referral",
               "advice": "advice", "favor": "favor", "statement": "answer", "confirmation": "answer"}


@dataclass
class Msg:
    id: str
    message_id: str
    date: str
    t: float
    sender: str
    to: list[str]
    cc: list[str]
    automated: bool
    subject: str
    quoted_from: str = ""
    quoted_subject: str = ""
    acts: list[Act] = field(default_factory=list)
    quoted: list[Act] = field(default_factory=list)
    # A person's other addresses are read as their main one (the user's own addresses as the user's);
    # this maps each back to the address as this message's headers have it.
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def recipients(self) -> set[str]:
        return (set(self.to) | set(self.cc)) - {self.sender}

    def has(self, act: str, min_conf: float = 0.5) -> list[Act]:
        return [a for a in self.acts if a.act == act and a.confidence >= min_conf]


def _best_help(m: Msg) -> tuple[str, Act] | None:
    """The main help act of a message and its kind: document > introduction > referral > favor > advice > answer."""
    order = ["delivery", "introduction", "referral", "favor", "advice", "statement", "confirmation"]
    helps = [a for a in m.acts if a.act in HELP_ACTS and a.confidence >= 0.5]
    if not helps:
        return None
    # "Sorry, we can't take this one on": a message that says no gives nothing, unless it hands something over.
    if any(a.act == "decline" for a in m.acts) and not any(a.act in ("delivery", "introduction", "referral") for a in helps):
        return None
    if any(MISDIRECTED.search(a.sentence) for a in m.acts):
        return None
    # A message whose only "giving" is questions back, chat or a promise gives nothing yet.
    for act in order:
        found = [a for a in helps if a.act == act]
        if found:
            # Prefer a concrete sentence over "Done."-style fillers as evidence.
            best = max(found, key=lambda a: (a.confidence, len(a.sentence.split()) >= 4, -a.position))
            # Its main act reports the help still under way: the rest of the message is its context.
            return None if UNDER_WAY.search(best.sentence) else (KIND_OF_ACT[act], best)
    return None


STOPWORDS = frozenset("""about above after again against all also and any are because been before being below
between both but can could did does doing down during each few for from further had has have having here
how into just more most much need needs not now off once only other our out over own same should some such
than that the their them then there these they this those through too under until very was were what when
where which while who whom why will with would you your yours know let please thanks thank think want like
get got going make sure send sent today tomorrow yesterday week next last time day email mail message
call give take see look still well good great okay really something anything everything someone""".split())


# Three-letter words that carry no topic; any other three-letter word may ("fax", "tax", "gas", "bid").
SHORT_STOPWORDS = frozenset("""the and for are but not you all any can had her was one our out day get has him his
how man new now old see two way who did its let put say she too use yes yet may got ask own off lot per via
try big few far end set why hey bye ago due ill etc let lol non pre sir ten six one two guy way """.split())


def _content_words(text: str) -> set[str]:
    """Words that carry the topic: not function words, for matching an answer to its ask."""
    return {w for w in re.findall(r"[a-z][a-z0-9]{2,}", text.lower())
            if w not in STOPWORDS and w not in SHORT_STOPWORDS}


def _name_tokens(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{2,}", text.lower()))


def _is_named(who: set[str], address: str) -> bool:
    """Whether a quoted header's name tokens name this address ("Andrea R Guillen @ ECT" and
    andrea.guillen@...)."""
    local = _name_tokens(address.split("@")[0])
    return bool(who and local and len(who & local) >= min(2, len(local)))


def quoted_asker(m: Msg) -> str | None:
    """The recipient whose quoted message this one replies to (the quoted header names them)."""
    who = _name_tokens(m.quoted_from)
    if _is_named(who, m.sender):
        return None  # quoting one's own earlier message
    if len(m.to) == 1:
        # Sent to one person, quoting someone else's message: a forward with a comment, whose
        # quoted asks were made by a third person, not by the reader; unless that message itself
        # passed an ask on ("FW: ..."), which may well have been the reader's.
        return None if who and not _is_named(who, m.to[0]) and not RELAYED.match(m.quoted_subject) else m.to[0]
    return next((a for a in m.to + m.cc if _is_named(who, a)), None)


def infer_thread(msgs: list[Msg], min_confidence: float = 0.5) -> list[dict]:
    """Help events of one thread (messages in date order); those under `min_confidence` are returned
    too, but are not taken as help already given."""
    events: dict[tuple[str, str, str], dict] = {}
    open_requests: list[dict] = []
    last_event: dict[tuple[str, str], tuple[float, int, str]] = {}
    seen_people: set[str] = set()
    when = {m.id: m.t for m in msgs}

    def helped_lately(helper: str, helped: str, t: float, days: int) -> bool:
        """Whether an event so far has `helper` helping `helped` at a message less than `days` before `t`."""
        return any(e["helper"] == helper and e["helped"] == helped and t - when[e["message"]] < days * 86400
                   and e["confidence"] >= min_confidence for e in events.values())

    def open_request(m: Msg, asker: str, addressees: set[str], conf: float, asked: list[Act], **more):
        """An ask now open, made by `asked` (its words are its topic), for a later message to resolve."""
        text = " ".join(a.sentence for a in asked)
        open_requests.append({"asker": asker, "addressees": addressees, "t": m.t, "msg": m, "conf": conf,
                              "resolved_by": {}, "review": False, "asked": text, "topic": _content_words(text), **more})

    def add(m: Msg, helper: str, helped: str, kind: str, evidence: str, conf: float, how: str, asked=None):
        if not helper or not helped or helper == helped or LIST_ADDRESS.match(helper) or LIST_ADDRESS.match(helped):
            return  # a mailing list is nobody: thanks sent to "dl-all-staff@" thank no one person
        key = (m.id, helper, helped)
        if kind == "document" and ANSWERS_SENT.search(evidence):
            kind = "answer"  # "Attached are the answers to your questions": answers, in a file
        elif kind == "document" and COMMENTS_SENT.search(evidence):
            kind = "advice"  # "My comments are below", "Here is my markup": a review, handed over
        # A same-day follow-up by the same helper on the same request is the same event.
        prev = last_event.get((helper, helped))
        if prev and m.t - prev[0] < 86400 and (how == "reply to request" and prev[1] == id(asked)
                                               or how in UNASKED and prev[2] != "thanks for help"):
            return
        if key not in events or events[key]["confidence"] < conf:
            events[key] = {"message": m.id, "message_id": m.message_id, "occurred_at": m.date, "helper": helper,
                           "helped": helped, "kind": kind, "evidence": evidence[:200] or None,
                           "confidence": round(conf, 2), "found_by": how,
                           "request_message": asked["msg"].id if asked else None}
            last_event[(helper, helped)] = (m.t, id(asked), how)

    for i, m in enumerate(msgs):
        S = m.sender
        R = m.recipients
        if m.automated or not S:
            seen_people |= R | {S}
            continue
        parent = None
        for p in reversed(msgs[:i]):
            if p.sender and p.sender != S and p.sender in R and not p.automated:
                parent = p
                break
        # "Thanks anyway ... I eventually tracked it down": the reply thanked gave nothing after all.
        if parent is not None and any(a.act == "decline" and THANKS_ANYWAY.search(a.sentence) for a in m.acts):
            events.pop((parent.id, parent.sender, S), None)
        broadcast = len(R) >= BROADCAST or any(LIST_ADDRESS.match(a) for a in R)
        best = _best_help(m)
        requests = [a for a in m.acts if a.act in ("request", "question") and a.confidence >= 0.6]
        gratitude = [a for a in m.acts if a.act == "gratitude" and a.confidence >= 0.5]
        resolved = False

        # 0. A reply whose quoted original (not in the mailbox) asked something. A reminder quoting the
        # sender's own earlier message in the thread (its asks are that message's) asks nothing new.
        asks = [a for a in m.quoted if a.confidence >= 0.6]
        if best is not None and asks:
            said_before = {a.sentence for p in msgs[:i] if p.sender == S for a in p.acts}
            asker = None if all(a.sentence in said_before for a in asks) else quoted_asker(m)
            if asker and asker != S and not any(r["asker"] == asker and m.t - r["t"] < 86400 * REQUEST_WINDOW_DAYS
                                                for r in open_requests):
                open_request(m, asker, {S}, max(a.confidence for a in asks) * 0.95, asks,
                             review=any(REVIEW_ASK.search(a.sentence) for a in asks))

        if best is not None and best[0] in ("answer", "advice", "referral") and GREETING_SUBJECT.match(m.subject):
            best = None
        quoted_here = {a.sentence for a in m.quoted}
        given = _content_words(" ".join(a.sentence for a in m.acts if a.act in HELP_ACTS))
        # A message whose only "help" is a plain statement gives nothing when the rest of it says why:
        if best is not None and best[1].act == "statement" and (
                # two sentences of small talk or more (three beside one that says it answers, "To your
                # questions:"): chat, not an answer;
                sum(a.act == "chat" for a in m.acts) >= (3 if best[1].confidence >= 0.9 else 2)
                # "I need to check on this.", "I will try and dig up whatever info I can find", "I do not
                # know the answer offhand": it puts the answer off, whatever else it says in passing (not
                # "I need to check on this one" beside one row of a table sent);
                or any(PUT_OFF.search(a.sentence) for a in m.acts)
                # "Thank you for taking care of all the travel arrangements. I look forward to meeting you
                # tomorrow.": a thank-you note, its plain statements said around the thanks;
                or any(a.act == "gratitude" and a.cue == "thanks for something" for a in m.acts)
                # "Just curious...I was out yesterday. Who is nominating this gas?": it asks outright and
                # says only something plain, on no open ask's topic, so it asks back rather than answers.
                or (best[1].confidence <= 0.5 and any(a.act == "request" and a.confidence >= 0.85 for a in m.acts)
                    and not any(given & r["topic"] for r in open_requests if r["asker"] in R))):
            best = None
        # 1. A reply that gives something to someone whose request is open.
        if best is not None:
            for r in reversed(open_requests):
                if r["asker"] == S or r["asker"] not in R or r["resolved_by"].get(S):
                    continue
                # Someone the ask did not go to answers it only by writing back to the asker alone, on
                # topic, with the ask quoted: the help desk behind a shared address, a colleague it was
                # passed to.
                if r["addressees"] and S not in r["addressees"] and len(r["addressees"]) < BROADCAST and not (
                        m.to == [r["asker"]] and given & r["topic"] and quoted_here & {a.sentence for a in r["msg"].acts}):
                    continue
                if m.t - r["t"] > REQUEST_WINDOW_DAYS * 86400:
                    continue
                # The asker only copied on a broadcast, or on a reply addressed to one other person:
                # the help is not for them.
                if r["asker"] not in m.to and (broadcast or len(m.to) == 1):
                    continue
                kind, act = best
                # The asker helped this sender in the last three days: a question back in that help
                # asks for detail, and what answers it is the sender's side of the same exchange, not
                # help returned. (Any earlier help in the thread: one match more on the dev set, but
                # it would silence real help given back weeks later.)
                if kind in ("answer", "advice") and helped_lately(r["asker"], S, r["t"], 3):
                    continue
                if ACCEPTS.search(act.sentence) and len(act.sentence.split()) <= 15 and not (
                        DECISION_ASK.search(r["asked"]) or OPINION_ASK.search(r["asked"])):
                    continue  # a plan taken up, not a decision given
                if act.act == "confirmation" and (r["conf"] < 0.8 or r.get("task")):
                    # "OK" answers only an explicit question or request; to a task asked of the reader
                    # ("Would you mail this form for me?") it accepts the task, done or not.
                    continue
                # "Looks good." to "Is this OK?", or to "Please take a look": the decision asked for, not
                # advice, unless the reply goes on to comment.
                verdict = VERDICT.match(act.sentence) and not any(
                    a.act == "advice" and a.confidence >= 0.5 and not VERDICT.match(a.sentence) for a in m.acts)
                if verdict and kind in ("advice", "answer"):
                    kind = "answer"
                elif r["review"] and kind in ("document", "answer"):
                    kind = "advice"  # what was asked for is an opinion on the asker's work
                elif kind == "advice" and r.get("fact"):
                    kind = "answer"  # a question of fact answered with an opinion's words
                # An introduction needs someone new in the conversation.
                if kind == "introduction" and act.cue != "someone's contact details" and not (R - seen_people - {r["asker"]}):
                    alt = [a for a in m.acts if a.act in ("delivery", "favor", "advice", "statement") and a.confidence >= 0.5]
                    kind, act = ("answer", alt[0]) if alt else (kind, act)
                conf = min(0.95, 0.45 + 0.5 * act.confidence * r["conf"] + (0.1 if kind != "answer" else 0))
                on_topic = bool(given & r["topic"])
                if on_topic:
                    conf = min(0.95, conf + 0.1)
                elif kind == "answer" and r["conf"] < 0.85 and act.confidence < 0.6:
                    conf = min(conf, 0.45)  # a loose statement after a loose ask: too weak alone
                # The ask quoted here passed on someone else's ("Do you know the answer to the tax question?"
                # relaying Chris's): when that someone's own ask reached the relayer and this answer goes to
                # them too, they are the one helped.
                helped = r["asker"]
                if r["msg"] is m:
                    helped = next((o["asker"] for o in reversed(open_requests) if o is not r and o["asker"] in m.to
                                   and o["asker"] != S and r["asker"] in o["addressees"]
                                   and m.t - o["t"] <= REQUEST_WINDOW_DAYS * 86400), helped)
                add(m, S, helped, kind, act.sentence, conf, "reply to request" + (", on topic" if on_topic else ""), r)
                r["resolved_by"][S] = m.id
                resolved = True
                break

        # 2. Help that says it answers an earlier ask, or a file sent to one person. An answer to one
        # person's ask stays help however many are copied ("Per our call, attached is ..." To: one).
        solicited = [a for a in m.acts if a.cue == "answers an earlier ask"]
        # "As you asked in March, the meters were moved to the new contract. Please look into why they
        # still bill.": the message asks outright; what it says was asked for earlier is its background,
        # not something handed over. (A closing "Let me know if you need anything else" is an offer: the
        # message still delivers.)
        if solicited and all(a.act != "delivery" for a in solicited) \
                and any(a.act == "request" and a.confidence >= 0.85 for a in m.acts):
            solicited = []
        if not resolved and best is not None and (not broadcast or (solicited and len(m.to) == 1)) and m.to:
            kind, act = best
            # "Contract No. 58120447 has been changed to 03/01/2001.", written to one person: done for them.
            # (Also when a weaker "giving" in the same message ranks first: "The following pricing has been
            # completed for the deal.")
            done = next((a for a in m.acts if a.act == "favor" and a.confidence >= 0.7 and (
                DONE_TO_IT.match(a.sentence) or ARRANGED_FOR.match(a.sentence)) and not MODAL_HAVE.search(a.sentence)), None)
            if kind == "document" and act.confidence < 0.75 and done is not None:
                kind, act = "favor", done
            for_reader = act.cue == "done for the reader" or act is done
            writer_needs = any(WRITER_NEEDS.search(a.sentence) for a in m.acts)
            target = m.to[0] if len(m.to) == 1 else None
            if parent is not None and parent.sender in m.to:
                target = parent.sender
            # A reply to the reader's own message, within three days of it: what it gives is for the reader.
            replying = parent is not None and parent.sender == target and m.t - parent.t < 3 * 86400
            # A reply ("Re:") to one person, whose message the mailbox may lack, not beside a need of the writer's.
            reply_to_one = bool(target) and m.subject.lower().startswith("re") and len(m.to) == 1 and not writer_needs
            # "I strongly recommend that you make no comment to reporters.": advice offered outright, to the
            # reader, unasked ("Eric, ..." names which reader).
            unasked_advice = next((a for a in m.acts if a.act == "advice" and EXPLICIT_ADVICE.search(a.sentence)), None)
            named = None
            if unasked_advice is not None and len(m.to) <= 3:
                first = unasked_advice.sentence.split(",")[0].strip().lower()
                named = next((r for r in m.to if first.isalpha() and first == re.split(r"[._-]", r.split("@")[0])[0]), None)
            if target and solicited:
                add(m, S, target, kind, solicited[0].sentence, 0.8,
                    "delivery answering an earlier ask")
                resolved = True
            elif target and (kind == "document" and (act.confidence >= 0.75 or replying) or act.cue == "someone's contact details") \
                    and act.cue not in ("passing on", "for review") \
                    and not [a for a in requests if a.sentence != act.sentence and not LET_ME_KNOW.match(a.sentence)] \
                    and not writer_needs \
                    and not m.subject.lower().startswith(("fw", "fwd")):
                add(m, S, target, kind, act.sentence, 0.55,
                    "contact details sent" if act.cue == "someone's contact details" else "document sent")
                resolved = True
            elif reply_to_one and not requests and kind in ("advice", "answer") and LOOKS_RIGHT.match(act.sentence):
                # "Looks good." in a reply to one person whose message the mailbox lacks: the approval
                # they asked for.
                add(m, S, target, "answer", act.sentence, 0.55, "verdict in a reply")
                resolved = True
            elif reply_to_one and kind == "introduction" and act.cue == "connecting people" and POINTED_TO.search(act.sentence):
                add(m, S, target, "introduction", act.sentence, 0.55, "introduction in a reply")
                resolved = True
            elif (target or named) and unasked_advice and not requests and not writer_needs:
                add(m, S, target or named, "advice", unasked_advice.sentence, 0.55, "advice given unasked")
                resolved = True
            elif target and kind == "favor" and act.confidence >= 0.7 and not helped_lately(S, target, m.t, 3) and not [
                    a for a in requests if a.position <= act.position or not for_reader] and (for_reader or replying) \
                    and not GO_AHEAD.match(act.sentence):
                add(m, S, target, kind, act.sentence, 0.55, "done for the reader")
                resolved = True

        # 3. Thanks: the thanked person helped the thanker.
        if gratitude:
            g = max(gratitude, key=lambda a: a.confidence)
            # "Thanks for your help" closing a message that hands out new work is politeness.
            hands_work = any(a.act == "request" and a.confidence >= 0.7 for a in m.acts)
            # So is a plain "Thanks" under one's own help ("Done. Thanks."): it thanks for the asking.
            if not ((hands_work or resolved or broadcast) and g.confidence < 0.9):
                thanked = None
                if parent is not None and parent.sender in m.to:
                    thanked = parent.sender
                elif len(m.to) == 1:
                    thanked = m.to[0]
                if thanked and thanked != S:
                    # Thanks within a week of help from the thanked person thank for that help; later
                    # thanks name new help (a call, a meeting) given outside email.
                    done_before = helped_lately(thanked, S, m.t, 7)
                    named = thanks_kind(g.sentence)
                    pbest = _best_help(parent) if parent is not None and parent.sender == thanked else None
                    # Thanks for an announcement to many ("Thank you for making wonderful things happen")
                    # show no help unless they say it helped ("this is very useful").
                    to_many = pbest is not None and len(parent.recipients) >= BROADCAST and not USEFUL.search(g.sentence)
                    if done_before or to_many:
                        pass
                    elif pbest is not None and m.t - parent.t < 3 * 86400 and S in parent.recipients and not (
                            pbest[1].act == "statement" and g.cue in NAMING_THANKS and named == "favor"):
                        # (Unless the thanks name a favor, "Thanks for the ride in this morning", and the
                        # thanked message only says things: the help happened outside email, shown here.)
                        # The thanked message is the help: one event, at that message.
                        kind = pbest[0] if g.cue not in NAMING_THANKS or named == "favor" else named
                        add(parent, thanked, S, kind, pbest[1].sentence, min(0.9, 0.45 + 0.4 * g.confidence),
                            "thanked afterwards")
                    elif g.cue in NAMING_THANKS:
                        add(m, thanked, S, named, g.sentence, 0.75, "thanks for help")
                    elif g.cue == "thanks for help in general" and len(m.acts) <= 3:
                        if m.quoted_from and not _is_named(_name_tokens(m.quoted_from), thanked) \
                                and not any(p.sender == thanked for p in msgs[:i]):
                            # Someone's message passed on to a new person with "Thanks for your help.": thanks
                            # ahead, for the help it asks (a note of its own may thank for a call).
                            if not requests:
                                open_request(m, S, {thanked}, 0.7, m.quoted)
                        else:
                            add(m, thanked, S, named, g.sentence, 0.55, "thanks for help")

        # 4. Requests this message opens; a promise to get the reader something ("I'll get you the
        # rates by Friday") stands for the reader's ask, made by phone or in passing.
        promised = [a for a in m.acts if a.act == "promise" and PROMISED_TO_READER.search(a.sentence)]
        if promised and len(m.to) == 1 and not broadcast and not requests:
            open_request(m, m.to[0], {S}, 0.7, promised)
        if requests:
            open_request(m, S, R, max(a.confidence for a in requests), requests,
                         task=any(TASK_ASKED.search(a.sentence) for a in requests),
                         review=any(REVIEW_ASK.search(a.sentence) for a in requests),
                         fact=any(a.act == "question" for a in requests) and not any(
                             REVIEW_ASK.search(a.sentence) or OPINION_ASK.search(a.sentence) for a in requests))
        seen_people |= R | {S}
    # Helper and helped as the evidence message's headers name them.
    by_id = {m.id: m for m in msgs}
    for e in events.values():
        headers = by_id[e["message"]].headers
        e["helper"] = headers.get(e["helper"], e["helper"])
        e["helped"] = headers.get(e["helped"], e["helped"])
    return list(events.values())


def event_id(message: str, helper: str, helped: str) -> str:
    return hashlib.blake2b(f"{message}\0{helper}\0{helped}".encode(), digest_size=10).hexdigest()


# --- the database side -------------------------------------------------------------------------

def update_acts(db, message_ids: list[str] | None, reread: bool = False) -> int:
    """Read acts, from the stored own text, for messages whose acts were not read on arrival (the
    importer reads them from the full text before the privacy setting trims it). `message_ids` None
    means all messages; `reread` reads again those that already have acts, which only makes sense
    when whole bodies are kept. Returns messages classified."""
    where = "" if reread else " and not coalesce(acts_read, 0)"
    cols = "id, own_text, attachment_count, is_automated, quoted_text"
    if message_ids is None:
        ids = [r[0] for r in db.execute(f"select id from messages where 1{where}")]
    else:
        ids = []
        for chunk in chunks(message_ids):
            marks = ",".join("?" * len(chunk))
            ids += [r[0] for r in db.execute(f"select id from messages where id in ({marks}){where}", chunk)]
    for chunk in chunks(ids):
        marks = ",".join("?" * len(chunk))
        db.execute(f"delete from message_acts where message in ({marks})", chunk)
        rows = db.execute(f"select {cols} from messages where id in ({marks})", chunk).fetchall()
        store_acts(db, [(mid, [] if automated else act_rows(own, attachments or 0, quoted))
                        for mid, own, attachments, automated, quoted in rows])
    return len(ids)


def main_addresses(db) -> dict[str, str]:
    """Each address of a person known by several (the user's own, merged contacts) -> their main one."""
    return dict(db.execute("select a.address, c.email from contact_addresses a join contacts c on c.id = a.contact_id "
                           "where c.addresses > 1 and a.address != c.email").fetchall())


def load_threads(db, thread_ids: list[str] | None, main: dict[str, str] | None = None) -> dict[str, list[Msg]]:
    """Messages of the given threads (None: all) with their addresses and acts; addresses in `main`
    are read as the main address of their person (`main_addresses`)."""
    main = main or {}
    cols = "id, message_id, date, from_address, is_automated, subject, thread_id, quoted_from, quoted_subject"
    if thread_ids is None:
        rows = list(db.execute(f"select {cols} from messages where thread_id is not null"))
    else:
        rows = []
        for chunk in chunks(thread_ids):
            marks = ",".join("?" * len(chunk))
            rows.extend(db.execute(f"select {cols} from messages where thread_id in ({marks})", chunk))
    msgs: dict[str, Msg] = {}
    thread_of: dict[str, str] = {}
    for mid, header_id, date, sender, automated, subject, tid, quoted_from, quoted_subject in rows:
        sender = (sender or "").lower()
        m = msgs[mid] = Msg(mid, header_id, date or "", parse_time(date) or 0.0, main.get(sender, sender), [], [],
                            bool(automated), subject or "", quoted_from or "", quoted_subject or "")
        if sender in main:
            m.headers[main[sender]] = sender
        thread_of[mid] = tid
    ids = list(msgs)
    for chunk in ([None] if thread_ids is None else chunks(ids)):
        if chunk is None:
            addr_rows = db.execute("select message, kind, address from message_addresses where kind in ('to', 'cc')")
            found = db.execute("select message, position, act, sentence, confidence, cue from message_acts")
        else:
            marks = ",".join("?" * len(chunk))
            addr_rows = db.execute(f"select message, kind, address from message_addresses "
                                   f"where kind in ('to', 'cc') and message in ({marks})", chunk)
            found = db.execute(f"select message, position, act, sentence, confidence, cue from message_acts "
                                  f"where message in ({marks})", chunk)
        for mid, kind, addr in addr_rows:
            m = msgs.get(mid)
            if m is not None:
                addr = addr.lower()
                if addr in main:
                    m.headers.setdefault(main[addr], addr)
                    addr = main[addr]
                (m.to if kind == "to" else m.cc).append(addr)
        for mid, pos, act, sentence, conf, cue in found:
            m = msgs.get(mid)
            if m is not None:
                (m.acts if pos >= 0 else m.quoted).append(Act(act, sentence or "", conf, cue, pos))
    threads: dict[str, list[Msg]] = defaultdict(list)
    for mid, m in msgs.items():
        m.to = sorted(set(m.to))  # a person named twice, under two of their addresses, counts once
        m.cc = sorted(set(m.cc) - set(m.to))
        m.acts.sort(key=lambda a: (a.position, a.act))
        threads[thread_of[mid]].append(m)
    mine = {main.get(a, a) for (a,) in db.execute("select address from identities")}
    for members in threads.values():
        members.sort(key=lambda m: (m.date, m.id))
        if mine:
            _fill_in_hidden_recipients(members, mine)
    return threads


def _fill_in_hidden_recipients(members: list[Msg], mine: set[str]) -> None:
    """A message that names no recipient in a conversation went somewhere: an answer to the user that
    reached the mailbox went to the user (by Bcc, or an "undisclosed recipients" list), as did one that
    says it gives what was asked for ("here's that info sheet we discussed"), and the user's
    own went to the person whose message it quotes, or back to whoever wrote last in the thread (a
    sent copy whose To line was lost). A recipient-less message no one asked for (an announcement to
    a hidden list) stays addressed to no one."""
    for i, m in enumerate(members):
        if m.to or m.cc or not m.sender:
            continue
        if m.sender not in mine:
            asked = next((p.sender for p in reversed(members[:i]) if p.sender in mine and m.sender in p.recipients), None)
            if asked is None and len(mine) == 1 and any(a.cue == "answers an earlier ask" and ASKED_IN_PERSON.search(a.sentence)
                                                         for a in m.acts):
                asked = next(iter(mine))  # "Here's that info sheet we discussed": asked for by phone or in person
            if asked:
                m.to = [asked]
        else:
            # The one whose message it quotes, when the quoted header names one person of the thread
            # ("From: Andrea R Guillen @ ECT"); else whoever wrote last before it.
            who = _name_tokens(m.quoted_from)
            named = {a for p in members for a in (p.sender, *p.to, *p.cc)
                     if a and a != m.sender and a not in mine and _is_named(who, a)} if who else set()
            earlier = next((p.sender for p in reversed(members[:i]) if p.sender and p.sender not in mine), None)
            if len(named) == 1 or earlier:
                m.to = [named.pop() if len(named) == 1 else earlier]


THREADS_AT_A_TIME = 500  # 2000 at a time held 11 MB more on a 25,000-message sync, for no speed


@functools.lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """A hash of the code that reads acts and infers events (acts.py and this module): it changes with
    every change of the rules, so a ledger stored under older rules is known to be stale."""
    here = Path(__file__)
    return hashlib.sha256(here.with_name("acts.py").read_bytes() + here.read_bytes()).hexdigest()[:16]


def rules_changed(db) -> bool:
    """Whether the stored acts and events were computed by other rules than the running code's."""
    row = db.execute("select fingerprint from inference_rules where id = 1").fetchone()
    return row is None or row[0] != rules_fingerprint()


def record_rules(db) -> None:
    db.execute("insert or replace into inference_rules (id, fingerprint) values (1, ?)", [rules_fingerprint()])


def update_help_events(db, new_ids: list[str] | None, min_confidence: float = 0.5, reread_acts: bool = False
                       ) -> int:
    """Recompute help events of the threads new messages touch (None: all), reading acts first where
    they were not read on arrival (all again with `reread_acts`). Returns events written."""
    update_acts(db, new_ids, reread=reread_acts)
    if new_ids is None:
        db.execute("delete from help_events")
        # Every thread, as the index yields them: a first sync lists no thread ids of the whole mailbox.
        thread_ids = (r[0] for r in db.execute("select distinct thread_id from messages where thread_id is not null"))
    else:
        thread_ids = iter(sorted(threads_of(db, new_ids)))
    written = 0
    main = main_addresses(db)
    # Threads are independent: read a few hundred at a time, so memory does not grow with the mailbox.
    while part := list(islice(thread_ids, THREADS_AT_A_TIME)):
        threads = load_threads(db, part, main)
        if new_ids is not None:
            for chunk in chunks(part):
                db.execute(f"delete from help_events where thread_id in ({','.join('?' * len(chunk))})", chunk)
            # Messages that moved out of a merged thread carry their events with them.
            moved = [m.id for ms in threads.values() for m in ms]
            for chunk in chunks(moved):
                db.execute(f"delete from help_events where message in ({','.join('?' * len(chunk))})", chunk)
        rows = []
        for tid, msgs in threads.items():
            for e in infer_thread(msgs, min_confidence):
                if e["confidence"] < min_confidence:
                    continue
                e["thread_id"] = tid
                e["id"] = event_id(e["message"], e["helper"], e["helped"])
                rows.append(e)
        if rows:
            insert_or_replace(db, "help_events", rows)
        written += len(rows)
    return written


def find_message(db, key: str) -> str | None:
    """A stored message's id from its id, its Message-ID (with or without <>) or an id prefix."""
    key = key.strip()
    for candidate in (key, key.strip("<>"), f"<{key.strip('<>')}>"):
        row = db.execute("select id from messages where id = ? or message_id = ?", (candidate, candidate)).fetchone()
        if row:
            return row[0]
    if len(key) >= 6:
        rows = db.execute("select id from messages where id like ? limit 2", (key + "%",)).fetchall()
        if len(rows) == 1:
            return rows[0][0]
    return None


def explain(db, message: str) -> dict:
    """What goldenrule read in one message, and the help events found in its thread."""
    info = next(db.query("select id, message_id, date, from_address as [from], subject, thread_id, "
                         "is_automated as automated, category, quoted_from from messages where id = ?", [message]))
    for kind in ("to", "cc"):
        info[kind] = [r["address"] for r in db.query(
            "select address from message_addresses where message = ? and kind = ? order by address", [message, kind])]
    acts = list(db.query("select part, position, act, sentence, confidence, cue from message_acts where message = ? "
                         "order by part desc, abs(position), act", [message]))
    events = list(db.query("select helper, helped, kind, occurred_at, evidence, confidence, found_by, message, "
                           "request_message from help_events where thread_id = ? order by occurred_at, helper",
                           [info["thread_id"]]))
    for e in events:
        e["this_message"] = e["message"] == message
    thread = list(db.query("select id, date, from_address as [from], subject from messages where thread_id = ? "
                           "order by date, id", [info["thread_id"]]))
    return {"message": info, "acts": acts, "thread": thread, "events": events}
