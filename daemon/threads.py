"""Group messages into conversations.

Reply headers first, notmuch-style: a message joins the thread of every id it references; ids not
stored yet are "ghosts" that still tie their children together; self-references are ignored; a
message that links two threads merges them. Mail synced from Gmail also joins the earliest message
of its Gmail thread (X-GM-THRID). Real corporate mail mostly lacks those headers, so a
reply or forward without a stored reference joins the latest earlier message with the same normalized
subject that shares a participant, within a time window, preferring the one whose sender matches the
quoted original's header, then one its sender received (never the sender's own earlier message to
other people: the mailbox's owner is in every message, so sharing the owner says nothing); a message
with no sign of being a reply joins the latest message under its subject that its sender received,
less than a week before, when it goes back to that message's sender (replies that lost their "Re:").
Each message records how it joined (`thread_link`), each thread how it was formed (`formed_by`).

Incremental: only threads touched by new messages are recomputed, always whole, so the result does not
depend on the order in which mail arrived.
"""

from __future__ import annotations

import re
from array import array
from collections import defaultdict
from itertools import groupby

from .store import chunks, insert_or_replace, parse_time, select_in

CANDIDATES_SCANNED = 50
NEW_SUBJECT_WINDOW = 7 * 86400
TOKEN = re.compile(r"[a-z]{2,}")


def threads_of(db, message_ids: list[str]) -> set[str]:
    """The threads the given messages are in."""
    return select_in(db, "select distinct thread_id from messages where id in ({marks}) "
                           "and thread_id is not null", message_ids)


def affected_messages(db, new_ids: list[str]) -> set[str]:
    """New messages plus everything their threading could change, closed over whole threads."""
    ids = set(new_ids)
    if not ids:
        return ids
    rows = []
    for chunk in chunks(ids):
        rows += db.execute(
            f"select message_id, subject_normalized from messages where id in ({','.join('?' * len(chunk))})",
            chunk).fetchall()
    mids = {r[0] for r in rows}
    subjects = {r[1] for r in rows if r[1]}
    refs = select_in(db, "select ref from message_references where message in ({marks})", ids)
    ids |= select_in(db, "select id from messages where subject_normalized in ({marks})", subjects)
    ids |= select_in(db, "select id from messages where message_id in ({marks})", refs)
    ids |= select_in(db, "select message from message_references where ref in ({marks})", mids | refs)
    if _any_gmail(db):  # and the messages of the Gmail threads they are in
        gmail_threads = select_in(db, _GMAIL_THREADS.format(cols="g.gmail_thread_id", join="")
                                  + " and c.message in ({marks})", ids)
        ids |= select_in(db, _GMAIL_THREADS.format(cols="c.message", join="") + " and g.gmail_thread_id in ({marks})",
                         gmail_threads)
    thread_ids = select_in(db, "select thread_id from messages where id in ({marks}) "
                                 "and thread_id is not null", ids)
    ids |= select_in(db, "select id from messages where thread_id in ({marks})", thread_ids)
    return ids


def _tokens(*texts: str) -> set[str]:
    out: set[str] = set()
    for t in texts:
        if t:
            out |= set(TOKEN.findall(t.lower().split("@")[0].split("/")[0]))
    return out


# How a message joined its thread, as stored in messages.thread_link (0: not linked yet).
_LINKS = (None, "references", "quoted_header", "subject", "gmail_thread")
_REFERENCES, _QUOTED_HEADER, _SUBJECT, _GMAIL_THREAD = 1, 2, 3, 4
_SEP = "\x01"  # between addresses in one group_concat: no address holds it
# Messages synced from Gmail, with the thread id Gmail gave them (X-GM-THRID), a hint as strong as a reference.
_GMAIL_THREADS = ("select distinct {cols} from copies c join gmail_copies g on g.source_key = c.source_key "
                  "{join} where g.gmail_thread_id is not null")


def _any_gmail(db) -> bool:
    return bool(db.execute("select exists (select 1 from gmail_copies)").fetchone()[0])


