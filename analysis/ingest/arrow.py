"""The Arrow path: a table of parsed v2 pages -> the contract's rows, with Arrow compute.

:mod:`analysis.ingest.stream` parses pages with Arrow's JSON reader against
:data:`PAGE_SCHEMA` (or a narrower schema, :data:`PARSE`); :func:`extract_chunk`
flattens them without a Python object per tweet, into exactly the rows
:func:`analysis.ingest.pages.add_page` would make. It raises :class:`NotFast` for
anything it cannot take exactly (a bad id, a page of unclear kind, invalid
UTF-8...), and the caller reads that chunk through the page-at-a-time path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analysis.contract import CONTRACT, normalise_tag, url_domain
from analysis.ingest.pages import kind_from_endpoint, provenance, to_id
from analysis.ingest.rows import timestamps
from analysis.ingest.schema import PAGE_SCHEMA, PARSE, TWEET, TWEET_METRICS, USER, USER_METRICS  # noqa: F401 (PARSE)

_STR, _BOOL, _I64 = pa.string(), pa.bool_(), pa.int64()
#: The contract's schemas, built once (``TableSpec.schema`` builds one a call).
_SCHEMA = {name: spec.schema for name, spec in CONTRACT.items()}


class NotFast(Exception):
    """Raised when a chunk needs the page-at-a-time path (a bad line, an unclear page...)."""


class OtherKind(NotFast):
    """Raised when a chunk holds pages whose ``data`` the schema it was parsed with does not fit."""


@dataclass
class Chunk:
    """What the fast path made of a chunk: contract rows per table, and page counts.

    ``ranks[name]`` gives each row's place in the order the page-at-a-time path
    would have added it (ties between equal observations follow that order).
    """

    tables: dict[str, pa.Table]
    ranks: dict[str, np.ndarray]
    pages: int
    skipped: int
    synthetic: bool


def _field(arr: pa.Array, name: str) -> pa.Array:
    return pc.struct_field(arr, name)


def _ids(arr: pa.Array, *, required: bool = False) -> pa.Array:
    """Parse string ids as int64 (nulls kept); :class:`NotFast` on anything else."""
    if required and arr.null_count:
        raise NotFast("an item without an id")
    try:
        ids = pc.cast(arr, _I64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise NotFast(str(exc)) from exc
    # Arrow's cast takes a sign ("-5", "-0"): X ids are from 1 (analysis.contract.parse_id)
    if len(ids) > ids.null_count and pc.min(ids).as_py() < 1:
        raise NotFast("an id below 1")
    return ids


def _counts(arr: pa.Array) -> pa.Array:
    """Return counts as parsed (int64); :class:`NotFast` if one is negative."""
    if len(arr) > arr.null_count and pc.min(arr).as_py() < 0:
        raise NotFast("a negative count")
    return arr


def _times(arr: pa.Array | list) -> pa.Array:
    """:func:`analysis.ingest.rows.timestamps`; :class:`NotFast` if one is not ISO 8601."""
    try:
        return timestamps(arr)
    except ValueError as exc:
        raise NotFast(str(exc)) from exc


#: Per table, the string columns holding strings of the pages as Arrow's reader left them,
#: which may hold invalid UTF-8. The others hold strings Python decoded on the way (a
#: hashtag, a link: :func:`_per_value` decodes every distinct value, and invalid UTF-8 raises
#: :class:`UnicodeDecodeError`) or made (a normalised tag, a domain, the platform).
_READ_STRINGS = {
    "tweets": ("text", "short_text", "lang"),
    "users": ("username", "name", "description", "location"),
    "mentions": ("username",),
    "missing": ("resource_id", "resource_type", "title", "detail", "type"),
}


def _check_utf8(tables: dict[str, pa.Table]) -> None:
    """:class:`NotFast` if a string holds invalid UTF-8 (Arrow's JSON reader lets it through).

    The page-at-a-time path then reads those lines with the bad bytes replaced.
    Only the columns of :data:`_READ_STRINGS` are checked: the check reads every
    byte (about 10 ms a 16 MB chunk, measured on the synthetic 1M file), and the
    other string columns cannot hold invalid UTF-8.
    """
    for name, columns in _READ_STRINGS.items():
        table = tables.get(name)
        if table is None:
            continue
        for column in columns:
            try:
                table.column(column).validate(full=True)
            except pa.ArrowInvalid as exc:
                raise NotFast(f"invalid UTF-8 ({exc})") from exc


def _items(lists: pa.Array, keep: np.ndarray, source: int):
    """Flatten a list column, keeping items of pages where ``keep``: (items, page, source)."""
    items = pc.list_flatten(lists)
    parent = pc.list_parent_indices(lists).to_numpy()
    mask = keep[parent]
    if not mask.all():
        items = items.filter(pa.array(mask))
        parent = parent[mask]
    if items.null_count:
        raise NotFast("a null item")
    return items, parent, np.full(len(parent), source, dtype=np.int8)


def _page_ranks(*parts) -> np.ndarray:
    """Place of each item of the concatenated parts in page order (data before includes)."""
    parent = np.concatenate([p[1] for p in parts])
    source = np.concatenate([p[2] for p in parts])
    return _inverse(np.lexsort((source, parent)))


def _inverse(order: np.ndarray) -> np.ndarray:
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order), dtype=order.dtype)
    return rank


def _refs(items: pa.Array) -> dict[str, pa.Array]:
    """Per reference type, the id of each tweet's referenced tweet (the last one, like a dict)."""
    refs = _field(items, "referenced_tweets")
    flat = pc.list_flatten(refs)
    parent = pc.list_parent_indices(refs).to_numpy()
    if flat.null_count:
        raise NotFast("a null referenced tweet")
    types = _field(flat, "type").fill_null("")
    ids = _ids(_field(flat, "id"))
    out = {}
    for ref_type in ("replied_to", "retweeted", "quoted"):
        hit = pc.equal(types, ref_type).to_numpy(zero_copy_only=False)
        where = np.full(len(items), -1, dtype=np.int64)
        where[parent[hit]] = np.flatnonzero(hit)
        out[ref_type] = ids.take(pa.array(where, mask=where < 0))
    return out


def _note(items: pa.Array) -> tuple[pa.Array, pa.Array, dict[str, pa.Array]]:
    """(text, short_text, entity lists) of tweets: a long post's from its ``note_tweet``.

    As :func:`analysis.ingest.pages._note`: a tweet with a ``note_tweet`` text has
    that text, its own ``text`` as ``short_text`` and the note's entities.
    """
    text = _field(items, "text")
    note = _field(items, "note_tweet")
    lists = ("hashtags", "mentions", "urls")
    entities = _field(items, "entities")
    # no long post (parsed with PARSE_LEAN, or every note null): the usual case
    full = None if pa.types.is_null(note.type) else _field(note, "text")
    if full is None or full.null_count == len(full):
        return text, pa.nulls(len(items), _STR), {k: _field(entities, k) for k in lists}
    has_note = full.is_valid()
    note_entities = _field(note, "entities")
    chosen = {k: pc.if_else(has_note, _field(note_entities, k), _field(entities, k)) for k in lists}
    return pc.if_else(has_note, full, text), pc.if_else(has_note, text, None), chosen


def _edit_ids(items: pa.Array, tweet_id: pa.Array, raw_id: pa.Array) -> pa.Array:
    """Each tweet's earlier versions (:func:`analysis.ingest.pages.edit_ids`), as list<int64>.

    ``raw_id`` holds the tweets' ids as read (strings), ``tweet_id`` the same parsed.
    """
    history = _field(items, "edit_history_tweet_ids")
    if history.null_count == len(history):
        return pa.nulls(len(items), pa.list_(_I64))
    flat = pc.list_flatten(history)
    if flat.null_count:
        raise NotFast("a null id in an edit history")
    if _own_ids_only(history, flat, raw_id):  # the usual history: no earlier version
        offsets = pa.array(np.zeros(len(items) + 1, dtype=np.int32))
        return pa.ListArray.from_arrays(offsets, pa.array([], _I64), mask=history.is_null())
    ids = _ids(flat)
    parent = pc.list_parent_indices(history).to_numpy()
    earlier = ids.to_numpy() < tweet_id.to_numpy()[parent]
    counts = np.bincount(parent[earlier], minlength=len(items))
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]), pa.int32())
    return pa.ListArray.from_arrays(offsets, ids.filter(pa.array(earlier)), mask=history.is_null())


