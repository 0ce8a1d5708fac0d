"""The command line's package: its entry points, its subcommands' order, and a light start-up."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from analysis import __version__
from analysis.cli import COMMANDS, build_parser

SUBCOMMANDS = [
    "demo",
    "ingest",
    "collect",
    "info",
    "compact",
    "report",
    "check-tweet",
    "compliance",
    "purge",
    "accounts",
    "adoption",
    "hashtags",
    "graph",
    "export",
]


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_the_subcommands_are_listed_in_their_usual_order():
    assert list(_subparsers(build_parser())) == SUBCOMMANDS


def test_each_subcommands_handler_sits_in_the_module_that_defines_its_parser():
    modules = {module.__name__ for module in COMMANDS}
    for name, parser in _subparsers(build_parser()).items():
        assert parser.get_default("func").__module__ in modules, name


@pytest.mark.parametrize("module", ["analysis", "analysis.cli"])
def test_python_m_runs_the_command(module):
    done = subprocess.run(
        [sys.executable, "-m", module, "--version"], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, f"medtwitter {__version__}\n", "")


def test_help_starts_without_the_analysis_libraries():
    code = (
        "import sys, contextlib, io\n"
        "from analysis.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        "heavy = ['pandas', 'pyarrow', 'numpy', 'networkx', 'igraph', 'requests', 'tempfile']\n"
        "print(' '.join(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