def _fill_work_table(db, ids: set[str] | None) -> int:
    """The messages to (re)thread, numbered 1..n, in a temporary table. Threading then holds a few
    bytes per message in Python (its union-find parent and how it was linked) and reads the messages
    themselves back one subject group, then one thread, at a time: a first sync of a big mailbox
    threads in memory that grows with its largest subject group, not with the mailbox."""
    db.execute("drop table if exists temp.thread_work")
    db.execute("create temp table thread_work (n integer primary key, id text, mid text, date text, sender text, "
               "from_name text, subj text, is_reply integer, quoted_from text, old_thread text)")
    cols = "id, message_id, date, from_address, from_name, subject_normalized, is_reply, quoted_from, thread_id"
    work_cols = "id, mid, date, sender, from_name, subj, is_reply, quoted_from, old_thread"
    if ids is None:
        db.execute(f"insert into temp.thread_work ({work_cols}) select {cols} from messages")
    else:
        for chunk in chunks(ids):
            db.execute(f"insert into temp.thread_work ({work_cols}) select {cols} from messages "
                       f"where id in ({','.join('?' * len(chunk))})", chunk)
    db.execute("create index temp.thread_work_mid on thread_work (mid)")
    db.execute("create index temp.thread_work_subj on thread_work (subj)")
    return db.execute("select count(*) from temp.thread_work").fetchone()[0]


def assign_threads(db, new_ids: list[str] | None, window_days: int = 30) -> int:
    """(Re)compute thread_id for messages affected by new_ids (None: all). Returns threads written."""
    ids = None if new_ids is None else affected_messages(db, new_ids)
    if ids is not None and not ids:
        return 0
    n = _fill_work_table(db, ids)
    try:
        return _thread_work_table(db, n, window_days)
    finally:
        db.execute("drop table if exists temp.thread_work")
        db.execute("drop table if exists temp.thread_ghosts")


def _thread_work_table(db, n: int, window_days: int) -> int:
    """Link the work table's messages into threads (union-find over their numbers) and store them."""
    # References: ids not stored are "ghosts", numbered after the messages, still tying children together.
    db.execute("drop table if exists temp.thread_ghosts")
    db.execute("create temp table thread_ghosts (g integer primary key, ref text unique)")
    db.execute("insert or ignore into temp.thread_ghosts (ref) select r.ref from temp.thread_work w "
               "join message_references r on r.message = w.id "
               "where not exists (select 1 from temp.thread_work t where t.mid = r.ref)")
    ghosts = db.execute("select count(*) from temp.thread_ghosts").fetchone()[0]
    parent = array("l", range(n + ghosts + 1))

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra

    link = bytearray(n + 1)
    has_refs = bytearray(n + 1)
    for m, target, ghost in db.execute(
            "select w.n, t.n, g.g from temp.thread_work w join message_references r on r.message = w.id "
            "left join temp.thread_work t on t.mid = r.ref left join temp.thread_ghosts g on g.ref = r.ref"):
        has_refs[m] = 1
        if target == m:
            continue  # a message referencing itself
        union(target or n + ghost, m)
        if target is not None:
            link[m] = _REFERENCES
    # Gmail's own threads: each message joins the earliest of its Gmail thread.
    rows = db.execute(_GMAIL_THREADS.format(cols="g.gmail_thread_id, w.n, w.date",
                                            join="join temp.thread_work w on w.id = c.message")
                      + " order by g.gmail_thread_id, w.date, w.n") if _any_gmail(db) else ()
    for _thread, members in groupby(rows, key=lambda r: r[0]):
        first = next(members)[1]
        for _t, m, _date in members:
            if find(m) != find(first):
                union(first, m)
                if not link[m]:
                    link[m] = _GMAIL_THREAD
    # Subject fallback for replies and forwards that no stored reference placed, one subject at a time.
    window = window_days * 86400
    rows = db.execute(
        "select w.n, w.id, w.date, w.sender, w.from_name, w.subj, w.is_reply, w.quoted_from, "
        f"(select group_concat(a.address, '{_SEP}') from message_addresses a where a.message = w.id) "
        "from temp.thread_work w where w.subj in (select subj from temp.thread_work where subj != '' "
        "group by subj having count(*) > 1) order by w.subj")
    for _subj, members in groupby(rows, key=lambda r: r[5]):
        # (time, stored id, number, sender, name, is a reply, quoted sender, participants), by time then id.
        group = sorted(((parse_time(date), msg_id, m, sender, from_name, is_reply, quoted_from,
                         set(people.split(_SEP)) if people else set())
                        for m, msg_id, date, sender, from_name, _s, is_reply, quoted_from, people in members),
                       key=lambda g: (g[0] if g[0] is not None else float("inf"), g[1]))
        for i, (t, _id, m, sender, _name, is_reply, quoted_from, mine) in enumerate(group):
            if link[m] or t is None:
                continue
            if not is_reply:
                # Not marked as a reply, but written back to the sender of a message under the same
                # subject days before, by one of its recipients: the same conversation (replies that lost
                # their "Re:"). Not a sender's own earlier message (a newsletter repeats its subject every
                # day), nor a new message to someone else under a common subject ("Budget review").
                for pt, _pid, p, p_sender, _pn, _r, _q, p_people in reversed(group[max(0, i - CANDIDATES_SCANNED):i]):
                    if pt is None or t - pt > NEW_SUBJECT_WINDOW:
                        break
                    if sender != p_sender and sender in p_people and p_sender in mine:
                        union(p, m)
                        link[m] = _SUBJECT
                        break
                continue
            quoted = _tokens(quoted_from or "")
            best, best_kind, best_received = None, 0, False
            for pt, _pid, p, p_sender, p_name, _r, _q, p_people in reversed(group[max(0, i - CANDIDATES_SCANNED):i]):
                if pt is None or t - pt > window:
                    break
                if mine.isdisjoint(p_people):
                    continue
                if quoted:
                    p_tokens = _tokens(p_name or "", p_sender or "")
                    if p_tokens and len(quoted & p_tokens) >= min(2, len(p_tokens)):
                        best, best_kind = p, _QUOTED_HEADER
                        break
                # In one person's mailbox its owner is in every message, so sharing a participant says
                # little: the sender's own earlier message joins only if it went to someone this one
                # goes to (not the owner's earlier mail to someone else under "RE: (no subject)"), and
                # the latest message the sender received is preferred to a later one they were not on.
                if p_sender == sender and (mine - {sender}).isdisjoint(p_people - {sender}):
                    continue
                received = p_sender != sender and sender in p_people
                if best is None or (received and not best_received):
                    best, best_kind, best_received = p, _SUBJECT, received
                    if received and not quoted:
                        break
            if best is not None:
                union(best, m)
                link[m] = best_kind
    for m in range(1, n + 1):
        if has_refs[m] and not link[m]:
            link[m] = _REFERENCES  # joined through a ghost parent
    return _write_threads(db, n, find, link)


