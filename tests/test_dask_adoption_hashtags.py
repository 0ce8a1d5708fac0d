"""Hashtag and adoption analyses on Dask tables equal those on pandas tables, on a 2-worker cluster.

The Dask tables are the session's synthetic demo tables cut into partitions
(``dask.dataframe.from_pandas``), in the types ``load_dataset(name,
engine="dask")`` gives: the contract's ``str`` strings (not Dask's own pyarrow
strings), and, with ``nullable=True``, nullable ``Int64``/``boolean`` columns
where the contract allows nulls; one test reads them with ``load_dataset`` itself.
Ids and counts must be equal exactly, floating-point values within 1e-9 relative.
"""

from __future__ import annotations

import dataclasses
import logging

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from analysis import settings
from analysis.adoption import ProfessionalRule, adoption_table, weekly_activity
from analysis.ground_truth import load_ground_truth
from analysis.hashtags import (
    cooccurrence_counts,
    cooccurrence_graph,
    tag_frequencies,
    tag_trends,
)
from analysis.tables import Tables, load_dataset

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

RTOL = 1e-9
#: Columns the Delta reader gives as nullable types (the pandas reader narrows them when full).
NULLABLE = {
    "tweets": {"author_id": "Int64", "conversation_id": "Int64", "retweet_count": "Int64"},
    "users": {"protected": "boolean", "followers_count": "Int64"},
}


@pytest.fixture(scope="module")
def client():
    """A local cluster of two single-threaded worker processes, for this module."""
    # each shuffle's start and end is logged as a warning by the scheduler: noise here
    shuffle_log = logging.getLogger("distributed.shuffle")
    level = shuffle_log.level
    shuffle_log.setLevel(logging.ERROR)
    try:
        with (
            dask.config.set({"dataframe.convert-string": False}),
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, dashboard_address=":0", processes=True
            ) as cluster,
            distributed.Client(cluster) as c,
        ):
            yield c
    finally:
        shuffle_log.setLevel(level)


@pytest.fixture(scope="module")
def demo(demo_root) -> tuple[Tables, pd.DataFrame]:
    """The session's synthetic demo tables (pandas) and its planted account labels."""
    settings.set_data_dir(demo_root)
    try:
        tables = load_dataset("demo")
        accounts = pd.DataFrame(load_ground_truth("demo")["accounts"])
    finally:
        settings.set_data_dir(None)
    labels = accounts.assign(user_id=accounts["user_id"].astype("int64"))
    return tables, labels[["user_id", "role", "identity"]]


def _dask_frame(frame: pd.DataFrame, npartitions: int, empty_first: bool):
    if empty_first:
        # an empty partition first, then the rows: as a Delta table with an emptied file gives
        return dd.concat(
            [dd.from_pandas(frame.iloc[:0], npartitions=1), dd.from_pandas(frame, npartitions=2)]
        )
    return dd.from_pandas(frame, npartitions=npartitions)


def as_dask(
    tables: Tables, npartitions: int = 3, empty_first: bool = False, nullable: bool = False
) -> Tables:
    """The tables with ``tweets``, ``users`` and ``hashtags`` as Dask DataFrames."""
    frames = {}
    for name in ("tweets", "users", "hashtags"):
        frame = getattr(tables, name)
        if nullable:
            frame = frame.astype(
                {c: t for c, t in NULLABLE.get(name, {}).items() if c in frame.columns}
            )
        frames[name] = _dask_frame(frame, npartitions, empty_first)
    return dataclasses.replace(tables, **frames)


def assert_same_frame(expected: pd.DataFrame, got: pd.DataFrame) -> None:
    """Equal columns, index, dtypes and values: exactly, floats within RTOL."""
    assert isinstance(got, pd.DataFrame)
    assert list(got.columns) == list(expected.columns)
    assert got.dtypes.astype(str).tolist() == expected.dtypes.astype(str).tolist()
    pd.testing.assert_index_equal(got.index, expected.index)
    for col in expected.columns:
        if pd.api.types.is_float_dtype(expected[col]):
            np.testing.assert_allclose(
                got[col].to_numpy(float), expected[col].to_numpy(float), rtol=RTOL, atol=0
            )
        else:
            pd.testing.assert_series_equal(got[col], expected[col], check_exact=True)


