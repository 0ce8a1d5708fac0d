"""Every notebook in notebooks/: parameters, stored outputs, and the strict nbval set-up.

Stale outputs are caught twice. ``make test`` (and so CI) runs nbval in its
strict mode, which re-executes each notebook on the demo data and compares
every output with the stored one (through notebooks/nbval_sanitize.cfg); and
:func:`test_stored_outputs_match_a_fresh_run_on_the_demo_data` compares the
stored outputs with the run that ``demo_reports`` makes anyway, with the same
sanitize patterns, plus the pixel size of every figure (which nbval skips), so
plain ``pytest tests`` catches a stale notebook too.
:func:`test_nbval_fails_when_a_stored_output_is_stale` proves nbval's
comparison is on.
"""

from __future__ import annotations

import ast
import base64
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis.report import REPORT_PARAMETERS, list_notebooks

ROOT = Path(__file__).resolve().parent.parent
SANITIZE = ROOT / "notebooks" / "nbval_sanitize.cfg"
NOTEBOOKS = list_notebooks()
IDS = [p.stem for p in NOTEBOOKS]
#: A widget's output (the parameters form); nbval skips this part, its text is compared.
WIDGET = "application/vnd.jupyter.widget-view+json"


def sanitize_patterns() -> list[tuple[str, str, str, str]]:
    """(section, example, regex, replace) for each section of the sanitize file.

    The example is the section's first comment line holding ``before -> after``.
    """
    found, section, example, regex = [], None, None, None
    for line in SANITIZE.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"\[(.+)\]$", line):
            section, example, regex = m.group(1), None, None
        elif section and line.startswith("#") and " -> " in line and example is None:
            example = line[1:].strip()
        elif section and line.startswith("regex:"):
            regex = line.split(":", 1)[1].strip()
        elif section and line.startswith("replace:"):
            found.append((section, example, regex, line.split(":", 1)[1].strip()))
    return found


def sanitize(text: str) -> str:
    for _, _, regex, replace in sanitize_patterns():
        text = re.sub(regex, replace, text)
    return text


def png_size(data: str) -> tuple[int, int]:
    """Width and height of a base64 PNG, read from its IHDR chunk."""
    raw = base64.b64decode(data)
    return struct.unpack(">II", raw[16:24])


def comparable_outputs(nb: nbformat.NotebookNode) -> list[list[tuple]]:
    """Per code cell (papermill's injected cell left out): sanitized text, PNG sizes, errors.

    Widget outputs (the parameters form, which a report run skips) are left out.
    """
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "injected-parameters" in cell.metadata.get("tags", []):
            continue
        streams: dict[str, str] = {}
        items: list[tuple] = []
        for out in cell.outputs:
            if out.output_type == "stream":  # kernels may split a stream in several outputs
                streams[out.name] = streams.get(out.name, "") + out.text
            elif WIDGET in out.get("data", {}):
                continue  # the parameters form: shown in JupyterLab, skipped under papermill
            elif out.output_type == "error":
                items.append(("error", out.ename, sanitize(out.evalue)))
            else:
                for mime, value in sorted(out.get("data", {}).items()):
                    if mime == "image/png":
                        items.append((mime, png_size(value)))
                    elif isinstance(value, str):
                        items.append((mime, sanitize(value)))
                    else:
                        items.append((mime, value))
        cells.append(sorted((name, sanitize(text)) for name, text in streams.items()) + items)
    return cells


def test_there_are_notebooks_to_check():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_overview.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_has_one_parameters_cell_with_the_report_parameters(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters'"
    assigned = {
        node.targets[0].id: node.value
        for node in ast.parse(tagged[0].source).body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert set(REPORT_PARAMETERS) <= set(assigned), f"{path.name} lacks a report parameter"
    assert ast.literal_eval(assigned["dataset"]) == "demo"  # stored outputs are the demo's
    assert ast.literal_eval(assigned["data_dir"]) is None
    assert ast.literal_eval(assigned["anonymise"]) is False


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_stored_executed_top_to_bottom_without_errors(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: run it with `make notebooks`"
    assert any(c.outputs for c in code), f"{path.name} is stored without outputs"
    for c in code:
        assert not [o for o in c.outputs if o.output_type == "error"], f"{path.name}: {c.source}"
        assert "execution" not in c.metadata  # no wall-clock timings
    assert "papermill" not in nb.metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_outputs_hold_no_machine_specific_text(path):
    text = "\n".join(
        str(o.get("text", ""))
        + str(o.get("data", {}).get("text/plain", ""))
        + str(o.get("data", {}).get("text/html", ""))
        for c in nbformat.read(path, as_version=4).cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert str(ROOT) not in text and not re.search(r"(/home/|/root/|/tmp/|/Users/)", text)
    assert not re.search(r"\d+it/s\]|cell/s\]|%\|", text), f"{path.name} stores a progress bar"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_outputs_match_a_fresh_run_on_the_demo_data(path, demo_reports):
    [fresh] = [r for r in demo_reports if r.notebook == path.name]
    assert fresh.ok, f"{path.name} fails on the demo data: {fresh.error}"
    stored = comparable_outputs(nbformat.read(path, as_version=4))
    rerun = comparable_outputs(fresh.executed)
    assert len(stored) == len(rerun)
    for n, (old, new) in enumerate(zip(stored, rerun, strict=True), 1):
        assert old == new, f"{path.name}, code cell {n}: stale output; run `make notebooks`"


@pytest.mark.parametrize("section, example, regex, replace", sanitize_patterns())
def test_each_sanitize_pattern_replaces_its_example(section, example, regex, replace):
    assert example, f"[{section}] needs a comment with an example: 'before -> after'"
    before, after = (part.strip().strip('"') for part in example.rsplit(" -> ", 1))
    sanitized = re.sub(regex, replace, before)
    assert sanitized != before, f"[{section}] leaves its own example unchanged"
    assert after in sanitized, f"[{section}]: {before!r} gives {sanitized!r}, not {after!r}"


def test_sanitize_patterns_leave_demo_figures_and_counts_alone():
    line = "Dataset 'demo' (synthetic demo data): 11,362 tweets by 731 accounts <Figure size 1000x450 with 1 Axes>"
    assert sanitize(line) == line


def test_nbval_fails_when_a_stored_output_is_stale(demo_root, tmp_path):
    source = ROOT / "notebooks" / "00_overview.ipynb"
    shutil.copy(source, tmp_path / "fresh_overview.ipynb")
    nb = nbformat.read(source, as_version=4)
    [first] = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "stream"
    ][:1]
    changed = re.sub(r"\d[\d,]* tweets", "1 tweets", first.text, count=1)
    assert changed != first.text
    first.text = changed
    nbformat.write(nb, tmp_path / "stale_overview.ipynb")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")  # not the project's
    env = {**os.environ, "MEDTWITTER_DATA": str(demo_root)}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            str(SANITIZE),
            "-rf",
            "--rootdir",
            str(tmp_path),
            "fresh_overview.ipynb",
            "stale_overview.ipynb",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    failed = re.findall(r"^FAILED (\S+::Cell \d+)", run.stdout, re.MULTILINE)
    assert run.returncode == 1, run.stdout[-2000:]
    # cell 0: parameters, 1: the parameters form, 2: setup, which prints the dataset's size
    assert "stale_overview.ipynb::Cell 2" in failed, run.stdout[-2000:]
    assert "fresh_overview.ipynb::Cell 2" not in failed, run.stdout[-2000:]
    assert "1 tweets" in run.stdout  # the report shows the stored (stale) text
