"""Small, fast checks of the IMAP helpers (the real behaviour is tested against Dovecot)."""

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daemon.config import AccountConfig
from daemon.imap_sync import OverQuota, SyncError, _check_overquota, choose_folders, get_secret


def acct(**kw):
    a = AccountConfig(name="t", host="h", username="u")
    for k, v in kw.items():
        setattr(a, k, v)
    return a


LISTING = [((b"\\HasNoChildren",), b"/", "INBOX"), ((b"\\Sent",), b"/", "Gesendet"),
           ((b"\\Junk",), b"/", "Spam"), ((b"\\HasNoChildren",), b"/", "Deleted Items"),
           ((b"\\Drafts",), b"/", "Drafts"), ((b"\\Noselect",), b"/", "[Gmail]"),
           ((b"\\All",), b"/", "[Gmail]/All Mail"), ((), b"/", "Projects/2024")]


def test_folder_choice_by_special_use_and_name():
    assert choose_folders(LISTING, acct(), gmail=False) == [
        ("INBOX", "inbox"), ("Gesendet", "sent"), ("Projects/2024", "other"), ("[Gmail]/All Mail", "all")]
    assert choose_folders(LISTING, acct(), gmail=True) == [("[Gmail]/All Mail", "all")]
    assert choose_folders(LISTING, acct(folders_include=["inbox", "proj*"], folders_exclude=["*2024"]),
                          gmail=False) == [("INBOX", "inbox")]


def test_password_command_runs_without_a_shell(tmp_path):
    marker = tmp_path / "pwned"
    cmd = f"{sys.executable} -c \"print('s3cret')\" ; touch {marker}"
    # the shell never sees it: ';' and 'touch' are just extra arguments to python
    assert get_secret(acct(password_command=cmd)) == ("password", "s3cret")
    assert not marker.exists()


def test_failing_secret_command_does_not_echo_its_output():
    cmd = f"{sys.executable} -c \"import sys; print('leaked-secret'); sys.exit(3)\""
    with pytest.raises(SyncError) as e:
        get_secret(acct(password_command=cmd))
    assert str(e.value) == "account t: password_command failed with exit status 3"


def test_oauth2_token_command_is_used(monkeypatch):
    assert get_secret(acct(oauth2_token_command=f"{sys.executable} -c \"print('tok')\"")) == ("oauth2", "tok")
    with pytest.raises(SyncError, match="environment variable NOPE_X is not set"):
        get_secret(acct(password_env="NOPE_X"))


def test_overquota_stops_the_run():
    with pytest.raises(OverQuota, match="OVERQUOTA"):
        _check_overquota(Exception("FETCH failed: [OVERQUOTA] Account exceeded command or bandwidth limits"))
    _check_overquota(Exception("NO [SERVERBUG] something else"))  # other errors are not quota


def _exact_bulk(header: bytes) -> bool:
    import email
    from email import policy

    from daemon.bulk import classify_headers

    return classify_headers(email.message_from_bytes(header, policy=policy.compat32))[0] is not None


HEADER_LINES = [b"From: Ann <ann@example.com>", b"From: noreply@shop.example", b"From: Do-Not-Reply <x@y.example>",
                b"From: MAILER-DAEMON@mx.example", b"From: news@paper.example", b"To: me@example.org",
                b"Subject: lunch?", b"Subject: Out of Office: back Monday", b"Subject: Automatic reply: hi",
                b"Subject: Undeliverable: report", b"Subject: =?utf-8?q?Automatic_reply?=", b"Subject: ADV: Save 50%",
                b"Subject: [ADV] New offer", b"Subject: Advice on the deal",
                b"Return-Path: <ann@example.com>", b"Return-Path: <>", b"Return-Path:", b"List-Id: <a.b.example>",
                b"List-Unsubscribe: <mailto:u@x>", b"List-Post: <mailto:l@x>", b"Precedence: bulk",
                b"Precedence: first-class", b"Auto-Submitted: auto-replied", b"Auto-Submitted: no",
                b"Feedback-ID: 1:2:3", b"X-Autoreply: yes", b"Content-Type: multipart/report; report-type=x",
                b"Content-Type: text/plain", b"Content-Type: multipart/mixed;", b"\tboundary=report",
                b" delivery-status", b"Date: Mon, 4 Dec 2000 10:00:00 -0800", b"X-Mailer: Lotus Notes",
                b"Subject: Re:", b"\t auto", b"From: Bob", b" <bob@example.com>", b"garbage line", b""]


