"""Relationships: how strong each tie is, whether it is cooling by its own rhythm, the balance of
help, the loose ends, and the golden-rule score.

Everything is computed "as of" a time (default now) from mail dated up to it, so an old archive or
a backtest reads as it did then. After a sync, only the contacts the new mail touches (everyone on
the threads it joined) and the months it fell in are recomputed; every other tie is recomputed once a
day, because its status and strength move with the clock, not only with new mail. A given "as of"
time, a regrouping of contacts (merge, ignore, a newly learned own address) or a sender newly judged
automated recomputes everything.

Strength (0-100) = 100 * (1 - exp(-(I + H) * T / 25)) where
  I = sum over interactions of w * 0.5 ** (age / half_life): w = 1 for mail you sent them, 0.5 for
      mail they sent you, times 0.3 when the message went to 5 or more people; half_life = 90 days,
      growing by 90 days per year you have known them, up to 360 (long ties fade slowly);
  H = sum over help events between you, either way, of 2 * 0.5 ** (age / 180 days);
  T = 1 when the tie is two-way, 0.3 when only one side ever wrote.
Cooling: interactions are merged into bursts (a day of contact); the gaps between bursts are fitted
with a lognormal (heavy-tailed: sigma at least 1); from it, the chance of hearing from this person in
the next 90 days given the silence so far. Under 90 %, or when a silence this long had under a 2 %
chance in its history, the tie is "cooling"; a month later, or under 30 % (or 0.2 %), "cold" --
never before 45 days of silence nor before the usual gap has passed, never before 3 gaps (with
fewer, 45 days of silence is cooling and 75 cold), never in the 30-day grace period of a new contact,
never for a one-off contact. A contact with a yearly rhythm keeps a high chance through a long
silence, so is not called cooling. After 110 days of silence, and twice the usual gap, the tie is
"dormant": it has lapsed, and is no longer reported as cooling. These defaults come from
bench/cooling_backtest.py.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

from .config import Config
from .store import chunks, insert_or_replace, parse_time, select_in
from .threads import threads_of

DAY = 86400.0
GROUP = 5  # recipients from which a message is a group message, not a conversation
DORMANT_GAPS = 2  # dormant only after twice the usual gap as well: a yearly tie is not dormant at month four
SATURATION = 25  # strength 63 at a decayed weight of 25 (about 25 recent messages you sent them)


def iso(t: float | None) -> str | None:
    if t is None:
        return None
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def clock() -> float:
    """Now, in seconds since the epoch (one place for tests to set the time)."""
    return dt.datetime.now(dt.timezone.utc).timestamp()


def as_of_time(as_of: str | dt.datetime | None) -> float:
    """Seconds since the epoch for an as-of date ('2001-06-30', ISO time, datetime, None = now)."""
    if as_of is None:
        return clock()
    if isinstance(as_of, dt.datetime):
        return (as_of if as_of.tzinfo else as_of.replace(tzinfo=dt.timezone.utc)).timestamp()
    text = str(as_of).strip()
    if len(text) == 10:
        text += "T23:59:59Z"
    t = parse_time(text)
    if t is None:
        raise ValueError(f"not a date: {as_of!r} (expected YYYY-MM-DD or an ISO 8601 time)")
    return t


def humanize_days(days: float) -> str:
    if days < 1.5:
        return "1 day" if days >= 0.5 else "less than a day"
    if days < 14:
        return f"{round(days)} days"
    if days < 61:
        return f"{round(days / 7)} weeks"
    if days < 730:
        return f"{round(days / 30.4)} months"
    return f"{days / 365.25:.1f} years"


# --- cadence ------------------------------------------------------------------------------------

@dataclass
class Cadence:
    status: str
    since: float | None
    reason: str
    typical_gap_days: float | None
    gap_count: int
    silence_days: float | None
    resume_probability: float | None


def bursts(interactions: list[tuple[float, str]]) -> list[float]:
    """Start times of interactions with bursts merged: a thread's replies within a day, and anything
    else within a day of a burst's start, are one interaction."""
    out: list[float] = []
    last_in_thread: dict[str, float] = {}
    for t, thread in sorted(interactions):
        prev = last_in_thread.get(thread)
        last_in_thread[thread] = t
        if prev is not None and t - prev < DAY:
            continue
        if out and t - out[-1] < DAY:
            continue  # several threads the same day: one day of contact
        out.append(t)
    return out


