import pytest

from daemon.own_text import split_own_text

CASES = {
    "outlook": (
        "Sounds good, I will send it tomorrow.\n\n -----Original Message-----\nFrom: \tSinger, John  \n"
        "Sent:\tWednesday, September 27, 2000 8:38 AM\nTo:\tGermany, Chris\nSubject:\tOct EOG & PNG\n\n"
        "Can you send me the volumes?\n",
        "Sounds good, I will send it tomorrow.",
        {"from": "Singer, John", "date": "Wednesday, September 27, 2000 8:38 AM", "to": "Germany, Chris",
         "subject": "Oct EOG & PNG"},
    ),
    "lotus_forward": (
        "Here you go.\n---------------------- Forwarded by Chris Germany/HOU/ECT on 09/27/2000 03:20 \n"
        "PM ---------------------------\n\n\nJohn M Singer@ENRON\n09/27/2000 08:38 AM\n"
        "To: Chris Germany/HOU/ECT@ECT\ncc:  \nSubject: Oct EOG & PNG\n\nVolumes for October:\n",
        "Here you go.",
        {"from": "John M Singer@ENRON", "date": "09/27/2000 08:38 AM", "to": "Chris Germany/HOU/ECT@ECT",
         "cc": "", "subject": "Oct EOG & PNG"},
    ),
    "lotus_reply_block": (
        "The price is 4.25 at the citygate.\n\n\n\n\ndkinney@columbiaenergygroup.com on 03/16/2000 10:53:20 AM\n"
        "To: steve.gillespie@enron.com\ncc: Chris Germany/HOU/ECT@ECT\nSubject: NIPSCO Choice\n\n"
        "Can you please give us a price quote?\n",
        "The price is 4.25 at the citygate.",
        {"from": "dkinney@columbiaenergygroup.com", "date": "03/16/2000 10:53:20 AM",
         "to": "steve.gillespie@enron.com", "cc": "Chris Germany/HOU/ECT@ECT", "subject": "NIPSCO Choice"},
    ),
    "gmail_wrapped": (
        "Yes, Tuesday works.\n\nOn Mon, Nov 3, 2025 at 10:00 AM John Smith <john@example.com>\nwrote:\n"
        "> Can we meet?\n> Tuesday?\n",
        "Yes, Tuesday works.",
        {"from": "John Smith <john@example.com>"},
    ),
    "inline_gt": (
        "> What is the limit?\nThe limit is $5MM.\n> And the term?\nTwelve months.\n",
        "The limit is $5MM.\nTwelve months.",
        None,
    ),
    "signature": (
        "Attached is the revised ISDA.\n\nBest regards,\nAnn Smith\nCounsel\n",
        "Attached is the revised ISDA.",
        None,
    ),
    "eudora": (
        "Sounds right to me.\n\nAt 04:39 PM 07/31/2000 -0700, Louie, Stephanie wrote:\n>The rate is 5%.\n",
        "Sounds right to me.",
        {"from": "Louie, Stephanie"},
    ),
    "eudora_you_wrapped": (
        "Great, thanks.\nAt 6/16/2000 08:28 AM -0600,\nyou wrote:\n>Can you confirm the date?\n",
        "Great, thanks.",
        None,  # "you" names no one
    ),
    "lotus_two_columns": (
        "The 24th is good with me.\n\n\nSusan.Scott@e\nnron.com             To:     \"Caldwell, Charles\"\n"
        "<ccaldwell@velaw.com>\ncc:     dttran@duke-energy.com\n11/28/2000\n02:40 PM             Subject:     "
        "RE: 24th IAEE\n\n\nI am free for lunch on 12/4.\n",
        "The 24th is good with me.",
        {"from": "Susan.Scott@e", "cc": "dttran@duke-energy.com"},
    ),
    # Notes may leave blank lines between the sender and date and the "To:" line, and put "Sent by:"
    # (an assistant) or "Please respond to" among them: all of it is the quoted message's header.
    "lotus_blank_before_to": (
        "Sure, how about Thursday at 3:30?\n\n\n\nDana Reyes @ ACME   04/24/2001 07:28 AM\n\n"
        "To: Lee Park/HOU/ACME@ACME\ncc:  \nSubject: Shipping\n\nDo you have time this week?\n",
        "Sure, how about Thursday at 3:30?",
        {"date": "04/24/2001 07:28 AM", "from": "Dana Reyes @ ACME", "to": "Lee Park/HOU/ACME@ACME", "cc": "",
         "subject": "Shipping"},
    ),
    "lotus_sent_by": (
        "Sounds right to me.\n\n\n\nPat Moreno\n02/28/2001 05:32 PM\nSent by: Kim Ode\n"
        "To: Lee Park/HOU/ACME@ACME\ncc:  \nSubject: Dinner bill\n\nIs it $96?\n",
        "Sounds right to me.",
        {"from": "Pat Moreno", "date": "02/28/2001 05:32 PM", "to": "Lee Park/HOU/ACME@ACME", "cc": "",
         "subject": "Dinner bill"},
    ),
    "lotus_from_date_blanks": (
        "They were all fair trades.\n\n\nFrom:  Sam Ortiz                              \n10/13/2000 04:50 PM\t\n"
        "\t\n\t          \n\nPlease respond to sam@example.com\nTo: Lee Park/HOU/ACME@ACME\ncc: \n"
        "Subject: trades\n\nVote?\n",
        "They were all fair trades.",
        {"from": "Sam Ortiz", "date": "10/13/2000 04:50 PM", "to": "Lee Park/HOU/ACME@ACME", "cc": "",
         "subject": "trades"},
    ),
    # Notes' one-line form, with a year-first date.
    "lotus_one_line": (
        "Here it is.\n\n\n\n\tSam Ortiz 2001/01/16 05:07 \t  To: Lee Park/AP/Acme@Acme  cc:   Subject: Re: Budget memo\n"
        "\n\nCan you resend me the memo?\n",
        "Here it is.",
        {"date": "2001/01/16 05:07", "from": "Sam Ortiz", "to": "Lee Park/AP/Acme@Acme", "cc": "",
         "subject": "Re: Budget memo"},
    ),
    # A "To:" list that runs over many lines, indented or not, before "cc:" and "Subject:".
    "lotus_long_recipient_list": (
        "Monday at 5 works for him.\n\nThanks.\n\n\n\"Ortiz, Sam\" <sam@uni.example> on 11/02/2000 10:51:36 AM\n\n"
        "To:   \"'ann@a.example'\" <ann@a.example>, \"'bo@b.example'\" <bo@b.example>,\n"
        "      \"'cy@c.example'\" <cy@c.example>, \"'di@d.example'\"\n      <di@d.example>, \"'ed@e.example'\"\n"
        "<ed@e.example>, \"'flo@f.example'\" <flo@f.example>,\n\"'gus@g.example'\" <gus@g.example>,\n"
        "\"'hal@h.example'\" <hal@h.example>\ncc:   \"'ivy@i.example'\" <ivy@i.example>,\n      <jo@j.example>\n"
        "Subject:  Panel\n\n\nAttached please find the revised summary. Which dates are good for you?\n",
        "Monday at 5 works for him.\n\nThanks.",
        {"from": '"Ortiz, Sam" <sam@uni.example>', "date": "11/02/2000 10:51:36 AM",
         "to": "\"'ann@a.example'\" <ann@a.example>, \"'bo@b.example'\" <bo@b.example>,",
         "cc": "\"'ivy@i.example'\" <ivy@i.example>,", "subject": "Panel"},
    ),
    # A rule with no header fields after it: the quoted text's first line is no sender, the rule none.
    "outlook_rule_without_fields": (
        "Reminder: please answer by Friday.\n\n___________________________________________\n\nDear Ken,\n\n"
        "Please fill in the survey.\n",
        "Reminder: please answer by Friday.",
        None,
    ),
    # Yahoo! Mail's reply header, its dashes sometimes turned into a "?" by a lost non-breaking space.
    "yahoo": (
        "Yes, I have a fax at work: 82-31-555-0142.\n\nPat\n\n--- \"Lee, Dana\" <dana.lee@corp.example> wrote:\n"
        "Hey Pat,\n\nIs there a fax number at the base?\n",
        "Yes, I have a fax at work: 82-31-555-0142.\n\nPat",
        {"from": '"Lee, Dana" <dana.lee@corp.example>'},
    ),
    "yahoo_lost_dashes": (
        "Yes, I have a fax at work.\n\n? Dana.Lee@corp.example wrote: \nHey Pat,\n\nIs there a fax number?\n",
        "Yes, I have a fax at work.",
        {"from": "Dana.Lee@corp.example"},
    ),
    "question_mark_line_is_no_quote": ("Is this right?\n? Yes, the rate is 4.25.", "Is this right?\n? Yes, the rate is 4.25.", None),
    "plain": ("Just one line, nothing quoted.", "Just one line, nothing quoted.", None),
    "at_is_not_a_quote": ("At 5 I will call you.\nAt the meeting we agreed on 4.25.",
                          "At 5 I will call you.\nAt the meeting we agreed on 4.25.", None),
}


