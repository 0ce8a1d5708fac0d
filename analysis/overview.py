"""A first look at a dataset: table sizes, time span, languages, volume over time."""

from __future__ import annotations

import pandas as pd

from analysis.frames import aggregate, compute, compute_all, count_by, length
from analysis.tables import (
    TABLE_NAMES,
    Tables,
    dataset_versions,
    load_meta,
    normalise_tag,
    resolve_version,
    sql,
)


def dataset_summary(tables: Tables) -> pd.DataFrame:
    """One row per table: its number of rows, and the tweets' time span.

    Parameters
    ----------
    tables : analysis.tables.Tables
        The loaded dataset (pandas or Dask tables), e.g. from ``load_dataset``.

    Returns
    -------
    pandas.DataFrame
        Columns ``table`` (table name) and ``rows`` (row count), one row per table.

    Examples
    --------
    >>> from analysis.tables import load_dataset
    >>> dataset_summary(load_dataset("demo")).columns.tolist()  # doctest: +SKIP
    ['table', 'rows']
    """
    sizes = compute_all(*(getattr(tables, name).shape[0] for name in TABLE_NAMES))
    rows = [{"table": n, "rows": int(r)} for n, r in zip(TABLE_NAMES, sizes, strict=True)]
    return pd.DataFrame(rows)


