"""The tidy tables every analysis reads, as pandas DataFrames; SQL over them.

Each table is a Delta Lake table ``<data root>/processed/<dataset>/<name>/``,
and the dataset's ``manifest.json`` numbers its versions (see :mod:`analysis.store`);
written only by :mod:`analysis.ingest` (and purge, compact), rebuildable from
the raw pages. Every reader here reads one dataset version, the latest unless
``version=`` names an older one, so its tables always belong together. The contract
(tables, columns, types, keys, meanings) is defined once, in
:mod:`analysis.contract`, and re-exported here (:data:`CONTRACT`).

Identifiers are 64-bit integers (X ids have up to 19 digits and do not fit a
float: never let them pass through ``float64``); :func:`to_pandas` keeps them
exact. Timestamps are UTC. Follow links are **directed**: a row of ``follows``
runs from ``follower_id`` to ``followed_id``; a mutual follow is two rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa

from analysis import settings, store
from analysis.contract import (  # noqa: F401  (the contract, re-exported for every reader)
    BOOL,
    CONTRACT,
    I64,
    MANIFEST_FILE,
    META_FILE,
    STR,
    TABLE_NAMES,
    TS,
    Column,
    TableSpec,
    check_table,
    empty_table,
    normalise_tag,
)
from analysis.errors import ContractError, QueryError, UnknownDatasetError, UsageError


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow -> pandas without turning nullable int64 ids into floats.

    Integer columns become ``Int64`` (nullable) or ``int64``; booleans with nulls
    become ``boolean``; lists (``tweets.edit_ids``) stay Arrow lists
    (``pd.ArrowDtype``: a cell is a Python list, a null ``pd.NA``), not one NumPy
    array per row (which tripled the time to load ``tweets``: measured 0.13 s of 0.3 s
    for 300,000 tweets).

    Parameters
    ----------
    table : pyarrow.Table
        A table read from the store, with the contract's Arrow types.

    Returns
    -------
    pandas.DataFrame
        The same columns, int64 ids kept exact (``Int64`` where there are nulls).

    Examples
    --------
    >>> t = pa.table({"id": pa.array([1234567890123456789, None], pa.int64())})
    >>> to_pandas(t)["id"].iloc[0]
    np.int64(1234567890123456789)
    """
    simple = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}

    def mapper(type_: pa.DataType):
        """Return the pandas dtype for one Arrow column type.

        Parameters
        ----------
        type_ : pyarrow.DataType
            The Arrow type of one column.

        Returns
        -------
        pandas.api.extensions.ExtensionDtype or None
            The pandas dtype to convert it to, or None for pyarrow's default conversion.
        """
        return pd.ArrowDtype(type_) if pa.types.is_list(type_) else simple.get(type_)

    df = table.to_pandas(types_mapper=mapper)
    for f in table.schema:
        if table.column(f.name).null_count == 0:
            if pa.types.is_int64(f.type):
                df[f.name] = df[f.name].astype("int64")
            elif pa.types.is_boolean(f.type):
                df[f.name] = df[f.name].astype(bool)
    return df


@dataclass
class Tables:
    """A dataset's tables as pandas DataFrames, plus its metadata.

    Attributes are the contract's tables (``tweets``, ``users``, ``follows``,
    ``hashtags``, ``mentions``, ``missing``, ``user_snapshots``, ``urls``); ``meta`` is the
    metadata of the dataset version read (name, sources, whether it is synthetic,
    ``version``; ``anonymised`` for pseudonymised tables). ``derived`` is set on
    anonymised tables only: the labels and pairs computed from the real profiles
    before pseudonymisation (:class:`analysis.privacy.ProfileDerived`).
    """

    tweets: pd.DataFrame
    users: pd.DataFrame
    follows: pd.DataFrame
    hashtags: pd.DataFrame
    mentions: pd.DataFrame
    missing: pd.DataFrame
    user_snapshots: pd.DataFrame = field(default_factory=pd.DataFrame)
    urls: pd.DataFrame = field(default_factory=lambda: to_pandas(empty_table("urls")))
    meta: dict = field(default_factory=dict)
    derived: object | None = field(default=None, repr=False, compare=False)

    def __iter__(self) -> Iterator[tuple[str, pd.DataFrame]]:
        """Yield each table's name and frame, in the contract's order."""
        for name in TABLE_NAMES:
            yield name, getattr(self, name)

    @property
    def name(self) -> str:
        """The dataset's name (``?`` if unknown)."""
        return self.meta.get("name", "?")

    @property
    def synthetic(self) -> bool:
        """Whether the data are made up (demo data)."""
        return bool(self.meta.get("synthetic", False))

    @property
    def anonymised(self) -> bool:
        """True for pseudonymised tables (``load_dataset(..., anonymise=True)``)."""
        return bool(self.meta.get("anonymised", False))


