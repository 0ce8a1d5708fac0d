"""Pseudonymised publication: keyed pseudonyms, redacted text, small-cell suppression.

With ``--anonymise`` (reports) or ``anonymise=True`` (notebook parameter) the
outputs of the toolkit name no account: every handle, display name, user id and
tweet id is replaced by a **stable pseudonym** derived with a keyed hash
(HMAC-SHA256). The key is a random secret kept in a local file outside the data
root (``.medtwitter-key``, git-ignored), created on first use, so

* the same account gets the same pseudonym in every report of a project;
* nobody without the key can recompute a pseudonym from a known handle (a plain
  hash of a handle can be reversed by hashing every handle of the platform).

Where the key lives, in order of precedence: the ``MEDTWITTER_KEY_FILE``
environment variable, else ``.medtwitter-key`` in the data root's parent
folder (the project root for the default ``data/``). Keep it out of version
control and out of shared folders; losing it only means new pseudonyms.

Institutions on an allow-list (:data:`ALLOWLIST`, e.g. ``@ordre_medecins``)
keep their handle and name: they speak publicly as institutions. Tweet text
keeps its words but its URLs (and bare ``twitter.com/handle/status/id`` paths)
are removed and its @mentions pseudonymised; accounts' display names (of two
words or more) found in text are replaced too. Profile locations are left out.
The text of protected accounts never appears in anonymised tables, nor that of
retweets and quotes of them, or of accounts no longer in the dataset (purged),
or whose author cannot be told: they count in aggregates only
(:func:`protected_tweet_ids`).

Small cells: in anonymised outputs, a table or chart cell describing fewer than
``k`` accounts (:data:`DEFAULT_K` = 5) is suppressed (:func:`suppress_small_cells`)
or merged into an "other" group (:func:`merge_small_groups`).

**One pseudonymisation point.** Everything anonymised is read through
``load_dataset(dataset, anonymise=True)`` (or ``load_table``, ``connect`` and
``sql`` with ``anonymise=True``), which returns :func:`anonymise_tables`' copy;
a notebook passes its ``anonymise`` parameter there and writes no branch of its
own. Whatever is derived from the real profiles (role and identity labels,
their reasons, likely pairs of accounts of one person and their evidence) is
computed before pseudonymisation, worded without any name, place or handle,
keyed by the pseudonyms, and reached through the anonymised tables only
(:func:`analysis.accounts.labels_from_tables`,
:func:`analysis.accounts.pairs_from_tables`); :func:`analysis.accounts.label_users`
and :func:`analysis.accounts.pairs.find_pairs` refuse pseudonymised profiles
(their labels would be wrong). Frames from outside the tables keyed by real ids
(a demo's ground truth) join through :func:`match_pseudonyms`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from analysis import settings
from analysis.errors import MedtwitterError
from analysis.tables import Tables

#: Environment variable naming the key file.
KEY_ENV = "MEDTWITTER_KEY_FILE"
#: File name of the key (listed in .gitignore).
KEY_FILE_NAME = ".medtwitter-key"
#: Smallest number of accounts a cell of an anonymised table or chart may describe.
DEFAULT_K = 5
#: Institutions that keep their handle and display name (compared case-insensitively).
ALLOWLIST: frozenset[str] = frozenset({"ordre_medecins", "croixrouge", "assoaides"})

#: Columns holding user ids, tweet ids, handles, display names and free text.
USER_ID_COLUMNS = frozenset(
    {"user_id", "author_id", "reply_to_user_id", "follower_id", "followed_id"}
)
TWEET_ID_COLUMNS = frozenset(
    {"tweet_id", "conversation_id", "reply_to_tweet_id", "retweet_of_tweet_id", "quote_of_tweet_id"}
)
HANDLE_COLUMNS = frozenset({"username"})
NAME_COLUMNS = frozenset({"name"})
TEXT_COLUMNS = frozenset({"text", "description"})

URL_RE = re.compile(
    r"(?:https?://|www\.)\S+|\bpic\.twitter\.com/\S+|(?<![\w.@])(?:mobile\.)?(?:twitter|x)\.com/\S+",
    re.IGNORECASE,
)
#: A tweet's address in text: the handle and the id it names.
STATUS_RE = re.compile(r"(?:twitter|x)\.com/(\w{1,50})/status(?:es)?/(\d{1,19})", re.IGNORECASE)
#: A retweet's text starts with the original author's handle.
RETWEET_RE = re.compile(r"^RT @(\w{1,50}):")
MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{1,50})")
URL_PLACEHOLDER = "[link]"
_LONG_NUMBER_RE = re.compile(r"(?<!\d)\d{5,19}(?!\d)")
_WORD_RE = re.compile(r"\w+")


class KeyFileError(MedtwitterError):
    """The pseudonym key file cannot be read or created."""


def key_path() -> Path:
    """Where the pseudonym key lives: ``$MEDTWITTER_KEY_FILE``, else beside the data root.

    The default is ``<data root>/../.medtwitter-key``: the project root for the
    default ``data/`` folder, never inside the data root itself.
    """
    env = os.environ.get(KEY_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return settings.data_dir().parent / KEY_FILE_NAME


def load_key(path: str | os.PathLike[str] | None = None, create: bool = True) -> bytes:
    """Read the secret pseudonym key, creating it (32 random bytes, mode 600) if missing.

    The key is random, not seeded: pseudonyms must not be recomputable from the code.
    """
    path = Path(path) if path is not None else key_path()
    if path.is_file():
        text = path.read_text(encoding="ascii").strip()
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) < 16:
            raise KeyFileError(
                f"the pseudonym key file {path} is not a hex key of 16 bytes or more; restore it "
                f"from your backup, or delete it to start new pseudonyms."
            )
        return key
    if not create:
        raise KeyFileError(f"no pseudonym key at {path}; run once with anonymise on to create it.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # created meanwhile by another process: use that one
        return load_key(path, create=False)
    except OSError as exc:
        raise KeyFileError(
            f"cannot create the pseudonym key file {path} ({exc.strerror}); set {KEY_ENV} "
            f"to a writable path outside the data folder."
        ) from exc
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
    return key


def key_fingerprint(key: bytes) -> str:
    """A short, non-reversible label of a key, to tell reports made with different keys apart.

    Examples
    --------
    >>> key_fingerprint(b"k" * 32)
    'key-479eda8b'
    """
    return "key-" + hashlib.sha256(b"medtwitter-fingerprint:" + key).hexdigest()[:8]


@dataclass
class Pseudonymiser:
    """Stable keyed pseudonyms for user ids, tweet ids, handles and display names.

    ``known`` maps lower-cased handles to user ids, so an @mention in text gets
    the same pseudonym as the account's ``username`` column.

    Examples
    --------
    >>> p = Pseudonymiser(b"k" * 32)
    >>> p.handle("DrTortue", 123) == p.handle("drtortue", 123)
    True
    >>> p.handle("ordre_medecins")
    'ordre_medecins'
    >>> p.text("Merci @DrTortue ! https://t.co/abc")  # doctest: +ELLIPSIS
    'Merci @user_... ! [link]'
    """

    key: bytes
    allow: frozenset[str] = ALLOWLIST
    known: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.allow = frozenset(a.lower().lstrip("@") for a in self.allow)
        self._names_re: re.Pattern | None = None

    def _digest(self, kind: str, value: object) -> bytes:
        return hmac.new(self.key, f"{kind}:{value}".encode(), hashlib.sha256).digest()

    def _number(self, kind: str, value: int) -> int:
        # 63 bits: a positive int64, like X ids, so pseudonymised tables keep the data contract
        return int.from_bytes(self._digest(kind, int(value))[:8], "big") >> 1

    def user_id(self, value: int) -> int:
        """Pseudonym of a user id (a positive 63-bit integer)."""
        return self._number("user", value)

    def tweet_id(self, value: int) -> int:
        """Pseudonym of a tweet id (a positive 63-bit integer)."""
        return self._number("tweet", value)

    def allowed(self, username: str | None) -> bool:
        """True for handles on the allow-list, which keep their handle and name."""
        return bool(username) and username.lower().lstrip("@") in self.allow

    def handle(self, username: str, user_id: int | None = None) -> str:
        """Pseudonymous handle ``user_xxxxxxxx`` (allow-listed handles are kept)."""
        if self.allowed(username):
            return username
        if user_id is None:
            user_id = self.known.get(username.lower())
        basis = f"id:{int(user_id)}" if user_id is not None else f"handle:{username.lower()}"
        code = base64.b32encode(self._digest("handle", basis)[:5]).decode().lower()
        return f"user_{code}"

    def name(self, name: str | None, username: str | None, user_id: int | None = None) -> str:
        """Pseudonymous display name: the pseudonymous handle, or the name if allow-listed."""
        if self.allowed(username):
            return name or username or ""
        return self.handle(username or f"id{user_id}", user_id)

    def text(self, text: str | None) -> str | None:
        """Text with URLs removed, @mentions pseudonymised and known display names replaced."""
        if text is None or (isinstance(text, float) and pd.isna(text)):
            return None
        out = URL_RE.sub(URL_PLACEHOLDER, text)
        out = MENTION_RE.sub(lambda m: "@" + self.handle(m.group(1)), out)
        if self.names:
            out = self._replace_names(out)
        return out

    def _replace_names(self, text: str) -> str:
        # index the names by their first word once, then look only where a text word starts one:
        # linear in the text, whatever the number of accounts (one big regex alternation is not)
        if self._names_re is None:
            self._by_first: dict[str, list[str]] = {}
            for name in sorted(self.names, key=len, reverse=True):
                first = _WORD_RE.match(name)
                if first:
                    self._by_first.setdefault(first.group(0), []).append(name)
            self._names_re = _WORD_RE
        pieces, last = [], 0
        for m in _WORD_RE.finditer(text):
            if m.start() < last:
                continue
            for name in self._by_first.get(m.group(0), ()):
                end = m.start() + len(name)
                if text.startswith(name, m.start()) and not (end < len(text) and
                                                             (text[end].isalnum() or text[end] == "_")):  # fmt: skip
                    pieces += [text[last : m.start()], self.names[name]]
                    last = end
                    break
        return "".join(pieces) + text[last:] if pieces else text


def pseudonymiser_for(tables: Tables | None = None, key: bytes | None = None,
                      allow: Iterable[str] | None = None) -> Pseudonymiser:  # fmt: skip
    """A :class:`Pseudonymiser` with the project key that knows the dataset's handles and names."""
    p = Pseudonymiser(load_key() if key is None else key,
                      allow=frozenset(ALLOWLIST if allow is None else allow))  # fmt: skip
    if tables is None:
        return p
    for frame in (tables.mentions, tables.users):  # users last: their ids win
        if {"username", "user_id"} <= set(frame.columns):
            for handle, uid in zip(frame["username"], frame["user_id"], strict=True):
                if isinstance(handle, str) and not pd.isna(uid):
                    p.known[handle.lower()] = int(uid)
    users = tables.users
    if {"name", "username", "user_id"} <= set(users.columns):
        for name, handle, uid in zip(users["name"], users["username"], users["user_id"],
                                     strict=True):  # fmt: skip
            if isinstance(name, str) and len(name.split()) >= 2 and not p.allowed(handle):
                p.names[name.strip()] = p.handle(handle or f"id{uid}", int(uid))
    return p


