"""Purge, the accounts asked for: ids or handles, found in the dataset or refused.

``medtwitter purge --user ID|@HANDLE`` removes accounts the dataset holds. An id
or handle that names no account of the dataset (a typo, another dataset's
account) makes the whole command refuse, naming the absent ones, before any
file or table changes: "purged 1 account(s)" for an account that was never there
would tell a person asking to be removed that they were.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from analysis.contract import InvalidIdError, parse_id
from analysis.errors import MedtwitterError, UsageError
from analysis.tables import load_arrow

#: Columns that hold an account's id, by table: an id found in one is in the dataset.
ID_COLUMNS = {
    "users": ["user_id"],
    "user_snapshots": ["user_id"],
    "follows": ["follower_id", "followed_id"],
    "tweets": ["author_id", "reply_to_user_id"],
    "mentions": ["user_id"],
}
_HANDLE = re.compile(r"@?[A-Za-z0-9_]{1,50}")
#: Tables whose ``username`` names the account of ``user_id``: current handles first.
HANDLE_TABLES = ("users", "user_snapshots", "mentions")


class AccountNotFoundError(MedtwitterError):
    """An account to purge that the dataset does not hold (exit status 1)."""


def parse_account(value: str) -> int | str:
    """Return an account given on the command line: an X id (digits), else a handle without ``@``.

    A handle is ASCII letters, digits and ``_`` (``@`` optional); anything else
    raises :class:`UsageError`.

    Parameters
    ----------
    value : str
        One ``--user`` value: an X id in ASCII digits, or a handle with or without ``@``.

    Returns
    -------
    int or str
        The id as an int, or the handle without ``@`` (case kept).

    Raises
    ------
    UsageError
        If ``value`` is neither a valid X id (1 to 2^63-1) nor a handle.

    Examples
    --------
    >>> parse_account("1460323737035677698"), parse_account("@Dr_Tortue")
    (1460323737035677698, 'Dr_Tortue')
    >>> parse_account("-12")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    analysis.errors.UsageError: '-12' is not an X id (ASCII digits, 1 to 2^63-1) nor a handle ...
    """
    text = value.strip()
    if text.lstrip("+-").isdigit():
        try:
            return parse_id(text)
        except InvalidIdError:
            pass
    elif _HANDLE.fullmatch(text):
        return text.lstrip("@")
    raise UsageError(
        f"{value!r} is not an X id (ASCII digits, 1 to 2^63-1) nor a handle (letters, digits, _); "
        "give --user 1460323737035677698 or --user @handle."
    )


def present_ids(dataset: str, user_ids: Iterable[int]) -> set[int]:
    """Return the ids among ``user_ids`` that the dataset's latest version holds (:data:`ID_COLUMNS`).

    Parameters
    ----------
    dataset : str
        The dataset's name, under the data root's ``processed/``.
    user_ids : Iterable of int
        Account ids to look for.

    Returns
    -------
    set of int
        The ids found in an id column of its tables, or as the resource of a ``missing`` row.

    Examples
    --------
    >>> present_ids("demo", [1460323737035677698])  # doctest: +SKIP
    set()
    """
    wanted = set(user_ids)
    found: set[int] = set()
    value_set = pa.array(sorted(wanted), pa.int64())
    for name, columns in ID_COLUMNS.items():
        if found == wanted:
            break
        table = load_arrow(dataset, name, columns)
        for column in columns:
            hit = pc.fill_null(pc.is_in(table[column], value_set=value_set), False)
            found.update(pc.filter(table[column], hit).to_pylist())
    if found != wanted:  # errors about an account the API would not serve (suspended...)
        missing = load_arrow(dataset, "missing", ["resource_id"])["resource_id"]
        rest = pa.array(sorted(str(i) for i in wanted - found), pa.string())
        hit = pc.fill_null(pc.is_in(missing, value_set=rest), False)
        found.update(int(i) for i in pc.filter(missing, hit).to_pylist())
    return found


def handle_ids(dataset: str, handles: Iterable[str]) -> dict[str, int]:
    """Return the account id of each handle the dataset knows (any case, ``@`` optional).

    A current handle (``users``) wins over a former one (``user_snapshots``) and
    over a handle seen only in mentions. A handle that named several accounts
    (a former handle taken again) raises :class:`UsageError`: give the id.

    Parameters
    ----------
    dataset : str
        The dataset's name.
    handles : Iterable of str
        Handles to look up, with or without ``@``, in any case.

    Returns
    -------
    dict of str to int
        Each handle found (as given, without ``@``) to its account id; handles the
        dataset does not know are left out.

    Raises
    ------
    UsageError
        If a handle names several accounts of the dataset.
    """
    wanted = {h.lstrip("@").lower(): h.lstrip("@") for h in handles}  # as utf8_lower folds
    found: dict[str, int] = {}
    for name in HANDLE_TABLES:
        rest = [h for h in wanted if h not in found]
        if not rest:
            break
        table = load_arrow(dataset, name, ["user_id", "username"])
        folded = pc.utf8_lower(table["username"])
        hit = pc.fill_null(pc.is_in(folded, value_set=pa.array(rest, pa.string())), False)
        hit = pc.and_(hit, pc.is_valid(table["user_id"]))
        ids: dict[str, set[int]] = {}
        for uid, username in zip(
            pc.filter(table["user_id"], hit).to_pylist(),
            pc.filter(folded, hit).to_pylist(),
            strict=True,
        ):
            ids.setdefault(username, set()).add(uid)
        for handle, owners in ids.items():
            if len(owners) > 1:
                listed = ", ".join(str(i) for i in sorted(owners))
                raise UsageError(
                    f"@{wanted[handle]} names several accounts of dataset {dataset!r} (ids "
                    f"{listed}); give --user with the id of the one to purge."
                )
            found[handle] = owners.pop()
    return {wanted[h]: uid for h, uid in found.items()}


def unfinished_purge(manifest: dict | None) -> bool:
    """Whether the dataset's last purge stopped after its commit, before the older files went.

    A purge commits its version, then deletes every older one (all marked
    dropped); an older version still readable after a purge means it was cut
    short, and running it again finishes the job even for accounts already gone
    from the latest version.

    Parameters
    ----------
    manifest : dict or None
        The dataset's manifest (:func:`analysis.store.read_manifest`); None for a
        dataset without one.

    Returns
    -------
    bool
        True if the latest version was written by ``purge`` and an older version is not dropped.

    Examples
    --------
    >>> unfinished_purge({"versions": [{"version": 0}, {"version": 1, "command": "purge"}]})
    True
    >>> unfinished_purge({"versions": [{"version": 0, "dropped": "a purge..."},
    ...                                 {"version": 1, "command": "purge"}]})
    False
    """
    versions = (manifest or {}).get("versions", [])
    return (
        bool(versions)
        and versions[-1].get("command") == "purge"
        and any(not entry.get("dropped") for entry in versions[:-1])
    )


def check_present(
    dataset: str, user_ids: set[int], handles: Iterable[str], manifest: dict | None
) -> set[int]:
    """Return the ids of the accounts to purge; :class:`AccountNotFoundError` if one is not in the dataset.

    Every id (:func:`present_ids`) and handle (:func:`handle_ids`) must name an
    account of the dataset's latest version, else the whole purge is refused,
    naming the absent ones, before anything changes. Ids already gone are
    accepted when the last purge was cut short (:func:`unfinished_purge`), so that
    running it again finishes it.

    Parameters
    ----------
    dataset : str
        The dataset's name.
    user_ids : set of int
        Account ids given with ``--user``.
    handles : Iterable of str
        Handles given with ``--user``, with or without ``@``.
    manifest : dict or None
        The dataset's manifest, to tell a purge cut short (:func:`unfinished_purge`).

    Returns
    -------
    set of int
        ``user_ids`` together with the ids of the handles.

    Raises
    ------
    AccountNotFoundError
        If an id or handle names no account of the dataset's latest version.
    UsageError
        If a handle names several accounts.
    """
    handles = list(handles)
    by_handle = handle_ids(dataset, handles) if handles else {}
    absent = [f"@{h.lstrip('@')}" for h in handles if h not in by_handle]
    if not unfinished_purge(manifest):
        absent = [str(i) for i in sorted(user_ids - present_ids(dataset, user_ids))] + absent
    if absent:
        raise AccountNotFoundError(
            f"not in dataset {dataset!r}: {', '.join(absent)}; nothing was purged. Check the ids "
            f"and handles (`medtwitter accounts {dataset}` lists the dataset's accounts)."
        )
    return user_ids | set(by_handle.values())
