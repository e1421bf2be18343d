"""The SQLite ledger: opening it privately, its schema and migrations, and batched writes.

`ensure_schema` is idempotent: it applies numbered migrations once each (recorded in
`schema_migrations`) and then makes sure indexes, full-text search and views exist.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import sqlite_utils

MESSAGE_COLUMNS = {
    "id": str, "message_id": str, "message_id_synthetic": int, "date": str, "date_source": str,
    "from_address": str, "from_name": str, "to_addresses": str, "cc_addresses": str,
    "subject": str, "subject_normalized": str, "is_reply": int, "in_reply_to": str,
    "references": str, "thread_id": str, "thread_link": str, "is_from_me": int, "own_text": str,
    "has_quote": int, "quoted_from": str, "quoted_date": str, "quoted_subject": str,
    "html_only": int, "body_chars": int, "body_truncated": int, "attachment_count": int,
    "size_bytes": int, "is_automated": int, "category": str, "automated_reason": str,
    "folder": str, "parse_error": str, "imported_at": str, "quoted_text": str, "acts_read": int,
    "content_key": str,
}


def _m0001_initial(db: sqlite_utils.Database):
    db["messages"].create(MESSAGE_COLUMNS, pk="id", not_null={"message_id"})
    db["message_addresses"].create(
        {"message": str, "kind": str, "address": str, "name": str},
        pk=("message", "kind", "address"), foreign_keys=[("message", "messages", "id")],
    )
    db["message_references"].create(
        {"message": str, "ref": str, "position": int},
        pk=("message", "ref"), foreign_keys=[("message", "messages", "id")],
    )
    db["attachments"].create(
        {"message": str, "position": int, "filename": str, "content_type": str, "size": int},
        pk=("message", "position"), foreign_keys=[("message", "messages", "id")],
    )
    db["copies"].create(
        {"source_key": str, "folder": str, "message": str, "header_message_id": str,
         "error": str, "imported_at": str},
        pk="source_key",
    )
    db["folders"].create({"name": str, "role": str, "copies": int}, pk="name")
    db["identities"].create({"address": str, "source": str, "messages": int}, pk="address")
    db["threads"].create(
        {"id": str, "subject": str, "first_date": str, "last_date": str, "message_count": int,
         "participant_count": int, "formed_by": str, "root_message": str},
        pk="id",
    )
    db["contacts"].create(
        {"id": int, "name": str, "email": str, "is_self": int, "important": int, "ignored": int,
         "first_seen": str, "last_seen": str, "messages_from": int, "messages_to": int,
         "threads": int, "addresses": int},
        pk="id",
    )
    db["contact_addresses"].create(
        {"address": str, "contact_id": int, "name": str, "merged_by": str},
        pk="address", foreign_keys=[("contact_id", "contacts", "id")],
    )
    db["imports"].create(
        {"id": int, "started_at": str, "finished_at": str, "paths": str, "copies_seen": int,
         "messages_new": int, "duplicates": int, "errors": int},
        pk="id",
    )


def _m0002_imap(db: sqlite_utils.Database):
    db["copies"].add_column("gone_at", str)
    db["sync_state"].create(
        {"account": str, "folder": str, "role": str, "uidvalidity": int, "uidnext": int, "last_uid": int,
         "messages": int, "highestmodseq": int, "last_sync_at": str, "last_error": str,
         "last_error_at": str},
        pk=("account", "folder"),
    )
    db["sync_runs"].create(
        {"id": int, "account": str, "started_at": str, "finished_at": str, "status": str,
         "folders_checked": int, "folders_changed": int, "messages_new": int, "copies_seen": int,
         "copies_gone": int, "error": str},
        pk="id",
    )


def _m0003_help(db: sqlite_utils.Database):
    if "quoted_text" not in db["messages"].columns_dict:
        db["messages"].add_column("quoted_text", str)
    db["message_acts"].create(
        {"message": str, "part": str, "position": int, "act": str, "sentence": str, "confidence": float,
         "cue": str},
        pk=("message", "position", "act"), foreign_keys=[("message", "messages", "id")],
    )
    db["help_events"].create(
        {"id": str, "helper": str, "helped": str, "kind": str, "occurred_at": str, "evidence": str,
         "message": str, "message_id": str, "thread_id": str, "confidence": float, "found_by": str,
         "request_message": str},
        pk="id", foreign_keys=[("message", "messages", "id")],
    )


def _m0004_relationships(db: sqlite_utils.Database):
    db["relationships"].create(
        {"contact_id": int, "name": str, "email": str, "as_of": str, "status": str, "status_since": str,
         "status_reason": str, "important": int, "important_inferred": int, "first_interaction": str,
         "last_interaction": str, "last_inbound": str, "last_outbound": str, "two_way": int, "messages": int,
         "messages_in": int, "messages_out": int, "threads": int, "interactions": int, "typical_gap_days": float,
         "gap_count": int, "silence_days": float, "resume_probability_90d": float, "my_median_reply_hours": float,
         "their_median_reply_hours": float, "strength": float, "strength_interactions": float,
         "strength_help": float, "strength_half_life_days": float, "strength_two_way_factor": float,
         "threads_you_started": int, "help_given": int, "help_received": int, "help_balance": float,
         "last_help_given_at": str, "last_help_received_at": str, "last_thread": str, "last_subject": str},
        pk="contact_id",
    )
    db["contact_help"].create({"event": str, "contact_id": int, "direction": str}, pk=("event", "contact_id"))
    db["loose_ends"].create(
        {"id": int, "kind": str, "contact_id": int, "address": str, "message": str, "thread_id": str,
         "subject": str, "since": str, "age_days": float, "detail": str, "resolved_at": str},
        pk="id",
    )
    db["golden_rule"].create(
        {"quarter": str, "starts": str, "people_helped": int, "important_people_helped": int, "help_given": int},
        pk="quarter",
    )
    db["golden_rule_score"].create(
        {"as_of": str, "important_people_helped_90d": int, "people_helped_90d": int, "quarter": str}, pk="as_of")
    db["people_overrides"].create({"address": str, "action": str, "value": str, "set_at": str},
                                  pk=("address", "action"))


def _m0005_digest(db: sqlite_utils.Database):
    db["digests"].create(
        {"period_end": str, "status": str, "recorded_at": str, "sent_at": str, "message_id": str, "items": int,
         "error": str},
        pk="period_end",
    )


def _m0006_monthly(db: sqlite_utils.Database):
    db["monthly_activity"].create(
        {"month": str, "you_wrote": int, "they_wrote": int, "help_given": int, "help_received": int}, pk="month")


def _m0007_jobs(db: sqlite_utils.Database):
    db["jobs"].create({"id": int, "job": str, "started_at": str, "finished_at": str, "status": str, "error": str,
                       "detail": str}, pk="id")


def _m0008_acts_read(db: sqlite_utils.Database):
    """Acts are read on arrival from the full text; mark the messages whose acts exist already."""
    if "acts_read" not in db["messages"].columns_dict:
        db["messages"].add_column("acts_read", int)
    db.execute("update messages set acts_read = 1 where thread_id is not null")


def _m0009_gmail(db: sqlite_utils.Database):
    """Gmail's own ids and labels for each copy synced from a Gmail account."""
    db["gmail_copies"].create({"source_key": str, "gmail_msgid": int, "gmail_thread_id": int, "labels": str},
                              pk="source_key")


