"""The import pipeline: raw copies -> dedupe -> parse (in worker processes) -> store -> derive.

Any source that yields `RawMessage`s (local files here, IMAP elsewhere) goes through `import_messages`.
Each copy is fingerprinted in the main process; only messages not stored yet are sent to the parser
pool, so a mailbox whose folders overlap is parsed once. Writes happen in batches, one transaction
each, so an interrupted import loses nothing and a re-run adds nothing twice.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import threading
from dataclasses import dataclass, field
from typing import Callable, Iterable

from .config import Config
from .sources import RawMessage
from .store import (copy_row, existing_keys, known_copies, now_iso, parse_time, store_batch, stored_by_content,
                    stored_recipients)

BATCH = 500  # parsed messages stored per transaction, at most...
# ...and at most this many bytes of them (as read): parsed, a message takes about three and a half
# times its raw size in memory, and a run of long messages would otherwise set a peak that grows
# with the mailbox (the longest run of them it happens to hold).
BATCH_BYTES = 3_000_000
# A parser process is replaced by a fresh one (forked from the preloaded server) after this many
# tasks (16 messages each in an import, a fetched batch's eighth in a sync): what a long-lived one
# gathers (the act rules' sentence cache, the allocator's leftovers) otherwise grows with the mailbox.
# bench/import_memory.py --times 4 --distinct-text: all processes 110 -> 131 MB without, 107 -> 113 MB with.
WORKER_TASKS = 100
MAX_SLIP_HOURS = 14  # the widest time-zone mistake (UTC-12 written as UTC+2, say) a copy's Date can carry


def _date_epoch(date: str | None) -> float | None:
    """A Date field as seconds since the epoch, or None where it does not parse: read as the parser
    reads a stored message's date (`parse._date_to_utc`: a Date naming no zone is UTC), so an
    in-flight copy and a stored one compare alike."""
    from .parse import _date_to_utc

    d = _date_to_utc(date) if date else None
    return d.timestamp() if d is not None else None


@dataclass
class ImportStats:
    copies_seen: int = 0
    already_imported: int = 0
    duplicates: int = 0
    messages_new: int = 0
    errors: int = 0
    self_addresses: list[str] = field(default_factory=list)

    def as_dict(self):
        return dict(self.__dict__)


# The parser, the act rules and the derivations are imported where they are used: a sync that finds
# nothing new (most of the service's passes) never loads them, and starts in half the time.

def _parse_job(args):
    from .acts import act_rows
    from .parse import parse_message

    raw, fingerprint, mid, (max_body, languages), folder, source_key, read_error, full_size, content = args
    if read_error:
        result = parse_message(b"", fingerprint, mid, max_body)
        result["message"]["parse_error"] = read_error
    else:
        try:
            result = parse_message(raw, fingerprint, mid, max_body, languages)
        except Exception as e:  # parse_message guards itself; this is the last line of defence
            result = parse_message(b"", fingerprint, mid, max_body)
            result["message"]["parse_error"] = f"parser crashed: {type(e).__name__}: {str(e)[:200]}"
    if full_size:
        row = result["message"]
        note = f"message of {full_size:,} bytes: only its first {len(raw):,} bytes were read"
        row["parse_error"] = f"{row['parse_error']}; {note}" if row.get("parse_error") else note
        row["size_bytes"], row["body_truncated"] = full_size, 1
    row = result["message"]
    row["folder"] = folder
    row["content_key"] = content
    # Acts are read here, from the full text, before the privacy setting decides what is kept.
    result["acts"] = [] if row["is_automated"] else act_rows(row["own_text"], row["attachment_count"] or 0,
                                                               row.get("quoted_text"))
    result["copy"] = copy_row(source_key, folder, fingerprint, mid, read_error)
    return result


class _Deduper:
    """Decides, in the feeding thread, which copies need parsing; the writer thread learns the rest."""

    def __init__(self, db_path: str, stats: ImportStats, options: tuple, max_message_bytes: int = 10_000_000):
        self.db_path = db_path
        self.max_message_bytes = max_message_bytes
        self.full_size: dict[str, int] = {}  # source key -> size of a message cut on arrival
        self.stats = stats
        self.options = options  # (max_body_bytes, reply languages) for the parser
        self.in_flight_fp: dict[str, str] = {}
        self.in_flight_mid: dict[str, str] = {}
        self.in_flight_content: dict[str, list[tuple[str, str, bytes]]] = {}  # key -> (fingerprint, Date, raw)
        self.dup_copies: list[dict] = []
        self.lock = threading.Lock()

    def jobs(self, raws: Iterable[RawMessage], db=None):
        """Parse jobs for the copies that need one. Pass `db` when called on the writer's thread;
        without it, a read connection of this (feeder) thread's own is opened."""
        import sqlite_utils

        own = db is None
        db = sqlite_utils.Database(self.db_path) if own else db
        batch = []
        for raw in raws:
            # A huge message is read up to max_message_bytes (cut at a line end), as it arrives, so
            # a batch never holds more than that per message.
            if len(raw.raw) > self.max_message_bytes:
                cut = raw.raw.rfind(b"\n", 0, self.max_message_bytes) + 1 or self.max_message_bytes
                self.full_size[raw.source_key] = len(raw.raw)
                raw = RawMessage(raw.folder, raw.source_key, raw.raw[:cut], raw.error)
            batch.append(raw)
            if len(batch) >= 256:
                yield from self._decide(db, batch)
                batch = []
        if batch:
            yield from self._decide(db, batch)
        if own:
            db.close()

    def _decide(self, db, batch: list[RawMessage]):
        from .parse import prekeys

        keys = [r.source_key for r in batch]
        seen_copies = known_copies(db, keys)
        pre = [prekeys(r.raw) if not r.error else (None, _error_fingerprint(r), None, None) for r in batch]
        todo = []
        # Under the lock the writer cannot commit and forget an in-flight message between our
        # database lookup and our in-flight lookup.
        with self.lock:
            by_fp, by_mid = existing_keys(db, [p[1] for p in pre], [p[0] for p in pre])
            by_content = None  # looked up once per batch, and only if some copy is new by fingerprint
            for r, (mid, fp, content, date) in zip(batch, pre):
                self.stats.copies_seen += 1
                if r.source_key in seen_copies:
                    self.stats.already_imported += 1
                    continue
                target = (by_fp.get(fp) or (by_mid.get(mid) if mid else None)
                          or self.in_flight_fp.get(fp) or (self.in_flight_mid.get(mid) if mid else None))
                if target is None and content is not None:
                    if by_content is None:
                        by_content = stored_by_content(db, [p[2] for p in pre if p[2]])
                    target = self._slipped(db, r.raw, content, date, by_content)
                if target is not None:
                    self.stats.duplicates += 1
                    self.dup_copies.append(copy_row(r.source_key, r.folder, target, mid))
                    continue
                self.in_flight_fp[fp] = fp
                if mid:
                    self.in_flight_mid[mid] = fp
                if content is not None:
                    self.in_flight_content.setdefault(content, []).append((fp, date, r.raw))
                todo.append((r.raw, fp, mid, self.options, r.folder, r.source_key, r.error,
                             self.full_size.pop(r.source_key, 0), content))
        yield from todo

    def _slipped(self, db, raw: bytes, content: str, date: str, by_content: dict) -> str | None:
        """The message this copy is, though its Date differs: same sender, subject and text, dates a
        whole number of hours apart, at most MAX_SLIP_HOURS (a copy written with the wrong time zone,
        or with AM and PM swapped), to at least one of the same recipients, and not bulk mail (an
        hourly alert repeats its text on the hour)."""
        from .bulk import triage
        from .parse import _header_block, plain_address, recipient_addresses

        stored, in_flight = by_content.get(content, ()), self.in_flight_content.get(content, ())
        when = _date_epoch(date) if stored or in_flight else None
        if when is None:
            return None
        candidates = [(m, parse_time(d), None) for m, d in stored]
        candidates += [(fp, _date_epoch(d), other) for fp, d, other in in_flight]
        recipients = None
        for target, then, other_raw in candidates:
            gap = abs(when - then) if then is not None else 0
            if not gap or gap % 3600 or gap > MAX_SLIP_HOURS * 3600:
                continue
            if recipients is None:
                if triage(_header_block(raw)[0])[0] is not None:
                    return None
                recipients = recipient_addresses(raw)
            theirs = (recipient_addresses(other_raw) if other_raw is not None
                      else {plain_address(a) for a in stored_recipients(db, target)})
            if (recipients & theirs) or not (recipients or theirs):
                return target
        return None

    def done(self, parsed: list[dict]):
        for p in parsed:
            fp = p["message"]["id"]
            self.in_flight_fp.pop(fp, None)
            mid = p["copy"]["header_message_id"]
            if mid:
                self.in_flight_mid.pop(mid, None)
            content = p["message"].get("content_key")
            if content in self.in_flight_content:
                left = [c for c in self.in_flight_content[content] if c[0] != fp]
                if left:
                    self.in_flight_content[content] = left
                else:
                    del self.in_flight_content[content]

    def take_dup_copies(self) -> list[dict]:
        out, self.dup_copies = self.dup_copies, []
        return out


