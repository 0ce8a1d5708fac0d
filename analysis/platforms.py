"""One contract, three platforms: X, Bluesky and Mastodon rows in the same tables.

X ids are positive 64-bit integers and are the tables' keys as they are
(:func:`analysis.contract.parse_id`). Bluesky and Mastodon identifiers are not
integers: a Bluesky account is a DID (``did:plc:z72i7hdynmk6r22z27h6tvur``), a post
an ``at://`` URI; a Mastodon account is ``user@instance`` and a status id is
local to the instance that served it. Their exact text is kept in the
``native_id`` column of ``users`` and ``tweets``; the integer key the analyses
use (``user_id``, ``tweet_id`` and every column referring to them) is derived
from (platform, native id) by a keyed 64-bit hash, mapped into the **negative**
int64 range, which X ids never use: keys of different platforms never collide
with X ids, and the platform is part of what is hashed.

Two native ids of one platform whose keys coincide would merge two accounts or
posts: :class:`KeyRegistry` refuses that, at ingest, with
:class:`KeyCollisionError` (a one-line error), never a silent merge.

Decisions
---------
- ``platform`` is a column of ``users`` and ``tweets`` only. ``follows``,
  ``hashtags``, ``mentions`` and ``urls`` rows refer to a user or tweet key, and
  keys are disjoint across platforms (X positive; the others hashed with their
  platform), so their platform is their account's or tweet's: a join, not a
  repeated column.
- X rows have ``platform = 'x'`` and ``native_id`` null (the key *is* the native
  id); datasets written before these columns existed read that way.
- Mastodon statuses are qualified by the instance that served them
  (``mastodon.social/statuses/110000000000000001``): the same remote status seen
  through two instances is two rows (their ids differ), as the API shows it.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from analysis.contract import InvalidIdError, parse_id, x_link
from analysis.errors import MedtwitterError

if TYPE_CHECKING:  # pandas is imported where used: ingest reads pages with pyarrow alone
    import pandas as pd

    from analysis.tables import Tables

X, BLUESKY, MASTODON = "x", "bluesky", "mastodon"
#: The platforms a dataset may hold, as the ``platform`` column writes them.
PLATFORMS: tuple[str, ...] = (X, BLUESKY, MASTODON)
#: The smallest key (int64's minimum): derived keys are from MIN_KEY to -1.
MIN_KEY = -(2**63)
_HASH_KEY = b"medtwitter platform keys v1"


class KeyCollisionError(MedtwitterError):
    """Two native ids of one platform would share an integer key."""


def native_key(platform: str, native_id: str) -> int:
    """Return the integer key of a Bluesky or Mastodon account or post: negative int64.

    A keyed BLAKE2b hash (8 bytes) of the platform and the native id, mapped to
    ``-1 .. -2^63``. X ids are not hashed: use :func:`analysis.contract.parse_id`.

    Parameters
    ----------
    platform : str
        ``"bluesky"`` or ``"mastodon"`` (X ids are not hashed).
    native_id : str
        The platform's own id (a Bluesky DID or post URI, a Mastodon account or status id); not
        empty.

    Returns
    -------
    int
        The derived key, from ``MIN_KEY`` to -1; the same for the same platform and id.

    Raises
    ------
    ValueError
        If ``platform`` has no derived keys or ``native_id`` is not a non-empty string.

    Examples
    --------
    >>> k = native_key("bluesky", "did:plc:z72i7hdynmk6r22z27h6tvur")
    >>> MIN_KEY <= k <= -1, k == native_key("mastodon", "did:plc:z72i7hdynmk6r22z27h6tvur")
    (True, False)
    """
    if platform not in (BLUESKY, MASTODON):
        raise ValueError(f"no derived keys for platform {platform!r}; use one of bluesky, mastodon")
    if not isinstance(native_id, str) or not native_id:
        raise ValueError(f"a {platform} native id must be a non-empty string, not {native_id!r}")
    digest = hashlib.blake2b(
        f"{platform}\x00{native_id}".encode(), digest_size=8, key=_HASH_KEY
    ).digest()
    return -(int.from_bytes(digest, "big") >> 1) - 1


def parse_key(value: object, platform: str) -> int:
    """Return a key as a page of ``platform`` gives it: an X id, or a derived (negative) key.

    Parameters
    ----------
    value : object
        The id as the page holds it: a JSON integer or a string of digits (negative for derived
        keys).
    platform : str
        The page's platform: ``"x"``, ``"bluesky"`` or ``"mastodon"``.

    Returns
    -------
    int
        The key: positive for X, from ``MIN_KEY`` to -1 for the other platforms.

    Raises
    ------
    analysis.contract.InvalidIdError
        If ``value`` is not a valid id or key of ``platform``.

    Examples
    --------
    >>> parse_key("12", "x"), parse_key(-5, "bluesky")
    (12, -5)
    >>> parse_key("-5", "x")
    Traceback (most recent call last):
    ...
    analysis.contract.InvalidIdError: '-5' is not an X id (a JSON integer or ASCII digits, 1 to 2^63-1)
    """
    if platform == X:
        return parse_id(value)
    number = None
    if type(value) is int:
        number = value
    elif isinstance(value, str) and value[:1] == "-" and value[1:].isascii():
        number = int(value) if value[1:].isdigit() and len(value) <= 20 else None
    if number is None or not MIN_KEY <= number <= -1:
        raise InvalidIdError(
            f"{str(value)[:40]!r} is not a {platform} key (an integer from -2^63 to -1)"
        )
    return number


def check_platform(value: object) -> str:
    """Return a page's platform (``x`` when it names none); ValueError for an unknown one.

    Parameters
    ----------
    value : object
        The page's ``platform`` field; None when the page has none.

    Returns
    -------
    str
        One of ``PLATFORMS``; ``"x"`` for None.

    Raises
    ------
    ValueError
        If ``value`` names no known platform.
    """
    if value is None:
        return X
    if value not in PLATFORMS:
        raise ValueError(f"unknown platform {str(value)[:40]!r}; use one of {', '.join(PLATFORMS)}")
    return value


class NativePage:
    """Build a v2-shaped page from a platform's response.

    It holds the users and posts by key, and the native id behind every key (the converters of
    Bluesky and Mastodon share it).
    """

    platform: str = X

    def __init__(self) -> None:
        self.users: dict[str, dict] = {}
        self.tweets: dict[str, dict] = {}
        self.native: dict[str, str] = {}

    def key(self, native_id: str | None) -> str | None:
        """Return the key of ``native_id`` on this page's platform, as text, recorded (None for none).

        Parameters
        ----------
        native_id : str or None
            The platform's own id of an account or post; None or empty for no id.

        Returns
        -------
        str or None
            The derived key as text (as v2 pages write ids), or None without an id.
        """
        if not native_id:
            return None
        key = str(native_key(self.platform, native_id))
        self.native[key] = native_id
        return key


class KeyRegistry:
    """The (platform, native id) of every derived key seen in one ingest: collisions are errors.

    Examples
    --------
    >>> reg = KeyRegistry()
    >>> reg.key("bluesky", "did:plc:abc") == reg.key("bluesky", "did:plc:abc")
    True
    """

    def __init__(self) -> None:
        self._seen: dict[int, tuple[str, str]] = {}

    def add(self, key: int, platform: str, native_id: str) -> None:
        """Record that ``key`` stands for ``native_id``; :class:`KeyCollisionError` if another.

        Parameters
        ----------
        key : int
            The derived key found on a page.
        platform : str
            ``"bluesky"`` or ``"mastodon"`` (X ids are not hashed).
        native_id : str
            The platform's own id (a Bluesky DID or post URI, a Mastodon account or status id); not
            empty.

        Raises
        ------
        analysis.contract.InvalidIdError
            If ``key`` is not the key of ``native_id``.
        KeyCollisionError
            If another native id already has this key.
        """
        if key != native_key(platform, native_id):
            raise InvalidIdError(
                f"key {key} is not the {platform} key of {native_id[:60]!r}; "
                "re-collect or re-convert the page"
            )
        previous = self._seen.setdefault(key, (platform, native_id))
        if previous != (platform, native_id):
            raise KeyCollisionError(
                f"{platform} ids {previous[1][:60]!r} and {native_id[:60]!r} would share the "
                f"key {key}; they are not merged: report this collision (ingest them into "
                "separate datasets meanwhile)."
            )

    def key(self, platform: str, native_id: str) -> int:
        """Return the key of ``native_id`` (:func:`native_key`), recorded.

        Parameters
        ----------
        platform : str
            ``"bluesky"`` or ``"mastodon"`` (X ids are not hashed).
        native_id : str
            The platform's own id (a Bluesky DID or post URI, a Mastodon account or status id); not
            empty.

        Returns
        -------
        int
            The derived key (see :func:`native_key`).

        Raises
        ------
        KeyCollisionError
            If another native id already has this key.
        """
        key = native_key(platform, native_id)
        self.add(key, platform, native_id)
        return key

    def __len__(self) -> int:
        """Return the number of keys seen."""
        return len(self._seen)

    def keys(self) -> list[int]:
        """Every key recorded, in the order first seen."""
        return list(self._seen)


# --------------------------------------------------------------------------- same person, two platforms

_URL = re.compile(r"(?:https?://|www\.)\S+|\b(?:x|twitter)\.com/\S+", re.IGNORECASE)
_X_NAMED = re.compile(
    r"(?:\b(?:x|twitter)\b|𝕏|🐦)\s*[:：/-]?\s*@([A-Za-z0-9_]{1,15})\b", re.IGNORECASE
)
_BSKY = re.compile(r"bsky\.app/profile/([\w.-]+)|@?\b([\w-]+(?:\.[\w-]+)*\.bsky\.social)\b", re.I)
_MASTODON_ACCT = re.compile(r"(?<![\w/])@?([A-Za-z0-9_]{1,30})@([\w-]+(?:\.[\w-]+)+)")
_MASTODON_URL = re.compile(r"https?://([\w-]+(?:\.[\w-]+)+)/@([A-Za-z0-9_]{1,30})\b")


def _handle_key(platform: str, username: str) -> str:
    """Return a handle's comparable core: lower case, without ``_``/``-``, the platform's domain part."""
    local = username.lower()
    if platform == BLUESKY:
        local = local.removesuffix(".bsky.social").split(".")[0]
    elif platform == MASTODON:
        local = local.split("@")[0]
    return re.sub(r"[_\-]", "", local)


def _named_accounts(bio: str) -> list[tuple[str, str, str]]:
    """(platform, handle, how it is named) of the accounts a bio names on the three platforms."""
    found = []
    for url in _URL.findall(bio):
        handle, _ = x_link(url.rstrip(").,;"))
        if handle:
            found.append((X, handle.lower(), f"links to x.com/{handle}"))
    found += [(X, h.lower(), f"names X @{h}") for h in _X_NAMED.findall(bio)]
    for profile, bare in _BSKY.findall(bio):
        handle = (profile or bare).lower().rstrip(".")
        found.append((BLUESKY, handle, f"names Bluesky {handle}"))
    for host, user in _MASTODON_URL.findall(bio):
        found.append((MASTODON, f"{user}@{host}".lower(), f"links to {host}/@{user}"))
    for user, host in _MASTODON_ACCT.findall(bio):
        if not host.lower().endswith("bsky.social"):
            found.append((MASTODON, f"{user}@{host}".lower(), f"names @{user}@{host}"))
    return found


def same_person_accounts(users: pd.DataFrame, anonymise: bool = False) -> pd.DataFrame:
    """Find likely same-person accounts across platforms, with their evidence.

    Evidence, strongest first: a bio (a Mastodon profile's fields included) linking to
    or naming the other account (``x.com/dr_a``, ``X: @dr_a``, ``dr-a.bsky.social``,
    ``@dr_a@piaille.fr``; 2 points, 4 when both bios name each other), and the same
    handle core on both (``dr_a``, ``dr-a.bsky.social``, ``dr_a@piaille.fr``; 1 point).
    A pair of one platform is never listed. ``users`` is the contract's ``users``
    table (a dataset may hold several platforms). ``anonymise``: the evidence says
    which kind matched (``the bluesky bio links to the x account``, ``same handle
    core``), never a handle; :func:`platform_pairs_from_tables` adds the pseudonyms.

    Parameters
    ----------
    users : pd.DataFrame
        The contract's ``users`` table (with ``platform``, ``username``, ``description``).
    anonymise : bool
        Evidence worded by kind only, never a handle.

    Returns
    -------
    pd.DataFrame
        ``user_id_a``, ``platform_a``, ``username_a``, ``user_id_b``, ``platform_b``,
        ``username_b``, ``score``, ``evidence`` (reasons joined by "; "), strongest first.

    Examples
    --------
    >>> import pandas as pd
    >>> users = pd.DataFrame({"user_id": [5, -9], "platform": ["x", "bluesky"],
    ...     "username": ["Dr_Tortue", "dr-tortue.bsky.social"],
    ...     "description": ["", "aussi sur x.com/dr_tortue"]})
    >>> same_person_accounts(users)[["username_a", "username_b", "score"]].values.tolist()
    [['dr-tortue.bsky.social', 'Dr_Tortue', 3]]
    """
    import pandas as pd  # lazy: pandas, ~0.35 s; ingest imports this module

    columns = [
        "user_id_a",
        "platform_a",
        "username_a",
        "user_id_b",
        "platform_b",
        "username_b",
        "score",
        "evidence",
    ]
    frame = users[users["username"].notna()]
    platform = frame["platform"] if "platform" in frame.columns else pd.Series(X, frame.index)
    platform = platform.astype(object).where(platform.notna(), X)
    bios = frame["description"].astype(object).where(frame["description"].notna(), "")
    rows = list(zip(frame["user_id"], platform, frame["username"], bios, strict=True))
    by_handle = {(p, h.lower()): (uid, h) for uid, p, h, _ in rows}
    by_core: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for uid, p, h, _ in rows:
        core = _handle_key(p, h)
        if len(core) >= 4:
            by_core.setdefault((p, core), []).append((uid, h))
    pairs: dict[tuple, dict] = {}

    def note(a: tuple[int, str, str], b: tuple[int, str, str], points: int, why: str) -> None:
        """Add evidence that accounts ``a`` and ``b`` are one person, once per reason.

        Parameters
        ----------
        a, b : tuple of (int, str, str)
            The two accounts as ``(user_id, platform, username)``.
        points : int
            Points the evidence adds to the pair's score.
        why : str
            The reason, as listed in ``evidence``.
        """
        key = tuple(sorted([a, b]))
        entry = pairs.setdefault(key, {"score": 0, "evidence": []})
        if why not in entry["evidence"]:
            entry["score"] += points
            entry["evidence"].append(why)

    for uid, p, h, bio in rows:
        for other_platform, handle, how in _named_accounts(bio):
            target = by_handle.get((other_platform, handle))
            if other_platform != p and target is not None:
                verb = how.split()[0] + (" to" if how.startswith("links") else "")
                why = (
                    f"the {p} bio {verb} the {other_platform} account"
                    if anonymise
                    else f"{h}'s bio {how}"
                )
                note((uid, p, h), (target[0], other_platform, target[1]), 2, why)
        for other in PLATFORMS:
            if other == p:
                continue
            for tid, th in by_core.get((other, _handle_key(p, h)), ()):
                why = "same handle core" if anonymise else f"same handle ({_handle_key(p, h)})"
                note((uid, p, h), (tid, other, th), 1, why)
    out = [
        {
            "user_id_a": a[0],
            "platform_a": a[1],
            "username_a": a[2],
            "user_id_b": b[0],
            "platform_b": b[1],
            "username_b": b[2],
            "score": e["score"],
            "evidence": "; ".join(e["evidence"]),
        }
        for (a, b), e in pairs.items()
    ]
    result = pd.DataFrame(out, columns=columns)
    return result.sort_values(
        ["score", "username_a", "username_b"], ascending=[False, True, True], ignore_index=True
    )


def platform_pairs_from_tables(tables: Tables) -> pd.DataFrame:
    """Find a dataset's same-person accounts (:func:`same_person_accounts`), anonymised or not.

    On anonymised tables (``load_dataset(..., anonymise=True)``) the pairs are found
    on the real profiles before pseudonymisation (a bio naming the other account is
    what is compared), then keyed by pseudonymous ids and handles, their evidence
    worded by kind only (``same_person_accounts(..., anonymise=True)``).

    Parameters
    ----------
    tables : Tables
        The dataset's tables (:func:`analysis.tables.load_dataset`).

    Returns
    -------
    pd.DataFrame
        :func:`same_person_accounts`' columns.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> len(platform_pairs_from_tables(tiny_tables()))
    0
    """
    derived = getattr(tables, "derived", None)
    if not tables.meta.get("anonymised"):
        return same_person_accounts(tables.users)
    # lazy: pandas, ~0.35 s; ingest imports this module
    from analysis.privacy.tables import ProfileDerived

    if not isinstance(derived, ProfileDerived):
        raise ValueError(
            "anonymised tables without their real profiles: load them with "
            "load_dataset(..., anonymise=True)"
        )
    p = derived._p  # the key and allow-list the tables were pseudonymised with
    pairs = same_person_accounts(derived._users, anonymise=True)
    for side in ("a", "b"):
        ids = pairs[f"user_id_{side}"]
        pairs[f"username_{side}"] = [
            p.handle(h, int(u)) for h, u in zip(pairs[f"username_{side}"], ids, strict=True)
        ]
        pairs[f"user_id_{side}"] = [p.user_id(int(u)) for u in ids]
    if pairs.empty:
        pairs = pairs.astype({"user_id_a": "int64", "user_id_b": "int64"})
    return pairs.sort_values(
        ["score", "username_a", "username_b"], ascending=[False, True, True], ignore_index=True
    )
