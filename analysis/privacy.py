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
keeps its words but its URLs are removed and its @mentions pseudonymised;
accounts' display names (of two words or more) found in text are replaced too. The text of protected
accounts never appears in anonymised tables: they count in aggregates only.

Small cells: in anonymised outputs, a table or chart cell describing fewer than
``k`` accounts (:data:`DEFAULT_K` = 5) is suppressed (:func:`suppress_small_cells`)
or merged into an "other" group (:func:`merge_small_groups`).

A notebook honours its ``anonymise`` parameter with one line right after loading::

    tables = load_dataset(dataset)
    if anonymise:
        tables = anonymise_tables(tables)

Frames derived before anonymising (e.g. role labels keyed by ``user_id``) go
through :func:`anonymise_frame` with the same key, so they still join.
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

URL_RE = re.compile(r"(?:https?://|www\.)\S+|\bpic\.twitter\.com/\S+", re.IGNORECASE)
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
    """Ids of tweets whose text must never be shown: by protected accounts, or retweets of them."""
    users = tables.users
    protected = set(users.loc[users["protected"].fillna(False).astype(bool), "user_id"].astype(int))
    tw = tables.tweets
    own = tw["author_id"].isin(protected).fillna(False).astype(bool)
    ids = set(tw.loc[own, "tweet_id"].astype(int))
    rt = tw["retweet_of_tweet_id"].isin(ids).fillna(False).astype(bool)
    return ids | set(tw.loc[rt, "tweet_id"].astype(int))


def anonymise_tables(
    tables: Tables, key: bytes | None = None, allow: Iterable[str] | None = None
) -> Tables:
    """A pseudonymised copy of a dataset's tables, ready for publication.

    Every user id, tweet id, handle and display name is replaced by its keyed
    pseudonym (allow-listed institutions keep handle and name); tweet text and
    bios lose their URLs and have their @mentions pseudonymised; protected
    accounts' tweet text (and retweets of it) becomes null, their rows still
    counting in aggregates. The tables keep the data contract, so every analysis
    runs on them unchanged; ``meta`` gains ``anonymised`` and the key's fingerprint.

    Examples
    --------
    >>> from analysis.tables import load_dataset
    >>> tables = anonymise_tables(load_dataset("demo"))  # doctest: +SKIP
    """
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
    return replace(
        tables,
        tweets=tweets,
        users=anonymise_frame(tables.users, p),
        follows=anonymise_frame(tables.follows, p),
        hashtags=anonymise_frame(tables.hashtags, p),
        mentions=anonymise_frame(tables.mentions, p),
        missing=missing,
        meta=meta,
    )


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