def time_span(tables: Tables) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Return the first and last tweet timestamps (UTC), or ``(None, None)`` without tweets.

    Parameters
    ----------
    tables : analysis.tables.Tables
        The loaded dataset (pandas or Dask tables), e.g. from ``load_dataset``.

    Returns
    -------
    tuple of (pandas.Timestamp or None, pandas.Timestamp or None)
        The earliest and latest ``created_at`` in the tweets table, both None if it has no dated tweet.
    """
    created = tables.tweets["created_at"]
    first, last = compute_all(created.min(), created.max())
    if pd.isna(first):
        return None, None
    return first, last


def describe_span(tables: Tables) -> str:
    """Return the dataset's name, size and time span in one sentence (no wall-clock text).

    Parameters
    ----------
    tables : analysis.tables.Tables
        The loaded dataset (pandas or Dask tables), e.g. from ``load_dataset``.

    Returns
    -------
    str
        A sentence naming the dataset, whether it is synthetic, its counts and first and last day.
    """
    start, end = time_span(tables)
    kind = "synthetic demo data" if tables.synthetic else "collected data"
    n_users = length(tables.users)
    if start is None:
        return f"Dataset '{tables.name}' ({kind}): {n_users:,} accounts and no tweets."
    tweets, authors, follows = compute_all(
        tables.tweets.shape[0], tables.tweets["author_id"].nunique(), tables.follows.shape[0]
    )
    return (
        f"Dataset '{tables.name}' ({kind}): {tweets:,} tweets by {authors:,} accounts, "
        f"{n_users:,} accounts in all, {follows:,} follow links, "
        f"from {start:%Y-%m-%d} to {end:%Y-%m-%d}."
    )


def language_shares(tables: Tables) -> pd.DataFrame:
    """Tweets and share of tweets per language, most frequent first.

    Parameters
    ----------
    tables : analysis.tables.Tables
        The loaded dataset (pandas or Dask tables), e.g. from ``load_dataset``.

    Returns
    -------
    pandas.DataFrame
        Columns ``lang`` (``und`` for unknown), ``tweets`` and ``share`` (fraction of all tweets).

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.tables import Tables
    >>> tw = pd.DataFrame({"lang": ["fr", "fr", "en"]})
    >>> t = Tables(tw, *[pd.DataFrame()] * 5)
    >>> language_shares(t)["share"].round(2).tolist()
    [0.67, 0.33]
    """
    counts = compute(tables.tweets["lang"].fillna("und").value_counts())
    out = counts.rename_axis("lang").reset_index(name="tweets")
    out["tweets"] = out["tweets"].astype("int64")
    out["share"] = out["tweets"] / out["tweets"].sum() if len(out) else []
    return out.sort_values(["tweets", "lang"], ascending=[False, True], ignore_index=True)


def tweets_per_month(tables: Tables) -> pd.DataFrame:
    """Tweets per calendar month (UTC) and language, with no gap in the months.

    Returns a frame indexed by month start with one column per language. The
    tweets are counted per (year, month, language), on the cluster for Dask
    tables; the months are filled in locally.

    Parameters
    ----------
    tables : analysis.tables.Tables
        The loaded dataset (pandas or Dask tables), e.g. from ``load_dataset``.

    Returns
    -------
    pandas.DataFrame
        Tweet counts indexed by ``month`` (month start), one int64 column per language; empty
        without dated tweets.

    Examples
    --------
    >>> tw = pd.DataFrame({"lang": ["fr", None, "en"], "created_at": pd.to_datetime(
    ...     ["2020-01-05", "2020-03-01", "2020-03-02"], utc=True)})
    >>> t = Tables(tw, *[pd.DataFrame()] * 5)
    >>> tweets_per_month(t).values.tolist()
    [[0, 1, 0], [0, 0, 0], [1, 0, 1]]
    """
    tw = tables.tweets
    tw = tw[tw["created_at"].notnull()]
    created = tw["created_at"]
    parts = tw.assign(year=created.dt.year, month=created.dt.month, lang=tw["lang"].fillna("und"))[
        ["year", "month", "lang"]
    ]
    counts = count_by(parts, ["year", "month", "lang"])
    if counts.empty:
        return pd.DataFrame()
    counts["month"] = pd.to_datetime(
        {"year": counts["year"], "month": counts["month"], "day": 1}
    ).dt.to_period("M")
    counts = counts.set_index(["month", "lang"])["n"].unstack("lang", fill_value=0)
    counts = counts.sort_index().sort_index(axis=1).astype("int64")
    full = pd.period_range(counts.index.min(), counts.index.max(), freq="M")
    counts = counts.reindex(full, fill_value=0)
    counts.index = counts.index.to_timestamp()
    counts.index.name = "month"
    counts.columns.name = "lang"
    return counts


def source_line(tables: Tables) -> str:
    """Return the source line for this dataset's charts ('demo data — synthetic' or name and span).

    Parameters
    ----------
    tables : analysis.tables.Tables
        The loaded dataset (pandas or Dask tables), e.g. from ``load_dataset``.

    Returns
    -------
    str
        The caption to put under the dataset's charts.
    """
    from analysis.plots import source_label  # lazy: matplotlib and seaborn, ~0.4 s to import

    return source_label(tables.name, tables.synthetic, time_span(tables))


# --- dataset info straight from the Delta logs and files (no full load: fine for millions of rows) ---


def table_sizes(dataset: str, version: int | None = None) -> pd.DataFrame:
    """Rows and size on disk of each table of a dataset, read from the Delta log's file statistics.

    Parameters
    ----------
    dataset : str
        Name of the dataset under ``data/processed/``.
    version : int or None, optional
        Delta table version to read; None (default) reads the latest one.

    Returns
    -------
    pandas.DataFrame
        Columns ``table``, ``rows`` and ``MB`` (size on disk in megabytes), one row per table.

    Examples
    --------
    >>> table_sizes("demo").columns.tolist()  # doctest: +SKIP
    ['table', 'rows', 'MB']
    """
    from analysis.tables import table_sizes_on_disk

    rows = [  # a table added to the contract after the dataset has 0 rows
        {"table": name, "rows": n, "MB": round(size / 1e6, 2)}
        for name, (n, size) in table_sizes_on_disk(dataset, version).items()
    ]
    return pd.DataFrame(rows)


def dataset_languages(dataset: str, version: int | None = None) -> pd.DataFrame:
    """Tweets and share of tweets per language, computed in DuckDB over the Parquet file.

    Parameters
    ----------
    dataset : str
        Name of the dataset under ``data/processed/``.
    version : int or None, optional
        Delta table version to read; None (default) reads the latest one.

    Returns
    -------
    pandas.DataFrame
        Columns ``lang`` (``und`` for unknown), ``tweets`` and ``share`` (fraction of all tweets),
        most frequent first.
    """
    out = sql(
        dataset,
        "select coalesce(lang, 'und') as lang, count(*) as tweets from tweets "
        "group by 1 order by tweets desc, lang",
        version=version,
    )
    out["tweets"] = out["tweets"].astype("int64")
    out["share"] = out["tweets"] / out["tweets"].sum() if len(out) else []
    return out


def dataset_info(dataset: str) -> str:
    """Return what `medtwitter info` prints: tables' sizes, time span, share of tweets per language.

    Parameters
    ----------
    dataset : str
        Name of the dataset under ``data/processed/``; its latest version is described.

    Returns
    -------
    str
        Several lines: kind, version and time span, the table sizes, and the language shares.
    """
    version = resolve_version(dataset)  # one version for every figure below
    meta = load_meta(dataset, version)
    kind = "synthetic demo data" if meta.get("synthetic") else "collected data"
    span = sql(
        dataset,
        "select min(created_at) as first, max(created_at) as last, count(*) as n, "
        "count(*) - count(created_at) as undated from tweets",
        version=version,
    )
    first, last = span["first"].iloc[0], span["last"].iloc[0]
    n, undated = int(span["n"].iloc[0]), int(span["undated"].iloc[0])
    if not n:
        when = "no tweets"
    elif pd.isna(first):  # pages collected without `created_at` (the API's default fields)
        when = f"{n:,} tweets, none with a date"
    else:
        when = f"tweets from {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC"
        if undated:
            when += f" ({undated:,} of {n:,} without a date)"
    langs = dataset_languages(dataset, version)
    langs["share"] = (langs["share"] * 100).map("{:.1f}%".format)
    sources = meta.get("sources", [])
    return "\n".join(
        [
            f"Dataset '{dataset}' ({kind}), version {meta.get('version', 0)}: {when}; "
            f"{len(sources)} raw source file(s).",
            "",
            table_sizes(dataset, version).to_string(index=False),
            "",
            "Share of tweets per language:",
            langs.to_string(index=False) if len(langs) else "(no tweets)",
        ]
    )


def versions_info(dataset: str) -> str:
    """Return what `medtwitter info DATASET --versions` prints: one line per dataset version.

    Columns ``version``, ``time`` (UTC), ``command``, ``files``, then rows per
    table; a version that can no longer be read says why.

    Parameters
    ----------
    dataset : str
        Name of the dataset under ``data/processed/``.

    Returns
    -------
    str
        A heading, a table of the versions and a note for each dropped version.
    """
    versions = dataset_versions(dataset)
    dropped = versions.pop("dropped")
    versions["time"] = versions["time"].dt.strftime("%Y-%m-%d %H:%M:%S")
    lines = [
        f"Versions of dataset '{dataset}' (times in UTC):",
        "",
        versions.to_string(index=False),
    ]
    notes = [
        f"version {v}: dropped, {why}"
        for v, why in zip(versions["version"], dropped, strict=True)
        if why
    ]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def hashtags_of_interest(tables: Tables, tags: list[str]) -> pd.DataFrame:
    """Tweets and accounts using each hashtag of interest (case-folded, accents kept).

    ``share`` is the share of all tweets in the dataset (or period) that carry the tag.

    Parameters
    ----------
    tables : analysis.tables.Tables
        The loaded dataset (or a period of it from ``filter_period``).
    tags : list of str
        Hashtags to count, with or without the leading ``#``; case is ignored, accents are not.

    Returns
    -------
    pandas.DataFrame
        Columns ``tag`` (normalised), ``tweets``, ``share`` and ``accounts``, one row per distinct
        tag in the order given, 0 for a tag never used.

    Examples
    --------
    >>> tw = pd.DataFrame({"tweet_id": [1, 2], "author_id": [7, 8]})
    >>> h = pd.DataFrame({"tweet_id": [1, 2], "tag_norm": ["santé", "sante"]})
    >>> t = Tables(tw, pd.DataFrame(), pd.DataFrame(), h, pd.DataFrame(), pd.DataFrame())
    >>> hashtags_of_interest(t, ["#Santé"])[["tag", "tweets", "share"]].values.tolist()
    [['santé', 1, 0.5]]
    """
    keys = list(dict.fromkeys(normalise_tag(t.lstrip("#")) for t in tags))
    h = tables.hashtags[tables.hashtags["tag_norm"].isin(keys)]
    h = h.drop_duplicates(["tweet_id", "tag_norm"]).merge(
        tables.tweets[["tweet_id", "author_id"]], on="tweet_id", how="left"
    )
    stats = aggregate(
        h, ["tag_norm"], tweets=("tweet_id", "size"), accounts=("author_id", "nunique")
    ).set_index("tag_norm")
    out = pd.DataFrame({"tag": keys})
    out["tweets"] = out["tag"].map(stats["tweets"]).fillna(0).astype("int64")
    out["share"] = out["tweets"] / max(length(tables.tweets), 1)
    out["accounts"] = out["tag"].map(stats["accounts"]).fillna(0).astype("int64")
    return out