def _is_dataset(folder: Path) -> bool:
    return (folder / MANIFEST_FILE).is_file() or (folder / META_FILE).is_file()


def list_datasets() -> list[str]:
    """Names of the datasets under the data root's ``processed/`` folder."""
    root = settings.data_dir() / "processed"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if _is_dataset(p))


def dataset_dir(dataset: str | None = None) -> Path:
    """Folder of an existing dataset; :class:`UnknownDatasetError` if there is none.

    Parameters
    ----------
    dataset : str or None, optional
        Name of the processed dataset; None (default) uses the settings' default dataset.

    Returns
    -------
    pathlib.Path
        The dataset's folder under the data root's ``processed/``.

    Raises
    ------
    analysis.errors.UnknownDatasetError
        If the folder holds no dataset (no manifest nor metadata file).
    """
    dataset = settings.DEFAULT_DATASET if dataset is None else dataset
    folder = settings.processed_dir(dataset)
    if not _is_dataset(folder):
        known = ", ".join(list_datasets()) or "none yet"
        raise UnknownDatasetError(
            f"unknown dataset {dataset!r} under {folder.parent} (known: {known}); build it "
            f"with `medtwitter demo --dataset {dataset}` or `medtwitter ingest FILE... "
            f"--dataset {dataset}`, or point --data-dir/MEDTWITTER_DATA at the right data root."
        )
    return folder


def resolve_version(dataset: str | None = None, version: int | None = None) -> int:
    """Return the dataset version a read uses: ``version`` if it is readable, else the latest.

    Parameters
    ----------
    dataset : str or None, optional
        Name of the processed dataset; None (default) uses the settings' default dataset.
    version : int or None, optional
        Dataset version to read (``medtwitter info DATASET --versions`` lists them); None
        (default) reads the latest.

    Returns
    -------
    int
        The version number every table of the read will be read at.

    Examples
    --------
    >>> resolve_version("demo")  # doctest: +SKIP
    3
    """
    folder = dataset_dir(dataset)
    manifest = store._manifest_or_error(folder)
    return store.version_entry(manifest, version, folder.name)["version"]


def load_meta(dataset: str | None = None, version: int | None = None) -> dict:
    """Return a dataset's metadata at a version (name, synthetic, sources, counts, span, ``version``).

    Parameters
    ----------
    dataset : str or None, optional
        Name of the processed dataset; None (default) uses the settings' default dataset.
    version : int or None, optional
        Dataset version to read (``medtwitter info DATASET --versions`` lists them); None
        (default) reads the latest.

    Returns
    -------
    dict
        The version's metadata, with its number under ``"version"``.
    """
    folder = dataset_dir(dataset)
    manifest = store.read_manifest(folder)
    if manifest is None:  # an earlier layout: its meta.json, until converted
        return json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    entry = store.version_entry(manifest, version, folder.name)
    return {**entry.get("meta", {}), "version": entry["version"]}