def _m0010_content_key(db: sqlite_utils.Database):
    """Sender, subject and text hashed without the date: finds a copy whose Date slipped by whole
    hours. Messages stored before have none and are matched as before (by fingerprint or Message-ID)."""
    if "content_key" not in db["messages"].columns_dict:
        db["messages"].add_column("content_key", str)


def _m0011_notes_names(db: sqlite_utils.Database):
    """A Lotus Notes name in front of the domain ("john.smith/hou/ect@corp.com") is stored as the
    person's address (john.smith@corp.com) since this migration: rewrite the addresses stored before
    it, and leave their messages to be threaded again (no thread: the next run derives them)."""
    from .parse import normalize_address

    renamed: dict[str, dict[str, str]] = {}
    for message, kind, address, name in db.execute(
            "select message, kind, address, name from message_addresses where address like '%/%@%'").fetchall():
        new = normalize_address(address)
        if new == address:
            continue
        db.execute("delete from message_addresses where message = ? and kind = ? and address = ?", (message, kind, address))
        db.execute("insert or ignore into message_addresses (message, kind, address, name) values (?, ?, ?, ?)",
                   (message, kind, new, name))
        renamed.setdefault(message, {})[address] = new
    for message, names in renamed.items():
        row = db.execute("select from_address, to_addresses, cc_addresses from messages where id = ?", (message,)).fetchone()
        if row is None:
            continue
        sender, to, cc = row

        def renamed_list(value):
            return ", ".join(names.get(a.strip(), a.strip()) for a in value.split(",") if a.strip()) if value else value

        db.execute("update messages set from_address = ?, to_addresses = ?, cc_addresses = ?, thread_id = null "
                   "where id = ?", (names.get(sender, sender), renamed_list(to), renamed_list(cc), message))


