"""Keyed pseudonyms for ids, handles and display names; text without URLs, mentions or names."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.contract import url_domain, x_link
from analysis.privacy.keys import load_key
from analysis.tables import Tables

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
TEXT_COLUMNS = frozenset({"text", "short_text", "description"})
#: Columns holding lists of tweet ids.
TWEET_IDS_COLUMNS = frozenset({"edit_ids"})

URL_RE = re.compile(
    r"(?:https?://|www\.)\S+|\bpic\.twitter\.com/\S+|(?<![\w.@])(?:mobile\.)?(?:twitter|x)\.com/\S+",
    re.IGNORECASE,
)
#: A tweet's address in text: the handle and the id it names.
STATUS_RE = re.compile(r"(?:twitter|x)\.com/(\w{1,50})/status(?:es)?/(\d{1,19})", re.IGNORECASE)
#: A retweet's text starts with the original author's handle.
RETWEET_RE = re.compile(r"^RT @(\w{1,50}):")
#: An @mention in text: an X handle, a Bluesky handle (``@dr-b.bsky.social``) or a Mastodon
#: account (``@anne@mastodon.social``), whole, so no part of it is left beside its pseudonym.
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
MENTION_RE = re.compile(rf"(?<![\w@.])@({_LABEL}(?:\.{_LABEL})*(?:@{_LABEL}(?:\.{_LABEL})+)?)")
URL_PLACEHOLDER = "[link]"
#: What a place of a person (a town an account gives as its location) becomes in anonymised text.
PLACE_PLACEHOLDER = "[place]"
#: Separators of the parts of a location field ("Lyon, France", "Paris / Londres").
_LOCATION_PARTS_RE = re.compile(r"\s*(?:[,;/|•·()]|\s-\s|\s–\s)\s*")
#: Places shorter than this (in letters) are not looked for: "FR", "UK", "69".
_MIN_PLACE_LETTERS = 3
_LONG_NUMBER_RE = re.compile(r"(?<!\d)\d{5,19}(?!\d)")
_WORD_RE = re.compile(r"\w+")


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
    places: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        """Normalise the allow-list; no index of names or places built yet."""
        self.allow = frozenset(a.lower().lstrip("@") for a in self.allow)
        self._names_re: re.Pattern | None = None
        self._places_by_first: dict[str, list[str]] | None = None
        self._squeezed: set[str] = set()
        self._longest = 0
        self._prefixes: set[str] = set()

    def _digest(self, kind: str, value: object) -> bytes:
        return hmac.new(self.key, f"{kind}:{value}".encode(), hashlib.sha256).digest()

    def _number(self, kind: str, value: int) -> int:
        # 63 bits: a positive int64, like X ids, so pseudonymised tables keep the data contract
        return int.from_bytes(self._digest(kind, int(value))[:8], "big") >> 1

    def user_id(self, value: int) -> int:
        """Pseudonym of a user id (a positive 63-bit integer).

        Parameters
        ----------
        value : int
            A real X user id.

        Returns
        -------
        int
            Its pseudonym, the same for the same key.
        """
        return self._number("user", value)

    def tweet_id(self, value: int) -> int:
        """Pseudonym of a tweet id (a positive 63-bit integer).

        Parameters
        ----------
        value : int
            A real tweet id.

        Returns
        -------
        int
            Its pseudonym, the same for the same key.
        """
        return self._number("tweet", value)

    def allowed(self, username: str | None) -> bool:
        """Return whether ``username`` is on the allow-list (it keeps its handle and name).

        Parameters
        ----------
        username : str or None
            A handle, any case; None is never allowed.

        Returns
        -------
        bool
            True if the handle is on the allow-list.
        """
        return username is not None and username.lower().lstrip("@") in self.allow

    def handle(self, username: str, user_id: int | None = None) -> str:
        """Pseudonymous handle ``user_xxxxxxxx`` (allow-listed handles are kept).

        Parameters
        ----------
        username : str
            The real handle.
        user_id : int or None, optional
            The account's id, so a handle changed later keeps its pseudonym; None looks it up among known handles.

        Returns
        -------
        str
            user_ and 8 base-32 characters, or the handle itself if allow-listed.
        """
        if self.allowed(username):
            return username
        if user_id is None:
            user_id = self.known.get(username.lower())
        basis = f"id:{int(user_id)}" if user_id is not None else f"handle:{username.lower()}"
        code = base64.b32encode(self._digest("handle", basis)[:5]).decode().lower()
        return f"user_{code}"

    def name(self, name: str | None, username: str | None, user_id: int | None = None) -> str:
        """Pseudonymous display name: the pseudonymous handle, or the name if allow-listed.

        Parameters
        ----------
        name : str or None
            The real display name.
        username : str or None
            The account's handle.
        user_id : int or None, optional
            The account's id (see :meth:`handle`).

        Returns
        -------
        str
            The pseudonymous handle, or the real name for an allow-listed account.
        """
        if self.allowed(username):
            return name or username or ""
        return self.handle(username or f"id{user_id}", user_id)

    def link(self, url: str | None) -> str | None:
        """Return a link without the handle or tweet id it names (X profile and status links).

        Links to other sites are kept (which sources a community shares is the
        point of the ``urls`` table).

        Parameters
        ----------
        url : str or None
            A full link (e.g. expanded_url).

        Returns
        -------
        str or None
            The link with handle and tweet id pseudonymised; None for anything not a string.

        Examples
        --------
        >>> p = Pseudonymiser(b"k" * 32)
        >>> p.link("https://twitter.com/DrTortue/status/12?s=20") == (
        ...     f"https://twitter.com/{p.handle('DrTortue')}/status/{p.tweet_id(12)}")
        True
        >>> p.link("https://www.has-sante.fr/jcms/c_2618389")
        'https://www.has-sante.fr/jcms/c_2618389'
        """
        if not isinstance(url, str):
            return None
        handle, tweet = x_link(url)
        if handle is None and tweet is None:
            return url
        out = f"https://{url_domain(url)}/{self.handle(handle) if handle else 'i/web'}"
        return out if tweet is None else f"{out}/status/{self.tweet_id(tweet)}"

    def text(self, text: str | None) -> str | None:
        """Text with URLs removed, @mentions pseudonymised and known display names replaced.

        Parameters
        ----------
        text : str or None
            A tweet's text or a bio.

        Returns
        -------
        str or None
            The pseudonymised text; None for None or NaN.
        """
        if text is None or (isinstance(text, float) and pd.isna(text)):
            return None
        out = URL_RE.sub(URL_PLACEHOLDER, text)
        out = MENTION_RE.sub(lambda m: "@" + self.handle(m.group(1)), out)
        if self.names:
            out = self._replace_names(out)
        if self.places:
            out = self.without_places(out)
        return out

    def add_places(self, locations: Iterable[object]) -> None:
        """Add the places of location fields (each whole, and each part: "Lyon, France").

        Parameters
        ----------
        locations : iterable
            Location fields; anything but a string is skipped.
        """
        for loc in locations:
            if not isinstance(loc, str):
                continue
            for part in [loc, *_LOCATION_PARTS_RE.split(loc)]:
                key = " ".join(_WORD_RE.findall(fold(part)))
                if sum(c.isalpha() for c in key) >= _MIN_PLACE_LETTERS:
                    self.places.add(key)
        self._places_by_first = None

    def without_places(self, text: str) -> str:
        """Return ``text`` with every known place replaced by :data:`PLACE_PLACEHOLDER`.

        Whole words, accents and case ignored ("AMIENS", "amiens", "Amiéns"), words
        joined by spaces or any other non-letters ("Clermont-Ferrand", "clermont
        ferrand"); inside a hashtag too, whole ("#Amiens") or as any
        part of it ("#CHUAmiens", "#clermontferrand", "#détours" too). A place that is
        also an ordinary word ("Tours", "Nice") is replaced wherever it is
        written: an anonymised text would rather lose a word than locate a person.

        Parameters
        ----------
        text : str
            Free text (a tweet, a bio, a location field).

        Returns
        -------
        str
            The text, its places replaced.

        Examples
        --------
        >>> p = Pseudonymiser(b"k" * 32)
        >>> p.add_places(["Clermont-Ferrand", "Amiens, France"])
        >>> p.without_places("PU-PH à Amiens, né à CLERMONT FERRAND #CHUAmiens")
        'PU-PH à [place], né à [place] #CHU[place]'
        """
        if self._places_by_first is None:
            self._places_by_first = {}
            for place in sorted(self.places, key=len, reverse=True):
                self._places_by_first.setdefault(place.split()[0], []).append(place)
            # inside a hashtag, a place of four letters or more (not "Dax" in "#paradaxe")
            self._squeezed = {q for q in (p.replace(" ", "") for p in self.places) if len(q) >= 4}
            self._longest = max(map(len, self._squeezed), default=0)
            self._prefixes = {q[:4] for q in self._squeezed}
        words = [w.lower() if w.isascii() else fold(w) for w in _WORD_RE.findall(text)]
        if self._places_by_first.keys().isdisjoint(words):
            return self._hashtags_without_places(text)
        folded, starts, ends = _folded_words(text)
        pieces, last, i = [], 0, 0
        while i < len(folded):
            for place in self._places_by_first.get(folded[i], ()):
                n = place.count(" ") + 1
                if " ".join(folded[i : i + n]) == place:
                    pieces += [text[last : starts[i]], PLACE_PLACEHOLDER]
                    last, i = ends[i + n - 1], i + n
                    break
            else:
                i += 1
        return self._hashtags_without_places("".join(pieces) + text[last:] if pieces else text)

    def _hashtags_without_places(self, text: str) -> str:
        if "#" not in text or not self._squeezed:
            return text
        return _HASHTAG_RE.sub(lambda m: "#" + self._tag_without_places(m.group(1)), text)

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
                if text.startswith(name, m.start()) and not (
                    end < len(text) and (text[end].isalnum() or text[end] == "_")
                ):
                    pieces += [text[last : m.start()], self.names[name]]
                    last = end
                    break
        return "".join(pieces) + text[last:] if pieces else text

    def _tag_without_places(self, tag: str) -> str:
        """Return a hashtag with every place spelt in it replaced: "CHUAmiens" -> "CHU[place]"."""
        if tag.isascii():
            letters = [(i, c) for i, c in enumerate(tag.lower()) if c.isalnum()]
        else:
            letters = [(i, f) for i, c in enumerate(tag) for f in fold(c) if f.isalnum()]
        folded = "".join(f for _, f in letters)
        longest = self._longest
        out, last, a = [], 0, 0
        while a < len(folded):
            if folded[a : a + 4] not in self._prefixes:
                a += 1
                continue
            for b in range(min(len(folded), a + longest), a + 3, -1):
                if folded[a:b] in self._squeezed:
                    out += [tag[last : letters[a][0]], PLACE_PLACEHOLDER]
                    last, a = letters[b - 1][0] + 1, b
                    break
            else:
                a += 1
        return "".join(out) + tag[last:] if out else tag


_HASHTAG_RE = re.compile(r"(?<![\w&])#(\w+)")


def fold(text: str) -> str:
    """Return ``text`` case-folded, accents removed: 'Solène' and 'SOLENE' read alike.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        The folded text.

    Examples
    --------
    >>> fold("Clermont-Ferrand, ÉVREUX")
    'clermont-ferrand, evreux'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _folded_words(text: str) -> tuple[list[str], list[int], list[int]]:
    """Return the words of ``text`` folded, with where each starts and ends in ``text``."""
    words, starts, ends = [], [], []
    for m in _WORD_RE.finditer(text):
        word = m.group(0)
        words.append(word.lower() if word.isascii() else fold(word))
        starts.append(m.start())
        ends.append(m.end())
    return words, starts, ends


def pseudonymiser_for(
    tables: Tables | None = None, key: bytes | None = None, allow: Iterable[str] | None = None
) -> Pseudonymiser:
    """Return a :class:`Pseudonymiser` with the project key, knowing the dataset's handles, names and places.

    Parameters
    ----------
    tables : Tables or None, optional
        Dataset whose handles, names and places the pseudonymiser learns; None learns none.
    key : bytes or None, optional
        Pseudonym key; None reads the project key (:func:`load_key`).
    allow : Iterable of str or None, optional
        Handles kept as they are; None uses the project's allow-list of institutions.

    Returns
    -------
    Pseudonymiser
        Ready to pseudonymise that dataset.
    """
    p = Pseudonymiser(
        load_key() if key is None else key, allow=frozenset(ALLOWLIST if allow is None else allow)
    )
    if tables is None:
        return p
    for frame in (tables.mentions, tables.users):  # users last: their ids win
        if {"username", "user_id"} <= set(frame.columns):
            for handle, uid in zip(frame["username"], frame["user_id"], strict=True):
                if isinstance(handle, str) and not pd.isna(uid):
                    p.known[handle.lower()] = int(uid)
    users = tables.users
    if {"name", "username", "user_id"} <= set(users.columns):
        for name, handle, uid in zip(
            users["name"], users["username"], users["user_id"], strict=True
        ):
            if isinstance(name, str) and len(name.split()) >= 2 and not p.allowed(handle):
                p.names[name.strip()] = p.handle(handle or f"id{uid}", int(uid))
    for frame in (users, tables.user_snapshots):  # where people say they are, now and before
        if {"location", "username"} <= set(frame.columns):
            person = [not p.allowed(h) if isinstance(h, str) else True for h in frame["username"]]
            p.add_places(frame.loc[person, "location"])
    return p


def _map_id_lists(series: pd.Series, fn: Callable[[int], int]) -> pd.Series:
    """Each list of ids mapped through ``fn`` (nulls kept), as Arrow lists of int64.

    The type :func:`analysis.tables.to_pandas` gives list columns (``pd.ArrowDtype``).
    """
    type_ = pa.list_(pa.int64())
    values = [
        None if v is None or (np.ndim(v) == 0 and pd.isna(v)) else [fn(int(i)) for i in v]
        for v in series
    ]
    return pd.Series(pa.array(values, type_), index=series.index, dtype=pd.ArrowDtype(type_))


def _map_ids(series: pd.Series, fn: Callable[[int], int]) -> pd.Series:
    uniques = series.dropna().unique()
    mapping = {v: fn(int(v)) for v in uniques}
    # Python ints, not Series.map: on a column with nulls it goes through floats, and
    # pseudonyms (up to 19 digits) are beyond float64's exact integers
    values = [None if pd.isna(v) else mapping[v] for v in series.tolist()]
    return pd.Series(pd.array(values, dtype=series.dtype), index=series.index, name=series.name)


def anonymise_frame(df: pd.DataFrame, pseudonymiser: Pseudonymiser | None = None) -> pd.DataFrame:
    """Pseudonymise a frame's id, handle, name and text columns, recognised by their names.

    User-id columns (``user_id``, ``author_id``, ``follower_id``...), tweet-id
    columns (``tweet_id``, ``conversation_id``...) and lists of them (``edit_ids``),
    ``username``, ``name``, ``text``, ``short_text`` and ``description`` are
    replaced, ``url`` emptied (a short link leads back to its tweet) and
    ``expanded_url`` cleared of X handles and tweet ids (:meth:`Pseudonymiser.link`);
    other columns are kept. Use it on
    frames derived from the tables before anonymising them (role labels...).

    Parameters
    ----------
    df : pandas.DataFrame
        Any frame with id, handle, name or text columns.
    pseudonymiser : Pseudonymiser or None, optional
        Pseudonymiser to use; None makes one with the project key (:func:`pseudonymiser_for`).

    Returns
    -------
    pandas.DataFrame
        A pseudonymised copy; other columns unchanged.

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
        elif col in TWEET_IDS_COLUMNS:
            out[col] = _map_id_lists(out[col], p.tweet_id)
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
    if "native_id" in out.columns:  # a Bluesky DID, a Mastodon user@instance name the account
        out["native_id"] = pd.Series([None] * len(out), index=out.index, dtype=object)
    if "expanded_url" in out.columns:
        out["expanded_url"] = [p.link(u) for u in df["expanded_url"]]
        if "url" in out.columns:  # a t.co link found on X leads to its tweet, and so its author
            out["url"] = pd.Series([None] * len(out), index=out.index, dtype=object)
    return out