def load_table(
    dataset: str | None, name: str, version: int | None = None, anonymise: bool = False
) -> pd.DataFrame:
    """One contract table of a dataset (at a version) as a DataFrame (see :func:`to_pandas`).

    ``anonymise``: the table as ``load_dataset(..., anonymise=True)`` has it
    (pseudonymising needs the whole dataset: every table is read).

    Parameters
    ----------
    dataset : str or None
        Name of the processed dataset; None uses the settings' default dataset.
    name : str
        A contract table name (``tweets``, ``users``, ``follows``...).
    version : int or None, optional
        Dataset version to read (``medtwitter info DATASET --versions`` lists them); None
        (default) reads the latest.
    anonymise : bool, default False
        Return the pseudonymised table (reads and pseudonymises the whole dataset).

    Returns
    -------
    pandas.DataFrame
        The table, with exact int64 ids and UTC timestamps.

    Raises
    ------
    analysis.errors.ContractError
        If ``name`` is not a table of the contract.

    Examples
    --------
    >>> load_table("demo", "follows").columns.tolist()  # doctest: +SKIP
    ['follower_id', 'followed_id', 'first_seen_at', 'observed_at']
    """
    if name not in CONTRACT:
        raise ContractError(f"no table {name!r} in the data contract; use one of {TABLE_NAMES}.")
    if anonymise:
        return getattr(load_dataset(dataset, version=version, anonymise=True), name)
    with store.c_allocator():
        return to_pandas(store.read_table(dataset_dir(dataset), name, version=version))


def load_arrow(
    dataset: str | None, name: str, columns: list[str] | None = None, version: int | None = None
) -> pa.Table:
    """One table (some ``columns``) of a dataset as an Arrow table, sorted by key.

    For code that stays in Arrow or NumPy (the sparse follower graph, purge):
    no pandas conversion. It reads the stored (real) tables: it has no
    ``anonymise``; anonymised work goes through :func:`load_dataset`.

    Parameters
    ----------
    dataset : str or None
        Name of the processed dataset; None uses the settings' default dataset.
    name : str
        A contract table name (``tweets``, ``users``, ``follows``...).
    columns : list of str or None, optional
        Columns to read; None (default) reads them all.
    version : int or None, optional
        Dataset version to read (``medtwitter info DATASET --versions`` lists them); None
        (default) reads the latest.

    Returns
    -------
    pyarrow.Table
        The table's stored (non-pseudonymised) rows.

    Raises
    ------
    analysis.errors.ContractError
        If ``name`` is not a table of the contract.

    Examples
    --------
    >>> load_arrow("demo", "follows", ["follower_id", "followed_id"]).num_columns  # doctest: +SKIP
    2
    """
    if name not in CONTRACT:
        raise ContractError(f"no table {name!r} in the data contract; use one of {TABLE_NAMES}.")
    with store.c_allocator():
        return store.read_table(dataset_dir(dataset), name, columns, version=version)


def table_sizes_on_disk(dataset: str | None = None, version: int | None = None) -> dict:
    """Rows and bytes of each table at a version, from the Delta log (no data read).

    Parameters
    ----------
    dataset : str or None, optional
        Name of the processed dataset; None (default) uses the settings' default dataset.
    version : int or None, optional
        Dataset version to read (``medtwitter info DATASET --versions`` lists them); None
        (default) reads the latest.

    Returns
    -------
    dict
        Table name -> ``(rows, bytes)`` for every contract table; ``(0, 0)`` for a table the
        version lacks.

    Examples
    --------
    >>> table_sizes_on_disk("demo")["tweets"]  # doctest: +SKIP
    (2950, 241233)
    """
    folder = dataset_dir(dataset)
    version = resolve_version(dataset, version)
    return {name: store.table_totals(folder, name, version) for name in TABLE_NAMES}