@settings(max_examples=4000, deadline=None)
@given(st.lists(st.sampled_from(HEADER_LINES), max_size=8), st.sampled_from([b"\r\n", b"\n"]))
def test_bulk_prefilter_never_misses_bulk_mail(lines, eol):
    """The sync skips parsing headers the prefilter clears: it must clear no header block the
    full classification calls bulk (a miss would only cost a body fetch, but keep it exact)."""
    from daemon.bulk import might_be_bulk

    header = eol.join(lines) + eol + eol
    if _exact_bulk(header):
        assert might_be_bulk(header), header


def test_bulk_prefilter_on_real_mail(shared):
    from daemon.bulk import might_be_bulk
    from daemon.sources import read_path

    cleared = bulk = 0
    for path in [shared / "lists", shared / "malformed", shared / "enron/mailboxes/germany-c/inbox.mbox.gz"]:
        for r in read_path(path):
            header = r.raw.split(b"\n\n", 1)[0] + b"\n\n"
            if _exact_bulk(header):
                bulk += 1
                assert might_be_bulk(header), r.source_key
            elif not might_be_bulk(header):
                cleared += 1
    assert bulk > 100 and cleared > 100  # both kinds were there, and most person mail skips the parse


# FETCH answers as imaplib hands them over: the usual shape, and shapes the fast reader leaves to imapclient.
USUAL = [(b"1 (UID 7 RFC822.SIZE 18 BODY[HEADER] {14}", b"Subject: x\r\n\r\n"), b")",
         (b"2 (RFC822.SIZE 25 UID 9 BODY[HEADER] {13}", b"From: a@b\r\n\r\n"), b")",
         (b"3 (UID 12 body[] {5}", b"hello"), b")"]
UNUSUAL = [
    [(b"1 (BODY[] {5}", b"hello"), b" UID 7)"],  # items after the literal
    [(b"1 (UID 7 BODY[1.MIME] {4}", b"a: b"), (b" BODY[1]<0> {2}", b"hi"), b")"],  # two literals
    [(b"1 (UID 7 BODY[] {5}", b"hello"), b")", b"2 (UID 8 FLAGS (\\Seen))"],  # an unsolicited update
    [b"1 (UID 7 BODY[] NIL)"],  # no literal
    [(b"1 (UID 7 MODSEQ (12) BODY[] {5}", b"hello"), b")"],  # an item the regex does not know
    [None],  # nothing at all
]


def test_the_fast_fetch_reader_agrees_with_imapclient_or_steps_aside():
    from imapclient.response_parser import parse_fetch_response

    from daemon.imap_sync import _literal_fetch

    assert _literal_fetch(USUAL) == dict(parse_fetch_response(USUAL, True, True)) == {
        7: {b"SEQ": 1, b"RFC822.SIZE": 18, b"BODY[HEADER]": b"Subject: x\r\n\r\n"},
        9: {b"SEQ": 2, b"RFC822.SIZE": 25, b"BODY[HEADER]": b"From: a@b\r\n\r\n"},
        12: {b"SEQ": 3, b"BODY[]": b"hello"}}
    for data in UNUSUAL:
        assert _literal_fetch(data) is None, data
    assert _literal_fetch([(b"1 (UID 7 BODY[] {6}", b"hello"), b")"]) is None  # literal cut short


def _gmail_raw(n: int, sender: str, to: str, subject: str, body: str) -> bytes:
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Mon, {n} Mar 2026 10:00:00 +0000\r\n"
            f"Message-ID: <gm{n}@example.org>\r\n\r\n{body}\r\n").encode()


