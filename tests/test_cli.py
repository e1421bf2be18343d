import subprocess
import sys

import pytest
from click.testing import CliRunner

from daemon import __version__
from daemon.cli import cli

COMMANDS = [[], ["import"], ["rebuild"], ["acts"], ["explain"], ["people"], ["serve"], ["digest"], ["run"], ["stats"], ["sync"], ["status"], ["config"], ["config", "check"], ["config", "example"],
            ["demo"]]


@pytest.mark.parametrize("cmd", COMMANDS)
def test_every_command_has_help(cmd):
    r = CliRunner().invoke(cli, cmd + ["--help"])
    assert r.exit_code == 0, r.output
    assert "Usage: " in r.output


@pytest.mark.parametrize("cmd", [c for c in COMMANDS if c and c != ["config"] and c != ["config", "example"]])
def test_every_command_takes_config_and_db(cmd):
    r = CliRunner().invoke(cli, cmd + ["--help"])
    assert "--config" in r.output and "--db" in r.output


def test_version_and_python_m():
    r = subprocess.run([sys.executable, "-m", "daemon", "--version"], capture_output=True, text=True)
    assert r.returncode == 0
    assert r.stdout.strip() == f"goldenrule, version {__version__}"


def test_the_built_package_holds_every_file_of_daemon(tmp_path):
    """An installed goldenrule (not an editable checkout) needs its templates: build the wheel as
    pip would, from a copy of the tracked files (no stale build state), and check every file under
    daemon/ is in it."""
    import shutil
    import zipfile
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    src = tmp_path / "src"
    tracked = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout
    for name in tracked.splitlines():
        if (root / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, src / name)
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(src)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    (wheel,) = tmp_path.glob("goldenrule-*.whl")
    packaged = set(zipfile.ZipFile(wheel).namelist())
    files = {p.relative_to(src).as_posix() for p in (src / "daemon").rglob("*") if p.is_file()}
    assert "daemon/templates/digest.txt" in files
    assert files - packaged == set()