def _m0012_mailing_footers(db: sqlite_utils.Database):
    """A message without bulk headers whose own text carries a mailing's footer ("If you no longer
    wish to receive these e-mails ...") is a newsletter since this migration: mark those stored
    before, and leave them to be derived again (no thread: the next run recomputes what they touched)."""
    from .bulk import mailing_footer

    # Read as a stream (only the few marked are held), then write: a big mailbox's texts never sit in memory at once.
    found = [(reason, message) for message, own in db.execute(
        "select id, own_text from messages where is_automated = 0 and own_text is not null")
        if (reason := mailing_footer(own))]
    for reason, message in found:
        db.execute("update messages set is_automated = 1, category = 'newsletter', automated_reason = ?, "
                   "thread_id = null where id = ?", (reason, message))


def _m0013_recipient_lists(db: sqlite_utils.Database):
    """A Lotus Notes header block whose "To:" list runs over many lines is cut from a message's own text
    since this migration: cut it from the texts stored before, with the acts read from the part cut
    away, and leave those messages to be derived again (no thread: the next run recomputes what they
    touched). Works on whatever the privacy setting kept: a snippet is cut the same way."""
    from .acts import split_sentences
    from .own_text import LOTUS_DATE, find_cut, quoted_header

    # Read as a stream (only the few cut are held), then write. Only the cut is applied: the rest of
    # the own-text rules already ran when the message was stored. The reply reader often stopped the
    # stored text inside the list, before its "cc:" and "Subject:": a dated sender line, "To:" and
    # addresses up to the end of the text are such a block too. Bulk mail's text is stored uncut.
    found = []
    for message, own in db.execute("select id, own_text from messages where own_text like '%to:%' and is_automated = 0"):
        lines = own.replace("\r\n", "\n").split("\n")
        cut = find_cut(lines)
        if cut is None:
            cut = find_cut(lines + ["cc:", "Subject:"])
            if cut is not None and (cut[1] != "lotus" or cut[0] >= len(lines)
                                    or not any(LOTUS_DATE.search(line) for line in lines[cut[0]:cut[0] + 3])):
                cut = None
        if cut is not None:
            found.append((message, "\n".join(lines[:cut[0]]).strip(), quoted_header(lines[cut[0]:], cut[1]) or {}))
    for message, new, header in found:
        db.execute("update messages set own_text = ?, has_quote = 1, quoted_from = ?, quoted_date = ?, "
                   "quoted_subject = ?, thread_id = null where id = ?",
                   (new, header.get("from", "")[:200] or None, header.get("date", "")[:100] or None,
                    header.get("subject", "")[:500] or None, message))
        db.execute("delete from message_acts where message = ? and part = 'own' and position >= ?",
                   (message, len(split_sentences(new))))


def _m0014_inference_rules(db: sqlite_utils.Database):
    """Which rules read the stored acts and inferred the help events: a fingerprint of their code. When
    it differs from the running code's (an upgrade), the next derive reads acts again and recomputes
    every event, once."""
    db["inference_rules"].create({"id": int, "fingerprint": str}, pk="id", if_not_exists=True)