class FakeGmail:
    """Just enough of a Gmail All Mail folder for sync_folder: X-GM-MSGID, X-GM-THRID, X-GM-LABELS
    (labels in modified UTF-7, as Gmail sends them). Every fetch is recorded."""

    def __init__(self, uidvalidity, messages):
        self.uidvalidity, self.messages, self.fetched = uidvalidity, messages, []

    def folder_status(self, folder, items):
        return {b"UIDVALIDITY": self.uidvalidity, b"UIDNEXT": max(self.messages) + 1, b"MESSAGES": len(self.messages)}

    def select_folder(self, folder, readonly=False):
        assert readonly

    def search(self, criteria):
        return sorted(self.messages)

    def fetch(self, uids, items):
        self.fetched.append((list(uids), list(items)))
        out = {}
        for uid in uids:
            raw, msgid, thrid, labels = self.messages[uid]
            data = {}
            if "BODY.PEEK[HEADER]" in items:
                data.update({b"BODY[HEADER]": raw.split(b"\r\n\r\n")[0] + b"\r\n\r\n", b"RFC822.SIZE": len(raw)})
            if "X-GM-LABELS" in items:
                data.update({b"X-GM-MSGID": msgid, b"X-GM-THRID": thrid, b"X-GM-LABELS": labels})
            if "BODY.PEEK[]" in items:
                data[b"BODY[]"] = raw
            out[uid] = data
        return out


def test_gmail_keeps_labels_threads_by_gmail_and_never_downloads_a_message_twice(cfg, db):
    """On Gmail the header fetch brings X-GM-MSGID, X-GM-THRID and X-GM-LABELS: labels are kept per
    copy, Gmail's thread joins messages nothing else would (another subject, no reply headers), and
    after a UIDVALIDITY change All Mail's messages are recognised by their Gmail id, their bodies not
    fetched again; only the new one is."""
    from daemon import imap_sync
    from daemon.importer import derive_underived

    ask = _gmail_raw(2, "ann@example.org", "bob@example.net", "Q3 forecast?", "Could you send me the Q3 forecast?")
    answer = _gmail_raw(3, "bob@example.net", "ann@example.org", "Numbers", "Here are the numbers you asked for.")
    other = _gmail_raw(4, "cy@example.com", "ann@example.org", "Lunch", "Lunch on Friday?")
    later = _gmail_raw(5, "ann@example.org", "cy@example.com", "Friday", "Friday works.")

    def sync(client):
        counters = {"folders_checked": 0, "folders_changed": 0, "copies_seen": 0, "copies_gone": 0}
        batches = imap_sync.Batches(db, cfg, None, imap_sync._Progress(False), counters)
        imap_sync.sync_folder(client, db, cfg, acct(name="g"), "[Gmail]/All Mail", "all", batches, False, counters,
                              gmail=True)
        batches.drain()
        derive_underived(db, cfg, if_any=True)
        return counters

    first = FakeGmail(7, {1: (ask, 1001, 9001, (b"\\Inbox", b"&AMk-quipe")), 2: (answer, 1002, 9001, (b"\\Sent",)),
                          3: (other, 1003, 9003, ())})
    assert sync(first)["copies_seen"] == 3
    rows = db.execute("select source_key, gmail_msgid, gmail_thread_id, labels from gmail_copies order by 1").fetchall()
    assert rows == [("imap:g/[Gmail]/All Mail/7/1", 1001, 9001, '["\\\\Inbox", "\\u00c9quipe"]'),
                    ("imap:g/[Gmail]/All Mail/7/2", 1002, 9001, '["\\\\Sent"]'),
                    ("imap:g/[Gmail]/All Mail/7/3", 1003, 9003, "[]")]

    def threads():
        return db.execute("select message_id, thread_link, (select message_id from messages r where r.id = m.thread_id) "
                          "from messages m order by date").fetchall()

    assert threads() == [("gm2@example.org", "root", "gm2@example.org"),
                         ("gm3@example.org", "gmail_thread", "gm2@example.org"),
                         ("gm4@example.org", "root", "gm4@example.org")]
    assert [uids for uids, items in first.fetched if items == ["BODY.PEEK[]"]] == [[1, 2, 3]]

    renumbered = FakeGmail(8, {11: first.messages[1], 12: first.messages[2], 13: first.messages[3],
                               14: (later, 1004, 9003, (b"\\Sent",))})
    assert sync(renumbered)["copies_gone"] == 3
    assert [uids for uids, items in renumbered.fetched if items == ["BODY.PEEK[]"]] == [[14]]
    assert db.execute("select count(*) from messages").fetchone()[0] == 4
    live = db.execute("select c.source_key, m.message_id from copies c join messages m on m.id = c.message "
                      "where c.gone_at is null order by 1").fetchall()
    assert live == [("imap:g/[Gmail]/All Mail/8/11", "gm2@example.org"), ("imap:g/[Gmail]/All Mail/8/12", "gm3@example.org"),
                    ("imap:g/[Gmail]/All Mail/8/13", "gm4@example.org"), ("imap:g/[Gmail]/All Mail/8/14", "gm5@example.org")]
    assert threads()[2:] == [("gm4@example.org", "root", "gm4@example.org"),
                             ("gm5@example.org", "gmail_thread", "gm4@example.org")]
    assert db.execute("select uidvalidity, last_uid, messages from sync_state").fetchall() == [(8, 14, 4)]