def load_dataset(
    dataset: str | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    version: int | None = None,
    anonymise: bool = False,
    engine: str = "pandas",
) -> Tables:
    """Load every table of a processed dataset at one version, optionally restricted to a period.

    ``version`` names a dataset version (``medtwitter info DATASET --versions``
    lists them; default: the latest); every table is read at it, so they always
    belong together. ``start`` and ``end`` (UTC dates or timestamps, ``end``
    excluded) keep the tweets posted in ``[start, end)`` and their hashtags,
    mentions and links; accounts, follow links and the rest are kept whole (see
    :func:`filter_period`). ``meta["version"]`` says which version was read.

    ``anonymise=True`` is the toolkit's one pseudonymisation point: the tables
    come back through :func:`analysis.privacy.anonymise_tables` (keyed
    pseudonyms for every id, handle and display name, text without URLs, names
    or protected content, no profile locations), with the labels and pairs
    computed from the real profiles reachable through
    :func:`analysis.accounts.labels_from_tables` and
    :func:`analysis.accounts.pairs_from_tables`. Reports and notebooks pass
    their ``anonymise`` parameter here; so do :func:`load_table`,
    :func:`connect` and :func:`sql`.

    ``engine="dask"`` returns the tables as Dask DataFrames read lazily from the
    Delta tables at the same version (:mod:`analysis.tables_dask`; ``pip install
    'medtwitter[dask]'``): the analyses that scan every tweet or link
    (:func:`analysis.overview.tweets_per_month`, the edge lists of
    :mod:`analysis.graph.build`...) reduce them on the cluster of the Dask client
    open at the time (:func:`analysis.cluster.dask_client`) and return the same
    pandas results. ``anonymise=True`` pseudonymises them as it does pandas tables.

    Parameters
    ----------
    dataset : str or None, optional
        A processed dataset's name; None (default) uses the settings' dataset.
    start, end : str or pandas.Timestamp or None, optional
        Keep the tweets posted in ``[start, end)`` (UTC dates); None (default) leaves that
        side open.
    version : int or None, optional
        A dataset version; None (default) reads the latest.
    anonymise : bool, default False
        Return pseudonymised tables (see above).
    engine : str, default "pandas"
        ``"pandas"`` (tables in memory) or ``"dask"`` (lazy Dask DataFrames).

    Returns
    -------
    Tables
        The tables and the version's metadata (``meta["engine"]`` is ``"dask"`` for Dask tables).

    Examples
    --------
    >>> tables = load_dataset("demo")  # doctest: +SKIP
    >>> tables.tweets[["tweet_id", "author_id", "created_at"]].head()  # doctest: +SKIP
    >>> recent = load_dataset("demo", start="2020-01-01")  # doctest: +SKIP
    >>> as_cited = load_dataset("demo", version=0)  # doctest: +SKIP
    >>> lazy = load_dataset("demo", engine="dask")  # doctest: +SKIP
    """
    from analysis.tables_dask import check_engine  # lazy: import cycle with analysis.tables_dask

    check_engine(engine)
    folder = dataset_dir(dataset)
    version = resolve_version(dataset, version)
    meta = load_meta(dataset, version)
    if engine == "dask":
        from analysis import tables_dask  # lazy: import cycle with analysis.tables_dask

        entry = store.version_entry(store._manifest_or_error(folder), version, folder.name)
        tables = filter_period(tables_dask.load_tables(folder, entry, meta), start, end)
        return tables_dask.anonymise(tables) if anonymise else tables
    with store.c_allocator():
        frames = {
            name: to_pandas(store.read_table(folder, name, version=version)) for name in TABLE_NAMES
        }
    tables = filter_period(Tables(**frames, meta=meta), start, end)
    if anonymise:
        # lazy: import cycle with analysis.privacy.tables
        from analysis.privacy import anonymise_tables

        return anonymise_tables(tables)
    return tables


def dataset_versions(dataset: str | None = None) -> pd.DataFrame:
    """Return a dataset's versions: ``version``, ``time`` (UTC), ``command``, ``files``, rows per table.

    ``dropped`` says why a version can no longer be read (a purge, or files
    removed by ``medtwitter compact``), empty when it can.

    Parameters
    ----------
    dataset : str or None, optional
        Name of the processed dataset; None (default) uses the settings' default dataset.

    Returns
    -------
    pandas.DataFrame
        One row per version, oldest first: ``version``, ``time``, ``command``, ``files``, one row
        count per table and ``dropped``.

    Examples
    --------
    >>> dataset_versions("demo").columns[:4].tolist()  # doctest: +SKIP
    ['version', 'time', 'command', 'files']
    """
    rows = []
    for entry in store.versions(dataset_dir(dataset)):
        rows.append(
            {
                "version": entry["version"],
                "time": pd.Timestamp(entry["time"]),
                "command": entry["command"],
                "files": len(entry.get("files", [])),
                **{name: entry.get("rows", {}).get(name, 0) for name in TABLE_NAMES},
                "dropped": entry.get("dropped", ""),
            }
        )
    return pd.DataFrame(rows)


