"""The ledger in Datasette, exercised through Datasette itself: every canned query with exact rows on
the generated ledger, the dashboard, safe rendering of hostile mail, and the serve command's guard."""

import asyncio
import json

import pytest
from click.testing import CliRunner
from datasette.app import Datasette

from daemon.cli import cli
from daemon.ledger_views import prepare_site
from daemon.queries import CANNED
from fixtures import ME, build_ledger, days_before, msg

HOSTILE_SUBJECT = '<script>alert("subject")</script>'
HOSTILE_BODY = "Could you open <img src=x onerror=alert(1)> please?"


@pytest.fixture
def site(tmp_path, cfg, db):
    hostile = msg(days_before(2), "mallory@m.example", [ME], HOSTILE_SUBJECT, HOSTILE_BODY)[1]
    build_ledger(tmp_path / "mail", cfg, db, extra=[hostile])
    meta, templates = prepare_site(cfg.db_path, tmp_path / "site")
    ds = Datasette([cfg.db_path], metadata=json.loads(meta.read_text()), template_dir=str(templates))

    def get(path):
        return asyncio.run(ds.client.get(path))

    def thread(subject):
        return db.execute("select thread_id from messages where subject = ?", (subject,)).fetchone()[0]

    return get, thread


def rows(get, query, params=""):
    r = get(f"/ledger/{query}.json?_shape=array&{params}")
    assert r.status_code == 200, r.text
    return [tuple(row.values()) for row in r.json()]


def test_every_canned_query_is_in_the_metadata_with_a_description(site):
    get, _ = site
    r = get("/ledger.json")
    names = {q["name"] for q in r.json()["queries"]}
    assert names == set(CANNED)
    assert all(CANNED[n]["description"] for n in CANNED)


def test_cooling(site):
    get, thread = site
    assert rows(get, "cooling") == [
        ("alice@a.example", "alice@a.example", "cooling", "2025-06-07",
         "usually in touch every 2 weeks; silent for 2 months", 50.1, "2025-04-21", "Status 0",
         thread("Status 0"), 1)]


def test_people_i_helped_and_who_helped_me(site):
    get, _ = site
    assert rows(get, "people_i_helped", "since=&until=") == [
        ("ivy@i.example", "ivy@i.example", 1, "referral", "2025-06-27T09:00:00Z",
         "Thanks so much for the referral to Acme, I start on Monday!"),
        ("jack@j.example", "jack@j.example", 1, "introduction", "2025-05-22T09:00:00Z",
         "I've copied Kate Lin, who is the best tax lawyer I know."),
    ]
    # A period: only June.
    assert [r[0] for r in rows(get, "people_i_helped", "since=2025-06-01&until=2025-06-30")] == ["ivy@i.example"]
    assert rows(get, "people_who_helped_me", "since=&until=") == [
        ("bob@b.example", "bob@b.example", 1, "document", "2025-06-18T11:00:00Z",
         "Attached is the Q2 report you asked for.")]


def test_reciprocity(site):
    get, _ = site
    assert rows(get, "reciprocity") == [
        ("bob@b.example", "bob@b.example", 0, 1, -0.955, None, "2025-06-18", 62.2, "active"),
        ("jack@j.example", "jack@j.example", 1, 0, 0.86, "2025-05-22", None, 10.8, "active"),
        ("ivy@i.example", "ivy@i.example", 1, 0, 0.988, "2025-06-27", None, 2.9, "new"),
    ]


def test_what_i_owe(site):
    get, thread = site
    assert rows(get, "what_i_owe") == [
        ("unkept_promise", "hank@h.example", "hank@h.example", "Re: Deck", "2025-06-01", 29.1,
         "I'll send you the deck tomorrow.", thread("Deck")),
        ("unanswered_request", "gina@g.example", "gina@g.example", "Budget", "2025-06-25", 5.1,
         "Could you send me the budget for Q3?", thread("Budget")),
        ("unanswered_thanks", "ivy@i.example", "ivy@i.example", "Acme", "2025-06-27", 3.1,
         "Thanks so much for the referral to Acme, I start on Monday!", thread("Acme")),
        ("unanswered_request", "mallory@m.example", "mallory@m.example", HOSTILE_SUBJECT, "2025-06-28", 2.1,
         HOSTILE_BODY, thread(HOSTILE_SUBJECT)),
    ]


def test_golden_rule_scoreboard(site):
    get, _ = site
    assert rows(get, "golden_rule_scoreboard") == [("2025-Q2", "2025-04-01", 2, 0, 2)]


