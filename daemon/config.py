"""Configuration: one schema drives validation, typed objects and the documented example file.

Every setting is a dataclass field whose metadata carries its documentation (and allowed values).
`load_config` validates a TOML file against those fields and reports mistakes with the file, the key
path and what was expected; `example_toml` renders the same fields as `config.example.toml`.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints


class ConfigError(Exception):
    """A mistake in a config file, phrased for the person who wrote it."""


def setting(default, doc: str, choices: tuple | None = None, example: str | None = None):
    """A config field with its documentation, for validation and for the example file."""
    meta = {"doc": doc, "choices": choices, "example": example}
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


@dataclass
class PrivacyConfig:
    """What is kept of message bodies. Analysis always runs on the full text first."""

    store_bodies: str = setting(
        "own_text",
        "own_text: keep each message's own words (quotes and signatures removed); "
        "snippet: only the first snippet_chars characters of it; none: keep no body text.",
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
class Config:
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    identity: IdentityConfig = field(default_factory=IdentityConfig)
    import_: ImportConfig = field(default_factory=ImportConfig, metadata={"key": "import"})
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    threads: ThreadsConfig = field(default_factory=ThreadsConfig)
    people: PeopleConfig = field(default_factory=PeopleConfig)
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
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(known)})"
    return ConfigError(f"{file}: {where}{key}: unknown key{hint}")


def config_from_dict(data: dict[str, Any], file: str = "(config)") -> Config:
    """Validate a parsed TOML document and build the typed Config."""
    sections = {key: (name, factory) for key, name, factory in _sections()}
    cfg = Config(source=file)
    for key, value in data.items():
        if key not in sections:
            raise _unknown(key, list(sections), "", file)
        if not isinstance(value, dict):
            raise ConfigError(f"{file}: {key}: expected a table [{key}], got {value!r}")
        name, factory = sections[key]
        obj = factory()
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
            setattr(obj, sub, checked)
        setattr(cfg, name, obj)
    return cfg


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
    return config_from_dict(data, str(p))


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:_}" if abs(value) >= 10_000 else str(value)
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
    return "\n".join(out).rstrip() + "\n"