def _normal_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2))


def dormant_after_days(params, typical_gap_days: float | None) -> float:
    """Days of silence after which a tie is dormant: `dormant_days`, and twice its usual gap."""
    return max(params.dormant_days, DORMANT_GAPS * (typical_gap_days or 0))


def cadence(times: list[float], now: float, two_way: bool, params) -> Cadence:
    """Status of one tie from its merged interaction times (sorted, all <= now)."""
    if not times:
        return Cadence("one-off", None, "no interaction yet", None, 0, None, None)
    last, first = times[-1], times[0]
    silence = (now - last) / DAY
    gaps = [(b - a) / DAY for a, b in zip(times, times[1:])]
    typical = statistics.median(gaps) if gaps else None
    if (now - first) / DAY < params.grace_days:
        return Cadence("new", first, f"new contact since {iso(first)[:10]}", typical, len(gaps), silence, None)
    if len(times) == 1 or (not two_way and len(times) <= 2):
        return Cadence("one-off", first, f"one exchange, {humanize_days((now - first) / DAY)} ago", typical,
                       len(gaps), silence, None)
    usual = f"usually in touch every {humanize_days(typical)}"
    dormant_after = dormant_after_days(params, typical)
    if silence >= dormant_after:
        return Cadence("dormant", last + dormant_after * DAY, f"{usual}; silent for {humanize_days(silence)}",
                       typical, len(gaps), silence, None)
    if len(gaps) < params.min_gaps:
        # Too little history to know this person's rhythm: only a long silence counts.
        if silence > params.unknown_rhythm_days:
            cooling_since = last + params.unknown_rhythm_days * DAY
            cold = now - cooling_since >= params.cold_after_days * DAY
            since = cooling_since + (params.cold_after_days * DAY if cold else 0)
            return Cadence("cold" if cold else "cooling", since, f"few exchanges so far; silent for "
                           f"{humanize_days(silence)}", typical, len(gaps), silence, None)
        return Cadence("active", last, f"few exchanges so far; last {humanize_days(silence)} ago", typical,
                       len(gaps), silence, None)
    p = resume_probability(gaps, silence)
    seen = silence_probability(gaps, silence)
    # Not before the usual gap has passed: a yearly contact is not cooling in month seven.
    if silence <= max(params.min_silence_days, typical) or (
            p >= params.cooling_probability and seen >= params.improbable_silence):
        return Cadence("active", last, f"{usual}; last {humanize_days(silence)} ago", typical, len(gaps),
                       silence, p)
    floor = params.min_silence_days
    since = last + _crossing(gaps, params.cooling_probability, params.improbable_silence, floor, silence) * DAY
    status = "cooling"
    # Cold: a month (cold_after_days) of cooling without a word, or a return has become unlikely.
    if now - since >= params.cold_after_days * DAY or p < params.cold_probability or \
            seen < params.improbable_silence / 10:
        status = "cold"
        if now - since < params.cold_after_days * DAY:
            since = last + _crossing(gaps, params.cold_probability, params.improbable_silence / 10, floor,
                                     silence) * DAY
        else:
            since = since + params.cold_after_days * DAY
    return Cadence(status, min(since, now), f"{usual}; silent for {humanize_days(silence)}", typical, len(gaps),
                   silence, p)


SIGMA_FLOOR = 1.0  # gaps between emails are heavy-tailed: never trust a narrow fit
HORIZON_DAYS = 90


def _gap_survival(gaps: list[float]):
    """S(x) = P(gap > x days) under a lognormal fitted to this contact's own gaps."""
    logs = [math.log(max(g, 0.25)) for g in gaps]
    mu = statistics.fmean(logs)
    # Plain float variance: statistics.pstdev is exact (Fractions) and took half of a rebuild.
    sigma = max(math.sqrt(statistics.fmean([(x - mu) ** 2 for x in logs])), SIGMA_FLOOR)
    return lambda x: _normal_sf((math.log(max(x, 0.25)) - mu) / sigma)


