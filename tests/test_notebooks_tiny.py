"""Notebooks 03 and 04 run on a tiny dataset (three tweets, no follows) and say what they cannot show."""

from __future__ import annotations

import pytest

from analysis import settings
from analysis.ingest import ingest_files
from tests.conftest import write_jsonl
from tests.pages import search_page


@pytest.fixture
def tiny_root(tmp_data):
    raw = write_jsonl(tmp_data / "tiny.jsonl", [search_page()])
    ingest_files([raw], "tiny", progress=False)
    return tmp_data


def _run(name: str, root) -> str:
    from analysis.report import run_notebook

    nb, error = run_notebook(
        settings.notebooks_dir() / name, {"dataset": "tiny", "data_dir": str(root)}
    )
    assert error == ""
    return "\n".join(
        "".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )


def test_adoption_notebook_runs_on_three_tweets_and_says_there_is_no_bass_fit(tiny_root):
    out = _run("03_adoption.ipynb", tiny_root)
    assert "No Bass fit" in out
    assert "Not a demo dataset" in out


def test_hashtag_notebook_runs_on_three_tweets_and_says_what_is_missing(tiny_root):
    out = _run("04_hashtag_communities.ipynb", tiny_root)
    assert "no significant pair" in out
    assert "Too few tagged tweets" in out
    assert "No #docstoctoc question" in out
    assert "No follower-graph communities" in out
