import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

from daemon.config import ConfigError, example_toml, load_config

ROOT = Path(__file__).resolve().parent.parent


def test_example_file_is_generated_from_schema_and_parses():
    text = (ROOT / "config.example.toml").read_text()
    assert text == example_toml(), "config.example.toml is stale: run `goldenrule config example`"
    cfg = load_config(ROOT / "config.example.toml")
    assert cfg.privacy.store_bodies == "own_text"
    assert "_sent_mail" in cfg.identity.sent_folders
    # every documented key is one the loader accepts
    assert set(tomllib.loads(text)) == {"database", "identity", "import", "privacy", "threads", "inference", "relationships", "digest", "smtp", "service", "serve", "people"}


@pytest.mark.parametrize("body, expected", [
    ("[serve]\npassword_hash = \"hunter2\"\n",
     "serve.password_hash: expected a hash from `goldenrule serve --hash-password` (pbkdf2_sha256$...), not a password"),
    ("[digest]\ntime = \"8am\"\n", "digest.time: expected HH:MM on a 24-hour clock, got '8am'"),
    ("[digest]\ntimezone = \"Mars/Olympus\"\n",
     "digest.timezone: expected an IANA time zone such as \"Europe/Berlin\", got 'Mars/Olympus'"),
    ("[smtp]\nhost = \"smtp.example.com\"\ntls = \"none\"\n",
     "smtp.tls: expected \"implicit\" or \"starttls\"; \"none\" needs allow_plaintext = true and a loopback host"),
    ("[inference]\nmin_confidence = 1.5\n",
     "inference.min_confidence: expected a number from 0 to 1, got 1.5"),
    ("[inference]\nmin_confidence = \"high\"\n",
     "inference.min_confidence: expected a number, got 'high'"),
    ("[privacy]\nstore_bodies = \"all\"\n",
     "privacy.store_bodies: expected one of 'own_text', 'snippet', 'none', got 'all'"),
    ("[identity]\naddresses = \"me@x.org\"\n",
     "identity.addresses: expected a list of strings, got 'me@x.org'"),
    ("[identity]\naddresses = [\"a@x\", 3]\n", "identity.addresses[1]: expected a string, got 3"),
    ("[import]\nworkerz = 2\n", "import.workerz: unknown key (did you mean 'workers'?)"),
    ("[privcy]\n", "privcy: unknown key (did you mean 'privacy'?)"),
    ("[threads]\nsubject_window_days = -1\n", "threads.subject_window_days: expected a number >= 0, got -1"),
    ("[people\n", "not valid TOML"),
])
def test_config_errors_name_file_key_and_expectation(tmp_path, body, expected):
    path = tmp_path / "c.toml"
    path.write_text(body)
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert str(e.value).startswith(str(path) + ": ")
    assert expected in str(e.value)


def test_missing_named_config_is_an_error_but_missing_default_is_not(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    cfg = load_config(None)
    assert cfg.db_path == tmp_path / "data" / "goldenrule" / "goldenrule.db"


def test_config_check_cli_reports_error_without_traceback(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[privacy]\nsnippet_chars = \"long\"\n")
    r = subprocess.run([sys.executable, "-m", "daemon", "config", "check", "--config", str(path)],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert f"{path}: privacy.snippet_chars: expected an integer, got 'long'" in r.stderr
    path.write_text("[privacy]\nsnippet_chars = 80\n")
    r = subprocess.run([sys.executable, "-m", "daemon", "config", "check", "--config", str(path),
                        "--db", str(tmp_path / "x.db")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert f"database: {tmp_path / 'x.db'}" in r.stdout


def test_example_account_block_parses_when_filled_in(tmp_path):
    text = (ROOT / "config.example.toml").read_text()
    block = text[text.index("# [[accounts]]\n"):]
    lines = [l[2:] for l in block.splitlines() if l.startswith("# ") and not l.startswith("#   ")]
    filled = "\n".join(lines).replace('password_env = ""', 'password_env = "MAIL_PASSWORD"')
    path = tmp_path / "c.toml"
    path.write_text(filled)
    (acct,) = load_config(path).accounts
    assert (acct.name, acct.host, acct.tls, acct.password_env, acct.fetch_batch) == (
        "work", "imap.example.com", "implicit", "MAIL_PASSWORD", 200)


@pytest.mark.parametrize("extra, expected", [
    ('password = "hunter2"', "accounts[0].password: secrets are never read from the config file"),
    ('tls = "none"', 'accounts[0].tls: expected "implicit" or "starttls"; "none" needs allow_plaintext'),
    ('since = "last year"', "accounts[0].since: expected a date YYYY-MM-DD, got 'last year'"),
    ('password_command = "pass mail"', "accounts[0]: expected exactly one of password_command"),
])
def test_account_errors(tmp_path, extra, expected):
    path = tmp_path / "c.toml"
    path.write_text(f'[[accounts]]\nname = "w"\nhost = "imap.example.com"\nusername = "me"\n'
                    f'password_env = "P"\n{extra}\n')
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert expected in str(e.value)
    assert "hunter2" not in str(e.value)


def test_a_secret_written_into_the_config_draws_a_warning(tmp_path, caplog):
    path = tmp_path / "c.toml"
    path.write_text('[[accounts]]\nname = "w"\nhost = "imap.example.com"\nusername = "me"\n'
                    'password_command = "echo hunter2"\n')
    path.chmod(0o644)
    with caplog.at_level("WARNING"):
        load_config(path)
    text = caplog.text
    assert "accounts[0].password_command prints a literal: the secret is written in the config file" in text
    assert "readable by other users (mode 644)" in text
    assert "hunter2" not in text
    path.write_text(path.read_text().replace("echo hunter2", "pass show mail/work"))
    path.chmod(0o600)
    caplog.clear()
    with caplog.at_level("WARNING"):
        load_config(path)
    assert caplog.text == ""