def silence_probability(gaps: list[float], silence: float) -> float:
    """How probable a silence this long is under the contact's own rhythm: S(s)."""
    return _gap_survival(gaps)(silence)


def resume_probability(gaps: list[float], silence: float) -> float:
    """Chance of an interaction within the next 90 days, given the silence so far, under a lognormal
    fitted to this contact's own gaps: (S(s) - S(s + 90)) / S(s)."""
    sf = _gap_survival(gaps)
    now_sf = sf(silence)
    if now_sf <= 0:
        return 0.0
    return (now_sf - sf(silence + HORIZON_DAYS)) / now_sf


def _crossing(gaps: list[float], threshold: float, improbable: float, floor: float, silence: float) -> float:
    """Days of silence at which the resume probability first fell below threshold (bisection)."""
    def flagged(x):
        return resume_probability(gaps, x) < threshold or silence_probability(gaps, x) < improbable

    lo, hi = max(floor, statistics.median(gaps)), max(silence, floor)
    if flagged(lo):
        return lo
    for _ in range(30):
        mid = (lo + hi) / 2
        if flagged(mid):
            hi = mid
        else:
            lo = mid
    return hi


# --- the tables ---------------------------------------------------------------------------------

ROWS_AT_A_TIME = 500
REFRESH_SECONDS = DAY  # ties no new mail touched are recomputed at least this often


def _month_range(month: str) -> tuple[str, str]:
    year, mon = int(month[:4]), int(month[5:7])
    following = f"{year + (mon == 12):04d}-{mon % 12 + 1:02d}"
    return f"{month}-01", f"{following}-01"


@dataclass
class Scope:
    """What new mail can have changed: these contacts' figures and these months' activity."""
    contacts: set[int]
    months: set[str]


def scope_of_new_mail(db, new_ids: list[str], contacts_before: dict) -> Scope | None:
    """Contacts on the threads the new messages are in, contacts whose details changed, and those
    threads' months; None (recompute all) when contacts were regrouped, or one was ignored or
    found to be the user (which changes what counts in every month), or when there were no
    contacts before (everything is new)."""
    if not contacts_before["contact"]:
        return None
    after = contact_snapshot(db)
    gone = {cid for cid in contacts_before["contact"] if cid not in after["contact"]}
    left = []  # addresses of contacts that are gone (a sender found to be automated, say)
    for a, cid in contacts_before["address"].items():
        if after["address"].get(a) != cid:
            if cid not in gone or a in after["address"]:
                return None
            left.append(a)
    if any(after["contact"].get(cid, row)[3:] != row[3:] for cid, row in contacts_before["contact"].items()):
        return None
    contacts = {cid for cid, row in after["contact"].items() if contacts_before["contact"].get(cid) != row} | gone
    months = select_in(db, "select distinct substr(m.date, 1, 7) from message_addresses a join messages m "
                           "on m.id = a.message where a.address in ({marks}) and m.date is not null", left)
    threads = threads_of(db, new_ids)
    contacts |= select_in(db, "select distinct ca.contact_id from messages m join message_addresses a "
                              "on a.message = m.id join contact_addresses ca on ca.address = a.address "
                              "where m.thread_id in ({marks})", threads)
    months |= select_in(db, "select distinct substr(date, 1, 7) from messages where thread_id in ({marks}) "
                            "and date is not null", threads)
    return Scope(contacts, months)


def contact_snapshot(db) -> dict:
    """Which contact each address belongs to, and each contact's details (for `scope_of_new_mail`)."""
    return {"address": dict(db.execute("select address, contact_id from contact_addresses")),
            "contact": {r[0]: tuple(r[1:]) for r in db.execute(
                "select id, name, email, important, ignored, is_self from contacts")}}


def _stale(db, now: float) -> bool:
    """Rows computed more than a day before `now`, or after it (an earlier --as-of), or none at all."""
    oldest, newest = db.execute("select min(as_of), max(as_of) from relationships").fetchone()
    if oldest is None:
        return True
    return oldest < iso(now - REFRESH_SECONDS) or newest > iso(now)


