"""Small, fast checks of the IMAP helpers (the real behaviour is tested against Dovecot)."""

import sys

import pytest

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