def test_a_gmail_fetch_answer_goes_to_imapclient_and_gives_ids_and_decoded_labels():
    """The answer shape Gmail sends with X-GM items is not the fast reader's (it steps aside);
    imapclient's parser reads it, and labels come out as text: quoted, flagged or in modified UTF-7."""
    from imapclient.response_parser import parse_fetch_response

    from daemon.imap_sync import _gmail_meta, _literal_fetch

    resp = [(b'1 (X-GM-THRID 1278455344230334865 X-GM-MSGID 1278455344230334866 X-GM-LABELS '
             b'(\\Inbox "Project X" &AMk-quipe) UID 7 RFC822.SIZE 1234 BODY[HEADER] {5}', b"hello"), b")"]
    assert _literal_fetch(resp) is None
    parsed = parse_fetch_response(resp, True, True)
    assert parsed[7][b"BODY[HEADER]"] == b"hello"
    assert _gmail_meta(parsed[7]) == (1278455344230334866, 1278455344230334865, ["Project X", "\\Inbox", "Équipe"])


def test_a_ca_file_is_trusted_instead_of_the_system_cas(tmp_path):
    """With ca_file, that file's CA is the only one the IMAP and SMTP connections trust (as curl's
    --cacert); without it, the system's. A missing file is a one-line error naming it."""
    import subprocess

    from daemon.config import SmtpConfig
    from daemon.digest import DigestError, smtp_ssl_context
    from daemon.imap_sync import ssl_context

    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=Private Test CA", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "ca.pem")],
                   check=True, capture_output=True)
    subjects = [dict(rdn[0] for rdn in c["subject"])["commonName"]
                for c in ssl_context(acct(ca_file=str(tmp_path / "ca.pem"))).get_ca_certs()]
    assert subjects == ["Private Test CA"]
    smtp = SmtpConfig(host="h", ca_file=str(tmp_path / "ca.pem"))
    assert [dict(rdn[0] for rdn in c["subject"])["commonName"] for c in smtp_ssl_context(smtp).get_ca_certs()] == [
        "Private Test CA"]
    with pytest.raises(SyncError, match=r"^account t: ca_file .*missing\.pem: No such file or directory$"):
        ssl_context(acct(ca_file=str(tmp_path / "missing.pem")))
    with pytest.raises(DigestError, match=r"^smtp\.ca_file .*missing\.pem: No such file or directory$"):
        smtp_ssl_context(SmtpConfig(host="h", ca_file=str(tmp_path / "missing.pem")))
