"""Who is who: folders and their roles, the user's own addresses, and contacts.

A contact is a person, not an address: the user's own addresses form the `self` contact, addresses
listed together under `people.merge` are one person, and otherwise two addresses are merged only on
strong evidence (the same full display name at the same domain). Senders of bulk and automated mail
never become contacts. Contact ids stay the same across rebuilds.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

from .config import Config
from .store import replace_rows

NAME_TOKENS = re.compile(r"[^\W\d_]+", re.U)


def folder_role(name: str, sent_names: list[str]) -> str:
    low = name.lower().strip()
    last = re.split(r"[/.]", low)[-1]
    names = {n.lower() for n in sent_names}
    return "sent" if low in names or last in names else "other"


def update_folders(db, sent_names: list[str]) -> None:
    """Folder roles from their names, or from the server's SPECIAL-USE flag for synced folders."""
    flagged = {r[0] for r in db.execute("select folder from sync_state where role = 'sent'").fetchall()}
    rows = [
        {"name": name, "role": "sent" if name in flagged else folder_role(name, sent_names), "copies": n}
        for name, n in db.execute("select folder, count(*) from copies group by folder").fetchall()
    ]
    db.execute("delete from folders")
    if rows:
        db["folders"].insert_all(rows, pk="name")


def update_identities(db, cfg: Config, me=()) -> set[str]:
    """The user's addresses: from config, from --me (remembered), and learned from Sent folders."""
    keep_cli = {r[0] for r in db.execute("select address from identities where source = 'cli'").fetchall()}
    rows: dict[str, dict] = {}
    sent = db.execute(
        """select m.from_address, count(distinct m.id) from messages m
           join copies c on c.message = m.id join folders f on f.name = c.folder
           where f.role = 'sent' and m.from_address != '' group by m.from_address"""
    ).fetchall()
    total = sum(n for _, n in sent)
    not_mine = {a.strip().lower() for a in cfg.identity.not_mine}
    for address, n in sent:
        # Sent folders hold the odd message from someone else; learn only real senders of it.
        if (total < 20 or n >= 0.05 * total) and address not in not_mine:
            rows[address] = {"address": address, "source": "sent_folder", "messages": n}
    for address in keep_cli | {a.strip().lower() for a in me if a.strip()}:
        rows[address] = {"address": address, "source": "cli", "messages": None}
    for address in cfg.identity.addresses:
        address = address.strip().lower()
        rows[address] = {"address": address, "source": "config", "messages": None}
    db.execute("delete from identities")
    if rows:
        db["identities"].insert_all(rows.values(), pk="address")
    addresses = set(rows)
    mine = "(select address from identities)"
    db.execute(f"update messages set is_from_me = (from_address in {mine}) "
               f"where is_from_me is null or is_from_me != (from_address in {mine})")
    return addresses


# Mail sent to one address alone, by someone else, that the user then answered: the address is the
# user's (an old or second address forwarding into this mailbox). From two people at least, so a
# message the user was only blind-copied on does not make its addressee the user.
_ANSWERED_FOR = """
    with solo as (
        select m.id, m.thread_id, m.date, m.from_address, min(a.address) as address
        from messages m join message_addresses a on a.message = m.id and a.kind in ('to', 'cc')
        where m.is_from_me = 0 and m.is_automated = 0 and m.thread_id is not null and m.thread_id != ''
        group by m.id having count(*) = 1)
    select s.address, count(distinct s.from_address) as senders from solo s
    where s.address not in (select address from identities)
      and exists (select 1 from messages y where y.thread_id = s.thread_id and y.is_from_me = 1 and y.date > s.date
                  and exists (select 1 from message_addresses ya where ya.message = y.id and ya.kind in ('to', 'cc')
                              and ya.address = s.from_address))
    group by s.address having senders >= ?"""
ALIAS_MIN_SENDERS = 2


# "chris_germany@" for "chris.germany@": the same name, its parts joined by another mark.
_SEPARATORS = re.compile(r"[._-]+")