def _write_threads(db, n: int, find, link: bytearray) -> int:
    """Store each component as a thread, reading its members back one thread at a time."""
    db.execute("delete from threads where id in (select old_thread from temp.thread_work "
               "where old_thread is not null)")
    db.execute("drop table if exists temp.thread_parts")
    db.execute("create temp table thread_parts (n integer primary key, root integer)")
    db.conn.executemany("insert into temp.thread_parts values (?, ?)", ((m, find(m)) for m in range(1, n + 1)))
    db.execute("create index temp.thread_parts_root on thread_parts (root)")
    thread_rows, updates = [], []
    written = 0

    def write():
        subjects: dict[str, str] = {}
        for chunk in chunks([r["root_message"] for r in thread_rows]):
            subjects.update(db.execute(f"select id, subject from messages where id in ({','.join('?' * len(chunk))})",
                                       chunk).fetchall())
        for r in thread_rows:
            r["subject"] = subjects.get(r["root_message"])
        db.conn.executemany("update messages set thread_id = ?, thread_link = ? where id = ?", updates)
        insert_or_replace(db, "threads", thread_rows)
        updates.clear()
        thread_rows.clear()

    rows = db.execute(
        "select p.root, w.n, w.id, w.date, "
        f"(select group_concat(a.address, '{_SEP}') from message_addresses a where a.message = w.id) "
        "from temp.thread_parts p join temp.thread_work w on w.n = p.n "
        "order by p.root, coalesce(nullif(w.date, ''), '9999'), w.id")
    try:
        for _root, members in groupby(rows, key=lambda r: r[0]):
            members = list(members)
            root = members[0]
            tid = root[2]
            kinds = sorted({_LINKS[link[m[1]]] for m in members[1:] if link[m[1]]})
            dates = [m[3] for m in members if m[3]]
            people: set[str] = set()
            for m in members:
                if m[4]:
                    people.update(m[4].split(_SEP))
            thread_rows.append({
                "id": tid, "subject": None, "first_date": min(dates) if dates else None,
                "last_date": max(dates) if dates else None, "message_count": len(members),
                "participant_count": len(people),
                "formed_by": ",".join(kinds) if kinds else "single", "root_message": tid,
            })
            for m in members:
                updates.append((tid, "root" if m is root else (_LINKS[link[m[1]]] or "references"), m[2]))
            written += 1
            if len(updates) >= 5000:
                write()
        write()
    finally:
        db.execute("drop table if exists temp.thread_parts")
    return written