def _own_ids_only(history: pa.Array, flat: pa.Array, raw_id: pa.Array) -> bool:
    """Whether each edit history given is its tweet's own id alone (the string, as read).

    Then no tweet has an earlier version, and the histories' ids need no parsing:
    a string equal to the tweet's id parses to the same valid id.
    """
    lengths = pc.min_max(pc.list_value_length(history))
    if lengths["min"].as_py() != 1 or lengths["max"].as_py() != 1:
        return False
    own = raw_id.filter(history.is_valid()) if history.null_count else raw_id
    return bool(pc.all(pc.equal(flat, own)).as_py())


def _entity_items(lists: pa.Array, what: str) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Return the items of an entity list column: (items, owner tweet, 0-based position in the tweet)."""
    flat = pc.list_flatten(lists)
    if flat.null_count:
        raise NotFast(f"a null {what}")
    owner = pc.list_parent_indices(lists).to_numpy()
    lengths = pc.list_value_length(lists).fill_null(0).to_numpy()
    starts = np.cumsum(lengths) - lengths
    return flat, owner, np.arange(len(flat), dtype=np.int64) - starts[owner]


def _per_value(values: pa.Array, fn) -> pa.Array:
    """``fn`` of each value, computed once per distinct value (nulls stay null)."""
    encoded = values.dictionary_encode()
    return pa.array([fn(v) for v in encoded.dictionary.to_pylist()], _STR).take(encoded.indices)


def _x_platform(n: int) -> tuple[pa.Array, pa.Array]:
    """``platform`` and ``native_id`` of X rows (the fast path reads X pages only)."""
    return pa.repeat(pa.scalar("x"), n), pa.nulls(n, _STR)


def _tweet_tables(items: pa.Array, parent: np.ndarray, collected: bool, observed: pa.Array):
    raw_id = _field(items, "id")
    tweet_id = _ids(raw_id, required=True)
    metrics = _field(items, "public_metrics")
    refs = _refs(items)
    page_obs = observed.take(pa.array(parent))
    text, short_text, entities = _note(items)
    tweets = pa.Table.from_arrays(
        [
            tweet_id,
            _ids(_field(items, "author_id")),
            _times(_field(items, "created_at")),
            text,
            short_text,
            _field(items, "lang"),
            _ids(_field(items, "conversation_id")),
            refs["replied_to"],
            _ids(_field(items, "in_reply_to_user_id")),
            refs["retweeted"],
            refs["quoted"],
            _edit_ids(items, tweet_id, raw_id),
            *(_counts(_field(metrics, m)) for m in TWEET_METRICS),
            pa.array(np.full(len(items), collected), _BOOL),
            page_obs,
            *_x_platform(len(items)),
        ],
        schema=_SCHEMA["tweets"],
    )

    flat, owner, position = _entity_items(entities["hashtags"], "hashtag")
    tags = _field(flat, "tag").fill_null("")
    hashtag_table = pa.Table.from_arrays(
        [tweet_id.take(pa.array(owner)), tags, _per_value(tags, normalise_tag), pa.array(position)],
        schema=_SCHEMA["hashtags"],
    )

    flat, mention_owner, _ = _entity_items(entities["mentions"], "mention")
    mention_table = pa.Table.from_arrays(
        [
            tweet_id.take(pa.array(mention_owner)),
            _field(flat, "username").fill_null(""),
            _ids(_field(flat, "id")),
        ],
        schema=_SCHEMA["mentions"],
    )

    flat, url_owner, url_position = _entity_items(entities["urls"], "link")
    url, expanded = _field(flat, "url"), _field(flat, "expanded_url")
    url_table = pa.Table.from_arrays(
        [
            tweet_id.take(pa.array(url_owner)),
            pa.array(url_position),
            url,
            expanded,
            pc.coalesce(_per_value(expanded, url_domain), _per_value(url, url_domain)),
        ],
        schema=_SCHEMA["urls"],
    )
    owners = {"hashtags": owner, "mentions": mention_owner, "urls": url_owner}
    tables = {
        "tweets": tweets,
        "hashtags": hashtag_table,
        "mentions": mention_table,
        "urls": url_table,
    }
    return tables, owners


def _user_table(items: pa.Array, parent: np.ndarray, observed: pa.Array) -> pa.Table:
    metrics = _field(items, "public_metrics")
    return pa.Table.from_arrays(
        [
            _ids(_field(items, "id"), required=True),
            _field(items, "username"),
            _field(items, "name"),
            _field(items, "description"),
            _field(items, "location"),
            _times(_field(items, "created_at")),
            _field(items, "protected"),
            _field(items, "verified"),
            *(_counts(_field(metrics, m)) for m in USER_METRICS),
            observed.take(pa.array(parent)),
            *_x_platform(len(items)),
        ],
        schema=_SCHEMA["users"],
    )


#: Stand-ins for a page's collection time while its provenance is read once for many pages.
_COLLECTED, _RETRIEVED = object(), object()


def _page_provenance(key: tuple, convert=None) -> tuple:
    """(kind, account, observed_at or a stand-in, synthetic) of a page's provenance fields."""
    med_ok, twarc_ok, endpoint, user_id, id_, synthetic, url = key
    page: dict = {}
    if med_ok:
        page["__medtwitter"] = {
            "endpoint": endpoint,
            "params": {"user_id": user_id, "id": id_},
            "collected_at": _COLLECTED,
            "synthetic": synthetic,
        }
    if twarc_ok:
        page["__twarc"] = {"url": url, "retrieved_at": _RETRIEVED}
    endpoint, params, observed, synth = provenance(convert(page) if convert else page)
    account = params.get("user_id") or params.get("id")
    return kind_from_endpoint(endpoint), account, observed, synth


