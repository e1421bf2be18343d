"""IMAP source: read a real mailbox safely, incrementally and fast, into the same pipeline as import.

Safety: folders are opened with EXAMINE (`readonly=True`) and bodies fetched with `BODY.PEEK`, so the
server's flags and messages are never changed. Each fetched batch is stored in the same transaction
as the folder's checkpoint (UIDVALIDITY and last UID) -- a few batches share one transaction -- so a
crash, kill -9 or dropped connection at any point loses nothing and duplicates nothing: the next run
resumes after the last committed batch. Unchanged folders cost one STATUS command -- or nothing
extra where the server offers LIST-STATUS, which returns every folder's status with the folder list.
A new UIDVALIDITY rescans the folder (fingerprints keep messages from being stored twice); mail
expunged on the server stays in the database, its copy marked gone.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import logging
import os
import random
import re
import shlex
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

from imapclient import IMAPClient, SocketTimeout
from imapclient import exceptions as imap_errors
from imapclient.imap_utf7 import decode as decode_utf7
from imapclient.imapclient import join_message_ids, seq_to_parenstr_upper
from imapclient.response_parser import parse_fetch_response, parse_response
from imapclient.util import to_ints

from .config import AccountConfig, Config
from .importer import BATCH_BYTES, BatchIngest, derive_underived, make_pool, new_deduper, store_together
from .sources import RawMessage
from .store import chunks, copy_row, insert_or_replace, now_iso

log = logging.getLogger("goldenrule.imap")

ROLE_FLAGS = {b"\\Sent": "sent", b"\\All": "all", b"\\Junk": "junk", b"\\Trash": "trash",
              b"\\Drafts": "drafts", b"\\Archive": "archive"}
ROLE_NAMES = {
    "sent": {"sent", "sent items", "sent messages", "sent mail", "gesendet", "envoyés", "_sent_mail"},
    "junk": {"junk", "spam", "junk e-mail", "junk email", "bulk mail"},
    "trash": {"trash", "deleted items", "deleted messages", "bin", "papierkorb"},
    "drafts": {"drafts", "draft", "entwürfe"},
    "all": {"all mail"},
    "archive": {"archive", "archives"},
}
SKIPPED_ROLES = {"junk", "trash", "drafts"}
BACKOFF_BASE = float(os.environ.get("GOLDENRULE_BACKOFF_BASE", "1"))
RETRYABLE = (OSError, socket.timeout, imap_errors.IMAPClientAbortError, ssl.SSLError, EOFError)


class SyncError(Exception):
    """A one-line, human-readable reason a sync could not run (bad secret, untrusted certificate...)."""


class Interrupted(Exception):
    """The service was asked to stop: the sync ends after the batch it was storing."""


# Set by `goldenrule run` on SIGTERM/SIGINT; checked between batches, each of which is committed with
# its checkpoint, so stopping there loses and duplicates nothing.
STOP = threading.Event()


class OverQuota(SyncError):
    """The server refused further downloads for now (Gmail's bandwidth limit)."""


# ---------------------------------------------------------------------------------------------
# Secrets and connections


def _run_secret_command(acct: AccountConfig, key: str) -> str:
    cmd = getattr(acct, key)
    try:
        argv = shlex.split(cmd)
    except ValueError as e:
        raise SyncError(f"account {acct.name}: {key} cannot be split into arguments: {e}") from None
    try:
        r = subprocess.run(argv, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise SyncError(f"account {acct.name}: {key}: command not found: {argv[0]!r}") from None
    except subprocess.TimeoutExpired:
        raise SyncError(f"account {acct.name}: {key} did not finish within 120 s") from None
    if r.returncode != 0:
        # never echo the command's output: it may contain the secret
        raise SyncError(f"account {acct.name}: {key} failed with exit status {r.returncode}")
    value = r.stdout.decode("utf-8", "replace").splitlines()
    if not value or not value[0]:
        raise SyncError(f"account {acct.name}: {key} printed nothing")
    return value[0]


def get_secret(acct: AccountConfig) -> tuple[str, str]:
    """('password' | 'oauth2', secret), read fresh from its source every time."""
    if acct.oauth2_token_command:
        return "oauth2", _run_secret_command(acct, "oauth2_token_command")
    if acct.password_command:
        return "password", _run_secret_command(acct, "password_command")
    if acct.password_env:
        value = os.environ.get(acct.password_env)
        if not value:
            raise SyncError(f"account {acct.name}: environment variable {acct.password_env} is not set")
        return "password", value
    if acct.password_credential:
        directory = os.environ.get("CREDENTIALS_DIRECTORY")
        if not directory:
            raise SyncError(f"account {acct.name}: password_credential needs systemd's "
                            f"LoadCredential= ($CREDENTIALS_DIRECTORY is not set)")
        try:
            return "password", (Path(directory) / acct.password_credential).read_text().strip()
        except OSError as e:
            raise SyncError(f"account {acct.name}: credential {acct.password_credential}: {e.strerror}") from None
    if acct.password_keyring:
        try:
            import keyring
        except ImportError:
            raise SyncError(f"account {acct.name}: password_keyring needs the 'keyring' package "
                            f"(pip install keyring)") from None
        value = keyring.get_password("goldenrule", acct.username)
        if not value:
            raise SyncError(f"account {acct.name}: no keyring entry for service 'goldenrule', "
                            f"user {acct.username!r}")
        return "password", value
    raise SyncError(f"account {acct.name}: no secret source configured")


def ssl_context(acct: AccountConfig) -> ssl.SSLContext:
    """Certificates verified against the system's CAs, or, with `ca_file`, against that file's alone
    (as the stdlib and curl's --cacert do: a server with a private CA is trusted through it, and
    loading the system's bundle for it would cost a no-op sync 16 ms for nothing)."""
    try:
        return ssl.create_default_context(cafile=os.path.expanduser(acct.ca_file) if acct.ca_file else None)
    except (OSError, ssl.SSLError) as e:
        raise SyncError(f"account {acct.name}: ca_file {acct.ca_file}: {getattr(e, 'strerror', None) or e}") from None


# One message's FETCH answer of the usual shape: sequence number, UID and size, then one literal.
_LITERAL_FETCH = re.compile(rb"(\d+) \(((?:(?:UID|RFC822\.SIZE) \d+ )*)(BODY\[[A-Z.]*\]) \{(\d+)\}", re.I)


def _literal_fetch(data) -> dict | None:
    """imaplib's FETCH data as imapclient would parse it, when every message has the usual shape
    (one literal, closed by ")"); None for anything else."""
    out: dict = {}
    if len(data) % 2:
        return None
    for item, close in zip(data[::2], data[1::2]):
        if not isinstance(item, tuple) or close != b")":
            return None
        m = _LITERAL_FETCH.fullmatch(item[0])
        if not m or len(item[1]) != int(m.group(4)):
            return None
        fields: dict = {b"SEQ": int(m.group(1))}
        uid = None
        words = m.group(2).split()
        for name, value in zip(words[::2], words[1::2]):
            if name.upper() == b"UID":
                uid = int(value)
            else:
                fields[name.upper()] = int(value)
        if uid is None:
            return None
        fields[m.group(3).upper()] = item[1]
        out.setdefault(uid, {}).update(fields)
    return out


class Client(IMAPClient):
    """imapclient, reading the answers to the sync's own fetches (headers, or whole messages: one
    literal each) with one regex per message instead of imapclient's byte-by-byte lexer, about
    a tenth of the time; an answer of any other shape goes to imapclient's parser.

    imapclient turns imaplib's own debug output up to its most detailed level and sends it to the
    "imapclient.imaplib" logger: imaplib then formats every line it reads, and the repr of every
    message it receives, even when that logger discards them. Unless that logger is on, imaplib's
    debug output is off here."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not logging.getLogger("imapclient.imaplib").isEnabledFor(logging.DEBUG):
            self._imap.debug = 0

    def fetch(self, messages, data, modifiers=None):
        if not messages or modifiers or not self.use_uid:
            return super().fetch(messages, data, modifiers)
        tag = self._imap._command("UID", "FETCH", join_message_ids(messages), seq_to_parenstr_upper(data))
        typ, resp = self._imap._command_complete("FETCH", tag)
        self._checkok("fetch", typ, resp)
        typ, resp = self._imap._untagged_response(typ, resp, "FETCH")
        parsed = _literal_fetch(resp)
        if parsed is None:
            parsed = parse_fetch_response(resp, self.normalise_times, True)
        return {uid: parsed[uid] for uid in to_ints(messages) if uid in parsed}


def connect(acct: AccountConfig) -> IMAPClient:
    """Connect, verify the certificate, log in. Errors become one clear SyncError line."""
    port = acct.port or (993 if acct.tls == "implicit" else 143)
    where = f"account {acct.name}: {acct.host}:{port}"
    ctx = ssl_context(acct) if acct.tls != "none" else None
    timeout = SocketTimeout(connect=acct.timeout_seconds, read=acct.timeout_seconds)
    try:
        client = Client(acct.host, port, ssl=acct.tls == "implicit", ssl_context=ctx, timeout=timeout)
        if acct.tls == "starttls":
            client.starttls(ctx)
    except ssl.SSLCertVerificationError as e:
        raise SyncError(f"{where}: certificate not trusted ({e.verify_message}); "
                        f"set ca_file if the server uses a private CA") from None
    except ssl.SSLError as e:
        raise SyncError(f"{where}: TLS failed: {e.reason or e}") from None
    except (socket.timeout, TimeoutError):
        raise SyncError(f"{where}: connection timed out") from None
    except OSError as e:
        raise SyncError(f"{where}: cannot connect: {e.strerror or e}") from None
    except imap_errors.IMAPClientError as e:
        raise SyncError(f"{where}: {_text(e)}") from None
    kind, secret = get_secret(acct)
    try:
        if kind == "oauth2":
            client.oauth2_login(acct.username, secret)
        else:
            client.login(acct.username, secret)
    except imap_errors.LoginError as e:
        _logout(client)
        raise SyncError(f"{where}: login failed for {acct.username}: {_text(e).replace(secret, '***')}") from None
    except RETRYABLE as e:
        raise SyncError(f"{where}: connection lost while logging in: {e}") from None
    finally:
        del secret
    return client


def _text(e: Exception) -> str:
    s = str(e)
    if s.startswith("b'") or s.startswith('b"'):
        s = s[2:-1]
    return s.strip()


def _logout(client) -> None:
    try:
        client.logout()
    except Exception:
        try:
            client.shutdown()
        except Exception:
            pass


# ---------------------------------------------------------------------------------------------
# Folders


def folder_role(flags, name: str) -> str:
    for f in flags:
        f = f if isinstance(f, bytes) else str(f).encode()
        if f in ROLE_FLAGS:
            return ROLE_FLAGS[f]
    low = name.lower()
    last = low.replace("[gmail]/", "").rsplit("/", 1)[-1].rsplit(".", 1)[-1]
    for role, names in ROLE_NAMES.items():
        if low in names or last in names:
            return role
    return "inbox" if low == "inbox" else "other"


def choose_folders(listing, acct: AccountConfig, gmail: bool) -> list[tuple[str, str]]:
    """[(name, role)] to sync: all but Junk/Trash/Drafts (Gmail: All Mail only), then patterns."""
    folders = []
    for flags, _delim, name in listing:
        if any(f in (b"\\Noselect", b"\\NonExistent") for f in flags):
            continue
        folders.append((name, folder_role(flags, name)))
    if gmail and any(role == "all" for _, role in folders):
        folders = [(n, r) for n, r in folders if r == "all"]
    else:
        folders = [(n, r) for n, r in folders if r not in SKIPPED_ROLES]

    def match(name, patterns):
        return any(fnmatch.fnmatchcase(name.lower(), p.lower()) for p in patterns)

    if acct.folders_include:
        folders = [(n, r) for n, r in folders if match(n, acct.folders_include)]
    folders = [(n, r) for n, r in folders if not match(n, acct.folders_exclude)]
    return sorted(folders, key=lambda f: (f[0] != "INBOX", f[0]))


def status_items(condstore: bool) -> list[bytes]:
    return [b"UIDVALIDITY", b"UIDNEXT", b"MESSAGES"] + ([b"HIGHESTMODSEQ"] if condstore else [])


def list_folders(client, caps, condstore: bool) -> tuple[list, dict[str, dict]]:
    """The folder list and, where the server offers LIST-STATUS (RFC 5819), every folder's status
    from the same command: a pass over unchanged folders then costs one round trip, not one per folder."""
    if b"LIST-STATUS" not in caps:
        return client.list_folders(), {}
    returns = b"SPECIAL-USE " if b"SPECIAL-USE" in caps else b""
    returns += b"STATUS (" + b" ".join(status_items(condstore)) + b")"
    imap = client._imap  # imapclient has no LIST ... RETURN; imaplib sends it as written
    typ, data = imap._simple_command("LIST", b'""', b'"*"', b"RETURN", b"(" + returns + b")")
    client._checkok("list", typ, data)
    _typ, listing = imap._untagged_response(typ, data, "LIST")
    _typ, lines = imap._untagged_response(typ, data, "STATUS")
    statuses = {}
    lines = [line for line in lines if line not in (b"", None)]
    parsed = parse_response(lines) if lines else []
    for name, items in zip(parsed[::2], parsed[1::2]):
        if isinstance(name, int):
            name = str(name)
        elif client.folder_encode:
            name = decode_utf7(name)
        statuses[name] = dict(zip(items[::2], items[1::2]))
    return client._proc_folder_list(listing), statuses


# ---------------------------------------------------------------------------------------------
# State


def _state(db, account: str, folder: str) -> dict | None:
    rows = list(db.query("select * from sync_state where account = ? and folder = ?", [account, folder]))
    return rows[0] if rows else None


def _source_key(account: str, folder: str, uidvalidity: int, uid: int) -> str:
    return f"imap:{account}/{folder}/{uidvalidity}/{uid}"


# ---------------------------------------------------------------------------------------------
# Fetching


def _find_text_part(structure, prefix=""):
    """Part number of the first text/plain (else text/html) part in a BODYSTRUCTURE."""
    if structure is None:
        return None
    if isinstance(structure[0], (list, tuple)):  # multipart: children then subtype
        children = [c for c in structure if isinstance(c, (list, tuple)) and c and not isinstance(c, bytes)]
        found = None
        for i, child in enumerate(children, 1):
            if not isinstance(child, (list, tuple)) or not child:
                continue
            num = f"{prefix}{i}"
            got = _find_text_part(child, num + ".")
            if got and got[1] == "plain":
                return got
            found = found or got
        return found
    maintype = (structure[0] or b"").decode("ascii", "replace").lower()
    subtype = (structure[1] or b"").decode("ascii", "replace").lower()
    if maintype == "text" and subtype in ("plain", "html"):
        return (prefix.rstrip(".") or "1", subtype)
    return None


def _fetch_truncated(client, uid: int, header: bytes, cap: int) -> bytes:
    """Headers plus the first `cap` bytes of the text part of a huge message."""
    structure = client.fetch([uid], ["BODYSTRUCTURE"]).get(uid, {}).get(b"BODYSTRUCTURE")
    part = _find_text_part(structure)
    if not part:
        return header.rstrip(b"\r\n") + b"\r\nX-Goldenrule-Truncated: no text part fetched\r\n\r\n"
    num = part[0]
    resp = client.fetch([uid], [f"BODY.PEEK[{num}.MIME]", f"BODY.PEEK[{num}]<0.{cap}>"]).get(uid, {})
    mime = resp.get(f"BODY[{num}.MIME]".encode()) or b""
    body = resp.get(f"BODY[{num}]<0>".encode()) or b""
    top = [line for line in header.rstrip(b"\r\n").split(b"\r\n")]
    kept, skip = [], False
    for line in top:  # drop the top-level MIME headers; the part's own replace them
        if line[:1] in (b" ", b"\t"):
            if not skip:
                kept.append(line)
            continue
        skip = line.lower().startswith((b"content-type:", b"content-transfer-encoding:", b"mime-version:"))
        if not skip:
            kept.append(line)
    kept.append(b"X-Goldenrule-Truncated: text part cut at %d bytes" % cap)
    return b"\r\n".join(kept) + b"\r\nMIME-Version: 1.0\r\n" + mime.rstrip(b"\r\n") + b"\r\n\r\n" + body


FETCH_BYTES = 4_000_000  # message bytes fetched (and handed on for parsing) together, at most


GMAIL_ITEMS = ["X-GM-MSGID", "X-GM-THRID", "X-GM-LABELS"]


def fetch_parts(client, uids: list[int], acct: AccountConfig, known_gmail=None):
    """Yield (uids, {uid: (raw bytes, note)}, {uid: gmail ids and labels}, {uid: stored message id})
    for consecutive runs of `uids`: headers of the whole batch first; bodies only for mail between
    people, and at most FETCH_BYTES of them per run (by RFC822.SIZE; a bigger message is a run of
    its own), so a batch of large messages is never held in memory at once. Each run covers
    consecutive UIDs: a checkpoint at its last UID is exact.

    On Gmail (`known_gmail` given: X-GM-MSGIDs -> stored message ids) the header fetch brings
    Gmail's message id, thread id and labels too, and a message whose Gmail id is stored already
    (All Mail rescanned after a UIDVALIDITY change) is not downloaded again."""
    from .bulk import triage  # here, not at the top: a sync that finds nothing new never loads it

    items = ["RFC822.SIZE", "BODY.PEEK[HEADER]"] + (GMAIL_ITEMS if known_gmail is not None else [])
    resp = client.fetch(uids, items)
    gmail = {uid: _gmail_meta(d) for uid, d in resp.items()} if known_gmail is not None else {}
    stored = known_gmail([g[0] for g in gmail.values()]) if gmail else {}
    run: list[int] = []
    out: dict[int, tuple[bytes, str | None]] = {}
    already: dict[int, str] = {}
    need_body: list[int] = []
    budget = 0

    def part():
        return run, _with_bodies(client, out, need_body), {u: gmail[u] for u in run if u in gmail}, already

    for uid in uids:
        data = resp.pop(uid, None)
        if data is not None and uid in gmail and gmail[uid][0] in stored:
            already[uid] = stored[gmail[uid][0]]
        elif data is not None:  # else expunged between SEARCH and FETCH
            header = data.get(b"BODY[HEADER]") or b""
            size = data.get(b"RFC822.SIZE") or 0
            if triage(header)[0] is not None:
                out[uid] = (header.rstrip(b"\r\n") + b"\r\nX-Goldenrule-Body: not fetched (bulk mail)\r\n\r\n", None)
            elif size > acct.max_message_bytes:
                out[uid] = (_fetch_truncated(client, uid, header, acct.max_message_bytes), "truncated")
            else:
                if need_body and budget + size > FETCH_BYTES:
                    yield part()
                    run, out, already, need_body, budget = [], {}, {}, [], 0
                need_body.append(uid)
                budget += size
        run.append(uid)
    if run:
        yield part()


def _gmail_meta(data: dict) -> tuple[int | None, int | None, list[str]]:
    """(X-GM-MSGID, X-GM-THRID, labels as text) from one message's FETCH answer."""
    labels = []
    for label in data.get(b"X-GM-LABELS") or ():
        labels.append(decode_utf7(label) if isinstance(label, bytes) else str(label))
    return data.get(b"X-GM-MSGID"), data.get(b"X-GM-THRID"), sorted(labels)


def _store_gmail(db, key_prefix: str, gmail: dict) -> None:
    """In the checkpoint's transaction: Gmail's ids and labels for the run's copies."""
    insert_or_replace(db, "gmail_copies", [{"source_key": f"{key_prefix}{uid}", "gmail_msgid": msgid,
                                            "gmail_thread_id": thrid, "labels": json.dumps(labels)}
                                           for uid, (msgid, thrid, labels) in gmail.items()])


def _known_gmail(db, account: str):
    """X-GM-MSGIDs -> ids of the messages already stored from this account under them."""
    lo, hi = _key_range(f"imap:{account}/")

    def known(msgids: list) -> dict:
        out = {}
        for chunk in chunks([m for m in msgids if m is not None]):
            out.update(db.execute(
                f"select g.gmail_msgid, c.message from gmail_copies g join copies c on c.source_key = g.source_key "
                f"where g.gmail_msgid in ({','.join('?' * len(chunk))}) and g.source_key >= ? and g.source_key < ? "
                f"and c.message is not null", [*chunk, lo, hi]).fetchall())
        return out
    return known


def _with_bodies(client, out: dict, need_body: list[int]) -> dict:
    if need_body:
        bodies = client.fetch(need_body, ["BODY.PEEK[]"])
        for uid in need_body:
            raw = bodies.get(uid, {}).get(b"BODY[]")
            if raw is not None:
                out[uid] = (raw, None)
    return out


# ---------------------------------------------------------------------------------------------
# Sync


class _Progress:
    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.started = time.monotonic()

    def show(self, label: str, done: int, total: int):
        if not self.enabled or not total:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = done / elapsed
        eta = (total - done) / rate if rate else 0
        print(f"\r{label}: {done:,}/{total:,} ({rate:,.0f}/s, ETA {eta:,.0f}s)   ", end="", file=sys.stderr,
              flush=True)

    def end(self):
        if self.enabled:
            print(file=sys.stderr)


class Batches:
    """Fetched batches whose parsing runs in the pool while the next batch is fetched, across folders:
    a small folder is one batch, so a folder-by-folder pipeline would leave the parser processes idle
    while the next folder is fetched. Batches are stored in the order they were fetched, several in one
    transaction (fewer, larger commits write fewer pages), each with its folder's checkpoint, so the
    safety argument is unchanged: a checkpoint is never committed without the messages it covers.
    One deduper for the pass: a message whose copies sit in two folders' batches in flight is parsed
    and stored once."""

    IN_FLIGHT = 2  # batches parsed ahead of the one being stored
    TOGETHER = 3  # fetched batches' worth of copies stored per transaction, at least...
    BYTES_TOGETHER = BATCH_BYTES  # ...unless their parsed messages were this big (raw bytes) before

    def __init__(self, db, cfg: Config, pool, progress: _Progress, counters: dict, fetch_batch: int = 200):
        self.db, self.cfg, self.pool, self.progress, self.counters = db, cfg, pool, progress, counters
        self.together = self.TOGETHER * fetch_batch
        self.dedupe = new_deduper(db, cfg)
        self.in_flight: list[tuple[BatchIngest, int, str, dict]] = []
        self.parsed: list[tuple[BatchIngest, int, str, dict]] = []  # parsed, to be stored together
        self.stored_count = 0  # messages this pass stored (deriving finds them: they have no thread yet)

    def add(self, raws: list[RawMessage], also, label: str, folder_count: dict, known: list[dict] = ()) -> None:
        """Start parsing a batch; collect the parsed ones beyond IN_FLIGHT and store them, with their
        checkpoints, once they hold TOGETHER full batches' worth of copies or BYTES_TOGETHER of
        parsed mail. Parsed messages take about three and a half times their raw size in memory, so
        the byte bound is what keeps a run's peak memory the same whatever the mailbox holds.
        `known`: copy rows of messages already stored (not fetched), stored like duplicates."""
        ingest = BatchIngest(self.db, raws, self.cfg, self.dedupe, self.pool, also=also)
        ingest.duplicates.extend(known)
        self.in_flight.append((ingest, len(raws) + len(known), label, folder_count))
        while len(self.in_flight) > self.IN_FLIGHT:
            self._collect_oldest()
        if (sum(n for _, n, _, _ in self.parsed) >= self.together
                or sum(ingest.size for ingest, _, _, _ in self.parsed) >= self.BYTES_TOGETHER):
            self._store_parsed()

    def drain(self) -> None:
        """Store every batch in flight (at the end of a pass, and before an error or a stop leaves it)."""
        while self.in_flight:
            self._collect_oldest()
        self._store_parsed()

    def _collect_oldest(self) -> None:
        item = self.in_flight.pop(0)
        item[0].wait()
        self.parsed.append(item)

    def _store_parsed(self) -> None:
        if not self.parsed:
            return
        self.stored_count += store_together(self.db, [ingest for ingest, _, _, _ in self.parsed])
        for _, n, label, folder_count in self.parsed:
            self.counters["copies_seen"] += n
            folder_count["done"] += n
            self.progress.show(label, folder_count["done"], folder_count["total"])
        self.parsed = []


def _unchanged(state: dict | None, status: dict) -> bool:
    return bool(state) and (state["uidvalidity"], state["uidnext"], state["messages"]) == \
        (status[b"UIDVALIDITY"], status[b"UIDNEXT"], status[b"MESSAGES"]) and \
        status.get(b"HIGHESTMODSEQ") in (None, state["highestmodseq"])


def sync_folder(client, db, cfg: Config, acct: AccountConfig, folder: str, role: str, batches: Batches,
                condstore: bool, counters: dict, listed: dict | None = None, gmail: bool = False) -> None:
    """Bring one folder up to date. Its last batches may still be parsing when this returns: the
    folder's final state is committed with its last batch (`batches.drain()` stores them all).
    `listed` is the folder's status from LIST-STATUS, if any: enough to skip an unchanged folder; a
    changed one asks STATUS afresh, since mail may have arrived after the listing."""
    state = _state(db, acct.name, folder)
    counters["folders_checked"] += 1
    status = listed if listed and _unchanged(state, listed) else client.folder_status(folder, status_items(condstore))
    uidvalidity, uidnext = status[b"UIDVALIDITY"], status[b"UIDNEXT"]
    messages, modseq = status[b"MESSAGES"], status.get(b"HIGHESTMODSEQ")
    if _unchanged(state, status):
        db.execute("update sync_state set last_sync_at = ?, last_error = null where account = ? and folder = ?",
                   [now_iso(), acct.name, folder])
        db.conn.commit()
        return
    counters["folders_changed"] += 1
    client.select_folder(folder, readonly=True)  # EXAMINE: nothing on the server can change
    prefix = f"imap:{acct.name}/{folder}/"
    current = _key_range(f"{prefix}{uidvalidity}/")  # copies under this UIDVALIDITY
    if state and state["uidvalidity"] != uidvalidity:
        log.info("folder %s/%s has a new UIDVALIDITY (%s -> %s): rescanning", acct.name, folder,
                 state["uidvalidity"], uidvalidity)
        # This folder's copies under other UIDVALIDITYs (not a subfolder's, whose keys share the prefix).
        old = [k for (k,) in db.execute("select source_key from copies where source_key >= ? and source_key < ? "
                                        "and gone_at is null", _key_range(prefix))
               if _UID_KEY.fullmatch(k, len(prefix)) and not k.startswith(current[0])]
        _mark_gone(db, old)
        counters["copies_gone"] += len(old)
        state = None
    last_uid = state["last_uid"] if state else 0
    # Expunged on the server: keep the message, mark its copy gone.
    stored = db.execute("select count(*) from copies where source_key >= ? and source_key < ? "
                        "and gone_at is null", current).fetchone()[0]
    if state and stored > messages - max(0, uidnext - 1 - last_uid):
        live = {_source_key(acct.name, folder, uidvalidity, u) for u in client.search(["ALL"])}
        gone = [k for (k,) in db.execute("select source_key from copies where source_key >= ? and source_key < ? "
                                         "and gone_at is null", current)
                if k not in live]
        _mark_gone(db, gone)
        counters["copies_gone"] += len(gone)
    criteria = ["UID", f"{last_uid + 1}:*"]
    if not state and acct.since:
        criteria += ["SINCE", dt.date.fromisoformat(acct.since)]
    uids = sorted(u for u in client.search(criteria) if u > last_uid)  # n:* always returns the highest
    final = {"account": acct.name, "folder": folder, "role": role, "uidvalidity": uidvalidity, "uidnext": uidnext,
             "messages": messages, "highestmodseq": modseq, "last_uid": max([last_uid] + uids),
             "last_error": None}

    def save_final(db):
        db["sync_state"].upsert(dict(final, last_sync_at=now_iso()), pk=("account", "folder"))

    count = {"done": 0, "total": len(uids)}
    label = f"{acct.name}/{folder}"
    known_gmail = _known_gmail(db, acct.name) if gmail else None
    key_prefix = _source_key(acct.name, folder, uidvalidity, "")
    for start in range(0, len(uids), acct.fetch_batch):
        if STOP.is_set():
            batches.drain()
            raise Interrupted()
        parts = fetch_parts(client, uids[start:start + acct.fetch_batch], acct, known_gmail)
        while True:
            try:
                run, fetched, gmail_meta, already = next(parts, (None, None, None, None))
            except BaseException:
                batches.drain()  # what was fetched before the failure is complete: keep it
                raise
            if run is None:
                break
            raws = [RawMessage(folder, f"{key_prefix}{uid}", raw) for uid, (raw, _note) in sorted(fetched.items())]
            # Found stored by their Gmail id: a copy row each, pointing at the stored message.
            known = [copy_row(f"{key_prefix}{uid}", folder, message) for uid, message in already.items()]
            # The last run brings the folder up to date: its checkpoint is the folder's whole state.
            checkpoint = None if run[-1] == uids[-1] else {
                "account": acct.name, "folder": folder, "role": role, "uidvalidity": uidvalidity, "last_uid": run[-1]}

            def also(db, checkpoint=checkpoint, gmail_meta=gmail_meta):
                _store_gmail(db, key_prefix, gmail_meta)
                if checkpoint is None:
                    save_final(db)
                else:
                    db["sync_state"].upsert(checkpoint, pk=("account", "folder"))

            batches.add(raws, also, label, count, known)
    if not uids:
        with db.conn:
            save_final(db)


def _mark_gone(db, keys: list[str]) -> None:
    """Copies no longer on the server: kept, marked gone now, in one transaction."""
    stamp = now_iso()
    with db.conn:
        db.conn.executemany("update copies set gone_at = ? where source_key = ?", [(stamp, k) for k in keys])


_UID_KEY = re.compile(r"\d+/\d+")  # what follows a folder's prefix in its own copies' keys


def _key_range(prefix: str) -> tuple[str, str]:
    """Bounds of the source keys that start with `prefix` (which ends with '/'): a range the
    copies' primary key answers, exact and case-sensitive, where LIKE would scan the table."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _check_overquota(e: Exception) -> None:
    if "OVERQUOTA" in str(e).upper():
        raise OverQuota("server refused downloads: bandwidth quota exceeded (OVERQUOTA); "
                        "the next run resumes where this one stopped") from None


def sync_account(db, cfg: Config, acct: AccountConfig, pool=None, show_progress: bool = False,
                 sleep=time.sleep) -> dict:
    """One pass over one account, recorded in sync_runs. Raises SyncError on a hard failure."""
    db.execute("update sync_runs set status = 'interrupted', finished_at = ? "
               "where account = ? and status = 'running'", [now_iso(), acct.name])
    run_id = db["sync_runs"].insert({"account": acct.name, "started_at": now_iso(), "status": "running"}).last_pk
    db.conn.commit()
    counters = {"folders_checked": 0, "folders_changed": 0, "copies_seen": 0, "copies_gone": 0}
    progress = _Progress(show_progress)
    batches = Batches(db, cfg, pool, progress, counters, acct.fetch_batch)
    status, error = "ok", None
    client = None
    try:
        client = connect(acct)
        caps = client.capabilities()
        condstore = b"CONDSTORE" in caps
        if condstore:
            try:
                client.enable("CONDSTORE")
            except imap_errors.IMAPClientError:
                condstore = False
        listing, listed = list_folders(client, caps, condstore)
        gmail = b"X-GM-EXT-1" in caps
        folders = choose_folders(listing, acct, gmail=gmail)
        done_folders = set()
        attempt = 0
        while True:
            try:
                for folder, role in folders:
                    if folder in done_folders:
                        continue
                    if STOP.is_set():
                        raise Interrupted()
                    try:
                        sync_folder(client, db, cfg, acct, folder, role, batches, condstore, counters,
                                    listed.get(folder), gmail)
                    except imap_errors.IMAPClientError as e:
                        if isinstance(e, imap_errors.IMAPClientAbortError):
                            raise
                        _check_overquota(e)
                        _record_folder_error(db, acct.name, folder, _text(e))
                        log.warning("account %s folder %s: %s", acct.name, folder, _text(e))
                    done_folders.add(folder)
                batches.drain()
                break
            except RETRYABLE as e:
                if isinstance(e, ssl.SSLCertVerificationError):
                    raise
                attempt += 1
                if attempt > acct.retries:
                    raise SyncError(f"account {acct.name}: connection lost {attempt} times, giving up: "
                                    f"{_text(e) or type(e).__name__}") from None
                delay = min(60.0, BACKOFF_BASE * 2 ** (attempt - 1)) * (0.5 + random.random())
                log.warning("account %s: connection lost (%s); reconnecting in %.1fs (attempt %d/%d)",
                            acct.name, _text(e) or type(e).__name__, delay, attempt, acct.retries)
                _logout(client)
                sleep(delay)
                client = _reconnect(acct, attempt, sleep)
    except Interrupted:
        status, error = "interrupted", "stopped by the service before the end of the pass"
    except OverQuota as e:
        status, error = "overquota", str(e)
    except SyncError as e:
        status, error = "error", str(e)
    except imap_errors.IMAPClientError as e:
        status, error = "error", f"account {acct.name}: {_text(e)}"
    finally:
        progress.end()
        if client is not None:
            _logout(client)
        try:
            batches.drain()  # a failure outside a folder's fetch may leave batches parsed, not stored
            # A sync that brought nothing new leaves threads and contacts as they are.
            derive_underived(db, cfg, if_any=True)
        finally:
            db["sync_runs"].update(run_id, {"finished_at": now_iso(), "status": status, "error": error,
                                            "messages_new": batches.stored_count, **counters})
            db.conn.commit()
    result = {"account": acct.name, "status": status, "error": error, "messages_new": batches.stored_count,
              **counters}
    if status not in ("ok", "interrupted"):
        raise SyncError(error) if status == "error" else OverQuota(error)
    return result


def _reconnect(acct, attempt, sleep):
    while True:
        try:
            return connect(acct)
        except SyncError as e:
            if "login failed" in str(e) or "certificate" in str(e) or attempt >= acct.retries:
                raise
            attempt += 1
            delay = min(60.0, BACKOFF_BASE * 2 ** (attempt - 1)) * (0.5 + random.random())
            log.warning("%s; retrying in %.1fs (attempt %d/%d)", e, delay, attempt, acct.retries)
            sleep(delay)


def _record_folder_error(db, account, folder, error):
    with db.conn:
        db["sync_state"].upsert({"account": account, "folder": folder, "last_error": error[:500],
                                 "last_error_at": now_iso()}, pk=("account", "folder"))


def sync_all(db, cfg: Config, show_progress: bool = False) -> list[dict]:
    """`goldenrule sync`: one pass over every account; failures are recorded, then reported."""
    if not cfg.accounts:
        raise SyncError(f"{cfg.source}: no [[accounts]] configured")
    results = []
    pool = make_pool(cfg)
    try:
        for acct in cfg.accounts:
            if STOP.is_set():
                break
            try:
                results.append(sync_account(db, cfg, acct, pool, show_progress))
            except SyncError as e:
                results.append({"account": acct.name, "status": "overquota" if isinstance(e, OverQuota)
                                else "error", "error": str(e)})
    finally:
        if pool is not None:
            pool.terminate()
    return results