def _as_utc(value: str | pd.Timestamp | None, name: str) -> pd.Timestamp | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{name} {value!r} is not a date; write it as YYYY-MM-DD.") from exc
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def filter_period(
    tables: Tables,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> Tables:
    """Return the tables with only the tweets posted in ``[start, end)`` (UTC), and their hashtags, mentions, links.

    Accounts, follow links, snapshots and API errors have no posting date and are
    kept whole. The period is recorded in ``meta["period"]``.

    Parameters
    ----------
    tables : Tables
        The dataset's tables (pandas or Dask).
    start : str or pandas.Timestamp or None, optional
        First instant kept (a date such as ``"2020-01-01"``; naive values are UTC); None
        (default) or a blank string means no lower bound.
    end : str or pandas.Timestamp or None, optional
        First instant no longer kept (excluded); None (default) means no upper bound.

    Returns
    -------
    Tables
        The restricted tables, or ``tables`` itself when neither bound is given.

    Raises
    ------
    analysis.errors.UsageError
        If a bound is not a date, or ``start`` is not before ``end``.

    Examples
    --------
    >>> tw = pd.DataFrame({"tweet_id": [1, 2], "created_at": pd.to_datetime(
    ...     ["2019-05-01", "2021-05-01"], utc=True)})
    >>> h = pd.DataFrame({"tweet_id": [1, 2], "tag": ["sante", "esante"]})
    >>> t = Tables(tw, pd.DataFrame(), pd.DataFrame(), h, pd.DataFrame({"tweet_id": []}),
    ...            pd.DataFrame())
    >>> filter_period(t, start="2020-01-01").hashtags["tag"].tolist()
    ['esante']
    """
    lo, hi = _as_utc(start, "start"), _as_utc(end, "end")
    if lo is None and hi is None:
        return tables
    if lo is not None and hi is not None and lo >= hi:
        raise UsageError(
            f"the period is empty: start {lo:%Y-%m-%d} is not before end {hi:%Y-%m-%d}."
        )
    if tables.meta.get("engine") == "dask":
        from analysis import tables_dask  # lazy: import cycle with analysis.tables_dask

        return tables_dask.filter_period(tables, lo, hi)
    created = tables.tweets["created_at"]
    keep = pd.Series(True, index=tables.tweets.index)
    if lo is not None:
        keep &= created >= lo
    if hi is not None:
        keep &= created < hi
    tweets = tables.tweets[keep.fillna(False).astype(bool)].reset_index(drop=True)
    ids = set(tweets["tweet_id"])
    kept = {
        name: frame[frame["tweet_id"].isin(ids)].reset_index(drop=True)
        for name, frame in (
            ("hashtags", tables.hashtags),
            ("mentions", tables.mentions),
            ("urls", tables.urls),
        )
        if "tweet_id" in frame.columns
    }
    period = [None if lo is None else lo.isoformat(), None if hi is None else hi.isoformat()]
    return replace(tables, tweets=tweets, **kept, meta={**tables.meta, "period": period})


def connect(dataset: str | None = None, version: int | None = None, anonymise: bool = False):
    """Open a DuckDB connection with one view per table of the dataset, at one version.

    The views scan the tables' Delta files through pyarrow datasets (filters
    and column selections are pushed down; nothing is loaded up front). With
    ``anonymise``, the views hold the tables of ``load_dataset(...,
    anonymise=True)`` instead (loaded in memory: pseudonymising needs them all).

    Parameters
    ----------
    dataset : str or None, optional
        Name of the processed dataset; None (default) uses the settings' default dataset.
    version : int or None, optional
        Dataset version to read (``medtwitter info DATASET --versions`` lists them); None
        (default) reads the latest.
    anonymise : bool, default False
        Give views of the pseudonymised tables instead of the stored ones.

    Returns
    -------
    duckdb.DuckDBPyConnection
        An in-memory connection where each contract table is a view of the same name.

    Examples
    --------
    >>> con = connect("demo")  # doctest: +SKIP
    >>> con.sql("select lang, count(*) from tweets group by lang").df()  # doctest: +SKIP
    """
    import duckdb

    folder = dataset_dir(dataset)
    version = resolve_version(dataset, version)
    con = duckdb.connect()
    if anonymise:
        tables = load_dataset(dataset, version=version, anonymise=True)
        for name, frame in tables:
            con.register(
                name,
                pa.Table.from_pandas(frame, schema=CONTRACT[name].schema, preserve_index=False),
            )
        return con
    for name in TABLE_NAMES:
        data = store.arrow_dataset(folder, name, version)
        con.register(name, data if data is not None else empty_table(name))
    return con


def sql(
    dataset: str | None,
    query: str,
    params: list | dict | None = None,
    version: int | None = None,
    anonymise: bool = False,
) -> pd.DataFrame:
    """Run SQL over a dataset's tables (DuckDB over the Delta tables) and return a DataFrame.

    Every contract table is a view of the same name (``tweets``, ``users``,
    ``follows``...), read at one dataset version (the latest unless
    ``version``). DuckDB scans the Parquet files without loading them, so
    joins and aggregations over millions of rows stay fast and small. Integer
    columns with nulls come back as nullable ``Int64`` (never floats: 19-digit
    ids survive), timestamps as UTC.

    Parameters
    ----------
    dataset : str or None
        A processed dataset's name; None uses the settings' dataset.
    query : str
        One SQL query (DuckDB dialect).
    params : list or dict or None, optional
        Values for ``?`` (list) or ``$name`` (dict) placeholders in ``query``; None (default)
        for a query without placeholders.
    version : int or None, optional
        A dataset version; None (default) reads the latest.
    anonymise : bool, default False
        Query the pseudonymised tables (see :func:`load_dataset`).

    Returns
    -------
    pandas.DataFrame
        The query's result, ids exact and timestamps in UTC; empty for a statement without a
        result.

    Raises
    ------
    analysis.errors.QueryError
        If DuckDB rejects the query (its first error line is quoted).

    Examples
    --------
    >>> sql("demo", "select lang, count(*) as tweets from tweets group by lang")  # doctest: +SKIP
    >>> sql("demo", "select * from users where followers_count > ?", [1000])  # doctest: +SKIP
    """
    import duckdb

    con = connect(dataset, version, anonymise=anonymise)
    try:
        rel = con.sql(query, params=params)
        if rel is None:  # a statement without a result (e.g. `create view ...`)
            return pd.DataFrame()
        # DuckDB 1.x names it fetch_arrow_table, later versions to_arrow_table
        fetch = getattr(rel, "to_arrow_table", None) or rel.fetch_arrow_table
        table = fetch()
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise QueryError(
            f"SQL query failed on dataset {dataset!r} ({first}); check the query against "
            f"the tables {', '.join(TABLE_NAMES)} (`describe_contract()` lists their columns)."
        ) from exc
    finally:
        con.close()
    if isinstance(table, pa.RecordBatchReader):
        table = table.read_all()
    return to_pandas(_utc(table))


def _utc(table: pa.Table) -> pa.Table:
    """DuckDB names UTC 'Etc/UTC'; give timestamps the contract's 'UTC'."""
    fields = [
        pa.field(f.name, pa.timestamp(f.type.unit, tz="UTC"), f.nullable)
        if pa.types.is_timestamp(f.type) and f.type.tz
        else f
        for f in table.schema
    ]
    return table.cast(pa.schema(fields))


def describe_contract() -> pd.DataFrame:
    """Return the contract as a table (table, column, type, nullable, meaning) for docs and notebooks."""
    rows = [
        {
            "table": spec.name,
            "column": c.name,
            "type": str(c.type),
            "nullable": c.nullable,
            "meaning": c.doc,
        }
        for spec in CONTRACT.values()
        for c in spec.columns
    ]
    return pd.DataFrame(rows)