def _m0015_yahoo_quotes(db: sqlite_utils.Database):
    """Yahoo! Mail's reply header ('--- "Bass, Eric" <Eric.Bass@ENRON.com> wrote:') starts the quoted
    history since this migration: cut the texts stored before at it, with the acts read from the part
    cut away, and leave those messages to be derived again (no thread: the next run recomputes what
    they touched)."""
    from .acts import split_sentences
    from .own_text import YAHOO_WROTE, quoted_header

    found = []
    for message, own in db.execute("select id, own_text from messages where own_text like '%wrote%' and is_automated = 0"):
        lines = own.replace("\r\n", "\n").split("\n")
        cut = next((i for i, line in enumerate(lines) if YAHOO_WROTE.match(line)), None)
        if cut is not None:
            found.append((message, "\n".join(lines[:cut]).strip(), quoted_header(lines[cut:], "wrote") or {}))
    for message, new, header in found:
        db.execute("update messages set own_text = ?, has_quote = 1, quoted_from = ?, thread_id = null where id = ?",
                   (new, header.get("from", "")[:200] or None, message))
        db.execute("delete from message_acts where message = ? and part = 'own' and position >= ?",
                   (message, len(split_sentences(new))))


def _m0017_role_senders(db: sqlite_utils.Database):
    """A system's role address ("exchange.administrator@": "Your mailbox is approaching the size limit")
    is an automated sender since this migration: mark mail stored before from such addresses, and leave
    it to be derived again (no thread: the next run recomputes what it touched)."""
    from .bulk import automated_sender

    found = [(reason, address) for (address,) in db.execute(
        "select distinct from_address from messages where is_automated = 0 and from_address like '%@%'")
        if (reason := automated_sender(address))]
    for reason, address in found:
        db.execute("update messages set is_automated = 1, category = 'automated', automated_reason = ?, "
                   "thread_id = null where from_address = ? and is_automated = 0", (reason, address))


MIGRATIONS = [("0001_initial", _m0001_initial), ("0002_imap", _m0002_imap), ("0003_help", _m0003_help),
              ("0004_relationships", _m0004_relationships), ("0005_digest", _m0005_digest),
              ("0006_monthly", _m0006_monthly), ("0007_jobs", _m0007_jobs),
              ("0008_acts_read", _m0008_acts_read), ("0009_gmail", _m0009_gmail),
              ("0010_content_key", _m0010_content_key), ("0011_notes_names", _m0011_notes_names),
              ("0012_mailing_footers", _m0012_mailing_footers), ("0013_recipient_lists", _m0013_recipient_lists),
              ("0014_inference_rules", _m0014_inference_rules), ("0015_yahoo_quotes", _m0015_yahoo_quotes),
              # The footers read since ("This message was sent to you by Egreetings.com."): the same marking again.
              ("0016_mailing_footers_sent_by", _m0012_mailing_footers), ("0017_role_senders", _m0017_role_senders),
              # Read since: "If you'd rather not receive ..." footers, and prefixed roles ("store-news@").
              ("0018_mailing_footers_rather_not", _m0012_mailing_footers),
              ("0019_prefixed_role_senders", _m0017_role_senders)]

INDEXES = [
    ("messages", ["message_id"], True),
    ("messages", ["content_key"], False),
    ("messages", ["date"], False),
    ("messages", ["thread_id"], False),
    ("messages", ["from_address"], False),
    ("messages", ["subject_normalized"], False),
    ("messages", ["in_reply_to"], False),
    ("message_addresses", ["address"], False),
    ("message_references", ["ref"], False),
    ("copies", ["message"], False),
    ("gmail_copies", ["gmail_msgid"], False),
    ("gmail_copies", ["gmail_thread_id"], False),
    ("copies", ["folder"], False),
    ("contact_addresses", ["contact_id"], False),
    ("threads", ["last_date"], False),
    ("message_acts", ["act"], False),
    ("help_events", ["thread_id"], False),
    ("help_events", ["message"], False),
    ("help_events", ["helper"], False),
    ("help_events", ["helped"], False),
    ("help_events", ["occurred_at"], False),
    ("relationships", ["status"], False),
    ("relationships", ["strength"], False),
    ("loose_ends", ["kind"], False),
    ("loose_ends", ["contact_id"], False),
    ("contact_help", ["contact_id"], False),
]

