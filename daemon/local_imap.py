"""A private Dovecot IMAP server on 127.0.0.1, started from its own config in a temporary directory.

The test suite syncs against it, and the demo serves its sample mailbox through it so that the
IMAP path runs for real. TLS with a self-signed certificate (implicit TLS and STARTTLS), one user,
special-use folders. As root the mail is owned by `nobody`, because Dovecot refuses to deliver as root.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import socket
import secrets
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

from imapclient import IMAPClient

USER = "alice@example.org"

CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
mail_location = maildir:~/Maildir
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
mail_max_userip_connections = 100
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = create
  }}
  mailbox Junk {{
    special_use = \\Junk
    auto = create
  }}
  mailbox Trash {{
    special_use = \\Trash
    auto = create
  }}
  mailbox Drafts {{
    special_use = \\Drafts
    auto = create
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
{unprivileged}"""


# Without root, Dovecot cannot chroot its login and anvil processes: run them unconfined.
UNPRIVILEGED = """\
service imap-login {
  chroot =
}
service anvil {
  chroot =
}
"""


def _free_ports(n: int) -> list[int]:
    """n distinct free ports: the sockets stay bound until all are chosen, or the system could hand
    out the same port twice (it did once: "duplicate listener")."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def available() -> bool:
    return bool(shutil.which("dovecot") and shutil.which("doveadm") and shutil.which("openssl"))


class Dovecot:
    def __init__(self, password: str | None = None):
        self.password = password or secrets.token_urlsafe(24)
        if not shutil.which("dovecot"):
            raise RuntimeError("dovecot is not installed (apt-get install dovecot-imapd)")
        self.root = Path(tempfile.mkdtemp(prefix="goldenrule-dovecot-"))
        os.chmod(self.root, 0o755)
        self.port, self.tls_port = _free_ports(2)
        if os.geteuid() == 0:
            mail_user = pwd.getpwnam("nobody")
            internal = "dovecot" if _exists_user("dovecot") else "nobody"
            login = "dovenull" if _exists_user("dovenull") else "nobody"
        else:
            mail_user = pwd.getpwuid(os.geteuid())
            internal = login = mail_user.pw_name
        self.uid, self.gid = mail_user.pw_uid, mail_user.pw_gid
        (self.root / "mail").mkdir()
        os.chown(self.root / "mail", self.uid, self.gid)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout", str(self.root / "key.pem"), "-out", str(self.root / "cert.pem")],
                       check=True, capture_output=True)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{self.password}::::::\n")
        self.conf = self.root / "dovecot.conf"
        self.conf.write_text(CONF.format(root=self.root, uid=self.uid, gid=self.gid, port=self.port,
                                         tls_port=self.tls_port, internal_user=internal,
                                         internal_group=grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name,
                                         login_user=login, unprivileged=UNPRIVILEGED if os.geteuid() else ""))
        self.cert = self.root / "cert.pem"

    def start(self):
        # The daemon keeps its stdio: a pipe here would never see EOF, so use a file.
        with open(self.root / "start.err", "w") as err:
            r = subprocess.run(["dovecot", "-c", str(self.conf)], stdin=subprocess.DEVNULL,
                               stdout=err, stderr=err)
        if r.returncode != 0:
            raise RuntimeError(f"dovecot failed to start: {(self.root / 'start.err').read_text()}{self.log()}")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.tls_port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not listen on {self.tls_port}: {self.log()}")

    def pid(self) -> int | None:
        try:
            return int((self.root / "run" / "master.pid").read_text())
        except (OSError, ValueError):
            return None

    def stop(self):
        pid = self.pid()
        if pid is None:
            return
        subprocess.run(["doveadm", "-c", str(self.conf), "stop"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)

    def restart(self, hard: bool = False):
        """Stop and start again; hard: kill -9 the whole server (master and its imap processes)."""
        if hard and self.pid():
            pgid = os.getpgid(self.pid())
            os.killpg(pgid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    os.killpg(pgid, 0)
                    time.sleep(0.02)
                except ProcessLookupError:
                    break
        else:
            self.stop()
        return self.start()

    def log(self) -> str:
        try:
            return (self.root / "dovecot.log").read_text()[-3000:]
        except OSError:
            return ""

    def client(self) -> IMAPClient:
        """An ordinary (read-write) client, to load and inspect the mailbox (never used by a sync)."""
        ctx = ssl.create_default_context(cafile=str(self.cert))
        c = IMAPClient("127.0.0.1", self.tls_port, ssl=True, ssl_context=ctx, timeout=30)
        c.login(USER, self.password)
        return c

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def load(self, folder: str, messages) -> int:
        """APPEND (date, raw bytes) pairs to `folder` with their dates as INTERNALDATE, as a mail client would."""
        c = self.client()
        try:
            if not c.folder_exists(folder):
                c.create_folder(folder)
            for when, raw in messages:
                c.append(folder, raw, flags=(b"\\Seen",), msg_time=when)
            return len(messages)
        finally:
            c.logout()

    def account_toml(self, name="test", **over) -> str:
        fields = {"name": name, "host": "127.0.0.1", "port": self.tls_port, "tls": "implicit",
                  "ca_file": str(self.cert), "username": USER, "password_env": "GOLDENRULE_TEST_PASSWORD",
                  "fetch_batch": 50}
        fields.update(over)
        lines = ["[[accounts]]"]
        for k, v in fields.items():
            if v is None:
                continue
            lines.append(f"{k} = {v!r}".replace("'", '"') if isinstance(v, str) else
                         f"{k} = {str(v).lower() if isinstance(v, bool) else v}")
        return "\n".join(lines) + "\n"


def _exists_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False
