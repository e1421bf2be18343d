import os
import textwrap
from pathlib import Path

import pytest

from daemon.config import Config
from daemon.store import open_db

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
# Computed as of the clock (silence, decay, ages): compared through the rows they are computed from.
CLOCK_TABLES = {"relationships", "golden_rule_score", "loose_ends"}


def mbox(path: Path, *messages: str) -> Path:
    """Write an mbox file from message texts (dedented; a From_ line is added to each)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        for m in messages:
            f.write(b"From MAILER-DAEMON Mon Apr 18 14:21:41 2022\n")
            f.write(textwrap.dedent(m).lstrip("\n").encode())
            f.write(b"\n")
    return path


@pytest.fixture
def cfg(tmp_path):
    c = Config()
    c.database.path = str(tmp_path / "ledger.db")
    c.import_.workers = 1
    return c


@pytest.fixture
def db(cfg):
    return open_db(cfg.db_path)


@pytest.fixture(scope="session")
def shared():
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: the real-mail tests need ../shared")
    return SHARED