@pytest.mark.parametrize("name", CASES)
def test_own_text(name):
    text, own, header = CASES[name]
    got_own, got_header, has_quote = split_own_text(text)
    assert got_own == own
    assert got_header == header
    assert has_quote == (name not in ("signature", "plain", "at_is_not_a_quote", "question_mark_line_is_no_quote"))


from hypothesis import given, settings, strategies as st  # noqa: E402

from daemon import own_text  # noqa: E402

PIECES = ["", " ", "  ", "\t", "-", "--", "-----", "_" * 12, "*", "From:", "from: ", "FROM:", "To:", "to: ", "cc:",
          "Subject:", "On", "on ", "Am ", "Le ", "At ", "at 08:28", "begin forwarded message:", "Original Message",
          "Forwarded by", "wrote:", "Sent:", "Date:", "John Smith", "11/16/2000 12:01 PM", "@ENRON", "x", "tomato:", "?", "? ",
          "a@b.example "]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=6))
def test_cut_prefilter_lets_every_rule_line_through(pieces):
    """find_cut skips lines MAYBE_CUT rejects: no line any rule matches may be rejected."""
    line = "".join(pieces)
    rules = [rx for _, rx in own_text.CUT_MARKERS] + [own_text.WROTE_START, own_text.FROM_LINE, own_text.TO_LINE]
    if any(rx.match(line) for rx in rules):
        assert own_text.MAYBE_CUT.search(line), line