INTERACTIONS = """
    select ca.contact_id, m.id, m.date, m.thread_id, m.is_from_me, a.kind,
           (select count(*) from message_addresses r where r.message = m.id and r.kind in ('to', 'cc'))
    from messages m
    join message_addresses a on a.message = m.id
    join contact_addresses ca on ca.address = a.address
    join contacts c on c.id = ca.contact_id
    where +m.is_automated = 0 and c.is_self = 0 and c.ignored = 0 and m.date is not null
      and ((m.is_from_me = 1 and a.kind in ('to', 'cc', 'bcc')) or (m.is_from_me = 0 and a.kind = 'from'))"""


def _interaction(date, thread, from_me, kind, n_rcpt, mid, now: float) -> tuple | None:
    t = parse_time(date)
    if t is None or t > now:
        return None
    return (t, thread or mid, bool(from_me), kind, n_rcpt or 0)


def _load(db, now: float, month: str | None = None):
    """Person-to-person interactions per contact, up to `now`: of every contact, or in one month ('2001-05')."""
    if month is not None:
        rows = db.execute(INTERACTIONS + " and m.date >= ? and m.date < ?", _month_range(month))
    else:
        rows = db.execute(INTERACTIONS)
    per: dict[int, dict[str, tuple]] = defaultdict(dict)
    for cid, mid, date, thread, from_me, kind, n_rcpt in rows:  # read as they come: no list of every row
        found = _interaction(date, thread, from_me, kind, n_rcpt, mid, now)
        if found is not None:
            per[cid][mid] = found
    return per


def _interactions_by_contact(db, now: float, contacts: list[int] | None):
    """(contact id, {message: interaction}) of every contact, or of the given (sorted) ones, in contact
    order: SQLite sorts the rows (one scan of the mail, the sort spilling to disk when large), and
    one contact's interactions are in memory at a time."""
    if contacts is None:
        rows = db.execute(INTERACTIONS + " order by +ca.contact_id")  # "+": scan, then sort (faster)
    else:
        rows = (r for chunk in chunks(contacts) for r in db.execute(
            INTERACTIONS + f" and ca.contact_id in ({','.join('?' * len(chunk))}) order by +ca.contact_id", chunk))
    for cid, group in groupby(rows, key=lambda r: r[0]):
        msgs = {}
        for _, mid, date, thread, from_me, kind, n_rcpt in group:
            found = _interaction(date, thread, from_me, kind, n_rcpt, mid, now)
            if found is not None:
                msgs[mid] = found
        yield cid, msgs


def _reply_hours(msgs: list[tuple]) -> tuple[float | None, float | None]:
    """Median hours the user took to answer this contact, and the contact to answer the user."""
    by_thread: dict[str, list[tuple]] = defaultdict(list)
    for m in msgs:
        by_thread[m[1]].append(m)
    mine, theirs = [], []
    for seq in by_thread.values():
        seq.sort()
        for a, b in zip(seq, seq[1:]):
            if a[2] != b[2] and b[0] - a[0] < 30 * DAY:
                (mine if b[2] else theirs).append((b[0] - a[0]) / 3600)
    med = lambda xs: round(statistics.median(xs), 1) if xs else None  # noqa: E731
    return med(mine), med(theirs)


def _help(db, now: float, me: set[str], contact_of: dict[str, int], addresses: list[str] | None = None,
          month: str | None = None):
    """Help given to and received from each contact up to `now` (of all events, of events involving
    the given addresses, or of one month), and the contact_help links."""
    sql = "select id, helper, helped, kind, occurred_at, thread_id from help_events"
    if addresses is not None:
        rows = {}
        for chunk in chunks(addresses):
            marks = ",".join("?" * len(chunk))
            for side in ("helper", "helped"):
                for r in db.execute(f"{sql} where {side} in ({marks})", chunk):
                    rows[r[0]] = r
        rows = sorted(rows.values())
    elif month is not None:
        rows = db.execute(f"{sql} where occurred_at >= ? and occurred_at < ?", _month_range(month))
    else:
        rows = db.execute(sql)
    given, received = defaultdict(list), defaultdict(list)
    links = []
    for eid, helper, helped, kind, at, thread in rows:
        t = parse_time(at)
        if t is None or t > now:
            continue
        if helper in me and helped in contact_of and helped not in me:
            given[contact_of[helped]].append((t, eid))
            links.append({"event": eid, "contact_id": contact_of[helped], "direction": "given"})
        elif helped in me and helper in contact_of and helper not in me:
            received[contact_of[helper]].append((t, eid))
            links.append({"event": eid, "contact_id": contact_of[helper], "direction": "received"})
    return given, received, links


