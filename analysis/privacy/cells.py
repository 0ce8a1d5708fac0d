"""Small cells: suppress or merge groups of fewer than k accounts in anonymised outputs."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

#: Smallest number of accounts a cell of an anonymised table or chart may describe.
DEFAULT_K = 5


def suppress_small_cells(
    table: pd.DataFrame, k: int = DEFAULT_K, columns: Iterable[str] | None = None
) -> pd.DataFrame:
    """Blank out counts of 1 to ``k - 1`` accounts (zero cells single nobody out and stay).

    ``columns`` are the count columns (default: every integer column). Suppressed
    cells become ``<NA>`` in a nullable ``Int64`` column.

    Parameters
    ----------
    table : pandas.DataFrame
        Table of counts of accounts.
    k : int, default DEFAULT_K
        Smallest count shown.
    columns : Iterable of str or None, optional
        Count columns to check; None takes every integer column.

    Returns
    -------
    pandas.DataFrame
        A copy with small counts blanked.

    Examples
    --------
    >>> t = pd.DataFrame({"role": ["nurse", "midwife", "dentist"], "accounts": [12, 3, 0]})
    >>> suppress_small_cells(t)["accounts"].tolist()
    [12, <NA>, 0]
    """
    out = table.copy()
    cols = (
        list(columns)
        if columns is not None
        else [c for c in out.columns if pd.api.types.is_integer_dtype(out[c])]
    )
    for col in cols:
        values = out[col].astype("Int64")
        out[col] = values.mask((values > 0) & (values < k))
    return out


def merge_small_groups(
    counts: pd.Series, k: int = DEFAULT_K, other: str = "other (merged small groups)"
) -> pd.Series:
    """Merge groups of fewer than ``k`` accounts into one ``other`` group.

    If the merged group itself holds fewer than ``k`` accounts it is suppressed
    (``<NA>``), so it cannot be subtracted back out of a total.

    Parameters
    ----------
    counts : pandas.Series
        Accounts per group.
    k : int, default DEFAULT_K
        Smallest group kept on its own.
    other : str, default "other (merged small groups)"
        Name of the merged group.

    Returns
    -------
    pandas.Series
        Counts with small groups merged (nullable Int64).

    Examples
    --------
    >>> s = pd.Series({"physician": 40, "midwife": 3, "dentist": 4})
    >>> merge_small_groups(s).to_dict()
    {'physician': 40, 'other (merged small groups)': 7}
    """
    counts = counts.astype("Int64")
    small = (counts > 0) & (counts < k)
    if not small.any():
        return counts
    kept = counts[~small]
    merged = int(counts[small].sum())
    value = merged if merged >= k else pd.NA
    return pd.concat([kept, pd.Series({other: value}, dtype="Int64")])
