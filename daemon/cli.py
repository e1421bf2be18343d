"""The `goldenrule` command: a thin click layer over the pipeline's plain functions."""

from __future__ import annotations

import functools
import json
import sys
import time
from pathlib import Path

import click

from . import __version__
from .config import Config, ConfigError, example_toml, load_config
from .store import open_db, write_private


def common_options(f):
    """--config and --db on every command; loads the config and hands the command a `ctx` dict."""

    @click.option("--config", "config_path", type=click.Path(dir_okay=False),
                  help="Config file (default: $XDG_CONFIG_HOME/goldenrule/config.toml).")
    @click.option("--db", "db_path", type=click.Path(dir_okay=False),
                  help="Database file, overriding [database] path in the config.")
    @functools.wraps(f)
    def wrapper(config_path, db_path, **kwargs):
        return f(cfg=_load(config_path, db_path), **kwargs)

    return wrapper


def _load(config_path, db_path) -> Config:
    try:
        cfg = load_config(config_path)
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    if db_path:
        cfg.database.path = db_path
    return cfg


def _open(cfg: Config):
    try:
        return open_db(cfg.db_path)
    except Exception as e:  # a clear line, never a traceback, for a database that cannot be opened
        raise click.ClickException(f"{cfg.db_path}: cannot open database: {e}") from None


class LedgerGroup(click.Group):
    """Turns storage failures (disk full, I/O errors, a locked database) into one clear line: every
    write is a transaction, so what was stored before the failure is whole and the next run resumes."""

    def invoke(self, ctx):
        import errno
        import sqlite3

        try:
            return super().invoke(ctx)
        except sqlite3.OperationalError as e:
            text = str(e)
            if any(w in text for w in ("disk", "full", "locked", "readonly", "I/O")):
                raise click.ClickException(
                    f"cannot write the database ({text}): stopped here; everything stored before is kept and "
                    f"complete, and the next run resumes (free some disk space first if it is full)") from None
            raise
        except OSError as e:
            if e.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
                raise click.ClickException(f"disk full ({e.strerror}): stopped here; everything stored before is "
                                           f"kept, and the next run resumes") from None
            raise


@click.group(cls=LedgerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="goldenrule")
def cli():
    """goldenrule: a private ledger of your professional relationships, built from your own mail.

    Import mail, then explore the database (default ~/.local/share/goldenrule/goldenrule.db)
    with Datasette or SQL.
    """


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--me", multiple=True, metavar="ADDRESS",
              help="One of your own addresses (repeatable; remembered in the database).")
