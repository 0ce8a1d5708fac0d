"""load_dataset(engine="dask") and the analyses on Dask tables, against pandas, on a LocalCluster of 2 workers."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from analysis import overview
from analysis.cluster import DaskMissingError, dask_client
from analysis.errors import UsageError
from analysis.graph import build
from analysis.ingest import ingest_files
from analysis.tables import CONTRACT, TABLE_NAMES, load_dataset
from analysis.tables_dask import table_meta
from tests.conftest import write_jsonl
from tests.test_store import _search  # search page i: its own tweets, the shared original

pytest.importorskip("dask.dataframe")


@pytest.fixture(scope="module")
def client():
    """Two worker processes, one thread each, for every test of the module."""
    with dask_client("local:2") as c:
        yield c


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    from analysis.privacy import KEY_ENV

    path = tmp_path / "keys" / ".medtwitter-key"
    monkeypatch.setenv(KEY_ENV, str(path))
    return path


def _by_key(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    return frame.sort_values(list(CONTRACT[name].key), ignore_index=True)


def _nulls_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    """Every null as None (a Dask partition's string column writes NaN where pandas has None)."""
    return frame.astype(object).where(frame.notna(), None)


def _assert_tables_equal(dask_tables, pandas_tables) -> None:
    for name in TABLE_NAMES:
        got = _by_key(getattr(dask_tables, name).compute(), name)
        want = _by_key(getattr(pandas_tables, name), name)
        assert list(got.columns) == list(want.columns), name
        pd.testing.assert_frame_equal(_nulls_as_none(got), _nulls_as_none(want), obj=name)


def _assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Ids and counts exactly, floats within 1e-9 relative."""
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9, atol=0)
    for col in want.columns:
        if pd.api.types.is_integer_dtype(want[col]):
            assert got[col].tolist() == want[col].tolist(), col


# --- the tables -----------------------------------------------------------------------------------


def test_dask_tables_have_the_pandas_columns_types_and_rows(data_root, client):
    lazy, real = load_dataset("demo", engine="dask"), load_dataset("demo")
    assert lazy.meta["engine"] == "dask" and lazy.meta["version"] == real.meta["version"]
    for name in TABLE_NAMES:
        frame = getattr(lazy, name)
        assert type(frame).__module__.startswith("dask"), name
        assert list(frame.columns) == list(getattr(real, name).columns), name
        for col, dtype in frame.dtypes.items():
            spec = CONTRACT[name].schema.field(col)
            if str(spec.type) == "int64":
                assert dtype == ("Int64" if spec.nullable else "int64"), (name, col)
            if str(spec.type).startswith("timestamp"):
                assert str(dtype) == "datetime64[us, UTC]", (name, col)
    _assert_tables_equal(lazy, real)
    # 19-digit ids survive (never through float64)
    assert lazy.tweets["tweet_id"].max().compute() == real.tweets["tweet_id"].max()


def test_meta_of_every_table_is_what_a_partition_holds(data_root, client):
    lazy = load_dataset("demo", engine="dask")
    for name in TABLE_NAMES:
        part = getattr(lazy, name).partitions[0].compute()
        assert part.dtypes.to_dict() == table_meta(name).dtypes.to_dict(), name


def test_the_period_is_cut_on_the_cluster_as_in_pandas(data_root, client):
    lazy = load_dataset("demo", start="2019-01-01", end="2021-01-01", engine="dask")
    real = load_dataset("demo", start="2019-01-01", end="2021-01-01")
    assert lazy.meta["period"] == real.meta["period"]
    _assert_tables_equal(lazy, real)


# --- the analyses, Dask against pandas -------------------------------------------------------------


@pytest.mark.parametrize(
    "analysis",
    [
        overview.tweets_per_month,
        overview.language_shares,
        overview.dataset_summary,
        lambda t: overview.hashtags_of_interest(t, ["sante", "esante", "docstoctoc", "absent"]),
        build.follow_edges,
        lambda t: build.follow_edges(t, only_known=False),
        lambda t: build.follow_edges(t, drop_protected=True),
        lambda t: build.interaction_edges(t, "mention"),
        lambda t: build.interaction_edges(t, "retweet"),
        lambda t: build.interaction_edges(t, "reply"),
        lambda t: build.interaction_edges(t, "quote"),
        build.interaction_summary,
    ],
    ids=[
        "tweets_per_month",
        "language_shares",
        "dataset_summary",
        "hashtags_of_interest",
        "follow_edges",
        "follow_edges_all",
        "follow_edges_public",
        "mention_edges",
        "retweet_edges",
        "reply_edges",
        "quote_edges",
        "interaction_summary",
    ],
)
def test_analysis_on_dask_equals_pandas(data_root, client, analysis):
    want = analysis(load_dataset("demo"))
    got = analysis(load_dataset("demo", engine="dask"))
    assert isinstance(got, pd.DataFrame) and len(want) > 0
    _assert_same(got, want)


def test_span_and_source_line_on_dask_equal_pandas(data_root, client):
    lazy, real = load_dataset("demo", engine="dask"), load_dataset("demo")
    assert overview.time_span(lazy) == overview.time_span(real)
    assert overview.describe_span(lazy) == overview.describe_span(real)
    assert overview.source_line(lazy) == overview.source_line(real)


@pytest.mark.parametrize("network", build.NETWORKS)
def test_graphs_from_dask_tables_equal_the_pandas_graphs(data_root, client, network):
    lazy, real = load_dataset("demo", engine="dask"), load_dataset("demo")
    got, want = build.network_graph(lazy, network), build.network_graph(real, network)
    assert sorted(got.nodes(data=True)) == sorted(want.nodes(data=True))
    assert sorted(got.edges(data=True)) == sorted(want.edges(data=True))
    assert got.number_of_edges() > 0


# --- anonymised ----------------------------------------------------------------------------------


def test_anonymised_dask_tables_equal_the_anonymised_pandas_tables(data_root, client, key_file):
    lazy = load_dataset("demo", engine="dask", anonymise=True)
    real = load_dataset("demo", anonymise=True)
    assert lazy.anonymised and lazy.meta["pseudonym_key"] == real.meta["pseudonym_key"]
    _assert_tables_equal(lazy, real)
    _assert_same(build.interaction_edges(lazy, "mention"), build.interaction_edges(real, "mention"))
    # labels and pairs come from the real profiles, keyed by the pseudonyms
    from analysis.accounts import pairs_from_tables

    pd.testing.assert_frame_equal(lazy.derived.labels(), real.derived.labels())
    pd.testing.assert_frame_equal(pairs_from_tables(lazy), pairs_from_tables(real))


def test_anonymised_dask_tables_leak_nothing_the_pandas_path_hides(data_root, client, key_file):

    real = load_dataset("demo")
    lazy = load_dataset("demo", engine="dask", anonymise=True)
    users = real.users
    kept = users["username"].str.lower().isin(["ordre_medecins", "croixrouge", "assoaides"])
    tweets = lazy.tweets.compute()
    anon_users = lazy.users.compute()
    assert not set(anon_users["user_id"]) & set(users["user_id"])
    assert not set(tweets["tweet_id"]) & set(real.tweets["tweet_id"])
    assert not set(tweets["author_id"]) & set(users["user_id"])
    assert not set(lazy.follows.compute()["follower_id"]) & set(users["user_id"])
    assert not set(lazy.mentions.compute()["username"]) & set(users.loc[~kept, "username"])
    assert anon_users.loc[~kept.to_numpy(), "location"].isna().all()
    text = " ".join(tweets["text"].dropna())
    for handle in users.loc[~kept, "username"].head(200):
        assert f"@{handle} " not in text
    assert "https://t.co/" not in text and lazy.urls.compute()["url"].isna().all()
    anon_real = load_dataset("demo", anonymise=True)
    assert tweets["text"].isna().sum() == anon_real.tweets["text"].isna().sum()


def test_a_protected_accounts_text_is_hidden_on_dask_exactly_as_in_pandas(
    data_root, client, key_file
):
    from dataclasses import replace

    import dask.dataframe as dd

    from analysis import tables_dask
    from analysis.privacy import anonymise_tables, protected_tweet_ids

    real, lazy = load_dataset("demo"), load_dataset("demo", engine="dask")
    author = int(real.tweets["author_id"].value_counts().index[0])
    users = real.users.copy()
    users.loc[users["user_id"] == author, "protected"] = True
    hidden = tables_dask.hidden_tweet_ids(lazy.tweets, users)
    assert hidden == protected_tweet_ids(replace(real, users=users))
    own = set(real.tweets.loc[real.tweets["author_id"] == author, "tweet_id"])
    retweets = set(real.tweets.loc[real.tweets["retweet_of_tweet_id"].isin(own), "tweet_id"])
    assert own and retweets and own | retweets <= hidden
    got = tables_dask.anonymise(replace(lazy, users=dd.from_pandas(users, npartitions=1)))
    want = anonymise_tables(replace(real, users=users))
    _assert_tables_equal(got, want)
    texts = got.tweets.compute()
    assert texts["text"].isna().sum() >= len(own | retweets)


# --- versions, updates ------------------------------------------------------------------------------


def test_dask_reads_the_pinned_version_and_only_current_rows_after_updates(tmp_data, client):
    first = write_jsonl(tmp_data / "a.jsonl", [_search(i) for i in range(3)])
    ingest_files([first], "t", progress=False)
    again = [_search(i, likes=40 + i, collected_at="2024-06-01T00:00:00.000Z") for i in range(2)]
    ingest_files([write_jsonl(tmp_data / "b.jsonl", [*again, _search(7)])], "t", progress=False)
    for version in (0, 1, None):
        lazy = load_dataset("t", version=version, engine="dask")
        real = load_dataset("t", version=version)
        assert lazy.meta["version"] == real.meta["version"]
        _assert_tables_equal(lazy, real)
    latest = load_dataset("t", engine="dask").tweets.compute()
    assert not latest["tweet_id"].duplicated().any()  # the replaced rows are not read
    assert (latest["like_count"] >= 40).sum() == 4
    assert (
        load_dataset("t", version=0, engine="dask").tweets["like_count"] >= 40
    ).sum().compute() == 0


def test_a_data_root_with_a_space_and_an_accent_is_read(tmp_path, client):
    from analysis import settings

    root = tmp_path / "Données de thèse"
    settings.set_data_dir(root)
    try:
        raw = write_jsonl(tmp_path / "a.jsonl", [_search(i) for i in range(2)])
        ingest_files([raw], "t", progress=False)
        _assert_tables_equal(load_dataset("t", engine="dask"), load_dataset("t"))
    finally:
        settings.set_data_dir(None)


def test_an_analysis_reads_only_the_columns_it_uses(data_root, client):
    lazy = load_dataset("demo", engine="dask")
    plan = str(lazy.tweets[["created_at", "lang"]].optimize().expr.tree_repr())
    assert "FromMapProjectable" in plan and "columns=['created_at', 'lang']" in plan
    assert "'text'" not in plan


def test_dask_reads_no_row_of_a_purged_account(tmp_data, client):
    from analysis.purge import purge

    ingest_files(
        [write_jsonl(tmp_data / "a.jsonl", [_search(i) for i in range(3)])], "t", progress=False
    )
    before = load_dataset("t")
    author = int(before.tweets["author_id"].value_counts().index[0])
    purge("t", user_ids=[author])
    lazy, real = load_dataset("t", engine="dask"), load_dataset("t")
    _assert_tables_equal(lazy, real)
    assert author not in set(lazy.tweets["author_id"].compute().dropna())


# --- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["spark", "Dask", "", "polars "])
def test_an_unknown_engine_is_one_line_naming_the_engines(data_root, engine):
    with pytest.raises(UsageError) as info:
        load_dataset("demo", engine=engine)
    message = str(info.value)
    assert "\n" not in message and repr(engine) in message
    assert "engine='pandas'" in message and "engine='dask'" in message


def test_without_dask_the_dask_engine_says_which_extra_to_install(data_root, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.dataframe", None)
    with pytest.raises(DaskMissingError) as info:
        load_dataset("demo", engine="dask")
    message = str(info.value)
    assert "\n" not in message and "pip install 'medtwitter[dask]'" in message
    assert load_dataset("demo").tweets is not None  # pandas needs no Dask


# --- reports -------------------------------------------------------------------------------------


def _tables_of(html_file) -> list[str]:
    import re

    return re.findall(r"<table.*?</table>", html_file.read_text(encoding="utf-8"), re.S)


def test_report_on_a_local_2_scheduler_shows_the_tables_of_the_pandas_report(tiny_root, tmp_path):
    from analysis import settings
    from analysis.report import build_reports

    settings.set_data_dir(tiny_root)
    try:
        runs = {
            engine: build_reports(
                "tiny",
                tmp_path / engine,
                notebooks="00,03",
                progress=False,
                jobs=2,
                scheduler=scheduler,
            )
            for engine, scheduler in (("pandas", None), ("dask", "local:2"))
        }
    finally:
        settings.set_data_dir(None)
    for results in runs.values():
        assert [r.ok for r in results] == [True, True], [(r.notebook, r.error) for r in results]
    for name in ("00_overview.html", "03_adoption.html"):
        dask_html = (tmp_path / "dask" / name).read_text(encoding="utf-8")
        assert "engine = &#x27;dask&#x27;" in dask_html or "engine = 'dask'" in dask_html
        tables = _tables_of(tmp_path / "dask" / name)
        assert tables and tables == _tables_of(tmp_path / "pandas" / name), name


@pytest.mark.parametrize("address", ["local:0", "local:two", "http://host:8786"])
def test_report_with_a_bad_scheduler_is_one_line_and_exit_2(data_root, tmp_path, capsys, address):
    from analysis.cli import main

    code = main(
        ["report", "--dataset", "demo", "--out", str(tmp_path / "r"), "--scheduler", address]
    )
    err = capsys.readouterr().err.strip()
    assert code != 0 and len(err.splitlines()) == 1
    assert repr(address) in err and "local:N" in err
    assert not (tmp_path / "r").exists()
