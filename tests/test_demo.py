import sqlite3
import subprocess
import sys

from daemon.demo import generate


def test_demo_mailbox_is_deterministic(tmp_path):
    a, b = generate(tmp_path / "a"), generate(tmp_path / "b")
    for name in ("INBOX.mbox", "Sent.mbox"):
        assert (a / name).read_bytes() == (b / name).read_bytes()


def test_demo_command_imports_the_sample_mailbox(tmp_path):
    r = subprocess.run([sys.executable, "-m", "daemon", "demo", "--no-serve", "--dir", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(tmp_path / "goldenrule.db")
    assert con.execute("select email from contacts where is_self = 1").fetchall() == [
        ("alex@morgan-consulting.example",)]
    names = {n for (n,) in con.execute("select name from contacts where is_self = 0")}
    assert names == {"Dana Whitfield", "Raj Patel", "Lena Brooks", "Tom Okafor", "Mia Chen", "Sam Rivera"}
    cats = dict(con.execute("select category, count(*) from messages group by 1"))
    assert cats["newsletter"] == 12 and cats["automated"] == 12
    # Outlook-style replies have no reply headers and still join their thread
    assert con.execute("""select count(*) from messages where subject like 'RE: %'
                          and thread_link in ('subject', 'quoted_header')""").fetchone()[0] > 10
    assert f"Database: {tmp_path / 'goldenrule.db'}" in r.stdout
