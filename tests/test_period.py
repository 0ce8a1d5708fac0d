"""The period (start, end) and hashtags-of-interest parameters reach tables, notebooks and reports."""

import pandas as pd
import pytest

from analysis.cli import main
from analysis.errors import UsageError
from analysis.report import run_notebook
from analysis.settings import notebooks_dir
from analysis.tables import load_dataset


def test_period_keeps_only_tweets_posted_in_it_and_their_hashtags(demo_tables, data_root):
    recent = load_dataset("demo", start="2020-01-01", end="2024-01-01")
    created = recent.tweets["created_at"]
    assert created.min() >= pd.Timestamp("2020-01-01", tz="UTC")
    assert created.max() < pd.Timestamp("2024-01-01", tz="UTC")
    expected = demo_tables.tweets["created_at"].between(
        pd.Timestamp("2020-01-01", tz="UTC"), pd.Timestamp("2024-01-01", tz="UTC"), inclusive="left"
    )
    assert len(recent.tweets) == int(expected.sum()) > 0
    assert set(recent.hashtags["tweet_id"]) <= set(recent.tweets["tweet_id"])
    assert set(recent.mentions["tweet_id"]) <= set(recent.tweets["tweet_id"])
    assert len(recent.users) == len(demo_tables.users)  # accounts have no posting date
    assert recent.meta["period"][0].startswith("2020-01-01")


def test_bad_or_empty_period_is_a_one_line_usage_error(data_root, capsys):
    with pytest.raises(UsageError, match="not a date"):
        load_dataset("demo", start="last spring")
    with pytest.raises(UsageError, match="period is empty"):
        load_dataset("demo", start="2024-01-01", end="2020-01-01")
    assert main(["report", "--start", "2024-13-45", "--notebooks", "00"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "YYYY-MM-DD" in err


def test_overview_notebook_honours_period_and_hashtags(data_root):
    nb, error = run_notebook(
        notebooks_dir() / "00_overview.ipynb",
        {
            "dataset": "demo",
            "data_dir": str(data_root),
            "start": "2021-01-01",
            "end": "2022-01-01",
            "hashtags": ["FOAMed", "Santé"],
        },
    )
    assert error == ""
    text = "\n".join(
        "".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )
    assert "from 2021-" in text and "to 2021-12-" in text
    assert "foamed" in text and "santé" in text and "docstoctoc" not in text