def assert_same_graph(expected: nx.Graph, got: nx.Graph) -> None:
    assert list(got.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(got.edges()) == list(expected.edges())
    for u, v, data in expected.edges(data=True):
        other = got.edges[u, v]
        assert other["weight"] == data["weight"]
        for key in ("pmi", "npmi", "pvalue"):
            assert other[key] == pytest.approx(data[key], rel=RTOL, abs=0)


# -- the five analyses on the demo ----------------------------------------------------------


@pytest.mark.parametrize("fold", [False, True])
def test_tag_frequencies_on_dask_equal_pandas_and_run_on_the_workers(client, demo, fold):
    tables, _ = demo
    expected = tag_frequencies(tables, fold=fold)
    with distributed.get_task_stream(client) as stream:
        got = tag_frequencies(as_dask(tables), fold=fold)
    assert_same_frame(expected, got)
    assert len(expected) > 10
    workers = {task["worker"] for task in stream.data}
    assert workers and workers <= set(client.scheduler_info()["workers"]), (
        "the scan ran on the cluster"
    )


@pytest.mark.parametrize(("freq", "fold"), [("Y", False), ("M", True)])
def test_tag_trends_on_dask_equal_pandas(client, demo, freq, fold):
    tables, _ = demo
    expected = tag_trends(tables, freq=freq, fold=fold)
    assert_same_frame(expected, tag_trends(as_dask(tables), freq=freq, fold=fold))
    assert expected["change_pp"].notna().any()


@pytest.mark.parametrize("fold", [False, True])
def test_cooccurrence_counts_and_graph_on_dask_equal_pandas(client, demo, fold):
    tables, _ = demo
    dask_tables = as_dask(tables)
    expected, got = (
        cooccurrence_counts(tables, fold=fold),
        cooccurrence_counts(dask_tables, fold=fold),
    )
    assert got.tagged_tweets == expected.tagged_tweets
    pd.testing.assert_series_equal(got.tag_tweets, expected.tag_tweets, check_exact=True)
    assert_same_frame(expected.pairs, got.pairs)
    assert len(expected.pairs) > 10
    graph = cooccurrence_graph(tables, fold=fold, min_pair_tweets=2)
    assert graph.number_of_edges() > 10
    assert_same_graph(graph, cooccurrence_graph(dask_tables, fold=fold, min_pair_tweets=2))


@pytest.mark.parametrize(
    "rule",
    [None, ProfessionalRule(include_retweets=False), ProfessionalRule(cues=None)],
    ids=["default", "no-retweets", "tags-only"],
)
def test_adoption_table_on_dask_equals_pandas(client, demo, rule):
    tables, _ = demo
    expected = adoption_table(tables, rule)
    assert_same_frame(expected, adoption_table(as_dask(tables), rule))
    assert expected["first_professional_at"].notna().sum() > 100


@pytest.mark.parametrize("by", [None, "role"])
def test_weekly_activity_on_dask_equals_pandas(client, demo, by):
    tables, labels = demo
    expected = weekly_activity(tables, labels, by)
    assert_same_frame(expected, weekly_activity(as_dask(tables), labels, by))
    assert expected["tweets"].sum() > 0


def test_tables_from_load_dataset_engine_dask_give_the_pandas_results(client, demo, demo_root):
    tables, labels = demo
    settings.set_data_dir(demo_root)
    try:
        lazy = load_dataset("demo", engine="dask")
    finally:
        settings.set_data_dir(None)
    assert str(lazy.tweets["author_id"].dtype) == "Int64"  # nullable, as the Delta reader gives it
    assert_same_frame(tag_frequencies(tables, fold=True), tag_frequencies(lazy, fold=True))
    assert_same_frame(tag_trends(tables), tag_trends(lazy))
    expected, got = cooccurrence_counts(tables), cooccurrence_counts(lazy)
    assert_same_frame(expected.pairs, got.pairs)
    assert_same_frame(adoption_table(tables), adoption_table(lazy))
    assert_same_frame(
        weekly_activity(tables, labels, "role"), weekly_activity(lazy, labels, "role")
    )


# -- edge cases -----------------------------------------------------------------------------


def test_a_first_partition_left_empty_changes_nothing(client, demo):
    tables, _ = demo
    dask_tables = as_dask(tables, empty_first=True, nullable=True)
    sizes = dask_tables.tweets.map_partitions(len).compute().tolist()
    assert sizes[0] == 0 and sum(sizes) == len(tables.tweets)
    assert_same_frame(tag_frequencies(tables), tag_frequencies(dask_tables))
    assert_same_frame(tag_trends(tables), tag_trends(dask_tables))
    assert_same_graph(cooccurrence_graph(tables), cooccurrence_graph(dask_tables))
    assert_same_frame(adoption_table(tables), adoption_table(dask_tables))
    assert_same_frame(weekly_activity(tables), weekly_activity(dask_tables))


def test_an_empty_hashtags_table_gives_the_same_empty_results(client, demo):
    tables, _ = demo
    no_tags = dataclasses.replace(tables, hashtags=tables.hashtags.iloc[:0])
    dask_tables = as_dask(no_tags)
    for analysis in (tag_frequencies, tag_trends):
        got, expected = analysis(dask_tables), analysis(no_tags)
        assert got.empty and expected.empty and list(got.columns) == list(expected.columns)
    counts = cooccurrence_counts(dask_tables)
    assert counts.tagged_tweets == 0 and counts.tag_tweets.empty and counts.pairs.empty
    assert cooccurrence_graph(no_tags).number_of_nodes() == 0
    # professional tweets then come from the text cues alone, the same on both engines
    assert_same_frame(adoption_table(no_tags), adoption_table(dask_tables))


def _accented() -> Tables:
    """Six synthetic tweets whose tags differ only by accents and case."""
    tweets = pd.DataFrame(
        {
            "tweet_id": [1, 2, 3, 4, 5, 6],
            "author_id": [10, 11, 10, 12, 11, 13],
            "created_at": pd.to_datetime(
                [
                    "2020-01-05",
                    "2020-02-10",
                    "2020-11-30",
                    "2021-01-02",
                    "2021-03-04",
                    "2021-05-06",
                ],
                utc=True,
            ),
            "text": [
                "consultation #Santé",
                "#sante",
                "#SANTÉ #Pédiatrie",
                "#pediatrie #sante",
                "x",
                "#Santé",
            ],
            "retweet_of_tweet_id": pd.array([None] * 6, dtype="Int64"),
            "collected": True,
        }
    )
    tags = [
        (1, "Santé"),
        (2, "sante"),
        (3, "SANTÉ"),
        (3, "Pédiatrie"),
        (4, "pediatrie"),
        (4, "sante"),
        (6, "Santé"),
        (6, "santé"),
    ]
    hashtags = pd.DataFrame(tags, columns=["tweet_id", "tag"])
    hashtags["tag_norm"] = hashtags["tag"].str.casefold()
    users = pd.DataFrame(
        {
            "user_id": [10, 11, 12, 13],
            "username": ["a", "b", "c", "d"],
            "created_at": pd.Timestamp("2019-01-01", tz="UTC"),
        }
    )
    return Tables(tweets, users, pd.DataFrame(), hashtags, pd.DataFrame(), pd.DataFrame())


@pytest.mark.parametrize("fold", [False, True])
def test_accented_spellings_count_the_same_on_both_engines(client, fold):
    tables = _accented()
    dask_tables = as_dask(tables, npartitions=2)
    expected = tag_frequencies(tables, fold=fold)
    assert_same_frame(expected, tag_frequencies(dask_tables, fold=fold))
    if fold:
        # santé, SANTÉ and sante are one tag; tweet 6 carries it twice and counts once
        row = expected.set_index("tag_key").loc["sante"]
        assert (row["tweets"], row["accounts"]) == (5, 4)
        assert row["written_as"] == "#Santé, #sante, #SANTÉ, #santé"
        assert expected["tag_key"].tolist() == ["sante", "pediatrie"]
    else:
        assert set(expected["tag_key"]) == {"santé", "sante", "pédiatrie", "pediatrie"}
    assert_same_frame(
        tag_trends(tables, freq="Y", fold=fold, min_tweets=1),
        tag_trends(dask_tables, freq="Y", fold=fold, min_tweets=1),
    )
    loose = {"min_tag_tweets": 1, "min_pair_tweets": 1, "alpha": None, "min_npmi": -1.0}
    graph = cooccurrence_graph(tables, fold=fold, **loose)
    assert graph.number_of_edges() >= 1
    assert_same_graph(graph, cooccurrence_graph(dask_tables, fold=fold, **loose))
    assert_same_frame(adoption_table(tables), adoption_table(dask_tables))
