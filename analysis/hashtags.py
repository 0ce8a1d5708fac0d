"""Hashtags: frequencies, trends, co-occurrence communities, user communities, peer help.

Tags are compared by their ``tag_norm`` (case-folded, Unicode NFC, accents
kept), so ``#Santé``, ``#santé`` and ``#SANTÉ`` are one tag while ``#sante``
stays its own; ``fold_accents=True`` merges them too (off by default). By
default a retweet's hashtags are left out (``include_retweets=False``): they
repeat the original's and would count one use many times.

The co-occurrence graph (:func:`cooccurrence_graph`) keeps a pair of tags only
if it co-occurs more than chance says: positive normalised PMI and a one-sided
hypergeometric test under a Bonferroni correction, so the graph is not just
the most frequent tags. Communities come from Louvain (``seed=``).

Account labels (role, identity) and follower-graph communities are optional
inputs: ``labels`` is a frame with ``user_id``, ``role``, ``identity``;
``communities`` maps ``user_id`` to a community.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.stats import hypergeom

from analysis import settings
from analysis.errors import UsageError
from analysis.tables import Tables, normalise_tag


def fold_accents(tag: str) -> str:
    """Strip accents from a tag (``'santé'`` -> ``'sante'``).

    Examples
    --------
    >>> fold_accents("télémédecine")
    'telemedecine'
    """
    decomposed = unicodedata.normalize("NFKD", tag)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def tag_uses(
    tables: Tables, fold: bool = False, include_retweets: bool = False, dedup: bool = True
) -> pd.DataFrame:
    """One row per (tweet, tag) with the tweet's author and time, under the normalisation chosen.

    ``tag_key`` is ``tag_norm`` (or its accent-folded form with ``fold=True``);
    a tag repeated in one tweet counts once (unless ``dedup=False``). Only
    collected tweets count.

    Returns
    -------
    DataFrame: ``tweet_id``, ``tag``, ``tag_key``, ``author_id``, ``created_at``.
    """
    tw = tables.tweets
    if "collected" in tw:
        tw = tw[tw["collected"].astype(bool)]
    if not include_retweets:
        tw = tw[tw["retweet_of_tweet_id"].isna()]
    tw = tw[["tweet_id", "author_id", "created_at"]]
    h = tables.hashtags[["tweet_id", "tag", "tag_norm"]].merge(tw, on="tweet_id", how="inner")
    h["tag_key"] = h["tag_norm"].map(fold_accents) if fold else h["tag_norm"]
    if dedup:
        h = h.drop_duplicates(["tweet_id", "tag_key"])
    return h[["tweet_id", "tag", "tag_key", "author_id", "created_at"]].reset_index(drop=True)


def tag_frequencies(
    tables: Tables, fold: bool = False, include_retweets: bool = False
) -> pd.DataFrame:
    """Tweets and accounts per tag, with the ways each tag was written.

    Returns
    -------
    DataFrame sorted by use: ``tag_key``, ``tweets``, ``accounts``, ``share_of_tagged_tweets``,
    ``written_as`` (the spellings seen, most frequent first).
    """
    uses = tag_uses(tables, fold, include_retweets)
    cols = ["tag_key", "tweets", "accounts", "share_of_tagged_tweets", "written_as"]
    if uses.empty:
        return pd.DataFrame(columns=cols)
    spellings = (
        tag_uses(tables, fold, include_retweets, dedup=False).groupby(["tag_key", "tag"]).size().reset_index(name="n")
        .sort_values(["tag_key", "n", "tag"], ascending=[True, False, True])
        .groupby("tag_key")["tag"].agg(lambda s: ", ".join("#" + s))
    )  # fmt: skip
    out = uses.groupby("tag_key").agg(
        tweets=("tweet_id", "nunique"), accounts=("author_id", "nunique")
    )
    out["share_of_tagged_tweets"] = out["tweets"] / uses["tweet_id"].nunique()
    out["written_as"] = spellings
    out = out.reset_index().sort_values(["tweets", "tag_key"], ascending=[False, True])
    return out[cols].reset_index(drop=True)


def focus_tags(tables: Tables, interest: list[str], n: int = 6, fold: bool = False) -> list[str]:
    """The hashtags of interest (as tag keys), then the most frequent others, ``n`` in all.

    Examples
    --------
    >>> tw = pd.DataFrame({"tweet_id": [1, 2, 3], "author_id": [7, 8, 9],
    ...     "created_at": pd.to_datetime(["2020-01-01"] * 3, utc=True),
    ...     "collected": True, "retweet_of_tweet_id": pd.array([None] * 3, "Int64")})
    >>> h = pd.DataFrame({"tweet_id": [1, 2, 3], "tag": ["FOAMed", "sante", "FOAMed"],
    ...     "tag_norm": ["foamed", "sante", "foamed"]})
    >>> t = Tables(tw, pd.DataFrame(), pd.DataFrame(), h, pd.DataFrame(), pd.DataFrame())
    >>> focus_tags(t, ["#Docstoctoc"], n=2)
    ['docstoctoc', 'foamed']
    """
    keys = [normalise_tag(t.lstrip("#")) for t in interest]
    if fold:
        keys = [fold_accents(k) for k in keys]
    keys = list(dict.fromkeys(keys))
    others = [t for t in tag_frequencies(tables, fold=fold)["tag_key"] if t not in keys]
    return keys + others[: max(0, n - len(keys))]


def tag_trends(
    tables: Tables,
    freq: str = "Y",
    fold: bool = False,
    include_retweets: bool = False,
    min_tweets: int = 5,
) -> pd.DataFrame:
    """Each tag's share of the period's tagged tweets, and its change from the previous period.

    The denominator is the number of tagged tweets in the period (so a tag does
    not "rise" merely because the whole dataset grows); periods run without a
    gap. ``change`` is the difference in share, in percentage points, from the
    previous period; tags with fewer than ``min_tweets`` in both periods get
    NaN change (too few to call a trend).

    Returns
    -------
    Long DataFrame: ``period``, ``tag_key``, ``tweets``, ``tagged_tweets``, ``share``, ``change_pp``.
    """
    uses = tag_uses(tables, fold, include_retweets)
    cols = ["period", "tag_key", "tweets", "tagged_tweets", "share", "change_pp"]
    if uses.empty:
        return pd.DataFrame(columns=cols)
    period = uses["created_at"].dt.tz_localize(None).dt.to_period(freq)
    full = pd.period_range(period.min(), period.max(), freq=freq)
    counts = pd.crosstab(period, uses["tag_key"]).reindex(full, fill_value=0)
    tagged = uses.assign(period=period).groupby("period")["tweet_id"].nunique().reindex(full)
    tagged = tagged.fillna(0)
    share = counts.div(tagged.where(tagged > 0), axis=0)
    change = share.diff() * 100
    enough = (counts >= min_tweets) | (counts.shift(1) >= min_tweets)
    change = change.where(enough)
    out = counts.stack().rename("tweets").to_frame()
    out["share"] = share.stack(future_stack=True)
    out["change_pp"] = change.stack(future_stack=True)
    out = out.reset_index()
    out.columns = ["period", "tag_key", "tweets", "share", "change_pp"]
    out["tagged_tweets"] = out["period"].map(tagged).astype("int64")
    out["period"] = out["period"].dt.start_time
    return out.sort_values(["period", "tag_key"], ignore_index=True)[cols]


def rising_and_declining(trends: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """Per period, the ``n`` tags whose share rose most and the ``n`` that fell most.

    Returns
    -------
    DataFrame: ``period``, ``direction`` (rising/declining), ``tag_key``, ``change_pp``, ``share``.
    """
    cols = ["period", "direction", "tag_key", "change_pp", "share"]
    t = trends.dropna(subset=["change_pp"])
    rows = []
    for _, g in t.groupby("period", sort=True):
        up = g[g["change_pp"] > 0].nlargest(n, "change_pp")
        down = g[g["change_pp"] < 0].nsmallest(n, "change_pp")
        rows.append(up.assign(direction="rising"))
        rows.append(down.assign(direction="declining"))
    if not rows:
        return pd.DataFrame(columns=cols)
    return pd.concat(rows, ignore_index=True)[cols]


# -- co-occurrence -----------------------------------------------------------------------------


def cooccurrence_graph(
    tables: Tables,
    fold: bool = False,
    include_retweets: bool = False,
    min_tag_tweets: int = 5,
    min_pair_tweets: int = 3,
    min_npmi: float = 0.0,
    alpha: float | None = 0.01,
) -> nx.Graph:
    """Weighted co-occurrence graph of hashtags, keeping only significant pairs.

    Nodes are tags used in at least ``min_tag_tweets`` tweets (attribute
    ``tweets``). An edge joins two tags that share at least ``min_pair_tweets``
    tweets, whose normalised PMI exceeds ``min_npmi`` and whose co-occurrence
    count is significant under a one-sided hypergeometric test at ``alpha``
    with a Bonferroni correction for every pair tested (``alpha=None`` and
    ``min_npmi=-1`` keep every co-occurring pair). Edge attributes:
    ``weight`` (tweets in common), ``pmi``, ``npmi``, ``pvalue``.

    Examples
    --------
    >>> from analysis.tables import Tables, normalise_tag
    >>> tw = pd.DataFrame({"tweet_id": range(6), "author_id": 1, "collected": True,
    ...     "created_at": pd.Timestamp("2020-01-01", tz="UTC"), "retweet_of_tweet_id": None})
    >>> h = pd.DataFrame({"tweet_id": [0, 0, 1, 1, 2, 2, 3, 4, 5],
    ...     "tag_norm": list("ababab") + ["c"] * 3})
    >>> g = cooccurrence_graph(Tables(tw, *[pd.DataFrame()] * 2, h.assign(tag=h.tag_norm),
    ...     pd.DataFrame(), pd.DataFrame()), min_tag_tweets=1, min_pair_tweets=1, alpha=None)
    >>> sorted(g.edges())
    [('a', 'b')]
    """
    uses = tag_uses(tables, fold, include_retweets)
    g = nx.Graph()
    if uses.empty:
        return g
    n_tweets = int(uses["tweet_id"].nunique())
    counts = uses.groupby("tag_key")["tweet_id"].nunique()
    keep = counts[counts >= min_tag_tweets]
    g.add_nodes_from((t, {"tweets": int(c)}) for t, c in keep.sort_index().items())
    uses = uses[uses["tag_key"].isin(keep.index)]
    tags = np.array(sorted(keep.index))
    if len(tags) < 2:
        return g
    col = pd.Index(tags).get_indexer(uses["tag_key"])
    row_ids, row = np.unique(uses["tweet_id"].to_numpy(), return_inverse=True)
    x = sparse.csr_matrix((np.ones(len(col)), (row, col)), shape=(len(row_ids), len(tags)))
    co = (x.T @ x).tocoo()
    tested = len(tags) * (len(tags) - 1) / 2
    freq = keep.reindex(tags).to_numpy()
    for i, j, k in zip(co.row, co.col, co.data, strict=True):
        if i >= j or k < min_pair_tweets:
            continue
        ni, nj = freq[i], freq[j]
        pij = k / n_tweets
        pmi = np.log(pij / ((ni / n_tweets) * (nj / n_tweets)))
        npmi = pmi / -np.log(pij) if pij < 1 else 1.0
        if npmi <= min_npmi:
            continue
        pvalue = float(hypergeom.sf(k - 1, n_tweets, ni, nj))
        if alpha is not None and pvalue * tested > alpha:
            continue
        g.add_edge(str(tags[i]), str(tags[j]), weight=int(k), pmi=float(pmi), npmi=float(npmi),
                   pvalue=pvalue)  # fmt: skip
    return g


def louvain_partition(
    graph: nx.Graph, weight: str = "weight", resolution: float = 1.0, seed: int | None = None
) -> pd.Series:
    """Louvain communities of a graph as a Series node -> community number.

    Communities are numbered 0, 1, ... from the largest (ties broken by the
    smallest node); isolated nodes get a community of their own.

    Examples
    --------
    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("x", "y")])
    >>> louvain_partition(g).to_dict()
    {'a': 0, 'b': 0, 'c': 0, 'x': 1, 'y': 1}
    """
    seed = settings.SEED if seed is None else seed
    if graph.number_of_nodes() == 0:
        return pd.Series(dtype="int64", name="community")
    parts = nx.community.louvain_communities(graph, weight=weight, resolution=resolution, seed=seed)
    parts = sorted((sorted(p, key=str) for p in parts), key=lambda p: (-len(p), str(p[0])))
    mapping = {node: c for c, part in enumerate(parts) for node in part}
    out = pd.Series(mapping, name="community", dtype="int64")
    out.index.name = "node"
    return out.sort_index(key=lambda i: i.map(str))


def hashtag_communities(
    graph: nx.Graph, resolution: float = 1.0, seed: int | None = None
) -> pd.Series:
    """Louvain communities of the co-occurrence graph: Series tag -> community (``seed=``)."""
    seed = settings.SEED if seed is None else seed
    out = louvain_partition(graph, "weight", resolution, seed)
    out.index.name = "tag_key"
    return out


def label_communities(
    tag_communities: pd.Series,
    tables: Tables,
    labels: pd.DataFrame | None = None,
    top: int = 4,
    fold: bool = False,
    include_retweets: bool = False,
) -> pd.DataFrame:
    """Describe each hashtag community by its top tags and the accounts that use them.

    An account counts for a community when it used one of its tags. With
    ``labels`` (``user_id``, ``role``, ``identity``) the main roles and
    identity styles of those accounts are given as shares; without, those
    columns say "no labels".

    Returns
    -------
    DataFrame: ``community``, ``tags``, ``top_tags``, ``tweets``, ``accounts``, ``roles``, ``identities``.
    """
    cols = ["community", "tags", "top_tags", "tweets", "accounts", "roles", "identities"]
    if tag_communities.empty:
        return pd.DataFrame(columns=cols)
    uses = tag_uses(tables, fold, include_retweets)
    uses = uses.assign(community=uses["tag_key"].map(tag_communities)).dropna(subset=["community"])
    lab = None
    if labels is not None:
        lab = labels.assign(user_id=labels["user_id"].astype("int64")).set_index("user_id")

    def mix(ids: pd.Series, column: str) -> str:
        if lab is None or column not in lab:
            return "no labels"
        vals = ids.map(lab[column]).fillna("unknown").value_counts(normalize=True)
        return ", ".join(f"{k} {v:.0%}" for k, v in vals.head(3).items())

    rows = []
    for c, g in uses.groupby("community"):
        per_tag = g.groupby("tag_key")["tweet_id"].nunique().sort_values(ascending=False)
        per_tag = per_tag.sort_index().sort_values(ascending=False, kind="stable")
        authors = pd.Series(g["author_id"].dropna().astype("int64").unique())
        rows.append({
            "community": int(c), "tags": int((tag_communities == c).sum()),
            "top_tags": " ".join("#" + t for t in per_tag.index[:top]),
            "tweets": int(g["tweet_id"].nunique()), "accounts": len(authors),
            "roles": mix(authors, "role"), "identities": mix(authors, "identity"),
        })  # fmt: skip
    return pd.DataFrame(rows, columns=cols).sort_values("community", ignore_index=True)


# -- comparing partitions ----------------------------------------------------------------------


def nmi(a: Mapping | pd.Series, b: Mapping | pd.Series) -> float:
    """Normalised mutual information of two partitions over the items they share.

    Arithmetic-mean normalisation (``2 I / (H(a) + H(b))``); 1.0 when both
    put every shared item in one group.

    Examples
    --------
    >>> nmi({1: "x", 2: "x", 3: "y"}, {1: 0, 2: 0, 3: 1})
    1.0
    >>> nmi({1: 0, 2: 1, 3: 0, 4: 1}, {1: 0, 2: 0, 3: 1, 4: 1})
    0.0
    """
    a, b = pd.Series(a), pd.Series(b)
    common = a.index.intersection(b.index)
    if len(common) == 0:
        raise UsageError("the two partitions share no item; check that they use the same ids.")
    table = pd.crosstab(a.loc[common].to_numpy(), b.loc[common].to_numpy()).to_numpy(float)
    pxy = table / table.sum()
    px, py = pxy.sum(axis=1), pxy.sum(axis=0)
    nz = pxy > 0
    mi = float((pxy[nz] * np.log(pxy[nz] / np.outer(px, py)[nz])).sum())
    hx = float(-(px[px > 0] * np.log(px[px > 0])).sum())
    hy = float(-(py[py > 0] * np.log(py[py > 0])).sum())
    if hx + hy == 0:
        return 1.0
    return round(max(0.0, 2 * mi / (hx + hy)), 12)


def compare_partitions(
    a: Mapping | pd.Series, b: Mapping | pd.Series, a_name: str = "a", b_name: str = "b"
) -> tuple[float, pd.DataFrame]:
    """NMI of two partitions and their cross-tab (rows ``a_name``, columns ``b_name``)."""
    a, b = pd.Series(a), pd.Series(b)
    common = a.index.intersection(b.index)
    tab = pd.crosstab(a.loc[common].rename(a_name), b.loc[common].rename(b_name))
    return nmi(a, b), tab


# -- user-hashtag bipartite graph --------------------------------------------------------------


def user_hashtag_graph(
    tables: Tables, fold: bool = False, include_retweets: bool = True, min_uses: int = 1
) -> nx.Graph:
    """Bipartite graph of accounts and the tags they used (edge ``weight``: tweets).

    Account nodes are ``("user", user_id)`` with ``bipartite=0``; tag nodes are
    ``("tag", tag_key)`` with ``bipartite=1``. Retweets count here by default:
    retweeting a tag says something about an account's interests.
    """
    uses = tag_uses(tables, fold, include_retweets).dropna(subset=["author_id"])
    pairs = uses.groupby(["author_id", "tag_key"]).size().reset_index(name="w")
    pairs = pairs[pairs["w"] >= min_uses]
    g = nx.Graph()
    g.add_nodes_from((("user", int(u)) for u in sorted(pairs["author_id"].unique())), bipartite=0)
    g.add_nodes_from((("tag", t) for t in sorted(pairs["tag_key"].unique())), bipartite=1)
    g.add_weighted_edges_from(
        (("user", int(u)), ("tag", t), int(w))
        for u, t, w in pairs.itertuples(index=False, name=None)
    )
    return g


def project_users(bipartite: nx.Graph, k: int = 10, min_similarity: float = 0.1) -> nx.Graph:
    """Project the user–hashtag graph onto accounts by the similarity of their tag use.

    Each account is a vector of tag counts weighted by inverse document
    frequency (a tag everyone uses says little); two accounts are joined when
    the cosine similarity of their vectors is at least ``min_similarity`` and
    one is among the other's ``k`` most similar (a k-nearest-neighbour
    backbone, so popular tags do not join everyone to everyone).
    """
    users = sorted(n for n, d in bipartite.nodes(data=True) if d.get("bipartite") == 0)
    tags = sorted(n for n, d in bipartite.nodes(data=True) if d.get("bipartite") == 1)
    proj = nx.Graph()
    proj.add_nodes_from(u[1] for u in users)
    if len(users) < 2 or not tags:
        return proj
    ui = {u: i for i, u in enumerate(users)}
    ti = {t: j for j, t in enumerate(tags)}
    rows, cols, vals = [], [], []
    for u, t, w in bipartite.edges(data="weight"):
        if u[0] == "tag":
            u, t = t, u
        rows.append(ui[u])
        cols.append(ti[t])
        vals.append(float(w))
    x = sparse.csr_matrix((vals, (rows, cols)), shape=(len(users), len(tags)))
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    x = x @ sparse.diags(np.log(len(users) / df) + 1.0)
    norm = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    x = sparse.diags(1 / np.where(norm > 0, norm, 1)) @ x
    sim = (x @ x.T).toarray()
    np.fill_diagonal(sim, 0)
    kk = min(k, len(users) - 1)
    nearest = np.argsort(-sim, axis=1, kind="stable")[:, :kk]
    for i in range(len(users)):
        for j in nearest[i]:
            if sim[i, j] >= min_similarity:
                proj.add_edge(users[i][1], users[j][1], weight=float(sim[i, j]))
    return proj


def user_communities(projection: nx.Graph, seed: int | None = None) -> pd.Series:
    """Louvain communities of accounts in the user projection: Series user_id -> community."""
    seed = settings.SEED if seed is None else seed
    out = louvain_partition(projection, "weight", 1.0, seed)
    out.index.name = "user_id"
    return out


# -- peer help ---------------------------------------------------------------------------------


def peer_help_questions(tables: Tables, tag: str = "docstoctoc") -> pd.DataFrame:
    """Questions in a peer-help tag and what became of them.

    A *question* is a collected tweet carrying ``#tag`` (compared on
    ``tag_norm``) that starts a conversation (its ``conversation_id`` is its
    own id, and it is neither a reply nor a retweet). Its *answers* are the
    replies in the same conversation by accounts other than the asker.

    Returns
    -------
    DataFrame, one row per question: ``tweet_id``, ``author_id``, ``created_at``, ``answers``,
    ``answerers``, ``answered``, ``first_answer_at``, ``hours_to_first_answer``.
    """
    cols = ["tweet_id", "author_id", "created_at", "answers", "answerers", "answered",
            "first_answer_at", "hours_to_first_answer"]  # fmt: skip
    tw = tables.tweets
    tw = tw[tw["collected"].astype(bool)] if "collected" in tw else tw
    tagged = set(tables.hashtags.loc[tables.hashtags["tag_norm"] == tag.casefold(), "tweet_id"])
    q = tw[
        tw["tweet_id"].isin(tagged)
        & (tw["conversation_id"] == tw["tweet_id"])
        & tw["reply_to_tweet_id"].isna()
        & tw["retweet_of_tweet_id"].isna()
    ][["tweet_id", "author_id", "created_at"]]
    if q.empty:
        return pd.DataFrame(columns=cols)
    ans = answers_to(tables, q)
    agg = ans.groupby("conversation_id").agg(
        answers=("tweet_id", "size"), answerers=("author_id", "nunique"),
        first_answer_at=("created_at", "min"),
    )  # fmt: skip
    out = q.merge(agg, left_on="tweet_id", right_index=True, how="left")
    out["answers"] = out["answers"].fillna(0).astype("int64")
    out["answerers"] = out["answerers"].fillna(0).astype("int64")
    out["answered"] = out["answers"] > 0
    out["hours_to_first_answer"] = (
        out["first_answer_at"] - out["created_at"]
    ).dt.total_seconds() / 3600
    return out.sort_values("created_at", ignore_index=True)[cols]


def answers_to(tables: Tables, questions: pd.DataFrame) -> pd.DataFrame:
    """Replies in the questions' conversations by someone other than the asker."""
    tw = tables.tweets
    tw = tw[tw["collected"].astype(bool)] if "collected" in tw else tw
    asker = questions.set_index("tweet_id")["author_id"]
    rep = tw[tw["reply_to_tweet_id"].notna() & tw["conversation_id"].isin(asker.index)]
    rep = rep[rep["author_id"] != rep["conversation_id"].map(asker)]
    return rep[["tweet_id", "conversation_id", "author_id", "created_at"]].reset_index(drop=True)