def _spelling(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{_SEPARATORS.sub('.', local)}@{domain}"


def learn_received_aliases(db, not_mine=()) -> set[str]:
    """Add to `identities` the addresses the user is written to at without sending from them, except
    those `not_mine`: mail to them is mail to the user. Source `received_at`: at least two people wrote
    to it alone and the user answered them (run after threading: the evidence is a reply in the same
    thread). Source `spelling`: one of the user's addresses with its name parts joined by another mark
    ("chris_germany@" beside "chris.germany@", same domain), as other people's address books write it.
    Returns all the user's addresses."""
    not_mine = {a.strip().lower() for a in not_mine}
    rows = [(a, n) for a, n in db.execute(_ANSWERED_FOR, [ALIAS_MIN_SENDERS]).fetchall() if a not in not_mine]
    if rows:
        db["identities"].insert_all([{"address": a, "source": "received_at", "messages": n} for a, n in rows],
                                    pk="address", replace=True)
    mine = {r[0] for r in db.execute("select address from identities")}
    # Whole name parts only: "m..scott@" (an initial) could as well be Mike Scott's "m_scott@".
    spelled = {_spelling(a) for a in mine if len(parts := _SEPARATORS.split(a.partition("@")[0])) >= 2
               and min(map(len, parts)) >= 2}
    if spelled:
        found = [r[0] for r in db.execute(
            "select distinct address from message_addresses "
            "where instr(address, '_') or instr(address, '-') or instr(address, '..')")]
        rows = [a for a in found if a not in mine and a not in not_mine and _spelling(a) in spelled]
        if rows:
            db["identities"].insert_all([{"address": a, "source": "spelling", "messages": None} for a in rows],
                                        pk="address", replace=True)
            mine |= set(rows)
    return mine


# What an address book writes beside a name rather than as part of it: "Dana Reyes (E-mail)", or
# "e-mail" alone as the whole name of addresses that have nothing else in common.
NOT_A_NAME = re.compile(r"\(?\b(?:e-?mail|internet|smtp)\b\)?", re.I)


def canonical_name(name: str) -> str:
    """'Smith, John' and 'John Smith' -> 'john smith'; empty unless there are two name parts."""
    if not name or "@" in name:
        return ""
    name = NOT_A_NAME.sub(" ", name)
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first} {last}"
    tokens = [t.lower() for t in NAME_TOKENS.findall(name)]
    return " ".join(tokens) if len(tokens) >= 2 else ""


# The mail that makes someone a participant: what they send to a person, and what the user sends.
_PARTICIPATION = """from message_addresses a join messages m on m.id = a.message
    where m.is_automated = 0 and (
       (m.is_from_me = 0 and a.kind = 'from') or (m.is_from_me = 1 and a.kind in ('to','cc','bcc','from')))"""


def _threads_of(db, addresses: list[str]) -> int:
    """Distinct threads one person's several addresses take part in."""
    return db.execute(f"select count(distinct nullif(m.thread_id, '')) {_PARTICIPATION} "
                      "and a.address in (select value from json_each(?))", [json.dumps(addresses)]).fetchone()[0]