VIEWS = {
    "bulk_senders": """
        select from_address, category, automated_reason, count(*) as messages,
               min(date) as first_date, max(date) as last_date
        from messages where is_automated = 1
        group by from_address, category, automated_reason
        order by messages desc""",
    "messages_with_errors": """
        select id, message_id, date, from_address, subject, folder, parse_error
        from messages where parse_error is not null order by date""",
    "contact_messages": """
        select c.id as contact_id, c.name as contact, m.id as message, m.date, m.subject,
               m.thread_id, case when m.is_from_me then 'outbound' else 'inbound' end as direction
        from contacts c
        join contact_addresses ca on ca.contact_id = c.id
        join message_addresses a on a.address = ca.address
        join messages m on m.id = a.message
        where m.is_automated = 0 and c.is_self = 0
          and ((m.is_from_me = 1 and a.kind != 'from') or (m.is_from_me = 0 and a.kind = 'from'))""",
}


# New messages are indexed by `store_batch` in one statement per batch (a trigger per row was three
# quarters of the time of storing them); updates and deletes keep their triggers.
FTS_TRIGGERS = """
drop trigger if exists messages_fts_ai;
create trigger if not exists messages_fts_ad after delete on messages begin
  insert into messages_fts (messages_fts, rowid, subject, own_text)
  values ('delete', old.rowid, old.subject, old.own_text);
end;
create trigger if not exists messages_fts_au after update of subject, own_text on messages begin
  insert into messages_fts (messages_fts, rowid, subject, own_text)
  values ('delete', old.rowid, old.subject, old.own_text);
  insert into messages_fts (rowid, subject, own_text) values (new.rowid, new.subject, new.own_text);
end;
"""


def parse_time(value: str | None) -> float | None:
    """Seconds since the epoch of a stored ISO 8601 time (UTC when it names no zone); None if absent."""
    if not value:
        return None
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.timestamp()


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_private(path: str | os.PathLike, data: str | bytes) -> None:
    """Write a file only its owner can read: digests and previews hold what the database holds."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode otherwise
    with os.fdopen(fd, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def open_db(path: str | os.PathLike) -> sqlite_utils.Database:
    """Open (creating privately if needed) the database in WAL mode and ensure its schema."""
    p = Path(path)
    if str(p) != ":memory:":
        p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        old = os.umask(0o077)
        try:
            fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o600)
            os.close(fd)
            db = sqlite_utils.Database(p)
            db.enable_wal()
        finally:
            os.umask(old)
        for suffix in ("", "-wal", "-shm"):
            f = Path(str(p) + suffix)
            if f.exists() and (f.stat().st_mode & 0o077):
                f.chmod(0o600)
    else:
        db = sqlite_utils.Database(memory=True)
    db.execute("pragma busy_timeout = 30000")
    db.execute("pragma synchronous = normal")
    # Copy the write-ahead log into the database (and fsync) every 16 MB rather than every 4 MB: a
    # sync or import stores a batch per transaction, and storing takes about a tenth less time
    # (bench/store_speed.py).
    db.execute("pragma wal_autocheckpoint = 4000")
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Apply pending migrations, then indexes, full-text search and views. Safe to call often."""
    if "schema_migrations" not in db.table_names():
        db["schema_migrations"].create({"name": str, "applied_at": str}, pk="name")
    done = {r["name"] for r in db["schema_migrations"].rows}
    for name, migrate in MIGRATIONS:
        if name in done:
            continue
        with db.conn:
            migrate(db)
            db["schema_migrations"].insert({"name": name, "applied_at": now_iso()})
    for table, cols, unique in INDEXES:
        db[table].create_index(cols, unique=unique, if_not_exists=True)
    # An index on a yes/no column: SQLite preferred it to the selective ones (sender, date) and
    # scanned half the mailbox per lookup.
    db.execute("drop index if exists idx_messages_is_automated")
    if not db["messages"].detect_fts():
        db["messages"].enable_fts(["subject", "own_text"])
    # Our own triggers, limited to the indexed columns: sqlite-utils' would re-index a message on
    # every update of any column (thread ids, flags), which made re-threading ten times slower.
    db.executescript(FTS_TRIGGERS)
    for name, sql in VIEWS.items():
        db.create_view(name, sql, replace=True)


