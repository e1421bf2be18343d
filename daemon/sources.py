"""Local mail sources: mbox (plain or gzipped), Maildir and directories of single messages.

Each source yields `RawMessage`s: the raw bytes plus a folder name and a key that identifies this copy
in its source, so re-importing the same file recognises copies it has already stored. Files are read
in a streaming way: memory does not grow with the size of a mailbox.
"""

from __future__ import annotations

import gzip
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

# An mbox "From_" separator line: "From " + sender + something with a time or a year in it.
FROM_LINE = re.compile(rb"^From \S*.*(?:\d\d:\d\d|\d{4})", re.M)
MBOXRD_ESCAPE = re.compile(rb"^>(>*From )", re.M)
CHUNK = 1 << 20
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(slots=True)
class RawMessage:
    folder: str
    source_key: str
    raw: bytes
    error: str | None = None


def open_maybe_gzip(path: Path):
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def folder_name_for(path: Path) -> str:
    """A folder name from a file name: 'Sent Items.mbox.gz' -> 'Sent Items'."""
    name = path.name
    for suffix in (".gz", ".mbox", ".mbx", ".txt"):
        name = name.removesuffix(suffix)
    return name or path.name


def _unescape(message: bytes) -> bytes:
    """Undo mboxrd's '>From ' escapes; most messages have none, and then no copy is made."""
    return MBOXRD_ESCAPE.sub(rb"\1", message) if b">From " in message else message


def _split_mbox(stream) -> Iterator[bytes]:
    """Yield the messages of an mbox stream, read in chunks, with mboxrd '>From ' escapes undone.

    Each byte is scanned once: a 70 MB message (a big attachment) costs what its size says, not the
    square of it."""
    buf = bytearray()
    started = False
    scan = 0  # where the search for the next separator resumes in buf
    while True:
        chunk = stream.read(CHUNK)
        buf += chunk
        # keep the last (possibly incomplete) line in the buffer unless at EOF
        limit = len(buf) if not chunk else buf.rfind(b"\n") + 1
        pos = 0
        for m in FROM_LINE.finditer(buf, scan, limit):
            if m.start() != 0 and buf[m.start() - 1] != 0x0A:
                continue
            line_end = buf.find(b"\n", m.start())
            if line_end < 0 or line_end >= limit:
                break
            if started:
                yield _unescape(bytes(buf[pos:m.start()]))
            started = True
            pos = line_end + 1
        if not started and limit:
            # Not an mbox at all (no separator yet): treat the whole stream as one message.
            if not chunk or len(buf) > 64 * CHUNK:
                yield bytes(buf) + stream.read()
                return
            scan = max(scan, limit)
            continue
        del buf[:pos]
        scan = max(0, limit - pos)
        if not chunk:
            if started and bytes(buf).strip():
                yield _unescape(bytes(buf))
            return


def read_mbox(path: Path, folder: str | None = None) -> Iterator[RawMessage]:
    folder = folder or folder_name_for(path)
    key = str(path.resolve())
    with open_maybe_gzip(path) as stream:
        for i, raw in enumerate(_split_mbox(stream)):
            yield RawMessage(folder, f"mbox:{key}#{i}", raw)


def read_maildir(path: Path, folder: str | None = None) -> Iterator[RawMessage]:
    """A Maildir: messages in cur/ and new/; Maildir++ subfolders (.Sent) become folders of their own."""
    folder = folder or (path.name.lstrip(".") or "INBOX")
    for sub in ("cur", "new"):
        d = path / sub
        if not d.is_dir():
            continue
        for name in sorted(os.listdir(d)):
            base = name.split(":2,")[0]  # flags change; the unique name does not
            yield _read_single(d / name, folder, f"maildir:{path.resolve()}/{base}")
    for child in sorted(path.iterdir()):
        if child.name.startswith(".") and child.is_dir() and (child / "cur").is_dir():
            yield from read_maildir(child, child.name.lstrip(".").replace(".", "/"))


def _read_single(path: Path, folder: str, key: str) -> RawMessage:
    try:
        with open_maybe_gzip(path) as f:
            raw = f.read()
    except OSError as e:
        return RawMessage(folder, key, b"", error=f"cannot read file: {e.strerror or e}")
    if raw.startswith(OLE_MAGIC):
        return RawMessage(folder, key, b"", error="Outlook .msg file: not a MIME message, not parsed")
    if raw.startswith(b"From ") and b"\n" in raw:
        first, _, rest = raw.partition(b"\n")
        raw = rest  # a single message saved with its mbox separator line
    return RawMessage(folder, key, raw)


def is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _looks_like_mbox(path: Path) -> bool:
    if path.name.endswith((".mbox", ".mbox.gz", ".mbx")):
        return True
    try:
        with open_maybe_gzip(path) as f:
            head = f.read(200)
    except OSError:
        return False
    return bool(FROM_LINE.match(head))


def read_path(path: str | os.PathLike) -> Iterator[RawMessage]:
    """Everything under one path given to `goldenrule import`."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such file or directory")
    if p.is_file():
        if _looks_like_mbox(p):
            yield from read_mbox(p)
        else:
            yield _read_single(p, p.parent.name or "INBOX", f"file:{p.resolve()}")
        return
    if is_maildir(p):
        yield from read_maildir(p)
        return
    for root, dirs, files in os.walk(p):
        dirs.sort()
        rootp = Path(root)
        if is_maildir(rootp):
            yield from read_maildir(rootp)
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        rel = rootp.relative_to(p)
        folder = str(rel) if str(rel) != "." else (p.name or "INBOX")
        for name in sorted(files):
            if name.startswith("."):
                continue
            f = rootp / name
            if not f.is_file():
                continue
            if _looks_like_mbox(f):
                sub = folder_name_for(f) if str(rel) == "." else f"{folder}/{folder_name_for(f)}"
                yield from read_mbox(f, sub)
            else:
                yield _read_single(f, folder, f"file:{f.resolve()}")
