"""SQL over a dataset through DuckDB, and `medtwitter info`."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.cli import main
from analysis.errors import QueryError
from analysis.ingest import ingest_files
from analysis.overview import dataset_languages, table_sizes
from analysis.tables import TABLE_NAMES, load_dataset, sql
from tests.conftest import write_jsonl
from tests.pages import BIG, followers_page, search_page


@pytest.fixture
def small(tmp_data):
    raw = write_jsonl(tmp_data / "p.jsonl", [search_page(), followers_page(12, [11, 13])])
    ingest_files([raw], "t", progress=False)
    return "t"


def test_sql_sees_every_table_as_a_view(small):
    for name in TABLE_NAMES:
        n = sql(small, f"select count(*) as n from {name}")["n"].iloc[0]
        assert n == len(getattr(load_dataset(small), name)), name


def test_sql_keeps_nineteen_digit_ids_exact_even_with_nulls(small):
    out = sql(small, "select tweet_id, retweet_of_tweet_id, conversation_id from tweets order by 1")
    assert str(out["retweet_of_tweet_id"].dtype) == "Int64"  # nulls, yet not float
    assert BIG in set(out["tweet_id"]) and BIG in set(out["conversation_id"].dropna())
    assert out["retweet_of_tweet_id"].isna().sum() == 2


def test_sql_returns_utc_timestamps_and_takes_parameters(small):
    out = sql(small, "select tweet_id, created_at from tweets where lang = ? order by 1", ["fr"])
    assert len(out) == 3
    assert str(out["created_at"].dt.tz) == "UTC"


def test_sql_joins_and_aggregates_across_tables(small):
    out = sql(
        small,
        "select u.username, count(*) as followers from follows f "
        "join users u on u.user_id = f.followed_id group by 1",
    )
    assert out.to_dict("records") == [{"username": "dr_tortue", "followers": 2}]


def test_a_bad_query_is_one_line_naming_the_tables(small):
    with pytest.raises(QueryError, match="SQL query failed on dataset 't'") as info:
        sql(small, "select nope from tweets")
    assert "\n" not in str(info.value) and "user_snapshots" in str(info.value)


def test_info_prints_sizes_span_and_language_shares(small, capsys):
    assert main(["info", small]) == 0
    out = capsys.readouterr().out
    assert "tweets from 2024-04-29 20:00 to 2024-04-30 09:00 UTC" in out
    assert "user_snapshots" in out and "MB" in out
    assert "fr" in out and "100.0%" in out
    sizes = table_sizes(small).set_index("table")["rows"]
    assert sizes["tweets"] == 3 and sizes["follows"] == 2


def test_language_shares_sum_to_one(data_root):
    langs = dataset_languages("demo")
    assert langs["share"].sum() == pytest.approx(1.0)
    tweets = load_dataset("demo").tweets
    expected = tweets["lang"].fillna("und").value_counts()
    assert dict(zip(langs["lang"], langs["tweets"], strict=True)) == expected.to_dict()
    assert isinstance(langs, pd.DataFrame)


def test_info_counts_tweets_without_a_date_instead_of_saying_none(tmp_data, capsys):
    page = search_page()  # default-field pages: tweets without `created_at`
    for tweet in page["data"] + page["includes"]["tweets"]:
        tweet.pop("created_at")
    write_jsonl(tmp_data / "p.jsonl", [page])
    ingest_files([tmp_data / "p.jsonl"], "undated", progress=False)
    assert main(["info", "undated"]) == 0
    out = capsys.readouterr().out
    assert "3 tweets, none with a date" in out and "no tweets" not in out


def test_info_says_how_many_tweets_lack_a_date(tmp_data, capsys):
    page = search_page()
    page["data"][1].pop("created_at")
    write_jsonl(tmp_data / "p.jsonl", [page])
    ingest_files([tmp_data / "p.jsonl"], "some", progress=False)
    assert main(["info", "some"]) == 0
    assert "(1 of 3 without a date)" in capsys.readouterr().out
