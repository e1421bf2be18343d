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
