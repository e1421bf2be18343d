"""Group messages into conversations.

Reply headers first, notmuch-style: a message joins the thread of every id it references; ids not
stored yet are "ghosts" that still tie their children together; self-references are ignored; a
message that links two threads merges them. Real corporate mail mostly lacks those headers, so a
reply or forward without a stored reference joins the latest earlier message with the same normalized
subject that shares a participant, within a time window, preferring the one whose sender matches the
quoted original's header. Each message records how it joined (`thread_link`), each thread how it was
formed (`formed_by`).

Incremental: only threads touched by new messages are recomputed, always whole, so the result does not
depend on the order in which mail arrived.
"""

from __future__ import annotations

import re
from collections import defaultdict

from .store import chunks, insert_or_replace, parse_time, select_in

CANDIDATES_SCANNED = 50
TOKEN = re.compile(r"[a-z]{2,}")


class _UnionFind:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def threads_of(db, message_ids: list[str]) -> set[str]:
    """The threads the given messages are in."""
    return select_in(db, "select distinct thread_id from messages where id in ({marks}) "
                           "and thread_id is not null", message_ids)


def affected_messages(db, new_ids: list[str] | None) -> set[str]:
    """New messages plus everything their threading could change, closed over whole threads."""
    if new_ids is None:
        return {r[0] for r in db.execute("select id from messages").fetchall()}
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


class _Msg:
    """One message as threading sees it. A first sync threads every message at once, so it is kept
    small: slots, repeated strings (senders, names, subjects, addresses) shared, participants and
    references as tuples, and the subject itself read later for the threads' first messages only."""

    __slots__ = ("id", "mid", "date", "t", "sender", "from_name", "subj", "is_reply", "quoted_from",
                 "old_thread", "people", "refs")

    def __init__(self, id, mid, date, t, sender, from_name, subj, is_reply, quoted_from, old_thread):
        self.id, self.mid, self.date, self.t, self.sender, self.from_name = id, mid, date, t, sender, from_name
        self.subj, self.is_reply, self.quoted_from = subj, is_reply, quoted_from
        self.old_thread, self.people, self.refs = old_thread, (), ()


def assign_threads(db, new_ids: list[str] | None, window_days: int = 30) -> int:
    """(Re)compute thread_id for messages affected by new_ids (None: all). Returns threads written."""
    ids = affected_messages(db, new_ids)
    if not ids:
        return 0
    msgs: dict[str, _Msg] = {}
    shared: dict[str, str] = {}

    def one(s):  # one string per sender, name, subject or address, not per mention
        return shared.setdefault(s, s) if s else s

    for chunk in chunks(ids):
        marks = ",".join("?" * len(chunk))
        for r in db.execute(
            f"select id, message_id, date, from_address, from_name, subject_normalized, "
            f"is_reply, quoted_from, thread_id from messages where id in ({marks})", chunk
        ).fetchall():
            msgs[r[0]] = _Msg(r[0], r[1], r[2], parse_time(r[2]), one(r[3]), one(r[4]), one(r[5]), r[6], r[7], r[8])
        refs: dict[str, list[str]] = defaultdict(list)
        for m, ref in db.execute(
            f"select message, ref from message_references where message in ({marks}) order by message, position",
            chunk,
        ).fetchall():
            refs[m].append(ref)
        for m, found in refs.items():
            msgs[m].refs = tuple(found)
        people: dict[str, set[str]] = defaultdict(set)
        for m, addr in db.execute(
            f"select message, address from message_addresses where message in ({marks})", chunk
        ).fetchall():
            people[m].add(one(addr))
        for m, found in people.items():
            msgs[m].people = tuple(found)
    by_mid = {m.mid: m.id for m in msgs.values()}
    uf = _UnionFind()
    link: dict[str, str] = {}
    for m in msgs.values():
        uf.find(m.id)
        resolved = False
        for ref in m.refs:
            target = by_mid.get(ref)
            if target == m.id:
                continue
            uf.union(target or f"ghost:{ref}", m.id)
            resolved = resolved or target is not None
        if resolved:
            link[m.id] = "references"
    # Subject fallback for replies and forwards that no stored reference placed.
    window = window_days * 86400
    groups: dict[str, list[_Msg]] = defaultdict(list)
    for m in msgs.values():
        if m.subj:
            groups[m.subj].append(m)
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda m: (m.t if m.t is not None else float("inf"), m.id))
        for i, m in enumerate(group):
            if not m.is_reply or m.id in link or m.t is None:
                continue
            quoted = _tokens(m.quoted_from or "")
            best, best_kind = None, None
            mine = set(m.people)
            for p in reversed(group[max(0, i - CANDIDATES_SCANNED):i]):
                if p.t is None or m.t - p.t > window:
                    break
                if mine.isdisjoint(p.people):
                    continue
                if quoted:
                    sender = _tokens(p.from_name or "", p.sender or "")
                    if sender and len(quoted & sender) >= min(2, len(sender)):
                        best, best_kind = p, "quoted_header"
                        break
                if best is None:
                    best, best_kind = p, "subject"
                    if not quoted:
                        break
            if best is not None:
                uf.union(best.id, m.id)
                link[m.id] = best_kind
    for m in msgs.values():
        if m.refs and m.id not in link:
            link[m.id] = "references"  # joined through a ghost parent
    components: dict[str, list[_Msg]] = defaultdict(list)
    for m in msgs.values():
        components[uf.find(m.id)].append(m)
    old_threads = {m.old_thread for m in msgs.values() if m.old_thread}
    for chunk in chunks(old_threads):
        db.execute(f"delete from threads where id in ({','.join('?' * len(chunk))})", chunk)
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

    for members in components.values():
        members.sort(key=lambda m: (m.date or "9999", m.id))
        root = members[0]
        tid = root.id
        kinds = sorted({link[m.id] for m in members[1:] if m.id in link})
        dates = [m.date for m in members if m.date]
        thread_rows.append({
            "id": tid, "subject": None, "first_date": min(dates) if dates else None,
            "last_date": max(dates) if dates else None, "message_count": len(members),
            "participant_count": len(set().union(*(m.people for m in members))),
            "formed_by": ",".join(kinds) if kinds else "single", "root_message": root.id,
        })
        for m in members:
            updates.append((tid, "root" if m is root else link.get(m.id, "references"), m.id))
        written += 1
        if len(updates) >= 5000:
            write()
    write()
    return written