def test_reply_reader_reads_as_the_library_does():
    """The reader reuses the library's compiled patterns; what it splits off must not change."""
    from mailparser_reply import EmailReplyParser

    text = ("Sounds good, see below.\n\nBest regards,\nAnna\n\nOn Mon, 4 Dec 2000, Bob <bob@example.com> wrote:\n"
            "> Can you send it?\n\nVon: Karl\nGesendet: Montag\nBetreff: Plan\n\nHallo")
    for langs in (("en",), ("de", "en"), ("fr",)):
        ours = own_text._reply_parser(langs).read(text)
        theirs = EmailReplyParser(languages=list(langs)).read(text)
        assert [r.body for r in ours.replies] == [r.body for r in theirs.replies]
        assert own_text._reply_parser(langs).compiled  # the patterns were reused, not rebuilt


# Pieces of the texts mail-parser-reply's English patterns look for, with the characters Python's
# case-insensitive matching takes for ASCII letters ("ſ" for "s", "K" for "k", "İ"/"ı" for "i").
SIGNOFF_PIECES = ["\n", "\n\n", " ", "> ", ">", "-", "--", "- x", "_" * 32, "-" * 33, "Best regards", "KIND REGARDS",
                  "Thanks,", "thank you,", "Best,", "All the best", "regards,", "Sent from my iPhone", "Get Outlook for iOS",
                  "ſent from my", "Kind regards", "thank yoU,", "On Mon, Bob wrote:", "From: A", "Sent: B", "To: C",
                  "Subject: D", "-----Original Message-----", "orİgİnal message", "Disclaimer: this mail",
                  "CONFIDENTIALITY: e-mail", "Privileged Notice: mail", "İmportant Note: mail", "Sensıtive", "word",
                  "Bob", "é", "\u200b", "\xa0"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(SIGNOFF_PIECES), max_size=12))
def test_gated_reply_reader_splits_exactly_as_the_library(pieces):
    """The reader runs the library's English patterns only where a cheap test lets them; every split,
    signature, disclaimer and header must be the library's own."""
    from mailparser_reply import EmailReplyParser

    text = "".join(pieces)
    reader = own_text._reply_parser(("en",))
    # Gated for the library version the gates were written for; another version's patterns run as they are.
    gated = own_text._fingerprint(own_text._english_library_patterns()) == own_text._GATED_FOR
    assert all(isinstance(rx, own_text._Gated) == gated for rx in reader.compiled.values())
    ours, theirs = reader.read(text), EmailReplyParser(languages=["en"]).read(text)
    assert [(r.content, r.headers, r.signatures, r.disclaimers) for r in ours.replies] == \
           [(r.content, r.headers, r.signatures, r.disclaimers) for r in theirs.replies]


LOTUS_PIECES = ["", " ", "   ", "\t", "\xa0", "x", "John Smith@ENRON", "to:", "To: ", "TO:\t", "cc:", "Subject:", "subject :",
                "to", ":", "tomato: ", "ctO: ", "@", "09/27/2000 08:38 AM"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(LOTUS_PIECES), max_size=8))
def test_linear_lotus_field_tests_accept_what_the_written_rules_accept(pieces):
    """The Lotus header-block tests used on every candidate line are the written rules, made linear."""
    line = "".join(pieces)
    assert bool(own_text.TO_LINE_ANYWHERE.search(line)) == bool(own_text.TO_LINE.match(line)), line
    assert bool(own_text.CC_SUBJ_LINE_ANYWHERE.search(line)) == bool(own_text.CC_SUBJ_LINE.match(line)), line
