"""One code path for pandas and Dask frames: reduce where the data lives, finish in pandas.

An analysis that scans every tweet or link is written once, against the pandas
API that Dask DataFrames share (``groupby``, ``agg``, ``merge``, ``isin``,
``value_counts``...). When the tables come from ``load_dataset(name,
engine="dask")`` the same expressions build a lazy task graph; the helpers here
run its heavy reduction on the cluster and hand back the small pandas result,
and the analysis finishes locally (sorting, pivoting, plotting, graphs). On
pandas frames they cost nothing: :func:`compute` returns its input.

Results come back sorted by their keys, so pandas and Dask give equal frames
(Dask does not keep row order across a shuffle).

Examples
--------
>>> import pandas as pd
>>> tw = pd.DataFrame({"lang": ["fr", "en", "fr"], "author_id": [1, 2, 1]})
>>> is_dask(tw)
False
>>> count_by(tw, ["lang"]).values.tolist()
[['en', 1], ['fr', 2]]
>>> aggregate(tw, ["author_id"], tweets=("lang", "size")).values.tolist()
[[1, 2], [2, 1]]
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def is_dask(obj: object) -> bool:
    """Return whether ``obj`` is a Dask collection (DataFrame, Series, scalar), without importing Dask.

    Parameters
    ----------
    obj : any object

    Returns
    -------
    bool
        True for lazy Dask collections, False for pandas frames and anything else.

    Examples
    --------
    >>> is_dask(pd.Series([1]))
    False
    """
    return type(obj).__module__.split(".", 1)[0] == "dask" and hasattr(obj, "compute")


def compute(obj: Any) -> Any:
    """Return ``obj`` computed: a Dask collection's pandas result, anything else as it is.

    Dask runs the graph on the client's cluster when one is open (see
    :func:`analysis.cluster.dask_client`), else on its local scheduler.

    Parameters
    ----------
    obj : a Dask collection, or a pandas object (or any value)

    Returns
    -------
    Any
        The pandas frame, series or scalar.

    Examples
    --------
    >>> compute(pd.Series([1, 2])).tolist()
    [1, 2]
    """
    return obj.compute() if is_dask(obj) else obj


def compute_all(*objs: Any) -> tuple[Any, ...]:
    """Return several collections computed in one pass over their shared inputs.

    ``dask.compute`` reads a table once for every result that needs it; pandas
    objects are returned as they are.

    Parameters
    ----------
    *objs : Dask collections or pandas objects

    Returns
    -------
    tuple
        The results, in the order given.

    Examples
    --------
    >>> a, b = compute_all(pd.Series([1]), 2)
    >>> a.tolist(), b
    ([1], 2)
    """
    if not any(is_dask(o) for o in objs):
        return objs
    import dask  # optional: the dask extra

    return tuple(dask.compute(*objs))


def length(frame: Any) -> int:
    """Return the number of rows of a frame (counted on the cluster for Dask).

    Parameters
    ----------
    frame : Any
        A pandas or Dask DataFrame.

    Returns
    -------
    int
        The number of rows.

    Examples
    --------
    >>> length(pd.DataFrame({"a": [1, 2]}))
    2
    """
    return int(compute(frame.shape[0])) if is_dask(frame) else len(frame)


def aggregate(frame: Any, by: list[str], **aggs: tuple[str, str]) -> pd.DataFrame:
    """Return ``frame.groupby(by).agg(**aggs)`` computed, with ``by`` as columns, sorted by ``by``.

    Rows whose keys are null are left out (as pandas' ``groupby`` does by
    default). On Dask each partition is reduced where it lives and the partial
    results combined (tree reduction): only one row per group reaches this process.

    Parameters
    ----------
    frame : pandas or Dask DataFrame
    by : the key columns
    **aggs : named aggregations, ``name=(column, "size"|"sum"|"min"|"max"|"count"|"nunique"...)``
        (``nunique`` is computed from the column's own groupby: Dask's ``agg`` lacks it)

    Returns
    -------
    pandas.DataFrame
        One row per group: ``by`` then the named aggregates.

    Examples
    --------
    >>> df = pd.DataFrame({"k": [2, 1, 2], "v": [5, 6, 7]})
    >>> aggregate(df, ["k"], n=("v", "size"), top=("v", "max"), kinds=("v", "nunique")).values.tolist()
    [[1, 1, 6, 1], [2, 2, 7, 2]]
    """
    grouped = frame.groupby(by, sort=False)
    # Dask's agg has no "nunique": those are asked of the column's groupby, computed in the same pass
    plain = {name: spec for name, spec in aggs.items() if spec[1] != "nunique"}
    parts = [grouped.agg(**plain)] if plain else []
    parts += [
        grouped[col].nunique().rename(name) for name, (col, how) in aggs.items() if how == "nunique"
    ]
    done = compute_all(*parts)
    out = pd.concat([d if isinstance(d, pd.DataFrame) else d.to_frame() for d in done], axis=1)
    out = out[list(aggs)].reset_index()
    return out.sort_values(by, ignore_index=True, kind="stable")


def count_by(frame: Any, by: list[str], name: str = "n", dropna: bool = True) -> pd.DataFrame:
    """Return the number of rows per combination of ``by`` (computed), sorted by ``by``.

    Parameters
    ----------
    frame : pandas or Dask DataFrame
    by : the key columns
    name : the name of the count column
    dropna : leave out rows with a null key (default); ``False`` counts them as a group

    Returns
    -------
    pandas.DataFrame
        ``by`` and ``name`` (int64).

    Examples
    --------
    >>> df = pd.DataFrame({"lang": ["fr", None, "fr"]})
    >>> count_by(df, ["lang"], dropna=False)["n"].tolist()
    [2, 1]
    """
    sizes = compute(frame.groupby(by, sort=False, dropna=dropna).size())
    out = sizes.rename(name).reset_index()
    out[name] = out[name].astype("int64")
    return out.sort_values(by, ignore_index=True, kind="stable", na_position="last")


def distinct(frame: Any, columns: list[str]) -> pd.DataFrame:
    """Return the distinct rows of ``frame[columns]`` (computed), sorted by ``columns``.

    Parameters
    ----------
    frame : Any
        A pandas or Dask DataFrame.
    columns : list of str
        Columns whose distinct combinations are returned.

    Returns
    -------
    pandas.DataFrame
        The distinct rows, sorted, with a fresh index.

    Examples
    --------
    >>> distinct(pd.DataFrame({"a": [2, 1, 2]}), ["a"])["a"].tolist()
    [1, 2]
    """
    out = compute(frame[columns].drop_duplicates())
    return out.sort_values(columns, ignore_index=True, kind="stable")


def sorted_rows(frame: Any, key: list[str]) -> pd.DataFrame:
    """Return ``frame`` computed, sorted by ``key``, with a fresh index.

    For a filtered table brought back whole (an edge list): Dask gives its rows
    partition by partition, pandas in the table's order; sorting by the key makes
    both the same.

    Parameters
    ----------
    frame : Any
        A pandas or Dask DataFrame.
    key : list of str
        Columns to sort by.

    Returns
    -------
    pandas.DataFrame
        All rows, in memory, sorted.

    Examples
    --------
    >>> sorted_rows(pd.DataFrame({"a": [2, 1]}, index=[5, 6]), ["a"]).index.tolist()
    [0, 1]
    """
    return compute(frame).sort_values(key, ignore_index=True, kind="stable")


def column_values(frame: Any, column: str) -> Any:
    """Return the values of one column as a NumPy array (computed for Dask).

    For a small table's ids (the accounts) that filter a big one with ``isin``.

    Parameters
    ----------
    frame : Any
        A pandas or Dask DataFrame.
    column : str
        The column to read.

    Returns
    -------
    Any
        A NumPy array of the column's values, in row order.

    Examples
    --------
    >>> column_values(pd.DataFrame({"user_id": [3, 4]}), "user_id").tolist()
    [3, 4]
    """
    return compute(frame[column]).to_numpy()


def map_partitions(frame: Any, func: Any, *args: Any, meta: Any = None, **kwargs: Any) -> Any:
    """Return ``func(part, *args, **kwargs)`` for each partition of a Dask frame, or for a pandas one.

    For pandas code Dask has no lazy equivalent of (``Series.map`` of a Python
    function, period arithmetic, a sparse product): it runs on each partition
    where it lives; on pandas it runs once, on the whole frame. Dask infers the
    result's columns and types by running ``func`` on a made-up sample, unless
    ``meta`` (an empty frame or series of the result's shape) is given.

    Parameters
    ----------
    frame : pandas or Dask DataFrame or Series
    func : callable taking a pandas frame (or series) first
    *args, **kwargs : passed to ``func``
    meta : the result's empty pandas shape, for Dask (ignored for pandas)

    Returns
    -------
    pandas or Dask object
        Lazy for Dask; ``func``'s result for pandas.

    Examples
    --------
    >>> map_partitions(pd.Series([1, 2]), lambda s, k: s * k, 10).tolist()
    [10, 20]
    """
    if is_dask(frame):
        if meta is not None:
            kwargs["meta"] = meta
        return frame.map_partitions(func, *args, **kwargs)
    return func(frame, *args, **kwargs)


def partition_by(frame: Any, key: str | list[str]) -> Any:
    """Return ``frame`` with all rows of one ``key`` value in one partition (a Dask shuffle).

    Needed before :func:`map_partitions` when ``func`` must see every row of a
    key together (all the hashtags of one tweet); pandas frames are returned as
    they are (one partition holds everything).

    Parameters
    ----------
    frame : Any
        A pandas or Dask DataFrame.
    key : str or list of str
        Column(s) whose equal values must share a partition.

    Returns
    -------
    Any
        The shuffled Dask frame, or the pandas frame unchanged.

    Examples
    --------
    >>> partition_by(pd.DataFrame({"k": [1]}), "k")["k"].tolist()
    [1]
    """
    return frame.shuffle(on=key) if is_dask(frame) else frame


def period_start(times: pd.Series, freq: str) -> pd.Series:
    """Return the start of the period (UTC wall time) each timestamp falls in.

    A plain timestamp rather than a pandas ``Period``, so that Dask can group
    by it; ``.dt.to_period(freq)`` gives the period back.

    Parameters
    ----------
    times : pandas.Series
        UTC timestamps.
    freq : str
        A pandas period frequency (``"Y"``, ``"M"``, ``"W-SUN"``).

    Returns
    -------
    pandas.Series
        Naive timestamps, the first instant of each period.

    Examples
    --------
    >>> period_start(pd.Series(pd.to_datetime(["2020-05-17 10:00"], utc=True)), "M").tolist()
    [Timestamp('2020-05-01 00:00:00')]
    """
    if times.dt.tz is not None:
        times = times.dt.tz_convert("UTC").dt.tz_localize(None)
    return times.dt.to_period(freq).dt.start_time