def _deduper(db, cfg: Config, stats: ImportStats) -> _Deduper:
    path = str(db.conn.execute("pragma database_list").fetchone()[2])
    return _Deduper(path, stats, (cfg.import_.max_body_bytes, tuple(cfg.import_.reply_languages)),
                    cfg.import_.max_message_bytes)


def _pool_context():
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    # The fork server imports the parser once; each parser process forked from it starts with it loaded
    # instead of importing (and compiling the act rules) again.
    ctx.set_forkserver_preload(["daemon.parse", "daemon.acts"])
    return ctx


def _error_fingerprint(r: RawMessage) -> str:
    import hashlib

    return hashlib.blake2b(f"unreadable:{r.source_key}".encode(), digest_size=16).hexdigest()


def _workers(cfg: Config) -> int:
    return cfg.import_.workers or os.cpu_count() or 1


def import_messages(db, raws: Iterable[RawMessage], cfg: Config, me: Iterable[str] = (),
                    paths: Iterable[str] = (), progress: Callable[[ImportStats], None] | None = None
                    ) -> ImportStats:
    """Run raw copies through the whole pipeline into `db`, then re-derive identities, threads, people."""
    stats = ImportStats()
    run_id = db["imports"].insert({"started_at": now_iso(), "paths": json.dumps(list(paths))}).last_pk
    dedupe = _deduper(db, cfg, stats)
    pending: list[dict] = []
    pending_bytes = 0

    def flush():
        nonlocal pending_bytes
        with dedupe.lock:
            store_batch(db, pending, [p["copy"] for p in pending] + dedupe.take_dup_copies(),
                        cfg.privacy.store_bodies, cfg.privacy.snippet_chars)
            dedupe.done(pending)
        stats.messages_new += len(pending)
        stats.errors += sum(1 for p in pending if p["message"]["parse_error"])
        pending.clear()
        pending_bytes = 0
        if progress:
            progress(stats)

    def add(result):
        nonlocal pending_bytes
        pending.append(result)
        pending_bytes += result["message"]["size_bytes"] or 0
        if len(pending) >= BATCH or pending_bytes >= BATCH_BYTES:
            flush()

    n = _workers(cfg)
    jobs = dedupe.jobs(raws)
    if n > 1:
        with _pool_context().Pool(n, maxtasksperchild=WORKER_TASKS) as pool:
            for result in pool.imap(_parse_job, jobs, chunksize=16):
                add(result)
    else:
        for job in jobs:
            add(_parse_job(job))
    flush()
    derive_underived(db, cfg, me=me)
    stats.self_addresses = sorted(r["address"] for r in db["identities"].rows)
    db["imports"].update(run_id, {"finished_at": now_iso(), "copies_seen": stats.copies_seen,
                                  "messages_new": stats.messages_new, "duplicates": stats.duplicates,
                                  "errors": stats.errors})
    return stats


