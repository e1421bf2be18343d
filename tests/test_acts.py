"""Sentence-level acts: what is an ask, a thank-you for help, a politeness formula, a delivery."""

import pytest

from daemon.acts import classify, message_acts, split_sentences, thanks_kind


@pytest.mark.parametrize("sentence, present, absent", [
    ("Could you send me the Q3 numbers?", {"request", "question"}, {"gratitude"}),
    ("Please forward the signed contract to legal.", {"request"}, {"question"}),
    ("What is the credit limit for Acme?", {"question"}, set()),
    ("Thanks so much for the introduction to Mary!", {"gratitude"}, {"request"}),
    ("Thanks in advance.", set(), {"gratitude"}),
    ("Thank you for your email.", set(), {"gratitude"}),
    ("Thanks for the invitation, but I can't make it.", set(), {"gratitude"}),
    ("Your help would be greatly appreciated.", set(), {"gratitude"}),
    ("Attached is the revised agreement you asked for.", {"delivery"}, {"request"}),
    ("Per our call, attached please find the revised agreement.", {"delivery"}, set()),
    ("I've copied Erin, who runs procurement there.", {"introduction"}, set()),
    ("I would suggest pushing back on the termination clause.", {"advice"}, set()),
    ("I have approved the expense report.", {"favor"}, set()),
    ("I'll send it over tomorrow.", {"promise"}, {"favor", "delivery", "statement"}),
    ("Done.", {"favor"}, set()),
    ("Yes, that is correct.", {"confirmation"}, set()),
    ("Are you coming to the party tonight?", {"question"}, set()),
    ("Let me know if you have any questions.", set(), set()),
    ("The limit is $5MM for all counterparties.", {"statement"}, {"request"}),
    ("Q07901.1 = -$243,079", {"statement"}, {"request"}),
    ("Thank you for writing us at Amazon.com.", set(), {"gratitude"}),
    ("Looking good!", {"advice"}, set()),
    ("These are good!", {"confirmation"}, set()),
    ("Here's the revised schedule.", {"delivery"}, set()),
    ("Your ISO RT indexes are ready.", {"favor"}, set()),
    ("I re-compiled the add-in, so the function is a put now.", {"favor"}, set()),
    ("We will again request your approval to remove these dates.", {"request"}, set()),
    ("Please see the descriptions below:", {"delivery"}, set()),
    # Signature and header residue: a phone number or a timestamp is nobody's act.
    ("713-853-0380 (office)", set(), {"statement", "request"}),
    ("fax 713 646 3490", set(), {"statement", "request"}),
    ("11/29/2000 07:59 AM", set(), {"statement"}),
])
def test_acts_of_sentences(sentence, present, absent):
    acts, cues = classify(sentence)
    assert present <= set(acts), (acts, cues)
    assert not (absent & set(acts)), (acts, cues)


def test_please_find_attached_gives_rather_than_asks():
    acts, _ = classify("Per our call, attached please find the revised agreement.")
    assert acts.get("request", 0) < 0.6 and acts["delivery"] >= 0.85


def test_pointing_below_gives_rather_than_asks():
    acts, _ = classify("Please see the descriptions below:")
    assert acts.get("request", 0) < 0.6


def test_plans_and_chat_are_weak_asks():
    """Asking someone to lunch is a request in form, but too weak to open a request for help."""
    acts, cues = classify("Want to grab lunch on Friday?")
    assert acts.get("request", 0) < 0.6 and "plans" in cues
    acts, cues = classify("How is everything going?")
    assert acts.get("request", 0) < 0.6 and "social" in cues
    acts, cues = classify("How about sometime after noon?")
    assert acts.get("request", 0) < 0.6 and "plans" in cues
    acts, _ = classify("Could you check the invoice numbers?")
    assert acts["request"] >= 0.8


def test_thanks_kind_names_the_help():
    assert thanks_kind("Thanks for the intro to Bob!") == "introduction"
    assert thanks_kind("Thank you for recommending me for the role.") == "referral"
    assert thanks_kind("Thanks for sending the spreadsheet.") == "document"
    assert thanks_kind("Thanks for your comments on the draft.") == "advice"
    assert thanks_kind("Thanks for all your help.") == "favor"


def test_sentences_rejoin_wrapped_lines_and_drop_boilerplate():
    text = ("Chris,\n\nThe tax bill is for the 2000 tax year and\nit was due on 12/31.  Can you pay it?\n\n"
            "Thanks\nJohn\n\nThis e-mail is confidential and intended for the recipient only.")
    assert split_sentences(text) == ["The tax bill is for the 2000 tax year and it was due on 12/31.",
                                     "Can you pay it?", "Thanks"]


def test_a_lone_thanks_reply_is_gratitude_but_a_sign_off_is_not():
    alone = message_acts("Thanks!!")
    assert [(a.act, a.cue) for a in alone] == [("gratitude", "thanks as the whole reply")]
    signed_off = message_acts("Please send the file by Friday. It goes to the auditors.\n\nThanks,\nAnn")
    assert all(a.confidence < 0.5 for a in signed_off if a.act == "gratitude")


def test_attachment_is_a_delivery():
    acts = message_acts("See below.", attachment_count=2)
    assert any(a.act == "delivery" and a.cue == "attachment" for a in acts)