def _threads_started(db, stamp: str, contacts: list[int] | None) -> dict[int, int]:
    """Threads the user started with each contact."""
    sql = """select ca.contact_id from messages m
             join message_addresses a on a.message = m.id and a.kind in ('to', 'cc')
             join contact_addresses ca on ca.address = a.address
             where m.id in (select root_message from threads)
               and m.is_from_me = 1 and m.is_automated = 0 and m.date <= ?"""
    started: dict[int, int] = defaultdict(int)
    for chunk in ([None] if contacts is None else chunks(contacts)):
        if chunk is None:
            found = db.execute(sql, (stamp,))
        else:
            found = db.execute(sql + f" and ca.contact_id in ({','.join('?' * len(chunk))})", [stamp] + chunk)
        for (cid,) in found:
            started[cid] += 1
    return started


def _monthly(per, given, received, contacts, months: dict | None = None,
             month_of_day: dict[int, str] | None = None) -> dict[str, dict]:
    """Messages each way and help each way per month, counted per contact (into `months`, when given;
    `month_of_day` caches each day's month across calls)."""
    months = months if months is not None else {}
    month_of_day = month_of_day if month_of_day is not None else {}

    def month(t: float) -> dict:
        day = int(t // DAY)
        if day not in month_of_day:
            month_of_day[day] = iso(t)[:7]
        key = month_of_day[day]
        if key not in months:
            months[key] = {"you_wrote": 0, "they_wrote": 0, "help_given": 0, "help_received": 0}
        return months[key]

    for cid, msgs in per.items():
        if cid not in contacts:
            continue
        for t, _, from_me, _, _ in msgs.values():
            month(t)["you_wrote" if from_me else "they_wrote"] += 1
    for side, key in ((given, "help_given"), (received, "help_received")):
        for events in side.values():
            for t, _ in events:
                month(t)[key] += 1
    return months


def _relationship_row(db, cid: int, info, msgs: list[tuple], given, received, started, now: float, params,
                      subjects: dict) -> dict | None:
    """One tie's row from its interactions (sorted) and the help each way; None for no tie at all."""
    if not msgs and not given.get(cid) and not received.get(cid):
        return None
    out_t = [m[0] for m in msgs if m[2]]
    in_t = [m[0] for m in msgs if not m[2]]
    two_way = bool(out_t and in_t)
    first = msgs[0][0] if msgs else None
    known_years = (now - first) / (365.25 * DAY) if first else 0.0
    half_life = params.half_life_days * (1 + min(known_years, 3.0))
    inter = 0.0
    for t, _, from_me, _, n in msgs:
        w = 1.0 if from_me else 0.5
        if n >= GROUP:
            w *= 0.3
        inter += w * 0.5 ** ((now - t) / DAY / half_life)
    help_score = sum(2.0 * 0.5 ** ((now - t) / DAY / 180) for t, _ in given[cid] + received[cid])
    two_way_factor = 1.0 if two_way else 0.3
    strength = 100 * (1 - math.exp(-(inter + help_score) * two_way_factor / SATURATION))
    balance = (sum(0.5 ** ((now - t) / DAY / 180) for t, _ in given[cid])
               - sum(0.5 ** ((now - t) / DAY / 180) for t, _ in received[cid]))
    times = bursts([(m[0], m[1]) for m in msgs])
    c = cadence(times, now, two_way, params)
    mine_h, theirs_h = _reply_hours(msgs)
    last_thread = msgs[-1][1] if msgs else None
    if last_thread and last_thread not in subjects:
        row = db.execute("select subject from threads where id = ?", (last_thread,)).fetchone()
        subjects[last_thread] = row[0] if row else None
    inferred = two_way and (strength >= 50 or len(received[cid]) >= 2 or started[cid] >= 3)
    return {
        "contact_id": cid, "name": info[1], "email": info[2], "as_of": iso(now),
        "status": c.status, "status_since": iso(c.since), "status_reason": c.reason,
        "important": int(bool(info[3])), "important_inferred": int(inferred),
        "first_interaction": iso(first), "last_interaction": iso(msgs[-1][0]) if msgs else None,
        "last_inbound": iso(max(in_t)) if in_t else None, "last_outbound": iso(max(out_t)) if out_t else None,
        "two_way": int(two_way), "messages": len(msgs), "messages_in": len(in_t), "messages_out": len(out_t),
        "threads": len({m[1] for m in msgs}), "interactions": len(times),
        "typical_gap_days": round(c.typical_gap_days, 1) if c.typical_gap_days is not None else None,
        "gap_count": c.gap_count,
        "silence_days": round(c.silence_days, 1) if c.silence_days is not None else None,
        "resume_probability_90d": round(c.resume_probability, 4) if c.resume_probability is not None else None,
        "my_median_reply_hours": mine_h, "their_median_reply_hours": theirs_h,
        "strength": round(strength, 1), "strength_interactions": round(inter, 3),
        "strength_help": round(help_score, 3), "strength_half_life_days": round(half_life, 1),
        "strength_two_way_factor": two_way_factor, "threads_you_started": started[cid],
        "help_given": len(given[cid]), "help_received": len(received[cid]), "help_balance": round(balance, 3),
        "last_help_given_at": iso(max(t for t, _ in given[cid])) if given[cid] else None,
        "last_help_received_at": iso(max(t for t, _ in received[cid])) if received[cid] else None,
        "last_thread": last_thread, "last_subject": subjects.get(last_thread),
    }


def update_relationships(db, cfg: Config, as_of=None, scope: Scope | None = None) -> int:
    """Compute relationships, contact_help, monthly_activity, loose_ends and golden_rule as of a time:
    all of them, or (with a `scope` from `scope_of_new_mail`) what new mail changed, when the rest
    was computed less than a day ago. Returns the relationships written."""
    params = cfg.relationships
    now = as_of_time(as_of)
    if scope is not None and (as_of is not None or _stale(db, now)):
        scope = None
    if scope is not None and not scope.contacts and not scope.months:
        return 0  # nothing new, and every row is less than a day old
    stamp = iso(now)
    only = sorted(scope.contacts) if scope is not None else None
    contacts = {r[0]: r for r in db.execute(
        "select id, name, email, important from contacts where is_self = 0 and ignored = 0")}
    everyone = contacts
    if only is not None:
        contacts = {cid: contacts[cid] for cid in only if cid in contacts}
    contact_of = dict(db.execute("select address, contact_id from contact_addresses"))
    me = {r[0] for r in db.execute("select address from identities")}
    addresses = None if only is None else [a for a, cid in contact_of.items() if cid in scope.contacts]
    given, received, help_links = _help(db, now, me, contact_of, addresses)
    if scope is not None:
        help_links = [h for h in help_links if h["contact_id"] in scope.contacts]
    started = _threads_started(db, stamp, only)
    # One contact's interactions in memory at a time, rows written a few hundred at a time: memory
    # follows the busiest contact, not the mailbox.
    subjects: dict = {}
    written = 0
    months: dict = {}
    if scope is None:
        db.execute("delete from monthly_activity")
        db.execute("delete from relationships")
        db.execute("delete from contact_help")
    else:
        for chunk in chunks(scope.months):
            db.execute(f"delete from monthly_activity where month in ({','.join('?' * len(chunk))})", chunk)
        for chunk in chunks(only):
            marks = ",".join("?" * len(chunk))
            db.execute(f"delete from relationships where contact_id in ({marks})", chunk)
            db.execute(f"delete from contact_help where contact_id in ({marks})", chunk)
        # Ties that are no longer contacts (ignored since) leave with their rows.
        db.execute("delete from relationships where contact_id not in "
                   "(select id from contacts where is_self = 0 and ignored = 0)")
    streamed = _interactions_by_contact(db, now, only)
    pending = next(streamed, None)
    rows = []
    day_months: dict = {}
    for cid in sorted(contacts):
        while pending is not None and pending[0] < cid:
            pending = next(streamed, None)
        msgs = {}
        if pending is not None and pending[0] == cid:
            msgs = pending[1]
            pending = next(streamed, None)
        row = _relationship_row(db, cid, contacts[cid], sorted(msgs.values()), given, received, started, now,
                                params, subjects)
        if row:
            rows.append(row)
        if scope is None:
            _monthly({cid: msgs}, {}, {}, contacts, months, day_months)  # messages each way; help below
        if len(rows) >= ROWS_AT_A_TIME:
            insert_or_replace(db, "relationships", rows)
            written += len(rows)
            rows = []
    insert_or_replace(db, "relationships", rows)
    written += len(rows)
    # Per month, for the dashboard's charts: precomputed, so the page stays fast on a big mailbox.
    if scope is None:
        _monthly({}, given, received, contacts, months)
    else:
        for m in sorted(scope.months):
            m_given, m_received, _ = _help(db, now, me, contact_of, month=m)
            _monthly(_load(db, now, month=m), m_given, m_received, everyone, months)
    if months:
        db["monthly_activity"].insert_all([{"month": m, **v} for m, v in sorted(months.items())], pk="month",
                                          replace=True)
    if help_links:
        insert_or_replace(db, "contact_help", help_links)
    from .loose_ends import update_loose_ends
    update_loose_ends(db, cfg, now, me, contact_of)
    update_golden_rule(db, now)
    return written


def refresh_if_stale(db, cfg: Config) -> int:
    """Recompute everything as of now when the rows are a day old (or missing); otherwise nothing.
    For passes without new mail: statuses move with the clock."""
    return update_relationships(db, cfg, scope=Scope(set(), set()))


def _quarter(t: float) -> tuple[str, float, float]:
    d = dt.datetime.fromtimestamp(t, dt.timezone.utc)
    q = (d.month - 1) // 3
    start = dt.datetime(d.year, 3 * q + 1, 1, tzinfo=dt.timezone.utc)
    end = dt.datetime(d.year + (q == 3), (3 * q + 3) % 12 + 1, 1, tzinfo=dt.timezone.utc)
    return f"{d.year}-Q{q + 1}", start.timestamp(), end.timestamp()


def update_golden_rule(db, now: float) -> None:
    """Distinct people (and important people) the user helped, per quarter and in the last 90 days."""
    important = {r[0] for r in db.execute(
        "select contact_id from relationships where important = 1 or important_inferred = 1")}
    events = [(parse_time(at), cid) for cid, at in db.execute(
        """select h.contact_id, e.occurred_at from contact_help h join help_events e on e.id = h.event
           where h.direction = 'given'""")]
    events = [(t, cid) for t, cid in events if t is not None and t <= now]
    quarters: dict[str, dict] = {}
    # The trend starts with the first help the user gave (a stray 1980 date does not add 20 years).
    t0 = min((t for t, _ in events), default=now)
    if t0 <= now:
        t = t0
        while t <= now:
            name, start, end = _quarter(t)
            quarters[name] = {"quarter": name, "starts": iso(start)[:10], "people_helped": set(),
                              "important_people_helped": set(), "help_given": 0}
            t = end
    for t, cid in events:
        q = quarters.get(_quarter(t)[0])
        if q is None:
            continue
        q["people_helped"].add(cid)
        q["help_given"] += 1
        if cid in important:
            q["important_people_helped"].add(cid)
    rows = [{**q, "people_helped": len(q["people_helped"]), "important_people_helped": len(q["important_people_helped"])}
            for q in quarters.values()]
    recent = {cid for t, cid in events if now - t <= 90 * DAY}
    db.execute("delete from golden_rule")
    if rows:
        db["golden_rule"].insert_all(rows, pk="quarter")
    db.execute("delete from golden_rule_score")
    db["golden_rule_score"].insert({
        "as_of": iso(now), "important_people_helped_90d": len(recent & important),
        "people_helped_90d": len(recent),
        "quarter": _quarter(now)[0],
    }, pk="as_of")
