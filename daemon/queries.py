"""The questions people ask of their ledger, as SQL: Datasette's canned queries and the digest read
the same statements, so both show the same numbers.

Parameters are Datasette-style (:name); an empty parameter means "the default" (the last 90 days
before the ledger's as-of time, or no filter).
"""

from __future__ import annotations

# Written for SQLite's planner on 100,000+ messages: CROSS JOIN fixes the join order (start from the
# few rows the parameters select), and with max() SQLite takes the bare columns (the latest evidence)
# from the row holding the maximum.

# The period the ledger was computed for: its as-of time and 90 days before it.
_AS_OF = "(select as_of from golden_rule_score)"
_SINCE = f"coalesce(nullif(:since, ''), date({_AS_OF}, '-90 days'))"
_UNTIL = f"coalesce(nullif(:until, '') || 'T23:59:59Z', {_AS_OF})"
_CONTACT = """(select contact_id from contact_addresses where address = lower(trim(:contact))
             union all select id from contacts where name = trim(:contact) limit 1)"""



def _helped(direction: str) -> str:
    """Help events of one direction in a period, per person, with the latest proof."""
    return f"""select c.name, c.email, h.times, h.kinds, h.last_helped, h.latest_evidence
from (select h.contact_id, count(*) as times, group_concat(distinct e.kind) as kinds,
             max(e.occurred_at) as last_helped, e.evidence as latest_evidence
      from help_events e cross join contact_help h on h.event = e.id
      where h.direction = '{direction}' and e.occurred_at >= {_SINCE} and e.occurred_at <= {_UNTIL}
      group by h.contact_id) h
join contacts c on c.id = h.contact_id
order by h.times desc, h.last_helped desc, c.id"""


CANNED = {
    "cooling": {
        "title": "Cooling relationships",
        "description": "Ties that have gone quiet by that person's own rhythm, important people first, "
                       "with the reason and the last thread.",
        "sql": """select r.name, r.email, r.status, date(r.status_since) as since, r.status_reason as reason,
       r.strength, date(r.last_interaction) as last_interaction, r.last_subject as last_thread_subject,
       r.last_thread, r.important or r.important_inferred as important
from relationships r
where r.status in ('cooling', 'cold')
order by important desc, r.strength desc, r.contact_id""",
    },
    "people_i_helped": {
        "title": "People I helped",
        "description": "Whom you helped in a period (default: the 90 days before the ledger's date), "
                       "how often, and the latest proof.",
        "sql": _helped("given"),
        "params": ["since", "until"],
    },
    "people_who_helped_me": {
        "title": "People who helped me",
        "description": "Who helped you in a period (default: the 90 days before the ledger's date).",
        "sql": _helped("received"),
        "params": ["since", "until"],
    },
    "reciprocity": {
        "title": "Reciprocity balance",
        "description": "Help given and received per person; a negative balance means you have "
                       "received more than you gave (recent help weighs more).",
        "sql": """select name, email, help_given, help_received, help_balance,
       date(last_help_given_at) as last_given, date(last_help_received_at) as last_received, strength, status
from relationships where help_given + help_received > 0
order by help_balance, strength desc, contact_id""",
    },
    "what_i_owe": {
        "title": "What I owe",
        "description": "Requests to you not answered, your promises not kept, thanks not answered: oldest first.",
        "sql": """select l.kind, coalesce(r.name, l.address) as person, l.address, l.subject, date(l.since) as since,
       l.age_days, l.detail, l.thread_id
from loose_ends l left join relationships r on r.contact_id = l.contact_id
where l.kind in ('unanswered_request', 'unkept_promise', 'unanswered_thanks')
order by l.age_days desc, l.kind, l.address""",
    },
    "golden_rule_scoreboard": {
        "title": "Golden-rule scoreboard",
        "description": "Distinct people you helped per quarter, and how many of them matter most to you.",
        "sql": """select quarter, starts, people_helped, important_people_helped, help_given
from golden_rule order by quarter desc""",
    },
    "contact_timeline": {
        "title": "A contact's timeline",
        "description": "Everything with one person, newest first: mail both ways and help both ways. "
                       "Give an address or a full name.",
        "sql": f"""with who as (select address from contact_addresses where contact_id = {_CONTACT})
select date, what, detail, thread_id from (
  select m.date as date, case when m.is_from_me then 'you wrote' else 'they wrote' end as what,
         m.subject as detail, m.thread_id
  from message_addresses a cross join messages m on m.id = a.message
  where a.address in (select address from who) and +m.is_automated = 0
    and ((m.is_from_me = 1 and a.kind != 'from') or (m.is_from_me = 0 and a.kind = 'from'))
  group by m.id
  union all
  select e.occurred_at, case h.direction when 'given' then 'you helped them (' || e.kind || ')'
                         else 'they helped you (' || e.kind || ')' end, e.evidence, e.thread_id
  from contact_help h join help_events e on e.id = h.event
  where h.contact_id = {_CONTACT}
) order by date desc, what""",
        "params": ["contact"],
    },
    "thread_help": {
        "title": "A thread with its help events",
        "description": "The messages of one thread in order, each with the help it gave and the sentence "
                       "that proves it.",
        "sql": """select m.date, m.from_address, m.subject, e.helper, e.helped, e.kind, e.evidence, e.confidence,
       e.found_by, m.id as message
from messages m left join help_events e on e.message = m.id
where m.thread_id = :thread order by m.date, m.id, e.helper""",
        "params": ["thread"],
    },
    "search": {
        "title": "Search your own words",
        "description": "Full-text search over subjects and the own text of messages (quotes excluded). "
                       "The words are searched as a phrase.",
        "sql": """select m.date, m.from_address, m.subject,
       snippet(messages_fts, 1, '[', ']', ' ... ', 12) as match, m.thread_id, m.id as message
from messages_fts join messages m on m.rowid = messages_fts.rowid
where messages_fts match '"' || replace(:q, '"', '""') || '"'
order by m.date desc limit 100""",
        "params": ["q"],
    },
}
