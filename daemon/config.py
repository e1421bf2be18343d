"""Configuration: one schema drives validation, typed objects and the documented example file.

Every setting is a dataclass field whose metadata carries its documentation (and allowed values).
`load_config` validates a TOML file against those fields and reports mistakes with the file, the key
path and what was expected; `example_toml` renders the same fields as `config.example.toml`.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints


# Keys that would put a secret in the config file: refused with an explanation.
log = logging.getLogger("goldenrule.config")
SECRET_WORDS = ("password", "pass", "passwd", "secret", "token", "access_token")


class ConfigError(Exception):
    """A mistake in a config file, phrased for the person who wrote it."""


def setting(default, doc: str, choices: tuple | None = None, example: str | None = None,
            bounds: tuple[float, float] | None = None):
    """A config field with its documentation, for validation and for the example file."""
    meta = {"doc": doc, "choices": choices, "example": example, "bounds": bounds}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class DatabaseConfig:
    """Where the ledger lives."""

    path: str = setting(
        "",
        "SQLite database file. Empty means $XDG_DATA_HOME/goldenrule/goldenrule.db "
        "(~/.local/share/goldenrule/goldenrule.db). Created private (0600).",
    )


@dataclass
class IdentityConfig:
    """Who 'you' are: mail from these addresses is yours."""

    addresses: list[str] = setting(
        [],
        "Your own email addresses. More are learned from the From: of mail in Sent folders.",
        example='["me@example.com", "me@work.example"]',
    )
    not_mine: list[str] = setting(
        [],
        "Addresses that are not yours though goldenrule learned them as yours: from a Sent folder, or "
        "because you answered mail sent to them alone (a team address you reply for, say).",
        example='["team@work.example"]',
    )
    sent_folders: list[str] = setting(
        ["sent", "sent items", "sent_items", "sent mail", "sent messages", "_sent_mail",
         "sent-mail", "[gmail]/sent mail", "outbox"],
        "Folder names (case-insensitive; the last path component is compared) that hold mail you sent.",
    )


@dataclass
class ImportConfig:
    """Local import and parsing."""

    workers: int = setting(0, "Parser processes. 0 means one per CPU core.")
    reply_languages: list[str] = setting(
        ["en"],
        "Languages whose reply headers and signatures the reply parser looks for (en, de, fr, es, it, nl, "
        "...). Each one added costs parsing speed.",
    )
    max_body_bytes: int = setting(
        5_000_000, "Text bodies longer than this are cut before analysis and marked truncated."
    )
    max_message_bytes: int = setting(
        10_000_000, "Messages larger than this (a big attachment) are read up to this size only: headers, "
                    "text and the attachments within it; the message is marked truncated. Bounds memory.")


@dataclass
class PrivacyConfig:
    """What is kept of message bodies. Analysis always runs on the full text first."""

    store_bodies: str = setting(
        "own_text",
        "own_text: keep each message's own words (quotes and signatures removed); "
        "snippet: only the first snippet_chars characters of it (and of each act's sentence); none: keep no "
        "body text. Acts and help events are read from the full text on arrival whichever you choose; "
        "with snippet and none their sentences are cut or left out.",
        choices=("own_text", "snippet", "none"),
    )
    snippet_chars: int = setting(200, "Length of the snippet kept when store_bodies = \"snippet\".")


@dataclass
class ThreadsConfig:
    """Conversation grouping for mail without reply headers."""

    subject_window_days: int = setting(
        30,
        "A reply or forward without References joins an earlier message with the same subject and "
        "a shared participant at most this many days older.",
    )


@dataclass
class InferenceConfig:
    """Finding who helped whom."""

    min_confidence: float = setting(
        0.5, "Help events below this confidence (0 to 1) are not recorded.", bounds=(0.0, 1.0))


@dataclass
class RelationshipsConfig:
    """Tie strength, cooling and loose ends."""

    half_life_days: int = setting(
        90, "Half-life of an interaction's weight in tie strength for a new contact; it grows by this "
        "much per year you have known someone, up to four times.")
    grace_days: int = setting(30, "A contact first met this many days ago or less is \"new\", never cooling.")
    min_gaps: int = setting(3, "Gaps between interactions needed before a contact's own rhythm is judged.")
    cooling_probability: float = setting(
        0.9, "A tie is \"cooling\" when, under the contact's own rhythm, the chance of hearing from them "
        "in the next 90 days has fallen below this.", bounds=(0.0, 1.0))
    cold_probability: float = setting(0.3, "Below this chance the tie is \"cold\".", bounds=(0.0, 1.0))
    cold_after_days: int = setting(30, "A tie still silent this many days after it turned cooling is \"cold\".")
    improbable_silence: float = setting(
        0.02, "A tie is also \"cooling\" when a silence this long had less than this chance in the "
        "contact's own history (a tenth of it: \"cold\").", bounds=(0.0, 1.0))
    min_silence_days: int = setting(
        45, "No tie is called cooling before this many days of silence, however fast its rhythm: "
        "busy weeks and holidays are not cooling.")
    dormant_days: int = setting(
        110, "After this many days of silence, and twice the contact's usual gap, a tie is \"dormant\": it "
        "has lapsed, and is no longer reported as cooling or cold.")
    unknown_rhythm_days: int = setting(
        45, "With too little history to know a rhythm, a silence longer than this makes the tie cooling.")
    follow_up_days: int = setting(7, "A new contact who wrote first and got no reply within this many days "
                                     "is a loose end.")
    loose_end_days: int = setting(90, "Loose ends older than this many days are history, not listed.")


@dataclass
class DigestConfig:
    """The weekly digest email."""

    to: str = setting("", "Where the digest goes. Empty means your first own address.",
                      example='"me@example.com"')
    from_address: str = setting("", "Its From: address. Empty means the same as to.")
    day: str = setting("monday", "Day of the week it is sent.",
                       choices=("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
    time: str = setting("08:00", "Local time it is sent (HH:MM, 24-hour clock).")
    timezone: str = setting("UTC", "Time zone of day and time (an IANA name such as \"Europe/Berlin\").")
    base_url: str = setting("http://127.0.0.1:8001", "Where `goldenrule serve` answers: every item links there.")
    send_empty: bool = setting(True, "Send a short note when a week has nothing to report (false: send nothing).")


@dataclass
class SmtpConfig:
    """The server the digest is sent through. Same secret sources as IMAP accounts; never the secret itself."""

    host: str = setting("", "SMTP server host name. Empty: the digest can be previewed, not sent.",
                        example='"smtp.example.com"')
    port: int = setting(0, "SMTP port. 0 means 465 for tls = \"implicit\", 587 for starttls, 25 for none.")
    tls: str = setting("implicit", "implicit: TLS from the first byte; starttls: upgrade a plain connection; "
                       "none: no encryption, refused unless allow_plaintext = true and the host is a loopback "
                       "address.", choices=("implicit", "starttls", "none"))
    allow_plaintext: bool = setting(False, "Allow tls = \"none\" (only to 127.0.0.1 / ::1 / localhost).")
    ca_file: str = setting("", "A CA certificate file (PEM) to trust instead of the system's CAs (a private or "
                                 "self-signed CA).")
    username: str = setting("", "Login name. Empty: send without logging in (a local relay).")
    password_command: str = setting("", "A command that prints the password (run without a shell).")
    password_env: str = setting("", "Name of an environment variable that holds the password.")
    password_credential: str = setting("", "Name of a systemd credential that holds the password.")
    password_keyring: bool = setting(False, "Read the password from the system keyring (service "
                                            "\"goldenrule\", this username).")
    oauth2_token_command: str = setting("", "A command that prints a fresh OAuth2 access token (XOAUTH2).")
    timeout_seconds: int = setting(60, "Socket timeout.")

    @property
    def name(self) -> str:
        return "smtp"


@dataclass
class ServeConfig:
    """`goldenrule serve`: the ledger in Datasette."""

    host: str = setting("127.0.0.1", "Interface to bind. Anything but a loopback address needs password_hash.")
    port: int = setting(8001, "Port to listen on.")
    password_hash: str = setting(
        "", "A password hash from `goldenrule serve --hash-password` (never the password itself): when set, "
            "every page asks for user \"goldenrule\" and that password (HTTP Basic; put a TLS proxy in "
            "front when serving beyond this machine).")


@dataclass
class ServiceConfig:
    """`goldenrule run`, the background service."""

    sync_interval_seconds: int = setting(900, "Seconds between IMAP syncs (SIGUSR1 syncs at once).")
    digest_check_seconds: int = setting(
        600, "Seconds between checks whether the weekly digest is due (it is sent once per week).")
    digest: bool = setting(True, "Send the weekly digest from the service (needs [smtp] host).")


@dataclass
class PeopleConfig:
    """Your corrections to the contact list."""

    important: list[str] = setting([], "Addresses of people who matter most to you.",
                                   example='["mentor@example.org"]')
    ignore: list[str] = setting([], "Addresses never treated as contacts.",
                                example='["alerts@example.com"]')
    merge: list[list[str]] = setting(
        [], "Groups of addresses that belong to one person.",
        example='[["ann@example.com", "ann.smith@gmail.com"]]',
    )


@dataclass
class AccountConfig:
    """An IMAP account to sync. Repeat [[accounts]] for several. Secrets never go in this file."""

    name: str = setting("", "A short name for the account, used in status output and the database.",
                        example='"work"')
    host: str = setting("", "IMAP server host name.", example='"imap.example.com"')
    port: int = setting(0, "IMAP port. 0 means 993 for tls = \"implicit\", 143 otherwise.")
    tls: str = setting("implicit", "implicit: TLS from the first byte (port 993); starttls: upgrade a "
                       "plain connection; none: no encryption, refused unless allow_plaintext = true and the "
                       "host is a loopback address.", choices=("implicit", "starttls", "none"))
    allow_plaintext: bool = setting(False, "Allow tls = \"none\" (only to 127.0.0.1 / ::1 / localhost).")
    ca_file: str = setting("", "A CA certificate file (PEM) to trust instead of the system's CAs (a private or "
                                 "self-signed CA).")
    username: str = setting("", "Login name.", example='"me@example.com"')
    password_command: str = setting(
        "", "A command that prints the password (run without a shell), e.g. \"pass show mail/work\".")
    password_env: str = setting("", "Name of an environment variable that holds the password.")
    password_credential: str = setting(
        "", "Name of a systemd credential (LoadCredential=) that holds the password.")
    password_keyring: bool = setting(
        False, "Read the password from the system keyring (service \"goldenrule\", this username); "
               "needs the optional 'keyring' package.")
    oauth2_token_command: str = setting(
        "", "A command that prints a fresh OAuth2 access token (XOAUTH2, for Gmail and Microsoft 365); "
            "run before every connection.")
    folders_include: list[str] = setting(
        [], "Only folders matching these patterns (* and ? wildcards). Empty means all but Junk, Trash and "
            "Drafts.")
    folders_exclude: list[str] = setting([], "Never folders matching these patterns.")
    since: str = setting("", "First sync only: ignore mail older than this date (YYYY-MM-DD).")
    fetch_batch: int = setting(200, "Messages whose headers are fetched per IMAP command; their bodies are "
                                         "fetched at most 4 MB at a time.")
    max_message_bytes: int = setting(
        10_000_000, "Messages larger than this are fetched as headers plus the start of their text part, "
                    "and marked truncated.")
    timeout_seconds: int = setting(60, "Socket timeout for connecting and for each read.")
    retries: int = setting(5, "Reconnect attempts after a dropped connection (exponential backoff "
                              "with jitter).")


@dataclass
class Config:
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    identity: IdentityConfig = field(default_factory=IdentityConfig)
    import_: ImportConfig = field(default_factory=ImportConfig, metadata={"key": "import"})
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    threads: ThreadsConfig = field(default_factory=ThreadsConfig)
    inference: InferenceConfig = field(default_factory=InferenceConfig)
    relationships: RelationshipsConfig = field(default_factory=RelationshipsConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    service: ServiceConfig = field(default_factory=ServiceConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    people: PeopleConfig = field(default_factory=PeopleConfig)
    accounts: list[AccountConfig] = field(default_factory=list, metadata={"key": "accounts"})
    source: str = "(defaults)"

    @property
    def db_path(self) -> Path:
        if self.database.path:
            return Path(os.path.expanduser(self.database.path))
        return default_data_dir() / "goldenrule.db"


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value and os.path.isabs(value) else Path.home() / fallback


def default_config_path() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / "goldenrule" / "config.toml"


def default_data_dir() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share") / "goldenrule"


def _sections():
    for f in dataclasses.fields(Config):
        if f.name == "source":
            continue
        yield f.metadata.get("key", f.name), f.name, f.default_factory


def _describe(tp) -> str:
    if tp is str:
        return "a string"
    if tp is int:
        return "an integer"
    if tp is float:
        return "a number"
    if tp is bool:
        return "true or false"
    if get_origin(tp) is list:
        (inner,) = get_args(tp)
        return f"a list of {_describe(inner).removeprefix('a ').removeprefix('an ')}s"
    return str(tp)


def _check(value, tp, where: str, file: str):
    """Return value if it matches the annotated type, else raise a ConfigError naming the key."""
    ok = False
    if tp is bool:
        ok = isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif tp is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif tp is str:
        ok = isinstance(value, str)
    elif get_origin(tp) is list:
        if isinstance(value, list):
            (inner,) = get_args(tp)
            return [_check(v, inner, f"{where}[{i}]", file) for i, v in enumerate(value)]
    if not ok:
        raise ConfigError(f"{file}: {where}: expected {_describe(tp)}, got {value!r}")
    return value


def _unknown(key: str, known: list[str], where: str, file: str) -> ConfigError:
    if key.lower() in SECRET_WORDS:
        return ConfigError(f"{file}: {where}{key}: secrets are never read from the config file; use "
                           f"password_command, password_env, password_credential or password_keyring")
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(known)})"
    return ConfigError(f"{file}: {where}{key}: unknown key{hint}")


def config_from_dict(data: dict[str, Any], file: str = "(config)") -> Config:
    """Validate a parsed TOML document and build the typed Config."""
    sections = {key: (name, factory) for key, name, factory in _sections()}
    cfg = Config(source=file)
    for key, value in data.items():
        if key not in sections:
            raise _unknown(key, list(sections) + ["accounts"], "", file)
        name, factory = sections[key]
        if key == "accounts":
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise ConfigError(f"{file}: accounts: expected [[accounts]] tables, got {value!r}")
            cfg.accounts = [_table(AccountConfig(), v, f"accounts[{i}]", file) for i, v in enumerate(value)]
            _check_accounts(cfg.accounts, file)
            continue
        if not isinstance(value, dict):
            raise ConfigError(f"{file}: {key}: expected a table [{key}], got {value!r}")
        setattr(cfg, name, _table(factory(), value, key, file))
    _check_digest(cfg, file)
    return cfg


SECRET_SOURCES = ("password_command", "password_env", "password_credential", "password_keyring",
                  "oauth2_token_command")


def _secret_sources(obj) -> list[str]:
    """Which of the secret sources an account or [smtp] names."""
    return [k for k in SECRET_SOURCES if getattr(obj, k)]


def _check_transport(obj, where: str, secret_required: bool) -> list[str]:
    """Plaintext only to loopback, and one secret source (at most one where none is allowed); returns the
    sources named. Shared by IMAP accounts and [smtp]."""
    if obj.tls == "none" and not (obj.allow_plaintext and obj.host in LOOPBACK):
        raise ConfigError(f"{where}.tls: expected \"implicit\" or \"starttls\"; \"none\" needs "
                          f"allow_plaintext = true and a loopback host, got host {obj.host!r}")
    secrets = _secret_sources(obj)
    if len(secrets) > 1 or (secret_required and not secrets):
        raise ConfigError(f"{where}: expected {'exactly' if secret_required else 'at most'} one of "
                          f"{', '.join(SECRET_SOURCES)}; got {', '.join(secrets) or 'none'}")
    return secrets


def _check_digest(cfg, file: str) -> None:
    import zoneinfo

    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", cfg.digest.time):
        raise ConfigError(f"{file}: digest.time: expected HH:MM on a 24-hour clock, got {cfg.digest.time!r}")
    try:
        zoneinfo.ZoneInfo(cfg.digest.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{file}: digest.timezone: expected an IANA time zone such as \"Europe/Berlin\", "
                          f"got {cfg.digest.timezone!r}") from None
    if cfg.serve.password_hash and not cfg.serve.password_hash.startswith("pbkdf2_sha256$"):
        raise ConfigError(f"{file}: serve.password_hash: expected a hash from `goldenrule serve --hash-password` "
                          f"(pbkdf2_sha256$...), not a password")
    s = cfg.smtp
    if s.host:
        secrets = _check_transport(s, f"{file}: smtp", secret_required=False)  # a local relay needs none
        if secrets and not s.username:
            raise ConfigError(f"{file}: smtp.username: expected a login name to go with {secrets[0]}")


def _table(obj, value: dict, key: str, file: str):
    hints = get_type_hints(type(obj))
    fields = {f.name: f for f in dataclasses.fields(obj)}
    for sub, subvalue in value.items():
        if sub not in fields:
            raise _unknown(sub, list(fields), f"{key}.", file)
        where = f"{key}.{sub}"
        checked = _check(subvalue, hints[sub], where, file)
        choices = fields[sub].metadata.get("choices")
        if choices and checked not in choices:
            raise ConfigError(
                f"{file}: {where}: expected one of {', '.join(map(repr, choices))}, got {checked!r}"
            )
        if hints[sub] is int and checked < 0:
            raise ConfigError(f"{file}: {where}: expected a number >= 0, got {checked!r}")
        bounds = fields[sub].metadata.get("bounds")
        if bounds and not bounds[0] <= checked <= bounds[1]:
            raise ConfigError(f"{file}: {where}: expected a number from {bounds[0]:g} to {bounds[1]:g}, "
                              f"got {checked!r}")
        setattr(obj, sub, checked)
    return obj


LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _check_accounts(accounts: list[AccountConfig], file: str) -> None:
    import datetime as _dt

    names = set()
    for i, a in enumerate(accounts):
        where = f"{file}: accounts[{i}]"
        for required in ("name", "host", "username"):
            if not getattr(a, required):
                raise ConfigError(f"{where}.{required}: expected a non-empty string")
        if a.name in names:
            raise ConfigError(f"{where}.name: expected a unique name, {a.name!r} is used twice")
        names.add(a.name)
        _check_transport(a, where, secret_required=True)
        if a.since:
            try:
                _dt.date.fromisoformat(a.since)
            except ValueError:
                raise ConfigError(f"{where}.since: expected a date YYYY-MM-DD, got {a.since!r}") from None
        if a.fetch_batch < 1:
            raise ConfigError(f"{where}.fetch_batch: expected a number >= 1, got {a.fetch_batch}")


def load_config(path: str | os.PathLike | None, required: bool = False) -> Config:
    """Read a config file; a missing default file means defaults, a missing named file is an error."""
    explicit = path is not None
    p = Path(path) if explicit else default_config_path()
    if not p.exists():
        if explicit or required:
            raise ConfigError(f"{p}: config file not found")
        return Config()
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise ConfigError(f"{p}: not UTF-8 text ({e.reason})") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{p}: not valid TOML: {e}") from None
    except OSError as e:
        raise ConfigError(f"{p}: cannot read: {e.strerror}") from None
    cfg = config_from_dict(data, str(p))
    for warning in secret_warnings(cfg, p):
        log.warning("%s", warning)
    return cfg


INLINE_SECRET = re.compile(r"^\s*(?:echo|printf|cat\s*<<)\b")


def secret_warnings(cfg: Config, path: Path) -> list[str]:
    """Signs that a secret sits in the config file itself, or that the file is open to others."""
    out = []
    sources = [(f"accounts[{i}]", a) for i, a in enumerate(cfg.accounts)] + [("smtp", cfg.smtp)]
    commands = ("password_command", "oauth2_token_command")
    for where, a in sources:
        for key in commands:
            if INLINE_SECRET.match(getattr(a, key) or ""):
                out.append(f"{path}: {where}.{key} prints a literal: the secret is written in the config file; "
                           f"use a password manager command, password_env or password_credential instead")
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = 0
    if mode & 0o077 and (any(getattr(a, k) for _, a in sources for k in commands) or cfg.serve.password_hash):
        out.append(f"{path}: readable by other users (mode {mode & 0o777:o}) and it names how to get your "
                   f"secrets; chmod 600 it")
    return out


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:_}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(value)


def example_toml() -> str:
    """The documented example config, generated from the schema (config.example.toml)."""
    import textwrap

    out = [
        "# goldenrule configuration. Every key is optional; the values shown are the defaults.",
        "# Default location: $XDG_CONFIG_HOME/goldenrule/config.toml (~/.config/goldenrule/config.toml).",
        "# Check a file with: goldenrule config check --config PATH",
        "",
    ]
    for key, _name, factory in _sections():
        if key == "accounts":
            continue
        obj = factory()
        out.append(f"[{key}]")
        out.append(f"# {type(obj).__doc__}")
        for f in dataclasses.fields(obj):
            for line in textwrap.wrap(f.metadata["doc"], 96):
                out.append(f"# {line}")
            if f.metadata.get("choices"):
                out.append("# One of: " + ", ".join(f.metadata["choices"]))
            out.append(f"{f.name} = {_toml_value(getattr(obj, f.name))}")
            if f.metadata.get("example"):
                out.append(f"# for example: {f.name} = {f.metadata['example']}")
            out.append("")
    out.append("# [[accounts]] (repeat for several) -- an IMAP account to sync. " + AccountConfig.__doc__)
    out.append("# Uncomment and fill in; name, host, username and one secret source are required.")
    out.append("# [[accounts]]")
    for f in dataclasses.fields(AccountConfig):
        for line in textwrap.wrap(f.metadata["doc"], 94):
            out.append(f"#   {line}")
        if f.metadata.get("choices"):
            out.append("#   One of: " + ", ".join(f.metadata["choices"]))
        value = f.metadata.get("example") or _toml_value(getattr(AccountConfig(), f.name))
        out.append(f"# {f.name} = {value}")
    return "\n".join(out).rstrip() + "\n"