def chunks(items, n=500):
    """Lists of at most n items: SQLite takes a bounded number of ? parameters per statement."""
    items = list(items)
    for i in range(0, len(items), n):
        yield items[i:i + n]


def select_in(db, sql_template: str, values) -> set:
    """The first column of `sql_template` ("... where x in ({marks})") over all `values`, chunked."""
    out: set = set()
    for chunk in chunks(values):
        out.update(r[0] for r in db.execute(sql_template.format(marks=",".join("?" * len(chunk))), chunk))
    return out


def existing_keys(db, fingerprints: list[str], message_ids: list[str]) -> tuple[dict, dict]:
    """Which fingerprints and Message-IDs are already stored: {key: messages.id}."""
    by_fp = {k: k for k in select_in(db, "select id from messages where id in ({marks})", fingerprints)}
    by_mid = {}
    for chunk in chunks(m for m in message_ids if m):
        q = f"select message_id, id from messages where message_id in ({','.join('?' * len(chunk))})"
        by_mid.update(dict(db.execute(q, chunk).fetchall()))
    return by_fp, by_mid


def stored_by_content(db, keys: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Stored messages under these content keys: {key: [(messages.id, date), ...]}."""
    out: dict[str, list[tuple[str, str]]] = {}
    for chunk in chunks(keys):
        for key, mid, date in db.execute(f"select content_key, id, date from messages where content_key in "
                                         f"({','.join('?' * len(chunk))})", chunk):
            out.setdefault(key, []).append((mid, date))
    return out


def stored_recipients(db, message: str) -> list[str]:
    return [a for (a,) in db.execute("select address from message_addresses where message = ? and kind != 'from'",
                                     [message])]


def known_copies(db, keys: list[str]) -> set[str]:
    return select_in(db, "select source_key from copies where source_key in ({marks})", keys)


def copy_row(source_key: str, folder: str, message: str, header_message_id: str | None = None,
             error: str | None = None) -> dict:
    """A `copies` row: one copy of a message in one source, pointing at the stored message."""
    return {"source_key": source_key, "folder": folder, "message": message, "header_message_id": header_message_id,
            "error": error}


def store_batch(db, parsed: list[dict], copies: list[dict], body_policy: str = "own_text",
                snippet_chars: int = 200, also=None) -> None:
    """Write parsed messages and copy rows in one transaction; re-running it changes nothing.

    `also(db)`, if given, runs in the same transaction: a sync checkpoint is committed together
    with the messages it covers, or not at all."""
    stamp = now_iso()
    messages, addresses, attachments, refs = [], [], [], []
    for p in parsed:
        row = dict(p["message"])
        if body_policy == "snippet":
            row["own_text"] = (row["own_text"] or "")[:snippet_chars]
            row["quoted_text"] = None
        elif body_policy == "none":
            row["own_text"] = None
            row["quoted_text"] = None
        row["imported_at"] = stamp
        if "acts" in p:
            row["acts_read"] = 1
        messages.append(row)
        addresses.extend(p["addresses"])
        attachments.extend(p["attachments"])
        ids = (row["references"] or "").split()
        if row["in_reply_to"] and row["in_reply_to"] not in ids:
            ids.append(row["in_reply_to"])
        refs.extend({"message": row["id"], "ref": r, "position": i} for i, r in enumerate(ids)
                    if r != row["message_id"])
    for c in copies:
        c.setdefault("imported_at", stamp)
    with db.conn:
        last = db.execute("select coalesce(max(rowid), 0) from messages").fetchone()[0]
        _insert_or_ignore(db, "messages", list(MESSAGE_COLUMNS), messages)
        db.execute("insert into messages_fts (rowid, subject, own_text) "
                   "select rowid, subject, own_text from messages where rowid > ?", [last])
        _insert_or_ignore(db, "message_addresses", ["message", "kind", "address", "name"], addresses)
        _insert_or_ignore(db, "message_references", ["message", "ref", "position"], refs)
        _insert_or_ignore(db, "attachments", ["message", "position", "filename", "content_type", "size"],
                          attachments)
        _insert_or_ignore(db, "copies", ["source_key", "folder", "message", "header_message_id", "error",
                                         "imported_at"], copies)
        store_acts(db, [(p["message"]["id"], p["acts"]) for p in parsed if "acts" in p], body_policy, snippet_chars)
        if also is not None:
            also(db)


def store_acts(db, items: list[tuple[str, list[tuple]]], body_policy: str = "own_text",
               snippet_chars: int = 200) -> None:
    """message_acts rows for (message id, act rows) pairs, and the mark that the message's acts were read.

    The sentences follow the privacy setting: cut to the snippet length with "snippet", left out
    with "none" (the act, its confidence and cue stay, so help events are still found)."""
    rows = []
    for mid, acts in items:
        for part, position, act, sentence, confidence, cue in acts:
            if body_policy == "snippet":
                sentence = sentence[:snippet_chars]
            elif body_policy == "none":
                sentence = None
            rows.append((mid, part, position, act, sentence, confidence, cue))
    db.conn.executemany("insert or replace into message_acts (message, part, position, act, sentence, confidence,"
                        " cue) values (?, ?, ?, ?, ?, ?, ?)", rows)
    for chunk in chunks(mid for mid, _ in items):
        db.execute(f"update messages set acts_read = 1 where acts_read is not 1 and id in "
                   f"({','.join('?' * len(chunk))})", chunk)


def _insert_sql(conflict: str, table: str, columns: list[str]) -> str:
    """INSERT OR <conflict> of one row's columns, for executemany."""
    return (f"insert or {conflict} into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
            f"values ({', '.join('?' * len(columns))})")


_PLAIN = frozenset({str, int, float, bool, bytes, type(None)})


def insert_or_replace(db, table: str, rows) -> None:
    """What `db[table].insert_all(rows, replace=True)` does on an existing table, in one executemany:
    sqlite-utils checks and converts every value on the way, which on the tables rederived in bulk
    (a row per thread, per help event, per relationship) was a tenth of deriving. Values other than
    plain ones are converted as sqlite-utils converts them."""
    rows = list(rows)
    if not rows:
        return
    columns = list(dict.fromkeys(c for r in rows for c in r))
    jsonify = sqlite_utils.db.jsonify_if_needed
    db.conn.executemany(_insert_sql("replace", table, columns),
                        [[v if type(v) in _PLAIN else jsonify(v) for v in (r.get(c) for c in columns)] for r in rows])


def replace_rows(db, table: str, pk: str, rows: list[dict]) -> int:
    """Make `table` hold exactly `rows` (all with the same keys), writing only the rows that changed:
    tables recomputed whole on every sync (contacts) mostly come out as they were. Returns rows written."""
    columns = [pk] + [c for c in (rows[0] if rows else {}) if c != pk]
    old = {r[0]: r for r in db.execute(f"select {', '.join(f'[{c}]' for c in columns)} from [{table}]")}
    new = {r[pk]: tuple(r[c] for c in columns) for r in rows}
    gone = [k for k in old if k not in new]
    for chunk in chunks(gone):
        db.execute(f"delete from [{table}] where [{pk}] in ({','.join('?' * len(chunk))})", chunk)
    changed = [row for key, row in new.items() if old.get(key) != row]
    if changed:
        db.conn.executemany(_insert_sql("replace", table, columns), changed)
    return len(changed) + len(gone)


def _insert_or_ignore(db, table: str, columns: list[str], rows: list[dict]) -> None:
    """Batched INSERT OR IGNORE on the table's primary key: the import's hot path."""
    if not rows:
        return
    db.conn.executemany(_insert_sql("ignore", table, columns), [[row.get(c) for c in columns] for row in rows])
