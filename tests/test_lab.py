"""`make lab` opens working copies in a git-ignored folder and never overwrites one.

JupyterLab is never started here: the tests read the target's commands with
``make -n`` and run its copy step (``python -m analysis.lab DEST``) on their own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.lab import WORK_DIR, copy_notebooks
from analysis.report import list_notebooks

ROOT = Path(__file__).resolve().parent.parent


def _make_dry(*args: str) -> str:
    """``make -n`` of the project's Makefile, as run by hand (not the flags of a make running us)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    return subprocess.run(
        ["make", "--no-print-directory", "-n", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


def test_make_lab_copies_the_notebooks_then_starts_jupyterlab_in_the_copies(tmp_path):
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    dry = _make_dry("lab", f"LAB_DIR={tmp_path}").splitlines()
    copy = next(i for i, line in enumerate(dry) if "-m analysis.lab" in line)
    lab = next(i for i, line in enumerate(dry) if "jupyter lab" in line)
    assert copy < lab and dry[copy].endswith(str(tmp_path)) and dry[lab].endswith(str(tmp_path))
    default = _make_dry("lab")
    assert "jupyter lab" in default and default.rstrip().endswith(str(WORK_DIR))
    assert not any(line.rstrip().endswith(" notebooks") for line in default.splitlines())


def test_the_working_copies_folder_is_git_ignored_and_the_notebooks_are_not():
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = _git("check-ignore", "-q", f"{WORK_DIR}/00_overview.ipynb")
    assert ignored.returncode == 0
    for notebook in list_notebooks():
        tracked = _git("check-ignore", "-q", str(notebook.relative_to(ROOT)))
        assert tracked.returncode == 1, notebook.name


def test_copy_step_copies_missing_notebooks_and_never_overwrites_a_copy(tmp_path):
    dest = tmp_path / "work"
    made, kept = copy_notebooks(dest=dest)
    sources = list_notebooks()
    assert [p.name for p in made] == [p.name for p in sorted(ROOT.glob("notebooks/*.ipynb"))]
    assert {p.name for p in sources} <= {p.name for p in made} and kept == []
    for source in sources:
        assert (dest / source.name).read_bytes() == source.read_bytes()
    # a researcher's work, with real handles in it, and a copy deleted to get the new version
    mine = dest / sources[0].name
    mine.write_text('{"my": "work on @real_handle"}', encoding="utf-8")
    (dest / sources[1].name).unlink()
    made, kept = copy_notebooks(dest=dest)
    assert [p.name for p in made] == [sources[1].name] and mine in kept
    assert mine.read_text(encoding="utf-8") == '{"my": "work on @real_handle"}'


def test_the_make_targets_copy_command_keeps_an_existing_copy(tmp_path):
    dest = tmp_path / "work"
    dest.mkdir()
    name = list_notebooks()[0].name
    (dest / name).write_text("my work", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "analysis.lab", str(dest)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert (dest / name).read_text(encoding="utf-8") == "my work"
    assert "1 kept as they were" in run.stdout
    assert len(list(dest.glob("*.ipynb"))) == len(list(ROOT.glob("notebooks/*.ipynb")))
    assert not [p for p in dest.iterdir() if p.name.startswith(".")]  # no temporary left


def test_pytest_never_collects_the_working_copies(tmp_path):
    """`make test` runs nbval over notebooks/: a working copy holding real outputs stays out."""
    (tmp_path / "notebooks" / "work").mkdir(parents=True)
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "id": "c1",
        "metadata": {},
        "outputs": [],
        "source": "1 + 1",
    }
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    for folder in ("notebooks", "notebooks/work"):
        (tmp_path / folder / "00_x.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "--nbval",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(tmp_path),
            "notebooks",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert "notebooks/00_x.ipynb" in run.stdout, run.stdout + run.stderr
    assert "work" not in run.stdout