@click.option("--workers", type=int, default=None, help="Parser processes (default: one per core).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@common_options
def import_(cfg: Config, paths, me, workers, as_json):
    """Import mbox files (also .gz), Maildir folders and directories of .eml files.

    Re-importing the same files changes nothing. Messages in folders named like a Sent folder
    teach goldenrule your own addresses.
    """
    from .importer import import_messages
    from .sources import read_path

    if workers is not None:
        cfg.import_.workers = workers
    db = _open(cfg)
    started = time.monotonic()
    tty = sys.stderr.isatty() and not as_json

    def progress(stats):
        if tty:
            rate = stats.copies_seen / max(time.monotonic() - started, 1e-6)
            click.echo(f"\r{stats.copies_seen:,} copies read, {stats.messages_new:,} new messages "
                       f"({rate:,.0f}/s)", nl=False, err=True)

    def raws():
        for p in paths:
            yield from read_path(p)

    stats = import_messages(db, raws(), cfg, me=me, paths=[str(p) for p in paths], progress=progress)
    if tty:
        click.echo("", err=True)
    elapsed = time.monotonic() - started
    summary = stats.as_dict() | {"seconds": round(elapsed, 2), "database": str(cfg.db_path)}
    if as_json:
        click.echo(json.dumps(summary))
        return
    click.echo(
        f"Read {stats.copies_seen:,} copies in {elapsed:.1f}s: {stats.messages_new:,} new messages, "
        f"{stats.duplicates:,} duplicate copies, {stats.already_imported:,} already imported, "
        f"{stats.errors:,} with problems recorded."
    )
    if stats.self_addresses:
        click.echo("Your addresses: " + ", ".join(stats.self_addresses[:5])
                   + (" ..." if len(stats.self_addresses) > 5 else ""))
    else:
        click.echo("Your own addresses are unknown: pass --me ADDRESS or set [identity] addresses.")
    click.echo(f"Database: {cfg.db_path}")


def _as_of(value):
    if value is None:
        return None
    from .relationships import as_of_time

    try:
        as_of_time(value)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--as-of") from None
    return value


AS_OF = click.option("--as-of", "as_of", metavar="DATE",
                     help="Compute relationships as of this date (YYYY-MM-DD or ISO time), using only mail "
                          "up to it. Default: now.")


@cli.command()
@AS_OF
@common_options
def rebuild(cfg: Config, as_of):
    """Recompute everything derived from stored messages (threads, bulk senders, contacts, help
    events, relationships)."""
    from .importer import derive

    db = _open(cfg)
    derive(db, cfg, new_ids=None, as_of=_as_of(as_of))
    n_threads = db["threads"].count
    n_contacts = db["contacts"].count
    click.echo(f"{n_threads:,} threads, {n_contacts:,} contacts")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@common_options
def stats(cfg: Config, as_json):
    """Counts of what the database holds."""
    db = _open(cfg)
    out = {t: db[t].count for t in ("messages", "copies", "threads", "contacts", "attachments", "help_events")}
    out["automated_messages"] = db.execute("select count(*) from messages where is_automated = 1").fetchone()[0]
    out["messages_with_problems"] = db.execute(
        "select count(*) from messages where parse_error is not null").fetchone()[0]
    out["my_addresses"] = [r["address"] for r in db["identities"].rows]
    if as_json:
        click.echo(json.dumps(out))
    else:
        for k, v in out.items():
            click.echo(f"{k}: {v:,}" if isinstance(v, int) else f"{k}: {', '.join(v) or '(unknown)'}")


@cli.command()
@click.option("--account", "only", multiple=True, help="Sync only this account (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line per account.")
@common_options
def sync(cfg: Config, only, as_json):
    """One pass over every IMAP account: new mail in, nothing on the server changed."""
    from .imap_sync import SyncError, sync_all

    _configure_logging()
    if only:
        unknown = set(only) - {a.name for a in cfg.accounts}
        if unknown:
            raise click.ClickException(f"{cfg.source}: no account named {', '.join(sorted(unknown))}")
        cfg.accounts = [a for a in cfg.accounts if a.name in only]
    db = _open(cfg)
    try:
        results = sync_all(db, cfg, show_progress=sys.stderr.isatty() and not as_json)
    except SyncError as e:
        raise click.ClickException(str(e)) from None
    failed = False
    for r in results:
        if as_json:
            click.echo(json.dumps(r))
        elif r["status"] == "ok":
            click.echo(f"{r['account']}: {r['messages_new']:,} new messages, {r['copies_seen']:,} fetched, "
                       f"{r['folders_changed']}/{r['folders_checked']} folders changed, "
                       f"{r['copies_gone']:,} gone from the server")
        else:
            click.echo(f"Error: {r['error']}", err=True)
        failed = failed or r["status"] != "ok"
    if failed:
        sys.exit(1)


@cli.command()
@click.option("--all", "show_all", is_flag=True, help="Also print sentences in which no act was found.")
@common_options
def acts(cfg: Config, show_all):
    """Read one sentence per line on stdin; print the acts found, one JSON line per sentence.

    \b
    Example:
      echo "Could you send me the Q3 numbers?" | goldenrule acts
      {"text": "Could you send me the Q3 numbers?", "acts": ["question", "request"], ...}
    """
    from .acts import classify

    for line in sys.stdin:
        text = line.rstrip("\n")
        if not text.strip():
            continue
        found, cues = classify(text)
        order = sorted(found, key=lambda a: (-found[a], a))
        click.echo(json.dumps({"text": text, "acts": order, "cues": cues,
                               "confidence": {a: found[a] for a in order}}, ensure_ascii=False))


@cli.command()
@click.argument("message")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@common_options
def explain(cfg: Config, message, as_json):
    """Show the acts found in one message and the help events of its thread.

    MESSAGE is a Message-ID (with or without <>), a stored message id or a unique prefix of one.
    """
    from .help_events import explain as explain_message, find_message

    db = _open(cfg)
    found = find_message(db, message)
    if found is None:
        raise click.ClickException(f"no stored message matches {message!r}")
    out = explain_message(db, found)
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    m = out["message"]
    click.echo(f"{m['date']}  {m['from']} -> {', '.join(m['to'] + m['cc']) or '(nobody)'}")
    click.echo(f"Subject: {m['subject']}")
    click.echo(f"Message-ID: {m['message_id']}   id: {m['id']}   thread: {m['thread_id']}")
    if m["automated"]:
        click.echo(f"Automated mail ({m['category']}): no acts are read from it.")
    click.echo("\nActs in its own text:" if out["acts"] else "\nNo acts found in its own text.")
    for a in out["acts"]:
        where = "quoted ask" if a["part"] == "quoted" else f"sentence {a['position'] + 1}"
        click.echo(f"  {a['act']:<13} {a['confidence']:.2f}  {where:<12} {a['cue']:<28} {a['sentence'][:90]!r}")
    click.echo(f"\nThread of {len(out['thread'])} message(s); help events:" if out["events"]
               else f"\nThread of {len(out['thread'])} message(s); no help events.")
    for e in out["events"]:
        mark = "*" if e["this_message"] else " "
        click.echo(f" {mark}{e['occurred_at']}  {e['helper']} helped {e['helped']}  {e['kind']}  "
                   f"{e['confidence']:.2f}  ({e['found_by']})")
        click.echo(f"      {e['evidence']!r}")
    if any(e["this_message"] for e in out["events"]):
        click.echo("\n* = evidence in this message")


STATUSES = ("new", "active", "cooling", "cold", "dormant", "one-off")


@cli.group(invoke_without_command=True)
@AS_OF
@click.option("--status", type=click.Choice(STATUSES), multiple=True, help="Only ties in this state (repeatable).")
@click.option("--important", "only_important", is_flag=True, help="Only people marked or inferred important.")
@click.option("--limit", type=int, default=30, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per person.")
@common_options
@click.pass_context
def people(ctx, cfg: Config, as_of, status, only_important, limit, as_json):
    """Your relationships, strongest first: status, strength, help given and received.

    With --as-of the relationship tables are recomputed as of that date first, so an old archive
    reads as it did then; without it, tables last computed more than a day ago are brought up to
    now. Subcommands correct the contact list.
    """
    if ctx.invoked_subcommand is not None:
        return
    from .relationships import refresh_if_stale, update_relationships

    db = _open(cfg)
    with db.conn:
        if as_of is not None:
            update_relationships(db, cfg, _as_of(as_of))
        else:
            refresh_if_stale(db, cfg)
    where, args = [], []
    if status:
        where.append(f"status in ({','.join('?' * len(status))})")
        args += list(status)
    if only_important:
        where.append("(important = 1 or important_inferred = 1)")
    sql = ("select * from relationships" + (" where " + " and ".join(where) if where else "")
           # Equal strength (all of an old archive's ties have faded to 0): the latest contact first.
           + " order by strength desc, last_interaction desc, contact_id limit ?")
    rows = list(db.query(sql, args + [limit]))
    if as_json:
        for r in rows:
            click.echo(json.dumps(r, ensure_ascii=False))
        return
    score = db.execute("select as_of, important_people_helped_90d, people_helped_90d from golden_rule_score"
                       ).fetchone()
    if score:
        click.echo(f"As of {score[0][:10]}: you helped {score[2]} people in the last 90 days, "
                   f"{score[1]} of them important (the golden-rule score).")
    for r in rows:
        mark = "*" if r["important"] or r["important_inferred"] else " "
        click.echo(f"{mark}{r['strength']:5.1f}  {r['status']:<8} {r['name'][:28]:<28} {r['email'][:34]:<34} "
                   f"gave {r['help_given']:>2} got {r['help_received']:>2}  {r['status_reason']}")


@people.command(name="important")
@click.argument("addresses", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Take the mark away again.")
@common_options
def people_important(cfg: Config, addresses, remove):
    """Mark people as important to you (kept in the database, on top of [people] important)."""
    _override(cfg, "important", addresses, remove)


@people.command(name="ignore")
@click.argument("addresses", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Stop ignoring them.")
@common_options
def people_ignore(cfg: Config, addresses, remove):
    """Never treat these addresses as contacts (no relationship, no loose ends)."""
    _override(cfg, "ignore", addresses, remove)


@people.command(name="merge")
@click.argument("addresses", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Undo: these addresses are no longer merged by you.")
@common_options
def people_merge(cfg: Config, addresses, remove):
    """Treat several addresses as one person."""
    if len(addresses) < 2 and not remove:
        raise click.UsageError("merge needs at least two addresses")
    _override(cfg, "merge", addresses, remove)


def _override(cfg: Config, action: str, addresses, remove: bool):
    from .importer import derive
    from .people import set_override

    db = _open(cfg)
    set_override(db, action, list(addresses), remove)
    derive(db, cfg, new_ids=[])
    for a in addresses:
        row = db.execute("select c.id, c.name, c.important, c.ignored, c.addresses from contact_addresses ca "
                         "join contacts c on c.id = ca.contact_id where ca.address = ?", (a.lower(),)).fetchone()
        if row is None:
            click.echo(f"{a}: recorded; not seen in any mail yet")
        else:
            click.echo(f"{a}: contact {row[0]} ({row[1]}), important={row[2]}, ignored={row[3]}, "
                       f"addresses={row[4]}")


@cli.command()
@click.option("--port", type=int, help="Port (default: [serve] port, 8001).")
@click.option("--host", help="Interface (default: [serve] host, 127.0.0.1); others need [serve] password_hash.")
@click.option("--hash-password", "hash_password", is_flag=True,
              help="Ask for a password and print its hash for [serve] password_hash, then exit.")
@common_options
def serve(cfg: Config, port, host, hash_password):
    """Browse the ledger in Datasette (canned queries, dashboard at /dashboard). Read-only."""
    from .ledger_views import check_serve, serve as serve_ledger

    if hash_password:
        from datasette_auth_passwords.utils import hash_password as make_hash

        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        click.echo(make_hash(password))
        return
    host = host or cfg.serve.host
    port = port or cfg.serve.port
    db = _open(cfg)  # creates the schema if the database is new
    db.conn.close()
    try:
        check_serve(host, port, cfg.serve.password_hash)
        click.echo(f"goldenrule: http://{host}:{port}/dashboard  (Ctrl-C to stop)", err=True)
        sys.exit(serve_ledger(cfg.db_path, host, port, cfg.serve.password_hash))
    except ValueError as e:
        raise click.ClickException(str(e)) from None


@cli.command()
@click.option("--preview", is_flag=True, help="Build the digest without sending it.")
@click.option("--html", "as_html", is_flag=True, help="With --preview: print the HTML part, not the text.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="With --preview: write digest.txt and digest.html into this directory.")
@click.option("--send", "do_send", is_flag=True, help="Send the digest of the latest week now (once per week).")
@click.option("--force", is_flag=True, help="With --send: send even if this week's digest was already sent.")
@AS_OF
@common_options
def digest(cfg: Config, preview, as_html, out_dir, do_send, force, as_of):
    """The weekly digest: whom to help, whom you owe, which ties are cooling.

    The week is the one ending at the latest [digest] day and time before now (or --as-of).
    """
    import datetime as dt

    from .digest import DigestError, build, period_end, render, run_due
    from .relationships import as_of_time

    if preview == do_send:
        raise click.UsageError("give exactly one of --preview and --send")
    db = _open(cfg)
    now = dt.datetime.fromtimestamp(as_of_time(_as_of(as_of)), dt.timezone.utc)
    if do_send:
        try:
            result = run_due(db, cfg, now, force=force)
        except DigestError as e:
            raise click.ClickException(str(e)) from None
        click.echo(json.dumps(result))
        return
    subject, text, html = render(build(db, cfg, period_end(cfg, now)))
    if out_dir:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        write_private(out / "digest.txt", f"Subject: {subject}\n\n{text}")
        write_private(out / "digest.html", html)
        click.echo(f"{out / 'digest.txt'}\n{out / 'digest.html'}")
    else:
        click.echo(html if as_html else f"Subject: {subject}\n\n{text}")


@cli.command()
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Log lines for people, or one JSON object per line for machines.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Config file (default: $XDG_CONFIG_HOME/goldenrule/config.toml); reloaded on SIGHUP.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False),
              help="Database file, overriding [database] path in the config.")
def run(log_format, config_path, db_path):
    """Run the service in the foreground: sync, recompute, send the weekly digest.

    SIGTERM or Ctrl-C stops it after the batch being stored; SIGUSR1 syncs now; SIGHUP reloads the
    config. One service per database.
    """
    from .service import AlreadyRunning, configure_logging, run_service

    configure_logging(log_format)
    cfg = _load(config_path, db_path)
    try:
        sys.exit(run_service(cfg, config_path))
    except AlreadyRunning as e:
        raise click.ClickException(str(e)) from None


def _parse_age(value: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        if value[-1:] in units:
            return float(value[:-1]) * units[value[-1]]
        return float(value)
    except ValueError:
        raise click.BadParameter(f"expected a duration like 90s, 30m, 2h or 1d, got {value!r}") from None


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--max-age", help="Exit 1 if any folder's last successful sync is older than this (30m, 2h, 1d).")
@common_options
def status(cfg: Config, as_json, max_age):
    """Per account and folder: last sync, lag and last error."""
    import datetime as dt

    db = _open(cfg)
    now = dt.datetime.now(dt.timezone.utc)
    rows, lags = [], []
    for r in db.query("select * from sync_state order by account, folder"):
        last = r["last_sync_at"]
        lag = (now - dt.datetime.fromisoformat(last.replace("Z", "+00:00"))).total_seconds() if last else None
        lags.append(lag)
        rows.append({"account": r["account"], "folder": r["folder"], "last_sync_at": last,
                     "lag_seconds": round(lag) if lag is not None else None, "last_uid": r["last_uid"],
                     "messages_on_server": r["messages"], "last_error": r["last_error"]})
    runs = list(db.query("select account, started_at, finished_at, status, messages_new, error from sync_runs "
                         "where id in (select max(id) from sync_runs group by account) order by account"))
    configured = {a.name for a in cfg.accounts}
    stale = []
    if max_age:
        limit = _parse_age(max_age)
        # The exact lag, not the rounded one shown: 1.4 s is older than "1s".
        stale = [f"{r['account']}/{r['folder']}" for r, lag in zip(rows, lags) if lag is None or lag > limit]
        stale += [f"{a} (never synced)" for a in sorted(configured - {r["account"] for r in rows})]
    if as_json:
        click.echo(json.dumps({"folders": rows, "last_runs": runs, "stale": stale}))
    else:
        if not rows:
            click.echo("No sync has run yet.")
        for r in rows:
            lag = f"{r['lag_seconds']}s ago" if r["lag_seconds"] is not None else "never"
            err = f"  error: {r['last_error']}" if r["last_error"] else ""
            click.echo(f"{r['account']}/{r['folder']}: last sync {lag}, up to UID {r['last_uid']}{err}")
        for run in runs:
            click.echo(f"last run of {run['account']}: {run['status']} at {run['finished_at'] or run['started_at']}"
                       + (f" ({run['error']})" if run["error"] else ""))
        if stale:
            click.echo("stale: " + ", ".join(stale), err=True)
    if stale:
        sys.exit(1)


def _configure_logging():
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    logging.getLogger("imapclient").setLevel(logging.WARNING)


@cli.group()
def config():
    """Check or print the configuration."""


@config.command()
@common_options
def check(cfg: Config):
    """Validate the config file and print where things will be stored."""
    click.echo(f"{cfg.source}: OK")
    click.echo(f"database: {cfg.db_path}")


@config.command()
def example():
    """Print the documented example config (every key with its default)."""
    click.echo(example_toml(), nl=False)


@cli.command()
@click.option("--dir", "out_dir", type=click.Path(file_okay=False), default="demo-output",
              show_default=True, help="Where the sample mailbox and database are written.")
@click.option("--serve/--no-serve", default=True, help="Start Datasette on the demo database.")
@click.option("--port", type=int, default=8001, show_default=True)
@click.option("--imap/--no-imap", default=True,
              help="Sync the sample mailbox over IMAP from a private Dovecot when one is installed.")
@common_options
def demo(cfg: Config, out_dir, serve, port, imap):
    """Generate the built-in sample mailbox, sync it, send its digest locally, open it in Datasette."""
    from .demo import run_demo
    from .ledger_views import check_port

    try:
        if serve:
            check_port("127.0.0.1", port)  # before the work, not after it
        run_demo(Path(out_dir), cfg, serve=serve, port=port, imap=imap)
    except ValueError as e:
        raise click.ClickException(str(e)) from None


def main():
    cli(prog_name="goldenrule")