def derive_underived(db, cfg: Config, me: Iterable[str] = (), if_any: bool = False) -> int:
    """Derive what the messages stored since the last derive change: every message without a thread
    (the mail just stored, and any an interrupted run stored but never derived). When they are most
    of the mailbox (a first import or sync), everything is recomputed and their ids are never
    listed, so a first sync of a big mailbox holds no list of every message. With `if_any`, nothing
    is done when there are none and the running rules computed the stored events. Returns how
    many there were."""
    from . import help_events

    new = db.execute("select count(*) from messages where thread_id is null").fetchone()[0]
    # Nothing new, and the stored events were computed by the running rules: nothing to do.
    if not new and if_any and not help_events.rules_changed(db):
        return 0
    if new and _most_new(db, new):
        derive(db, cfg, me=me, all_new=True)
    else:
        derive(db, cfg, me=me, new_ids=[r[0] for r in db.execute("select id from messages where thread_id is null")])
    return new


class BatchIngest:
    """One fetched batch on its way into the database. Parsing starts at once, in the parser
    processes; storing waits for `store_together`, so the caller fetches the next batch meanwhile.

    The IMAP sync makes one per fetched batch and stores them in order, each with its folder's
    checkpoint (`also(db)`) in the same transaction: a checkpoint is committed with exactly the
    messages it covers (and, when several batches are stored together, with theirs too). The
    batches of one pass share a deduper, so a message whose copies sit in two batches in flight is
    parsed and stored once."""

    def __init__(self, db, raws: list[RawMessage], cfg: Config, dedupe: "_Deduper", pool=None, also=None):
        self.db, self.cfg, self.dedupe, self.also = db, cfg, dedupe, also
        jobs = list(dedupe.jobs(raws, db))
        self.duplicates = dedupe.take_dup_copies()
        self.size = sum(len(job[0]) for job in jobs)  # raw bytes to parse
        self.pending = None
        if pool is not None and len(jobs) > 1:
            self.pending = pool.map_async(_parse_job, jobs, chunksize=max(1, len(jobs) // 8))
            self.parsed = None
        else:
            self.parsed = [_parse_job(j) for j in jobs]

    def wait(self) -> list[dict]:
        """The parsed messages, once the parser processes have them."""
        if self.parsed is None:
            self.parsed = self.pending.get()
        return self.parsed


def store_together(db, batches: list[BatchIngest]) -> int:
    """Store parsed batches, in order, in one transaction with all their checkpoints; returns how many
    new messages they held. A commit writes every page the transaction touched, and batches of random-keyed
    rows touch many of the same index pages: storing 26,899 messages took 11.72 s in transactions of
    140 and 9.45 s in transactions of 560 (bench/store_speed.py --transactions)."""
    if not batches:
        return 0
    parsed, copies, alsos = [], [], []
    for b in batches:
        got = b.wait()
        parsed += got
        copies += [p["copy"] for p in got] + b.duplicates
        if b.also is not None:
            alsos.append(b.also)

    def checkpoints(db):
        for also in alsos:
            also(db)

    cfg = batches[0].cfg
    store_batch(db, parsed, copies, cfg.privacy.store_bodies, cfg.privacy.snippet_chars,
                also=checkpoints if alsos else None)
    for b in batches:
        b.dedupe.done(b.parsed)
    return len(parsed)


def new_deduper(db, cfg: Config) -> "_Deduper":
    return _deduper(db, cfg, ImportStats())


class LazyPool:
    """Parser processes started on first use: a sync with nothing new never pays for them."""

    def __init__(self, n: int):
        self.n = n
        self.pool = None

    def map_async(self, fn, items, chunksize=1):
        if self.pool is None:
            self.pool = _pool_context().Pool(self.n, maxtasksperchild=WORKER_TASKS)
        return self.pool.map_async(fn, items, chunksize=chunksize)

    def terminate(self):
        if self.pool is not None:
            self.pool.terminate()


def make_pool(cfg: Config) -> LazyPool | None:
    """The parser processes, or None for one core."""
    n = _workers(cfg)
    return LazyPool(n) if n > 1 else None


def _most_new(db, new: int) -> bool:
    """Whether `new` messages are most of the mailbox (a first import or sync)."""
    return 2 * new >= db.execute("select count(*) from messages").fetchone()[0]


def derive(db, cfg: Config, me: Iterable[str] = (), new_ids: list[str] | None = None, as_of=None,
           all_new: bool = False) -> None:
    """Everything computed from stored messages: folders, who 'me' is, threads, bulk senders, people,
    help events and relationships (as of a time, default now). `new_ids` None recomputes everything
    (`goldenrule rebuild`: acts read again too); `all_new` says most of the mailbox is new, without
    listing it (a first import or sync: everything recomputed, acts as read on arrival)."""
    from . import help_events, people, relationships, threads
    from .bulk import mark_one_way_senders

    # Most of the mailbox new (a first import or sync): rethread it all and recompute every tie,
    # rather than first work out what the new mail reaches (nearly everything, at a cost). A thread
    # or tie nothing new touches comes out of a recomputation as it was.
    most_new = all_new or (new_ids is not None and _most_new(db, len(new_ids)))
    with db.conn:
        contacts_before = relationships.contact_snapshot(db)
        people.update_folders(db, cfg.identity.sent_folders)
        self_addresses = people.update_identities(db, cfg, me)
        threads.assign_threads(db, None if most_new else new_ids, cfg.threads.subject_window_days)
        self_addresses = people.learn_received_aliases(db, cfg.identity.not_mine)
        marked = mark_one_way_senders(db, self_addresses)
        people.rebuild_contacts(db, cfg, self_addresses)
        # A full rebuild reads acts again where whole bodies are kept (the rules may have changed), as
        # does the first run of new rules (an upgrade): every event is recomputed once.
        # A sender just found to be automated takes the events of its earlier messages' threads with it.
        new_rules = help_events.rules_changed(db)
        help_ids = None if all_new or new_ids is None or new_rules else sorted(set(new_ids) | set(marked))
        help_events.update_help_events(db, help_ids, cfg.inference.min_confidence,
                                       reread_acts=(new_ids is None or new_rules) and not all_new
                                       and cfg.privacy.store_bodies == "own_text")
        if new_rules:
            help_events.record_rules(db)
        # New mail recomputes the ties it touches (and those of senders it showed to be automated).
        scope = None
        if new_ids is not None and as_of is None and not most_new and not new_rules:
            scope = relationships.scope_of_new_mail(db, new_ids, contacts_before)
        relationships.update_relationships(db, cfg, as_of, scope)
