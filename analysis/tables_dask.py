"""A dataset's tables as Dask DataFrames, read from its Delta tables at one dataset version.

``load_dataset(name, engine="dask")`` lands here. Each table is read at the
Delta version the dataset's manifest gives it, one partition per Parquet file
of that version in its Delta log (so only the current rows: files replaced by
a later MERGE or purge are not listed), only the columns an analysis uses, in the
contract's columns and the types :func:`analysis.tables.to_pandas` gives:
ids ``int64`` (nullable id columns ``Int64``), times UTC, lists Arrow lists.
Nothing is read until a result is computed, on the Dask cluster of the client
open at that moment (:func:`analysis.cluster.dask_client`).

``anonymise=True`` applies every pseudonymisation of the pandas path
(:func:`analysis.privacy.anonymise_tables`) with the same key: the small
tables (``users``, ``user_snapshots``, ``missing``) go through it whole; the
large ones are pseudonymised partition by partition on the workers with the
same :class:`~analysis.privacy.Pseudonymiser` (which knows every handle and
display name of the dataset), and the texts and links it hides are those of
:func:`analysis.privacy.protected_tweet_ids`, run on each partition with the
originals' authors joined on the cluster.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable

from analysis.cluster import INSTALL_HINT, DaskMissingError, dask_client
from analysis.contract import CONTRACT, TABLE_NAMES, empty_table
from analysis.errors import UsageError
from analysis.frames import compute, compute_all
from analysis.privacy import (
    ANONYMISED_ATTR,
    Pseudonymiser,
    anonymise_frame,
    anonymise_tables,
    protected_tweet_ids,
)
from analysis.privacy.tables import ProfileDerived
from analysis.store import conform, data_files
from analysis.tables import Tables, to_pandas

#: The engines ``load_dataset`` reads with.
ENGINES = ("pandas", "dask")


def check_engine(engine: str) -> str:
    """Return ``engine`` if it is one of :data:`ENGINES`, else raise a one-line :class:`UsageError`.

    Parameters
    ----------
    engine : str
        The requested engine: ``"pandas"`` or ``"dask"``.

    Returns
    -------
    str
        ``engine`` unchanged.

    Raises
    ------
    analysis.errors.UsageError
        If ``engine`` is neither ``"pandas"`` nor ``"dask"``.

    Examples
    --------
    >>> check_engine("dask")
    'dask'
    """
    if engine not in ENGINES:
        raise UsageError(
            f"unknown engine {engine!r}; use engine='pandas' (tables in memory, the default) "
            "or engine='dask' (Dask DataFrames, computed on a cluster)."
        )
    return engine


def require_dask_dataframe() -> Any:
    """Return ``dask.dataframe``, or raise :class:`~analysis.cluster.DaskMissingError` in one line.

    Returns
    -------
    module
        ``dask.dataframe``.
    """
    try:
        import dask.dataframe as dd  # optional: the dask extra
    except ImportError as exc:
        raise DaskMissingError(
            f"engine='dask' needs Dask, which is not installed ({exc.name or exc}); "
            f"install it with: {INSTALL_HINT}"
        ) from None
    return dd


def _types(type_: pa.DataType) -> Any:
    """Return the pandas dtype of an Arrow type, as :func:`analysis.tables.to_pandas` maps it (nullable)."""
    if pa.types.is_list(type_):
        return pd.ArrowDtype(type_)
    return {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get(type_)


def table_meta(name: str) -> pd.DataFrame:
    """Return the empty pandas frame whose columns and dtypes a Dask table of ``name`` has.

    Columns the contract declares non-null are ``int64`` and ``bool``; nullable
    ones ``Int64`` and ``boolean`` (a Dask frame's types are fixed before its
    data is read; the pandas path narrows a nullable column that holds no null).

    Parameters
    ----------
    name : str
        A contract table name (``tweets``, ``follows``...).

    Returns
    -------
    pandas.DataFrame
        A frame with no rows and the table's contract columns and dtypes.

    Examples
    --------
    >>> table_meta("follows").dtypes.astype(str).tolist()
    ['int64', 'int64', 'datetime64[us, UTC]', 'datetime64[us, UTC]']
    """
    table = empty_table(name)
    frame = table.to_pandas(types_mapper=_types)
    for col in CONTRACT[name].columns:
        if not col.nullable and pa.types.is_int64(col.type):
            frame[col.name] = frame[col.name].astype("int64")
        elif not col.nullable and pa.types.is_boolean(col.type):
            frame[col.name] = frame[col.name].astype(bool)
    return frame


def _read_file(path: str, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """Return one Parquet file of table ``name`` as a partition in the contract's columns and dtypes.

    ``columns`` (Dask fills it in from what an analysis uses) reads only those:
    ``tweets_per_month`` reads ``created_at`` and ``lang``, not the texts. Columns
    added to the contract after the file was written get their default.
    """
    columns = list(columns) if columns is not None else CONTRACT[name].names
    present = set(pq.read_schema(path).names)
    table = pq.read_table(path, columns=[c for c in columns if c in present])
    meta = table_meta(name)[columns]
    return (
        conform(name, table, columns).to_pandas(types_mapper=_types).astype(meta.dtypes.to_dict())
    )


def _from_pandas(frame: pd.DataFrame) -> Any:
    """Return a one-partition Dask frame of ``frame``, its dtypes kept (strings too)."""
    import dask  # optional: the dask extra

    dd = require_dask_dataframe()
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_pandas(frame, npartitions=1)


def read_table(folder: Path, name: str, delta_version: int | None) -> Any:
    """Return one Delta table of a dataset at a Delta version as a Dask DataFrame.

    The files are those of the Delta log at ``delta_version`` (so only the
    current rows), read one partition per file. ``dask_deltatable.read_deltalake``
    reads the same files but names them by percent-encoded URIs, which pyarrow
    cannot open under a data root whose path holds a space or an accent
    (``Données``); the paths here are decoded (:func:`analysis.store.data_files`).

    Parameters
    ----------
    folder : pathlib.Path
        The dataset's folder.
    name : str
        A contract table's name (``tweets``, ``follows``...).
    delta_version : int or None
        The table's Delta version (``None``: the dataset version lacks it, empty).

    Returns
    -------
    dask.dataframe.DataFrame
        One partition per Parquet file of that version, in the contract's columns.
    """
    dd = require_dask_dataframe()
    meta = table_meta(name)
    if delta_version is None:
        return _from_pandas(meta)

    files = sorted(data_files(DeltaTable(str(Path(folder) / name), version=delta_version)))
    if not files:
        return _from_pandas(meta)
    import dask  # optional: the dask extra

    # strings stay pandas' own ``str`` dtype, as the pandas path has them (not Dask's NA strings)
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_map(
            _read_file, files, args=[name], meta=meta, label=f"read-{name}", enforce_metadata=False
        )


def load_tables(folder: Path, entry: dict, meta: dict) -> Tables:
    """Return the tables of a dataset version (its manifest ``entry``) as Dask DataFrames.

    Parameters
    ----------
    folder : pathlib.Path
        The dataset's folder.
    entry : dict
        The manifest's entry of the version (``tables`` maps each table to its Delta version).
    meta : dict
        The version's metadata, kept as ``Tables.meta`` (with ``engine: "dask"``).

    Returns
    -------
    Tables
        Every contract table as a Dask DataFrame.
    """
    frames = {name: read_table(folder, name, entry["tables"].get(name)) for name in TABLE_NAMES}
    return Tables(**frames, meta={**meta, "engine": "dask"})


def filter_period(tables: Tables, lo: pd.Timestamp | None, hi: pd.Timestamp | None) -> Tables:
    """Return Dask tables with the tweets of ``[lo, hi)`` and their hashtags, mentions and links.

    The semi-join on ``tweet_id`` runs on the cluster
    (see :func:`analysis.tables.filter_period`).

    Parameters
    ----------
    tables : analysis.tables.Tables
        Dask tables (``meta["engine"] == "dask"``).
    lo : pandas.Timestamp or None
        First UTC instant kept; None for no lower bound.
    hi : pandas.Timestamp or None
        First UTC instant no longer kept (excluded); None for no upper bound.

    Returns
    -------
    analysis.tables.Tables
        The lazy restricted tables, the period recorded in ``meta["period"]``.
    """
    tw = tables.tweets
    keep = tw["created_at"].notnull()
    if lo is not None:
        keep = keep & (tw["created_at"] >= lo)
    if hi is not None:
        keep = keep & (tw["created_at"] < hi)
    tweets = tw[keep]
    ids = tweets[["tweet_id"]]
    kept = {
        name: getattr(tables, name).merge(ids, on="tweet_id", how="inner")
        for name in ("hashtags", "mentions", "urls")
    }
    period = [None if lo is None else lo.isoformat(), None if hi is None else hi.isoformat()]
    return replace(tables, tweets=tweets, **kept, meta={**tables.meta, "period": period})


# --- anonymised Dask tables ---------------------------------------------------------------------

_REF_COLUMNS = ("retweet_of_tweet_id", "quote_of_tweet_id")


def _mention_handles(mentions: Any) -> pd.DataFrame:
    """Return the mentions' (username, user_id) pairs, in the order the pandas path meets them last.

    :func:`~analysis.privacy.pseudonymiser_for` lets the last mention of a handle
    (in key order: ``tweet_id``, ``username``) name its user id; one row per pair,
    ordered by its last mention, teaches it the same.
    """
    m = mentions.dropna(subset=["user_id"])
    last = compute(m.groupby(["username", "user_id"], sort=False)["tweet_id"].max()).reset_index()
    last = last.sort_values(["tweet_id", "username"], kind="stable", ignore_index=True)
    return last[["tweet_id", "username", "user_id"]]


def _hidden_in_part(part: pd.DataFrame, users: pd.DataFrame) -> pd.Series:
    """Ids of a partition's retweets and quotes whose text must be hidden.

    ``part`` holds the tweets' ``tweet_id``, ``author_id``, references and text,
    plus ``orig_<reference>``: the original's author joined on the cluster. The
    originals become rows of a small tweets table, so that
    :func:`~analysis.privacy.protected_tweet_ids` decides as on the whole table.
    """
    cols = ["tweet_id", "author_id", *_REF_COLUMNS, "text"]
    originals = [
        part.loc[part[f"orig_{c}"].notnull(), [c, f"orig_{c}"]].set_axis(
            ["tweet_id", "author_id"], axis=1
        )
        for c in _REF_COLUMNS
    ]
    tweets = pd.concat([part[cols], *originals], ignore_index=True)
    empty = pd.DataFrame()
    hidden = protected_tweet_ids(Tables(tweets, users, empty, empty, empty, empty))
    ids = part["tweet_id"].to_numpy()
    return pd.Series(ids[np.isin(ids, np.fromiter(hidden, "int64", len(hidden)))], dtype="int64")


def hidden_tweet_ids(tweets: Any, users: pd.DataFrame) -> set[int]:
    """Return the ids of tweets whose text anonymised tables hide, computed on the cluster.

    The same tweets as :func:`analysis.privacy.protected_tweet_ids` names on the
    whole table: protected accounts' tweets, and retweets and quotes of them or of
    accounts not in ``users`` (or whose author cannot be told).

    Parameters
    ----------
    tweets : dask.dataframe.DataFrame
        The Dask ``tweets`` table (annotated ``Any``: Dask is an optional dependency).
    users : pandas.DataFrame
        The ``users`` table (pandas).

    Returns
    -------
    set of int
        Tweet ids (real, not pseudonymised).
    """
    prot = users["protected"].fillna(False).astype(bool)
    protected = users.loc[prot, "user_id"].astype("int64").to_numpy()
    own = tweets.loc[tweets["author_id"].isin(protected), "tweet_id"]
    refs = tweets.loc[
        tweets["retweet_of_tweet_id"].notnull() | tweets["quote_of_tweet_id"].notnull(),
        ["tweet_id", "author_id", *_REF_COLUMNS, "text"],
    ]
    authors = tweets[["tweet_id", "author_id"]]
    for col in _REF_COLUMNS:
        orig = authors.rename(columns={"tweet_id": col, "author_id": f"orig_{col}"})
        orig = orig.astype({col: "Int64"})  # the reference column's type: nullable
        refs = refs.merge(orig, on=col, how="left")
    slim = users[["user_id", "username", "protected"]]
    meta = pd.Series([], dtype="int64")
    by_refs = refs.map_partitions(_hidden_in_part, slim, meta=meta)
    own_ids, ref_ids = compute_all(own, by_refs)
    return set(own_ids.astype("int64").tolist()) | set(ref_ids.tolist())


def _anonymise_part(
    part: pd.DataFrame, p: Pseudonymiser, hidden: np.ndarray, blank: tuple[str, ...]
) -> pd.DataFrame:
    """One partition pseudonymised, the ``blank`` columns of its hidden tweets nulled."""
    out = anonymise_frame(part, p)
    if blank and "tweet_id" in part.columns:
        hide = np.isin(part["tweet_id"].to_numpy(), hidden)
        out.loc[hide, list(blank)] = None
    out = out.astype(part.dtypes.to_dict())
    out.attrs[ANONYMISED_ATTR] = True
    return out


def anonymise(tables: Tables) -> Tables:
    """Return Dask tables pseudonymised as :func:`analysis.privacy.anonymise_tables` does pandas ones.

    Parameters
    ----------
    tables : Tables
        Dask tables (:func:`load_tables`), real.

    Returns
    -------
    Tables
        ``users``, ``user_snapshots`` and ``missing`` anonymised whole; the other tables
        pseudonymised partition by partition, lazily; ``meta`` and ``derived`` as the
        pandas path sets them.
    """
    if tables.meta.get("anonymised"):
        return tables
    users, snapshots, missing = compute_all(tables.users, tables.user_snapshots, tables.missing)
    empty = {
        name: to_pandas(empty_table(name)) for name in ("tweets", "follows", "hashtags", "urls")
    }
    small = replace(
        tables,
        users=users,
        user_snapshots=snapshots,
        missing=missing,
        mentions=_mention_handles(tables.mentions),
        **empty,
    )
    done = anonymise_tables(small)
    p = done.derived._p  # type: ignore[attr-defined]
    hidden = np.fromiter(hidden_tweet_ids(tables.tweets, users), "int64")
    blanks = {"tweets": ("text", "short_text"), "urls": ("expanded_url",)}
    big = {
        name: getattr(tables, name).map_partitions(
            _anonymise_part, p, hidden, blanks.get(name, ()), meta=table_meta(name)
        )
        for name in ("tweets", "follows", "hashtags", "mentions", "urls")
    }
    small_out = {
        name: _from_pandas(getattr(done, name)) for name in ("users", "user_snapshots", "missing")
    }
    derived = _DaskProfileDerived(users, tables.follows, p)
    return replace(tables, **big, **small_out, meta=done.meta, derived=derived)


class _DaskProfileDerived(ProfileDerived):
    """:class:`~analysis.privacy.ProfileDerived` whose ``follows`` is computed when pairs are asked."""

    def pairs(self, min_score: int = 3) -> pd.DataFrame:
        """Return the likely pairs of accounts (see :meth:`ProfileDerived.pairs`).

        Parameters
        ----------
        min_score : int, default 3
            Lowest pair score listed (see :func:`analysis.accounts.pairs.find_pairs`).

        Returns
        -------
        pandas.DataFrame
            The likely pairs, keyed by pseudonymised ids and handles, highest score first.
        """
        self._follows = compute(self._follows)
        return super().pairs(min_score)


# --- notebooks ------------------------------------------------------------------------------------


def compute_tables(tables: Tables) -> Tables:
    """Return the tables in memory as pandas DataFrames (Dask tables computed in one pass).

    For analyses that take pandas tables only: the Delta files are read in
    parallel on the cluster, then every row comes to this process, so it needs
    the memory of the pandas path. Pandas tables are returned as they are.

    Parameters
    ----------
    tables : analysis.tables.Tables
        The dataset's tables, pandas or Dask (``load_dataset(..., engine="dask")``).

    Returns
    -------
    Tables
        The same tables, metadata and ``derived``, as pandas DataFrames.
    """
    if tables.meta.get("engine") != "dask":
        return tables
    frames = compute_all(*(getattr(tables, name) for name in TABLE_NAMES))
    out = {
        name: frame.reset_index(drop=True) for name, frame in zip(TABLE_NAMES, frames, strict=True)
    }
    if tables.anonymised:
        for frame in out.values():
            frame.attrs[ANONYMISED_ATTR] = True
    meta = {k: v for k, v in tables.meta.items() if k != "engine"}
    return replace(tables, **out, meta=meta)


_CLIENTS: list[Any] = []


def use_scheduler(address: str | None) -> Any:
    """Connect this process (a notebook's kernel) to a Dask scheduler until it exits.

    Parameters
    ----------
    address : str or None
        ``local:N``, ``tcp://host:8786`` or a scheduler file (see
        :func:`analysis.cluster.dask_client`); ``None`` or ``""``: no cluster.

    Returns
    -------
    distributed.Client or None
        The client every Dask computation of the process then runs on.
    """
    if not address:
        return None

    stack = ExitStack()
    client = stack.enter_context(dask_client(address))
    _CLIENTS.append(stack)  # kept open for the kernel's life
    return client