def extract_chunk(pages: pa.Table, convert=None, data_kind: str | None = None) -> Chunk:
    """Contract rows from a table of API pages (one row a page), as :func:`add_page` makes them.

    ``convert`` (e.g. :func:`analysis.formats.twarc2_page`) is applied to each
    page's provenance, as the page-at-a-time path applies it to the page.
    ``data_kind`` says what ``data`` was parsed as ('tweets', 'users' or None:
    either, see :data:`analysis.ingest.schema.PARSE`); :class:`OtherKind` if a page's does not fit.
    Raises :class:`NotFast` when a page needs the page-at-a-time path.

    Parameters
    ----------
    pages : pyarrow.Table
        Pages parsed by Arrow's JSON reader, one row a page, with
        :data:`~analysis.ingest.schema.PAGE_SCHEMA` or a narrower schema of
        :data:`~analysis.ingest.schema.PARSE`.
    convert : callable or None, optional
        Turns a page of another format into a v2 page, applied to its provenance;
        None (default) for v2 pages.
    data_kind : str or None, optional
        ``"tweets"``, ``"users"`` or None (default), what ``data`` was parsed as.

    Returns
    -------
    Chunk
        The contract rows per table, their ranks, and the page counts.

    Raises
    ------
    NotFast
        If a page needs the page-at-a-time path.
    OtherKind
        If a page's ``data`` does not fit ``data_kind``.
    """
    pages = pages.combine_chunks()
    n = pages.num_rows
    if not n:
        return Chunk({}, {}, 0, 0, False)
    col = {name: pages.column(name).chunk(0) for name in PAGE_SCHEMA.names}
    data = col["data"]
    med, twarc = col["__medtwitter"], col["__twarc"]
    med_ok = med.is_valid().to_numpy(zero_copy_only=False)
    twarc_ok = twarc.is_valid().to_numpy(zero_copy_only=False)
    params = _field(med, "params")
    prov = [
        _field(med, "endpoint").to_pylist(),
        _field(params, "user_id").to_pylist(),
        _field(params, "id").to_pylist(),
        _field(med, "synthetic").to_pylist(),
        _field(twarc, "url").to_pylist(),
    ]
    collected_at = _field(med, "collected_at").to_pylist()
    retrieved_at = _field(twarc, "retrieved_at").to_pylist()
    # pages of one collection share their provenance but for its time: read it once
    known: dict[tuple, tuple] = {}
    # (no null reaches to_numpy: with nulls, pyarrow converts through pandas)
    data_len = pc.list_value_length(data).fill_null(0).to_numpy()
    has_meta = col["meta"].is_valid().to_numpy(zero_copy_only=False)
    has_errors = col["errors"].is_valid().to_numpy(zero_copy_only=False)
    unclear = None  # per-page counts of items with text / username, computed if needed

    kinds, accounts, observed, synthetic = [], [], [], False
    for i in range(n):
        key = (med_ok[i], twarc_ok[i], *(values[i] for values in prov))
        if key not in known:
            known[key] = _page_provenance(key, convert)
        kind, account, obs, synth = known[key]
        obs = (
            collected_at[i] if obs is _COLLECTED else retrieved_at[i] if obs is _RETRIEVED else obs
        )
        if kind is None:
            length = int(data_len[i])
            if length:
                if data_kind is not None:
                    raise OtherKind("a page without provenance: its kind needs every field")
                if unclear is None:
                    items = pc.list_flatten(data)
                    owner = pc.list_parent_indices(data).to_numpy()
                    unclear = [
                        np.bincount(owner, pc.is_valid(_field(items, f)).to_numpy(False), n)
                        for f in ("text", "username")
                    ]
                if unclear[0][i] == length:
                    kind = "tweets"
                elif unclear[1][i] == length:
                    kind = "users"
                else:
                    raise NotFast("a page of unclear kind")
            elif has_meta[i] or has_errors[i]:
                kind = "empty"
            else:
                raise NotFast("a line that is not an API page")
        if kind != "skip":
            synthetic |= synth
        kinds.append(kind)
        accounts.append(account)
        observed.append(obs)

    kinds_np = np.array(kinds)
    rows_page = kinds_np != "skip"
    tweet_page = kinds_np == "tweets"
    user_page = np.isin(kinds_np, ["users", "followers", "following"])
    if data_kind is not None:
        other = user_page if data_kind == "tweets" else tweet_page
        if data_len[other].any():
            raise OtherKind(f"pages whose data are not {data_kind}")
    observed_ts = _times(observed)
    includes = col["includes"]
    tables: dict[str, pa.Table] = {}
    # data parsed as one kind holds none of the other
    tweet_data = pa.nulls(n, pa.list_(TWEET)) if data_kind == "users" else data
    user_data = pa.nulls(n, pa.list_(USER)) if data_kind == "tweets" else data

    # includes.tweets: referenced tweets of tweet pages, pinned tweets of user pages
    parts = [
        _items(tweet_data, tweet_page, 0),
        _items(_field(includes, "tweets"), rows_page, 1),
    ]
    made = [
        _tweet_tables(p[0], p[1], collected, observed_ts)
        for p, collected in zip(parts, (True, False), strict=True)
    ]
    tweet_rank = _page_ranks(*parts)
    ranks: dict[str, np.ndarray] = {"tweets": tweet_rank}
    for name in ("tweets", "hashtags", "mentions", "urls"):
        tables[name] = pa.concat_tables([m[0][name] for m in made])
    offset = len(parts[0][1])
    for name in ("hashtags", "mentions", "urls"):
        # page order: by tweet, then as listed in the tweet (flattening keeps that order)
        owner_rank = np.concatenate(
            [tweet_rank[m[1][name] + (offset if i else 0)] for i, m in enumerate(made)]
        )
        ranks[name] = _inverse(np.argsort(owner_rank, kind="stable"))

    parts = [_items(user_data, user_page, 0), _items(_field(includes, "users"), rows_page, 1)]
    tables["users"] = pa.concat_tables([_user_table(p[0], p[1], observed_ts) for p in parts])
    ranks["users"] = _page_ranks(*parts)

    follow_page = np.isin(kinds_np, ["followers", "following"])
    if follow_page.any():
        try:
            account = pa.array(
                [to_id(a) if f else None for a, f in zip(accounts, follow_page, strict=True)], _I64
            )
        except ValueError as exc:
            raise NotFast(str(exc)) from exc
        keep = follow_page & account.is_valid().to_numpy(zero_copy_only=False)
        items, parent, _ = _items(user_data, keep, 0)
        ids = _ids(_field(items, "id"), required=True)
        other = account.take(pa.array(parent))
        is_follower = pa.array(kinds_np[parent] == "followers")
        seen = observed_ts.take(pa.array(parent))
        tables["follows"] = pa.Table.from_arrays(
            [pc.if_else(is_follower, ids, other), pc.if_else(is_follower, other, ids), seen, seen],
            schema=_SCHEMA["follows"],
        )

    errors, parent, _ = _items(col["errors"], rows_page, 0)
    rid = _field(errors, "resource_id")
    rid = pc.if_else(pc.fill_null(pc.not_equal(rid, ""), False), rid, _field(errors, "value"))
    keep = rid.is_valid()
    tables["missing"] = pa.Table.from_arrays(
        [
            rid.filter(keep),
            *(_field(errors, f).filter(keep) for f in ("resource_type", "title", "detail", "type")),
            observed_ts.take(pa.array(parent)).filter(keep),
        ],
        schema=_SCHEMA["missing"],
    )
    pages_count = int(rows_page.sum())
    _check_utf8(tables)
    return Chunk(tables, ranks, pages_count, n - pages_count, synthetic)
