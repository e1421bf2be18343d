import gzip
import shutil

from daemon.sources import read_path
from fixtures import ANN_ASKS, NEWSLETTER, write_fixture_mailbox


def keys_and_folders(path):
    return [(r.folder, r.source_key.split("/")[-1]) for r in read_path(path)]


def test_mbox_gz_and_mboxrd_unescape(tmp_path):
    box = write_fixture_mailbox(tmp_path / "m")
    with open(box / "Sent.mbox", "rb") as src, gzip.open(tmp_path / "Sent Items.mbox.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    msgs = list(read_path(tmp_path / "Sent Items.mbox.gz"))
    assert [m.folder for m in msgs] == ["Sent Items", "Sent Items"]
    assert b"\nFrom the ledger" in msgs[0].raw and b">From the ledger" not in msgs[0].raw
    assert b"> Could you send" in msgs[0].raw  # ordinary quotes untouched


def test_maildir_and_eml_directory(tmp_path):
    md = tmp_path / "Mail"
    for sub in ("cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"):
        (md / sub).mkdir(parents=True)
    (md / "cur" / "1700000000.1.host:2,S").write_text(ANN_ASKS)
    (md / "new" / "1700000001.2.host").write_text(NEWSLETTER)
    (md / ".Sent" / "cur" / "1700000002.3.host:2,S").write_text(ANN_ASKS.replace("a1@", "x1@"))
    got = [(r.folder, r.source_key.rsplit("/", 1)[-1]) for r in read_path(md)]
    assert got == [("Mail", "1700000000.1.host"), ("Mail", "1700000001.2.host"), ("Sent", "1700000002.3.host")]
    eml = tmp_path / "exports"
    eml.mkdir()
    (eml / "one.eml").write_text(ANN_ASKS)
    (eml / ".hidden").write_text("x")
    assert [(r.folder, r.raw[:12]) for r in read_path(eml)] == [("exports", b"Message-ID: ")]


def test_outlook_msg_file_is_recorded_not_parsed(tmp_path):
    f = tmp_path / "x.msg"
    f.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    (r,) = read_path(f)
    assert r.error == "Outlook .msg file: not a MIME message, not parsed"
