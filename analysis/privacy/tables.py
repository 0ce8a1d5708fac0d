"""Anonymised tables: pseudonyms everywhere, protected text blanked, profile-derived frames kept safe."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

import pandas as pd

from analysis.privacy.keys import key_fingerprint
from analysis.privacy.pseudonyms import (
    _LONG_NUMBER_RE,
    RETWEET_RE,
    STATUS_RE,
    Pseudonymiser,
    _map_ids,
    anonymise_frame,
    pseudonymiser_for,
)
from analysis.tables import Tables


def protected_tweet_ids(tables: Tables) -> set[int]:
    """Ids of tweets whose text must never be shown.

    * tweets by protected accounts;
    * retweets and quotes of them, whether the original was collected or not;
    * retweets and quotes of an account the dataset no longer holds (purged,
      removed after a compliance run) or whose author cannot be told: the
      original may not have been public.

    The author of an original that was not collected is read from the
    retweet's ``RT @handle:`` or from the quote's ``twitter.com/handle/status/id``
    address, and looked up in ``users``.

    Parameters
    ----------
    tables : Tables
        A loaded dataset.

    Returns
    -------
    set of int
        The tweet ids.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> sorted(protected_tweet_ids(tiny_tables()))  # 'anon' is protected: its retweet goes
    [12]
    """
    users, tw = tables.users, tables.tweets
    if tw.empty:
        return set()
    prot = users["protected"].fillna(False).astype(bool) if "protected" in users else False
    protected = set(users.loc[prot, "user_id"].astype("int64"))
    public = set(users.loc[~prot, "user_id"].astype("int64")) if len(users) else set()
    by_handle = {
        str(h).lower(): int(u)
        for h, u in zip(users.get("username", []), users.get("user_id", []), strict=True)
        if isinstance(h, str)
    }
    authors = dict(zip(tw["tweet_id"].astype("int64"), tw["author_id"], strict=True))
    own = tw["author_id"].isin(protected).fillna(False).astype(bool)
    hidden = set(tw.loc[own, "tweet_id"].astype("int64"))
    for col, pattern in (("retweet_of_tweet_id", RETWEET_RE), ("quote_of_tweet_id", STATUS_RE)):
        if col not in tw.columns:
            continue
        refs = tw.loc[tw[col].notna(), ["tweet_id", col, "text"]]
        for tid, ref, text in zip(refs["tweet_id"], refs[col], refs["text"], strict=True):
            author = authors.get(int(ref))
            if author is None or pd.isna(author):  # original not collected: read its author
                author = _referenced_author(text, int(ref), pattern, by_handle)
            if author is None or int(author) not in public:
                hidden.add(int(tid))
    return hidden


def _referenced_author(text, ref: int, pattern: re.Pattern, by_handle: dict) -> int | None:
    """Return the user id of a retweeted or quoted account, read from the text; None if unknown."""
    if not isinstance(text, str):
        return None
    for m in pattern.finditer(text):
        if pattern is STATUS_RE and int(m.group(2)) != ref:
            continue
        return by_handle.get(m.group(1).lower())
    return None


#: Marks a frame of anonymised tables (``frame.attrs``): the readers of real profiles refuse it.
ANONYMISED_ATTR = "medtwitter_anonymised"


def is_anonymised(frame: pd.DataFrame) -> bool:
    """Return whether ``frame`` comes from anonymised tables (or is cut from them).

    Parameters
    ----------
    frame : pandas.DataFrame
        Any frame.

    Returns
    -------
    bool
        True if the frame carries the anonymised mark.

    Examples
    --------
    >>> is_anonymised(pd.DataFrame({"user_id": [1]}))
    False
    """
    return bool(getattr(frame, "attrs", {}).get(ANONYMISED_ATTR, False))


def _mark(frame: pd.DataFrame) -> pd.DataFrame:
    frame.attrs[ANONYMISED_ATTR] = True
    return frame


def _drop_locations(users: pd.DataFrame, p: Pseudonymiser) -> pd.DataFrame:
    """Profile locations blanked (allow-listed institutions keep theirs, persons' places out)."""
    if "location" not in users.columns or users.empty:
        return users
    keep = users["username"].map(lambda h: p.allowed(h) if isinstance(h, str) else False)
    users["location"] = [
        p.without_places(loc) if k and isinstance(loc, str) else None
        for loc, k in zip(users["location"], keep.astype(bool), strict=True)
    ]  # an institution's place that is also a person's goes too
    return users


class ProfileDerived:
    """What anonymised tables need from the real profiles, computed once when first asked.

    Role and identity labels read real display names and bios, and likely pairs
    of accounts compare real name parts and locations: computed on pseudonyms,
    they would be wrong. :func:`anonymise_tables` hands this object the real
    ``users`` and ``follows`` and the pseudonymiser; it returns only frames keyed
    by pseudonyms, with reasons and evidence worded without any name, place or
    handle (``anonymise=True`` of :func:`~analysis.accounts.label_users` and
    :func:`~analysis.accounts.pairs.find_pairs`). Reach it through
    :func:`analysis.accounts.labels_from_tables` and
    :func:`analysis.accounts.pairs_from_tables`.
    """

    def __init__(self, users: pd.DataFrame, follows: pd.DataFrame, p: Pseudonymiser) -> None:
        self._users, self._follows, self._p = users, follows, p
        self._labels: pd.DataFrame | None = None
        self._real_labels: pd.DataFrame | None = None
        self._pairs: pd.DataFrame | None = None

    def __repr__(self) -> str:
        """Return a summary that never shows the real profiles."""
        return f"<profile-derived frames of {len(self._users)} pseudonymised accounts>"

    def labels(self) -> pd.DataFrame:
        """:func:`~analysis.accounts.label_users` of the real profiles, keyed by pseudonyms."""
        if self._labels is None:
            # lazy: import cycle with analysis.accounts.classify
            from analysis.accounts.classify import label_users

            self._real_labels = label_users(self._users, anonymise=True)
            self._labels = anonymise_frame(self._real_labels, self._p)
        return _mark(self._labels.copy())

    def pairs(self, min_score: int = 3) -> pd.DataFrame:
        """:func:`~analysis.accounts.pairs.find_pairs` of the real profiles, keyed by pseudonyms.

        Parameters
        ----------
        min_score : int, default 3
            Lowest pair score listed (see :func:`~analysis.accounts.pairs.find_pairs`).

        Returns
        -------
        pandas.DataFrame
            The pairs, with pseudonymous ids and handles.
        """
        if self._pairs is None or self._pairs.attrs.get("min_score") != min_score:
            # lazy: import cycle with analysis.accounts.classify
            from analysis.accounts.pairs import find_pairs

            self.labels()
            pairs = find_pairs(
                self._users, self._follows, self._real_labels, min_score=min_score, anonymise=True
            )
            p = self._p
            for side in ("a", "b"):
                ids = pairs[f"user_id_{side}"]
                pairs[f"username_{side}"] = [
                    p.handle(h, int(u)) if isinstance(h, str) else h
                    for h, u in zip(pairs[f"username_{side}"], ids, strict=True)
                ]
                pairs[f"user_id_{side}"] = _map_ids(ids, p.user_id)
            pairs = pairs.sort_values(
                ["score", "username_a", "username_b"],
                ascending=[False, True, True],
                ignore_index=True,
            )
            pairs.attrs["min_score"] = min_score
            self._pairs = pairs
        return _mark(self._pairs.copy())


def match_pseudonyms(frame: pd.DataFrame, tables: Tables) -> pd.DataFrame:
    """``frame`` keyed like ``tables``: pseudonymised with the same key when they are anonymised.

    For frames from outside the tables that hold real ids (a demo's ground
    truth), so they still join the anonymised tables; unchanged otherwise.

    Parameters
    ----------
    frame : pandas.DataFrame
        A frame with real ids (user_id, tweet_id...).
    tables : Tables
        The tables it will be joined with.

    Returns
    -------
    pandas.DataFrame
        frame pseudonymised with the tables' key, or frame itself if they are not anonymised.

    Examples
    --------
    >>> from analysis.graph import tiny_tables
    >>> match_pseudonyms(pd.DataFrame({"user_id": [1]}), tiny_tables())["user_id"].tolist()
    [1]
    """
    if not tables.meta.get("anonymised"):
        return frame
    derived = getattr(tables, "derived", None)
    p = derived._p if isinstance(derived, ProfileDerived) else pseudonymiser_for()
    return anonymise_frame(frame, p)


def anonymise_tables(
    tables: Tables, key: bytes | None = None, allow: Iterable[str] | None = None
) -> Tables:
    """Return a pseudonymised copy of a dataset's tables, ready for publication.

    Every user id, tweet id, handle and display name is replaced by its keyed
    pseudonym (allow-listed institutions keep handle and name); tweet text and
    bios lose their URLs and have their @mentions pseudonymised; profile
    locations are blanked; links lose their t.co address and, when they lead to
    X, the handle and tweet id they name; the text (and links) of the tweets
    :func:`protected_tweet_ids` names (protected accounts', retweets and quotes
    of them or of accounts no longer in the dataset) becomes null, their rows
    still counting in aggregates. The tables keep the data contract, so every analysis runs on
    them unchanged; ``meta`` gains ``anonymised`` and the key's fingerprint;
    ``derived`` gives the labels and pairs computed from the real profiles
    (:class:`ProfileDerived`). Every frame is marked (:func:`is_anonymised`).
    Tables already anonymised are returned as they are.

    Parameters
    ----------
    tables : Tables
        A loaded dataset.
    key : bytes or None, optional
        Pseudonym key; None reads the project key (:func:`analysis.privacy.load_key`).
    allow : Iterable of str or None, optional
        Handles kept as they are; None uses the project's allow-list of institutions.

    Returns
    -------
    Tables
        The anonymised tables.

    Examples
    --------
    >>> from analysis.tables import load_dataset
    >>> tables = anonymise_tables(load_dataset("demo"))  # doctest: +SKIP
    """
    if tables.meta.get("anonymised"):
        return tables
    p = pseudonymiser_for(tables, key=key, allow=allow)
    hidden = protected_tweet_ids(tables)
    tweets = anonymise_frame(tables.tweets, p)
    hide = tables.tweets["tweet_id"].isin(hidden).to_numpy()
    tweets.loc[hide, [c for c in ("text", "short_text") if c in tweets.columns]] = None
    urls = tables.urls
    if "tweet_id" in urls.columns:  # the links of a text that is hidden are hidden too
        urls = anonymise_frame(urls, p)
        urls.loc[tables.urls["tweet_id"].isin(hidden).to_numpy(), "expanded_url"] = None
    missing = tables.missing.copy()
    if len(missing):
        missing["resource_id"] = [
            _pseudonymise_resource(p, rid, rtype)
            for rid, rtype in zip(
                tables.missing["resource_id"], missing["resource_type"], strict=True
            )
        ]
        missing["detail"] = [
            _pseudonymise_detail(p, d, rid, rtype)
            for d, rid, rtype in zip(
                missing["detail"],
                tables.missing["resource_id"],
                missing["resource_type"],
                strict=True,
            )
        ]
    meta = {**tables.meta, "anonymised": True, "pseudonym_key": key_fingerprint(p.key)}
    snapshots = tables.user_snapshots
    if len(snapshots.columns):
        snapshots = _drop_locations(anonymise_frame(snapshots, p), p)
    frames = {
        "tweets": tweets,
        "users": _drop_locations(anonymise_frame(tables.users, p), p),
        "follows": anonymise_frame(tables.follows, p),
        "hashtags": anonymise_frame(tables.hashtags, p),
        "mentions": anonymise_frame(tables.mentions, p),
        "missing": missing,
        "user_snapshots": snapshots,
        "urls": urls,
    }
    derived = ProfileDerived(tables.users, tables.follows, p)
    return replace(tables, **{k: _mark(v) for k, v in frames.items()}, meta=meta, derived=derived)


def _pseudonymise_detail(p: Pseudonymiser, detail, rid, rtype) -> str | None:
    """Return an API error's detail with the ids and the username it names pseudonymised."""
    if not isinstance(detail, str):
        return None
    out = _LONG_NUMBER_RE.sub(
        lambda m: _pseudonymise_resource(p, m.group(0), rtype), p.text(detail) or ""
    )
    if isinstance(rid, str) and rid and not rid.isdigit():
        out = out.replace(rid, _pseudonymise_resource(p, rid, rtype))
    return out


def _pseudonymise_resource(p: Pseudonymiser, rid: str, rtype: str | None) -> str:
    if isinstance(rid, str) and rid.isdigit():
        return str(p.tweet_id(int(rid)) if rtype == "tweet" else p.user_id(int(rid)))
    return p.handle(str(rid))