def peer_help_summary(questions: pd.DataFrame) -> pd.DataFrame:
    """Questions, share answered and time to first answer (median and quartiles, hours)."""
    answered = questions[questions["answered"].astype(bool)] if len(questions) else questions
    hours = answered["hours_to_first_answer"] if len(answered) else pd.Series(dtype=float)
    rows = [
        ("questions", len(questions)),
        ("answered", len(answered)),
        ("share answered", len(answered) / len(questions) if len(questions) else np.nan),
        ("median hours to first answer", hours.median()),
        ("25th percentile (hours)", hours.quantile(0.25) if len(hours) else np.nan),
        ("75th percentile (hours)", hours.quantile(0.75) if len(hours) else np.nan),
        ("answers per answered question (mean)",
         answered["answers"].mean() if len(answered) else np.nan),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["measure", "value"])


def who_answers(
    tables: Tables, questions: pd.DataFrame, labels: pd.DataFrame | None = None, by: str = "role"
) -> pd.DataFrame:
    """Answers and distinct answerers by group (``labels[by]``; ``"all"`` without labels).

    Returns
    -------
    DataFrame: ``group``, ``answers``, ``answerers``, ``share_of_answers``.
    """
    cols = ["group", "answers", "answerers", "share_of_answers"]
    if questions.empty:
        return pd.DataFrame(columns=cols)
    ans = answers_to(tables, questions)
    if ans.empty:
        return pd.DataFrame(columns=cols)
    if labels is None:
        group = pd.Series("all", index=ans.index)
    else:
        if by not in labels:
            raise UsageError(f"labels have no column {by!r}; use 'role' or 'identity'.")
        lab = labels.assign(user_id=labels["user_id"].astype("int64")).set_index("user_id")[by]
        group = ans["author_id"].astype("int64").map(lab).fillna("unknown")
    out = (
        ans.assign(group=group)
        .groupby("group")
        .agg(answers=("tweet_id", "size"), answerers=("author_id", "nunique"))
    )
    out["share_of_answers"] = out["answers"] / out["answers"].sum()
    return out.reset_index().sort_values(["answers", "group"], ascending=[False, True],
                                         ignore_index=True)[cols]  # fmt: skip


def describe_graph(graph: nx.Graph, communities: pd.Series | None = None) -> str:
    """One sentence on the co-occurrence graph (or on why it is empty)."""
    if graph.number_of_edges() == 0:
        return (
            f"The co-occurrence graph has {graph.number_of_nodes()} tag(s) used often enough and "
            "no significant pair: too few tagged tweets for communities of hashtags."
        )
    comm = f" in {communities.nunique()} Louvain communities" if communities is not None else ""
    return (
        f"The co-occurrence graph keeps {graph.number_of_nodes()} tags and "
        f"{graph.number_of_edges()} significant pairs{comm}."
    )


def describe_peer_help(questions: pd.DataFrame, tag: str = "docstoctoc") -> str:
    """One sentence on the peer-help questions of a tag (or on their absence)."""
    if questions.empty:
        return f"No #{tag} question (a collected tweet in the tag starting a conversation) here."
    answered = questions["answered"].astype(bool)
    text = (
        f"{len(questions):,} #{tag} questions, {answered.sum():,} answered ({answered.mean():.0%})"
    )
    if answered.any():
        med = questions.loc[answered, "hours_to_first_answer"].median()
        text += f"; median time to first answer {med:,.1f} hours"
    return text + "."
