"""Loose ends: what the user owes and what is still open, as of a time.

- unanswered_request: someone asked the user something (a request or question in their own words,
  sent to the user directly) and the user never wrote in that thread again, nor helped them there.
- unkept_promise: the user promised something ("I'll send you ...") and no help from the user to
  that person followed in the thread.
- introduction: an introduction the user made, and whether the two people then wrote to each other.
- no_follow_up: a new contact wrote first and the user did not write back within follow_up_days.
- unanswered_thanks: someone thanked the user and the user never wrote in that thread again.

Only the last loose_end_days are listed: older threads are history, not obligations.
"""

from __future__ import annotations

from collections import defaultdict

from .config import Config
from .relationships import DAY, iso
from .store import parse_time


# What a loose end shows when [privacy] store_bodies = "none" kept no sentence to quote.
UNQUOTED = {"request": "a request", "question": "a question", "gratitude": "thanks", "promise": "a promise"}


def update_loose_ends(db, cfg: Config, now: float, me: set[str], contact_of: dict[str, int]) -> int:
    params = cfg.relationships
    window_start = now - params.loose_end_days * DAY
    # Every loose end starts in the window and is settled (or not) by later mail: only the window's
    # messages are loaded, whatever the size of the mailbox. Who is new is asked of SQL (below).
    since, until = iso(window_start), iso(now)
    msgs = {}
    by_thread = defaultdict(list)
    for mid, date, sender, from_me, thread, subject, automated in db.execute(
            "select id, date, from_address, is_from_me, thread_id, subject, is_automated from messages "
            "where date >= ? and date <= ?", (since, until)):
        t = parse_time(date)
        if t is None or t > now or t < window_start:
            continue
        msgs[mid] = {"id": mid, "t": t, "from": sender, "me": bool(from_me), "thread": thread or mid,
                     "subject": subject, "automated": bool(automated), "to": [], "cc": []}
        by_thread[thread or mid].append(msgs[mid])
    for seq in by_thread.values():
        seq.sort(key=lambda m: m["t"])
    for mid, kind, addr in db.execute(
            "select a.message, a.kind, a.address from message_addresses a join messages m on m.id = a.message "
            "where a.kind in ('to', 'cc') and m.date >= ? and m.date <= ?", (since, until)):
        if mid in msgs:
            msgs[mid][kind].append(addr)
    acts = defaultdict(lambda: defaultdict(list))
    for mid, act, sentence, conf in db.execute(
            "select a.message, a.act, a.sentence, a.confidence from message_acts a join messages m on m.id = a.message "
            "where a.part = 'own' and a.act in ('request', 'question', 'gratitude', 'promise') and m.date >= ?",
            (since,)):
        if mid in msgs:
            acts[mid][act].append((conf, sentence or f"({UNQUOTED[act]}; its words are not kept)"))
    # Help that settles a loose end comes after it, so in the window too.
    events = [(parse_time(at), helper, helped, kind, message, thread) for helper, helped, kind, at, message, thread
              in db.execute("select helper, helped, kind, occurred_at, message, thread_id from help_events "
                            "where occurred_at >= ?", (since,))]
    events = [e for e in events if e[0] is not None and e[0] <= now]
    answered_requests = {r[0] for r in db.execute("select request_message from help_events "
                                                  "where request_message is not null and occurred_at >= ?", (since,))}

    def best(mid, act, min_conf):
        found = [x for x in acts[mid].get(act, []) if x[0] >= min_conf]
        return max(found)[1] if found else None

    def later_from_me(m) -> dict | None:
        for other in by_thread[m["thread"]]:
            if other["t"] > m["t"] and other["me"]:
                return other
        return None

    rows = []

    def add(kind, m, address, detail, resolved_at=None):
        rows.append({"kind": kind, "contact_id": contact_of.get(address), "address": address,
                     "message": m["id"], "thread_id": m["thread"], "subject": m["subject"],
                     "since": iso(m["t"]), "age_days": round((now - m["t"]) / DAY, 1), "detail": detail[:300],
                     "resolved_at": resolved_at})

    for m in msgs.values():
        if m["automated"] or m["t"] < window_start:
            continue
        direct = len(m["to"]) + len(m["cc"]) < 5
        if not m["me"] and direct and me & set(m["to"]) and m["from"] not in me:
            ask = best(m["id"], "request", 0.6) or best(m["id"], "question", 0.85)
            if ask and m["id"] not in answered_requests and later_from_me(m) is None:
                add("unanswered_request", m, m["from"], ask)
            thanks = best(m["id"], "gratitude", 0.7)
            if thanks and later_from_me(m) is None:
                add("unanswered_thanks", m, m["from"], thanks)
        if m["me"]:
            promise = best(m["id"], "promise", 0.6)
            if promise and direct:
                for person in m["to"]:
                    if person in me:
                        continue
                    kept = any(e[1] in me and e[2] == person and e[0] >= m["t"] for e in events)
                    if not kept:
                        add("unkept_promise", m, person, promise)
    ordered = sorted(msgs.values(), key=lambda x: x["t"])
    # Introductions the user made: did the two people write to each other afterwards?
    for t, helper, helped, kind, message, thread in events:
        if kind != "introduction" or helper not in me or message not in msgs or t < window_start:
            continue
        m = msgs[message]
        others = [a for a in m["to"] + m["cc"] if a not in me and a != helped]
        for third in others:
            met = None
            for o in ordered:
                if o["t"] <= t:
                    continue
                people = {o["from"]} | set(o["to"]) | set(o["cc"])
                if o["from"] in (helped, third) and {helped, third} <= people:
                    met = o["t"]
                    break
            detail = (f"introduced {helped} to {third}; " +
                      (f"they wrote to each other on {iso(met)[:10]}" if met else "they have not written to each other"))
            add("introduction", m, helped, detail, iso(met))
    # New contacts who wrote first, and the user never wrote back within follow_up_days: the first
    # person-to-person message that involves them (they wrote, or the user wrote to them) is theirs
    # and falls in the window.
    firsts = {}
    written_to = defaultdict(list)
    for m in ordered:
        if m["me"]:
            for p in m["to"] + m["cc"]:
                written_to[p].append(m["t"])
    for m in ordered:
        if m["automated"]:
            continue
        people = [m["from"]] if not m["me"] else m["to"] + m["cc"]
        for p in people:
            if p not in me and p not in firsts:
                firsts[p] = m
    known_before = _involved_before(db, [p for p, m in firsts.items() if not m["me"]], since)
    for person, m in firsts.items():
        if person in known_before:
            continue
        if m["me"] or now - m["t"] < params.follow_up_days * DAY:
            continue
        if not (me & set(m["to"])) or len(m["to"]) + len(m["cc"]) >= 5:
            continue
        deadline = m["t"] + params.follow_up_days * DAY
        replied = any(m["t"] < t <= deadline for t in written_to.get(person, ()))
        if not replied:
            add("no_follow_up", m, person, f"first wrote on {iso(m['t'])[:10]}; no reply within "
                                           f"{params.follow_up_days} days")
    db.execute("delete from loose_ends")
    if rows:
        db["loose_ends"].insert_all(rows)
    return len(rows)


def _involved_before(db, people: list[str], since: str) -> set[str]:
    """Those of `people` in a person-to-person message before `since`: they wrote, or the user wrote
    to them. One EXISTS per person: it stops at the first such message, however long the history."""
    wrote = ("select exists(select 1 from messages where from_address = ? and is_from_me = 0 "
             "and is_automated = 0 and date < ?)")
    written_to = ("select exists(select 1 from message_addresses a join messages m on m.id = a.message "
                  "where a.address = ? and a.kind in ('to', 'cc') and m.is_from_me = 1 and m.is_automated = 0 "
                  "and m.date < ?)")
    return {p for p in people if db.execute(wrote, (p, since)).fetchone()[0]
            or db.execute(written_to, (p, since)).fetchone()[0]}