def test_contact_timeline_and_thread(site):
    get, thread = site
    t = thread("Tax advice")
    intro = "I've copied Kate Lin, who is the best tax lawyer I know."
    assert rows(get, "contact_timeline", "contact=JACK@j.example") == [
        ("2025-05-22T09:00:00Z", "you helped them (introduction)", intro, t),
        ("2025-05-22T09:00:00Z", "you wrote", "Re: Tax advice", t),
        ("2025-05-21T09:00:00Z", "they wrote", "Tax advice", t),
    ]
    assert [r[:8] for r in rows(get, "thread_help", f"thread={t}")] == [
        ("2025-05-21T09:00:00Z", "jack@j.example", "Tax advice", None, None, None, None, None),
        ("2025-05-22T09:00:00Z", ME, "Re: Tax advice", ME, "jack@j.example", "introduction", intro, 0.95),
    ]


def test_search_own_words(site):
    get, thread = site
    assert [r[:4] for r in rows(get, "search", "q=tax+lawyer")] == [
        ("2025-05-22T09:00:00Z", ME, "Re: Tax advice", "I've copied Kate Lin, who is the best [tax lawyer] I ... "),
        ("2025-05-21T09:00:00Z", "jack@j.example", "Tax advice", "Do you know a good [tax lawyer]?"),
    ]
    # Quotes and FTS syntax in the search box are words, not an error.
    assert rows(get, "search", 'q=%22tax" OR *') == []


def test_dashboard(site):
    get, thread = site
    r = get("/dashboard")
    assert r.status_code == 200
    html = r.text
    assert "2 people in all" in html and "As of <strong>2025-06-30</strong>" in html
    assert 'id="interactions"' in html and 'id="help-per-month"' in html and 'id="golden-rule-trend"' in html
    assert "usually in touch every 2 weeks; silent for 2 months" in html
    assert f'/ledger/thread_help?thread={thread("Status 0")}' in html


def test_mail_is_shown_escaped_everywhere(site):
    get, _ = site
    pages = [get("/ledger/messages?_search=open").text, get("/ledger/what_i_owe").text,
             get("/ledger/loose_ends").text, get("/dashboard").text, get("/ledger/search?q=open").text]
    for html in pages:
        assert "<script>alert(" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(" in pages[1] and "&lt;img src=x" in pages[1]


def test_serve_refuses_other_interfaces(cfg):
    r = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--db", cfg.db_path])
    assert r.exit_code == 1
    assert "refusing to serve on 0.0.0.0" in r.output


def test_a_password_protects_every_page(tmp_path, cfg, db, monkeypatch):
    """With [serve] password_hash (needed beyond loopback), every page needs HTTP Basic auth."""
    import base64

    from datasette_auth_passwords.utils import hash_password

    from daemon.ledger_views import HASH_ENV

    build_ledger(tmp_path / "mail", cfg, db)
    monkeypatch.setenv(HASH_ENV, hash_password("correct horse"))
    meta, templates = prepare_site(cfg.db_path, tmp_path / "site", password=True)
    assert "correct horse" not in meta.read_text() and "pbkdf2" not in meta.read_text()
    ds = Datasette([cfg.db_path], metadata=json.loads(meta.read_text()), template_dir=str(templates))

    def get(path, password=None):
        headers = {}
        if password:
            headers["authorization"] = "Basic " + base64.b64encode(f"goldenrule:{password}".encode()).decode()
        return asyncio.run(ds.client.get(path, headers=headers))

    for path in ("/dashboard", "/ledger/cooling.json", "/ledger/messages", "/ledger.db"):
        assert get(path).status_code == 401
        assert get(path, "wrong").status_code == 401
    assert get("/dashboard", "correct horse").status_code == 200
    r = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--db", cfg.db_path])
    assert r.exit_code == 1 and "without a password" in r.output


def test_a_port_in_use_is_one_clear_error(cfg, tmp_path):
    """Datasette would log the clash and exit 0; serve and the demo say so and fail, before any work."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = CliRunner().invoke(cli, ["serve", "--port", str(port), "--db", cfg.db_path])
        assert r.exit_code == 1
        assert f"cannot listen on 127.0.0.1:{port}" in r.output and "http://" not in r.output
        r = CliRunner().invoke(cli, ["demo", "--port", str(port), "--dir", str(tmp_path / "demo")])
        assert r.exit_code == 1 and f"cannot listen on 127.0.0.1:{port}" in r.output
        assert not (tmp_path / "demo").exists()