def _map_ids(series: pd.Series, fn) -> pd.Series:
    uniques = series.dropna().unique()
    mapping = {v: fn(int(v)) for v in uniques}
    out = series.map(mapping)
    return out.astype(series.dtype)


def anonymise_frame(df: pd.DataFrame, pseudonymiser: Pseudonymiser | None = None) -> pd.DataFrame:
    """Pseudonymise a frame's id, handle, name and text columns, recognised by their names.

    User-id columns (``user_id``, ``author_id``, ``follower_id``...), tweet-id
    columns (``tweet_id``, ``conversation_id``...), ``username``, ``name``,
    ``text`` and ``description`` are replaced; other columns are kept. Use it on
    frames derived from the tables before anonymising them (role labels...).

    Examples
    --------
    >>> p = Pseudonymiser(b"k" * 32)
    >>> df = pd.DataFrame({"user_id": [10], "role": ["nurse"]})
    >>> out = anonymise_frame(df, p)
    >>> out["role"].tolist(), bool(out["user_id"].iloc[0] == p.user_id(10))
    (['nurse'], True)
    """
    p = pseudonymiser or pseudonymiser_for()
    out = df.copy()
    for col in out.columns:
        if col in USER_ID_COLUMNS:
            out[col] = _map_ids(out[col], p.user_id)
        elif col in TWEET_ID_COLUMNS:
            out[col] = _map_ids(out[col], p.tweet_id)
    uid = df["user_id"] if "user_id" in df.columns else pd.Series([None] * len(df), index=df.index)
    if "name" in out.columns:
        handles = df["username"] if "username" in df.columns else pd.Series([None] * len(df))
        out["name"] = [
            p.name(n, h if isinstance(h, str) else None, None if pd.isna(u) else int(u))
            for n, h, u in zip(df["name"], handles, uid, strict=True)
        ]
    if "username" in out.columns:
        out["username"] = [
            h if not isinstance(h, str) else p.handle(h, None if pd.isna(u) else int(u))
            for h, u in zip(df["username"], uid, strict=True)
        ]
    for col in TEXT_COLUMNS & set(out.columns):
        out[col] = [p.text(t) if isinstance(t, str) else t for t in df[col]]
    return out


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
    """The user id of a retweeted or quoted account, read from the text; None if unknown."""
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
    """True for a frame of anonymised tables (or one cut from it).

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
    """Profile locations blanked (allow-listed institutions keep theirs): a quasi-identifier."""
    if "location" not in users.columns or users.empty:
        return users
    keep = users["username"].map(lambda h: p.allowed(h) if isinstance(h, str) else False)
    users["location"] = users["location"].where(keep.astype(bool), None)
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

    def __repr__(self) -> str:  # never the real profiles
        return f"<profile-derived frames of {len(self._users)} pseudonymised accounts>"

    def labels(self) -> pd.DataFrame:
        """:func:`~analysis.accounts.label_users` of the real profiles, keyed by pseudonyms."""
        if self._labels is None:
            from analysis.accounts.classify import label_users

            self._real_labels = label_users(self._users, anonymise=True)
            self._labels = anonymise_frame(self._real_labels, self._p)
        return _mark(self._labels.copy())

    def pairs(self, min_score: int = 3) -> pd.DataFrame:
        """:func:`~analysis.accounts.pairs.find_pairs` of the real profiles, keyed by pseudonyms."""
        if self._pairs is None or self._pairs.attrs.get("min_score") != min_score:
            from analysis.accounts.pairs import find_pairs

            self.labels()
            pairs = find_pairs(self._users, self._follows, self._real_labels,
                               min_score=min_score, anonymise=True)  # fmt: skip
            p = self._p
            for side in ("a", "b"):
                ids = pairs[f"user_id_{side}"]
                pairs[f"username_{side}"] = [
                    p.handle(h, int(u)) if isinstance(h, str) else h
                    for h, u in zip(pairs[f"username_{side}"], ids, strict=True)
                ]
                pairs[f"user_id_{side}"] = _map_ids(ids, p.user_id)
            pairs = pairs.sort_values(["score", "username_a", "username_b"],
                                      ascending=[False, True, True], ignore_index=True)  # fmt: skip
            pairs.attrs["min_score"] = min_score
            self._pairs = pairs
        return _mark(self._pairs.copy())


def match_pseudonyms(frame: pd.DataFrame, tables: Tables) -> pd.DataFrame:
    """``frame`` keyed like ``tables``: pseudonymised with the same key when they are anonymised.

    For frames from outside the tables that hold real ids (a demo's ground
    truth), so they still join the anonymised tables; unchanged otherwise.

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
    """A pseudonymised copy of a dataset's tables, ready for publication.

    Every user id, tweet id, handle and display name is replaced by its keyed
    pseudonym (allow-listed institutions keep handle and name); tweet text and
    bios lose their URLs and have their @mentions pseudonymised; profile
    locations are blanked; the text of the tweets :func:`protected_tweet_ids`
    names (protected accounts', retweets and quotes of them or of accounts no
    longer in the dataset) becomes null, their rows still counting in
    aggregates. The tables keep the data contract, so every analysis runs on
    them unchanged; ``meta`` gains ``anonymised`` and the key's fingerprint;
    ``derived`` gives the labels and pairs computed from the real profiles
    (:class:`ProfileDerived`). Every frame is marked (:func:`is_anonymised`).
    Tables already anonymised are returned as they are.

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
    tweets.loc[tables.tweets["tweet_id"].isin(hidden).to_numpy(), "text"] = None
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
            for d, rid, rtype in zip(missing["detail"], tables.missing["resource_id"],
                                     missing["resource_type"], strict=True)
        ]  # fmt: skip
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
    }
    derived = ProfileDerived(tables.users, tables.follows, p)
    return replace(tables, **{k: _mark(v) for k, v in frames.items()}, meta=meta,
                   derived=derived)  # fmt: skip


def _pseudonymise_detail(p: Pseudonymiser, detail, rid, rtype) -> str | None:
    """An API error's detail with the ids and the username it names pseudonymised."""
    if not isinstance(detail, str):
        return None
    out = _LONG_NUMBER_RE.sub(
        lambda m: _pseudonymise_resource(p, m.group(0), rtype), p.text(detail)
    )
    if isinstance(rid, str) and rid and not rid.isdigit():
        out = out.replace(rid, _pseudonymise_resource(p, rid, rtype))
    return out


def _pseudonymise_resource(p: Pseudonymiser, rid: str, rtype: str | None) -> str:
    if isinstance(rid, str) and rid.isdigit():
        return str(p.tweet_id(int(rid)) if rtype == "tweet" else p.user_id(int(rid)))
    return p.handle(str(rid))


def suppress_small_cells(
    table: pd.DataFrame, k: int = DEFAULT_K, columns: Iterable[str] | None = None
) -> pd.DataFrame:
    """Blank out counts of 1 to ``k - 1`` accounts (zero cells single nobody out and stay).

    ``columns`` are the count columns (default: every integer column). Suppressed
    cells become ``<NA>`` in a nullable ``Int64`` column.

    Examples
    --------
    >>> t = pd.DataFrame({"role": ["nurse", "midwife", "dentist"], "accounts": [12, 3, 0]})
    >>> suppress_small_cells(t)["accounts"].tolist()
    [12, <NA>, 0]
    """
    out = table.copy()
    cols = list(columns) if columns is not None else [
        c for c in out.columns if pd.api.types.is_integer_dtype(out[c])
    ]  # fmt: skip
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