def rebuild_contacts(db, cfg: Config, self_addresses: set[str]) -> int:
    """Recompute contacts and their addresses from the messages, keeping existing contact ids."""
    # Participants: senders of person-to-person mail, and the people the user writes to; counted by
    # SQLite, so memory grows with the number of people, not of messages. "+a.address": scan the mail
    # in stored order and sort for the grouping, rather than walk the address index into messages at
    # random (twice as slow).
    stats: dict[str, dict] = defaultdict(lambda: {"from": 0, "to": 0, "threads": 0, "first": None, "last": None})
    for address, sent, received, threads, first, last in db.execute(
        f"""select a.address, sum(a.kind = 'from'), sum(a.kind != 'from'), count(distinct nullif(m.thread_id, '')),
                   min(nullif(m.date, '')), max(nullif(m.date, '')) {_PARTICIPATION} group by +a.address"""
    ):
        stats[address] = {"from": sent, "to": received, "threads": threads, "first": first, "last": last}
    for address in self_addresses:
        stats[address]  # noqa: B018 - make sure the user is a contact even with no mail yet
    names: dict[str, str] = {}
    counts: dict[str, Counter] = defaultdict(Counter)
    for address, name, n in db.execute(
        "select address, name, count(*) from message_addresses where name != '' group by address, name"
    ).fetchall():
        counts[address][name] += n
    for address, c in counts.items():
        names[address] = c.most_common(1)[0][0]

    parent = {a: a for a in stats}
    merged_by: dict[str, str] = {}

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a, b, why):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra
            merged_by.setdefault(b, why)

    selves = sorted(a for a in self_addresses if a in parent)
    for a in selves[1:]:
        union(selves[0], a, "self")
    overrides = overrides_of(db)
    for group, why in [(g, "config") for g in cfg.people.merge] + [(g, "cli") for g in overrides["merge"]]:
        members = [a.strip().lower() for a in group if a.strip().lower() in parent]
        for a in members[1:]:
            union(members[0], a, why)
    by_name_domain = defaultdict(list)
    for a in stats:
        cname = canonical_name(names.get(a, ""))
        if cname and "@" in a:
            by_name_domain[(cname, a.rsplit("@", 1)[1])].append(a)
    for members in by_name_domain.values():
        for a in sorted(members)[1:]:
            union(sorted(members)[0], a, "same name and domain")

    groups: dict[str, list[str]] = defaultdict(list)
    for a in stats:
        groups[find(a)].append(a)
    existing = dict(db.execute("select address, contact_id from contact_addresses").fetchall())
    next_id = (db.execute("select max(id) from contacts").fetchone()[0] or 0) + 1
    important = {a.lower() for a in cfg.people.important} | overrides["important"]
    ignored = {a.lower() for a in cfg.people.ignore} | overrides["ignore"]
    contacts, addresses = [], []
    used_ids = set()
    for members in sorted(groups.values(), key=lambda m: min(m)):
        members.sort(key=lambda a: (-(stats[a]["from"] + stats[a]["to"]), a))
        ids = sorted({existing[a] for a in members if a in existing} - used_ids)
        if ids:
            cid = ids[0]
        else:
            cid = next_id
            next_id += 1
        used_ids.add(cid)
        is_self = any(a in self_addresses for a in members)
        primary = members[0]
        name = next((names[a] for a in members if names.get(a) and "@" not in names[a]), "") or primary
        firsts = [stats[a]["first"] for a in members if stats[a]["first"]]
        lasts = [stats[a]["last"] for a in members if stats[a]["last"]]
        contacts.append({
            "id": cid, "name": name, "email": primary, "is_self": int(is_self),
            "important": int(any(a in important for a in members)),
            "ignored": int(any(a in ignored for a in members)),
            "first_seen": min(firsts) if firsts else None, "last_seen": max(lasts) if lasts else None,
            "messages_from": sum(stats[a]["from"] for a in members),
            "messages_to": sum(stats[a]["to"] for a in members),
            "threads": stats[primary]["threads"] if len(members) == 1 else _threads_of(db, members),
            "addresses": len(members),
        })
        for a in members:
            addresses.append({"address": a, "contact_id": cid, "name": names.get(a, ""),
                              "merged_by": merged_by.get(a)})
    # Only what changed is written: most of a sync's contacts come out as they were.
    replace_rows(db, "contact_addresses", "address", addresses)
    replace_rows(db, "contacts", "id", contacts)
    return len(contacts)


def overrides_of(db) -> dict:
    """Corrections made with `goldenrule people important|ignore|merge`, on top of the config's."""
    out = {"important": set(), "ignore": set(), "merge": []}
    groups: dict[str, list[str]] = defaultdict(list)
    for address, action, value in db.execute("select address, action, value from people_overrides"):
        if action == "merge":
            groups[value].append(address)
        elif action in out:
            out[action].add(address)
    out["merge"] = [sorted(g) for g in groups.values()]
    return out


def set_override(db, action: str, addresses: list[str], remove: bool = False) -> None:
    """Record (or remove) a correction; merge keeps the given addresses together as one person."""
    from .store import now_iso

    addresses = [a.strip().lower() for a in addresses if a.strip()]
    with db.conn:
        if remove:
            for a in addresses:
                db.execute("delete from people_overrides where address = ? and action = ?", (a, action))
            return
        value = min(addresses) if action == "merge" else "1"
        db["people_overrides"].insert_all(
            [{"address": a, "action": action, "value": value, "set_at": now_iso()} for a in addresses],
            pk=("address", "action"), replace=True)
