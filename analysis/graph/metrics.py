"""Measures of the follower graph: reciprocity, degrees, centralities, cores, top accounts.

Every function takes the ``DiGraph`` from :func:`graph_from_tables` (those that
need direction raise on an undirected graph) and ``backend=`` (see
:mod:`analysis.graph.backends`): ``"igraph"`` the fast path, ``"networkx"``
networkx, any other name an installed networkx backend, with a fallback note
when it is absent; ``None`` reads :data:`analysis.settings.GRAPH_BACKEND`
(``"igraph"``) when the function runs.

The module is long because it holds every node and graph measure with its backend
dispatch (networkx, a networkx backend, or the igraph fast path) and its doctest.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from analysis import settings
from analysis.errors import UsageError
from analysis.graph import fast
from analysis.graph.backends import FAST, resolve_backend, run_nx
from analysis.graph.build import check_labels, require_directed

UNKNOWN = "unknown"
#: Up to this many accounts betweenness is exact by default (an exact run costs a
#: breadth-first search per account: `graph --metrics` of 5,000 accounts and 250,000
#: links took 175 s on a loaded 2-core machine, nearly all of it betweenness); beyond, it is
#: estimated from sampled sources.
BETWEENNESS_EXACT_MAX = 2_000
#: Stopping rule of networkx's iterative PageRank and HITS here: run to convergence
#: (networkx's own default, tol 1e-6, leaves PageRank about 1% off on follower graphs),
#: so every backend gives the exact values the fast path's direct solvers give.
CONVERGED_TOL = 1e-12
CONVERGED_MAX_ITER = 100_000


def node_groups(G: nx.Graph, by: str, labels: pd.DataFrame | None = None) -> pd.Series:
    """Return the group (``by``: role, identity, or any node attribute) of each node; ``unknown`` if not known.

    Parameters
    ----------
    G : networkx.Graph
        Graph whose nodes are user ids.
    by : str
        Column of ``labels`` (``"role"``, ``"identity"``) or, without labels, node attribute to group by.
    labels : pandas.DataFrame or None, optional
        Account labels with ``user_id`` and the ``by`` column; None reads ``by`` from the node attributes.

    Returns
    -------
    pandas.Series
        Group name per node, indexed by node, in graph order, named ``by``.

    Raises
    ------
    UsageError
        If ``labels`` has no column ``by``.

    Examples
    --------
    >>> from analysis.graph import graph_from_tables, tiny_tables, tiny_labels
    >>> node_groups(graph_from_tables(tiny_tables()), "identity", tiny_labels()).tolist()
    ['institutional', 'nominative', 'anonymous']
    """
    nodes = list(G)
    if labels is not None:
        lab = check_labels(labels).set_index("user_id")
        if by not in lab.columns:
            raise UsageError(f"labels have no column {by!r}; group by 'role' or 'identity'.")
        values = lab[by].reindex(nodes)
    else:
        values = pd.Series([G.nodes[n].get(by) for n in nodes], index=nodes, dtype=object)
    return values.fillna(UNKNOWN).astype(str).rename(by)


def _as_sparse(G: nx.DiGraph) -> tuple[fast.SparseDigraph, np.ndarray]:
    g = fast.SparseDigraph.from_networkx(G)
    order = np.searchsorted(g.ids, np.fromiter(G.nodes, dtype=np.int64, count=len(G)))
    return g, order


# -- reciprocity -------------------------------------------------------------------


def reciprocity(G: nx.DiGraph, backend: str | None = None) -> float:
    """Share of follow links that are returned (``nx.overall_reciprocity``).

    Parameters
    ----------
    G : networkx.DiGraph
        Follow graph (an edge u -> v means u follows v).
    backend : str or None, optional
        ``"networkx"``, ``"igraph"`` or a networkx backend name; None uses ``settings.GRAPH_BACKEND``.

    Returns
    -------
    float
        Returned links / all links, between 0 and 1.

    Examples
    --------
    >>> reciprocity(nx.DiGraph([(1, 2), (2, 1), (3, 1)]))
    0.6666666666666666
    """
    require_directed(G, "reciprocity")
    if G.number_of_edges() == 0:
        return float("nan")
    if resolve_backend(backend) == FAST:
        return fast.overall_reciprocity(_as_sparse(G)[0])
    return float(run_nx(nx.overall_reciprocity, G, backend=resolve_backend(backend)))


def node_reciprocity(G: nx.DiGraph, backend: str | None = None) -> pd.Series:
    """Per account: 2 × mutual links / (followers + following); NaN without links.

    Parameters
    ----------
    G : networkx.DiGraph
        Follow graph (an edge u -> v means u follows v).
    backend : str or None, optional
        ``"networkx"``, ``"igraph"`` or a networkx backend name; None uses ``settings.GRAPH_BACKEND``.

    Returns
    -------
    pandas.Series
        Reciprocity between 0 and 1 per account, indexed by user id in graph order.

    Examples
    --------
    >>> node_reciprocity(nx.DiGraph([(1, 2), (2, 1), (3, 1)])).round(2).tolist()
    [0.67, 1.0, 0.0]
    """
    require_directed(G, "node reciprocity")
    nodes = list(G)
    if resolve_backend(backend) == FAST:
        g, order = _as_sparse(G)
        values = fast.node_reciprocity(g)[order]
    else:
        r = nx.reciprocity(G, nodes) if len(G) > 1 else {n: None for n in nodes}
        if not isinstance(r, dict):
            r = {nodes[0]: r}
        values = [np.nan if r[n] is None else r[n] for n in nodes]
    return pd.Series(values, index=pd.Index(nodes, name="user_id"), name="reciprocity", dtype=float)


def group_reciprocity(
    G: nx.DiGraph, by: str = "identity", labels: pd.DataFrame | None = None
) -> pd.DataFrame:
    """How often a follow from one group to another is returned, as a long table.

    One row per (follower group, followed group): ``links`` (follows from the first
    group to the second), ``returned`` (those followed back) and ``reciprocity``
    (returned / links). E.g. the row (nominative, anonymous) says how often a
    nominative account's follow of an anonymous one is returned; (anonymous,
    nominative) is the reverse.

    Parameters
    ----------
    G : networkx.DiGraph
        Follow graph (an edge u -> v means u follows v).
    by : str, default "identity"
        Grouping: ``"role"``, ``"identity"`` or another label column / node attribute.
    labels : pandas.DataFrame or None, optional
        Account labels with ``user_id`` and the ``by`` column; None reads ``by`` from the node attributes.

    Returns
    -------
    pandas.DataFrame
        Columns ``follower_group``, ``followed_group``, ``links``, ``returned``, ``reciprocity``.

    Examples
    --------
    >>> from analysis.graph import graph_from_tables, tiny_tables, tiny_labels
    >>> t = group_reciprocity(graph_from_tables(tiny_tables()), "identity", tiny_labels())
    >>> t[["follower_group", "followed_group", "links", "returned"]].values.tolist()
    [['anonymous', 'institutional', 1, 0], ['institutional', 'nominative', 1, 1], ['nominative', 'institutional', 1, 1]]
    """
    require_directed(G, "group reciprocity")
    groups = node_groups(G, by, labels)
    e = _edge_frame(G)
    if e.empty:
        return pd.DataFrame(
            columns=["follower_group", "followed_group", "links", "returned", "reciprocity"]
        )
    e["returned"] = _returned(e)
    e["follower_group"] = groups.reindex(e["u"]).to_numpy()
    e["followed_group"] = groups.reindex(e["v"]).to_numpy()
    out = e.groupby(["follower_group", "followed_group"]).agg(
        links=("returned", "size"), returned=("returned", "sum")
    )
    out["returned"] = out["returned"].astype("int64")
    out["reciprocity"] = out["returned"] / out["links"]
    return out.reset_index()


def _edge_frame(G: nx.DiGraph) -> pd.DataFrame:
    arr = np.array(list(G.edges()), dtype=np.int64).reshape(-1, 2)
    return pd.DataFrame({"u": arr[:, 0], "v": arr[:, 1]})


def _returned(e: pd.DataFrame) -> np.ndarray:
    fwd = pd.MultiIndex.from_arrays([e["u"], e["v"]])
    back = pd.MultiIndex.from_arrays([e["v"], e["u"]])
    return back.isin(fwd)


def as_matrix(long: pd.DataFrame, value: str = "reciprocity") -> pd.DataFrame:
    """Pivot a group-pair table (follower group rows × followed group columns).

    Parameters
    ----------
    long : pandas.DataFrame
        Table with ``follower_group``, ``followed_group`` and the ``value`` column, as from :func:`group_reciprocity`.
    value : str, default "reciprocity"
        Column whose values fill the matrix (e.g. ``"links"``, ``"returned"``).

    Returns
    -------
    pandas.DataFrame
        Follower groups as rows, followed groups as columns; NaN for pairs without a row.

    Examples
    --------
    >>> t = pd.DataFrame({"follower_group": ["a", "b"], "followed_group": ["b", "a"], "links": [2, 3]})
    >>> as_matrix(t, "links").values.tolist()
    [[nan, 2.0], [3.0, nan]]
    """
    if long.empty:
        return pd.DataFrame()
    m = long.pivot(index="follower_group", columns="followed_group", values=value)
    groups = sorted(set(m.index) | set(m.columns))
    return m.reindex(index=groups, columns=groups).astype(float)


# -- degrees -----------------------------------------------------------------------


def degree_table(G: nx.DiGraph, backend: str | None = None) -> pd.DataFrame:
    """Per account: ``in_degree`` (followers in the graph), ``out_degree`` and their ratio.

    ``followers_following_ratio`` is in / out (inf for accounts following no one
    in the graph; NaN for isolated accounts).

    Parameters
    ----------
    G : networkx.DiGraph
        Follow graph (an edge u -> v means u follows v).
    backend : str or None, optional
        ``"networkx"``, ``"igraph"`` or a networkx backend name; None uses ``settings.GRAPH_BACKEND``.

    Returns
    -------
    pandas.DataFrame
        Indexed by user id: ``in_degree``, ``out_degree``, ``followers_following_ratio``.

    Examples
    --------
    >>> degree_table(nx.DiGraph([(1, 2), (2, 1), (3, 1)]))["in_degree"].tolist()
    [2, 1, 0]
    """
    require_directed(G, "in/out degrees")
    nodes = list(G)
    if resolve_backend(backend) == FAST:
        g, order = _as_sparse(G)
        ind, outd = g.in_degree()[order], g.out_degree()[order]
    else:
        ind = np.array([d for _, d in G.in_degree(nodes)], dtype=np.int64)
        outd = np.array([d for _, d in G.out_degree(nodes)], dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = ind / outd
    return pd.DataFrame(
        {"in_degree": ind, "out_degree": outd, "followers_following_ratio": ratio},
        index=pd.Index(nodes, name="user_id"),
    )


def degree_distribution(G: nx.DiGraph, direction: str = "in") -> pd.DataFrame:
    """How many accounts have each degree: ``degree``, ``accounts``, ``share``, ``ccdf``.

    ``ccdf`` is the share of accounts with at least that degree (for log-log plots).

    Parameters
    ----------
    G : networkx.DiGraph
        Follow graph (an edge u -> v means u follows v).
    direction : str, default "in"
        ``"in"`` (followers in the graph) or ``"out"`` (accounts followed).

    Returns
    -------
    pandas.DataFrame
        One row per degree, ascending: ``degree``, ``accounts``, ``share``, ``ccdf``.

    Examples
    --------
    >>> degree_distribution(nx.DiGraph([(1, 2), (2, 1), (3, 1)]), "in")["accounts"].tolist()
    [1, 1, 1]
    """
    require_directed(G, "a degree distribution")
    if direction not in ("in", "out"):
        raise UsageError(f"direction must be 'in' or 'out', not {direction!r}.")
    deg = G.in_degree() if direction == "in" else G.out_degree()
    values = np.array([d for _, d in deg], dtype=np.int64)
    counts = np.bincount(values) if len(values) else np.zeros(0, dtype=np.int64)
    k = np.flatnonzero(counts)
    n = max(len(values), 1)
    ccdf = counts[::-1].cumsum()[::-1][k] / n
    return pd.DataFrame({"degree": k, "accounts": counts[k], "share": counts[k] / n, "ccdf": ccdf})


#: Significance level of the likelihood-ratio tests below which one distribution is
#: said to be favoured over the other (Clauset, Shalizi & Newman 2009 use 0.1).
LR_SIGNIFICANCE = 0.1
#: Alternatives the power law is compared with, by their ``powerlaw`` names.
POWER_LAW_ALTERNATIVES = ("lognormal", "exponential")


@dataclass(frozen=True)
class PowerLawFit:
    """A discrete power law p(k) ∝ k^-alpha fitted to the tail k ≥ xmin, and how it compares.

    ``alpha`` (exponent), ``sigma`` (its standard error), ``xmin``/``xmax`` (the
    range fitted), ``n_tail`` (accounts in it), ``ks`` (Kolmogorov–Smirnov distance
    between the tail and the fit, the distance ``xmin`` minimises). ``r_lognormal``,
    ``p_lognormal``, ``r_exponential``, ``p_exponential``: normalised log-likelihood
    ratio of the power law against each alternative on the same tail (positive
    favours the power law) and its p-value (Vuong's test).
    """

    alpha: float
    sigma: float
    xmin: int
    xmax: int
    n_tail: int
    ks: float
    r_lognormal: float = float("nan")
    p_lognormal: float = float("nan")
    r_exponential: float = float("nan")
    p_exponential: float = float("nan")

    def compare(self, alternative: str) -> str:
        """Say in words whether the power law is favoured over ``alternative``.

        Parameters
        ----------
        alternative : str
            ``"lognormal"`` or ``"exponential"``.

        Returns
        -------
        str
            For example ``"power law not favoured over lognormal (R=-1.2, p=0.23)"``.

        Examples
        --------
        >>> PowerLawFit(2.5, 0.1, 3, 90, 400, 0.03, -1.2, 0.23).compare("lognormal")
        'power law not favoured over lognormal (R=-1.2, p=0.23)'
        """
        if alternative not in POWER_LAW_ALTERNATIVES:
            raise UsageError(
                f"alternative must be one of {', '.join(POWER_LAW_ALTERNATIVES)}, "
                f"not {alternative!r}."
            )
        r, p = getattr(self, f"r_{alternative}"), getattr(self, f"p_{alternative}")
        if np.isnan(r) or np.isnan(p):
            return f"power law and {alternative} not compared (too few accounts)"
        figures = f"(R={r:.1f}, p={p:.2g})"
        if p < LR_SIGNIFICANCE and r > 0:
            return f"power law favoured over {alternative} {figures}"
        if p < LR_SIGNIFICANCE and r < 0:
            return f"{alternative} favoured over power law {figures}"
        return f"power law not favoured over {alternative} {figures}"

    def verdict(self) -> str:
        """Say in words how the power law compares with a lognormal and an exponential.

        Returns
        -------
        str
            One clause per alternative, joined by ``"; "``.
        """
        return "; ".join(self.compare(alt) for alt in POWER_LAW_ALTERNATIVES)

    def describe(self) -> str:
        """Return the fit and its comparisons in two sentences."""
        if np.isnan(self.alpha):
            return "Too few accounts with links to fit a power law."
        return (
            f"Power-law exponent alpha = {self.alpha:.2f} ± {self.sigma:.2f}, fitted on degrees "
            f"{self.xmin} to {self.xmax} ({self.n_tail} accounts; KS distance {self.ks:.3f}). "
            f"Likelihood ratios on that tail: {self.verdict()}."
        )


def fit_power_law(degrees: Iterable[float], min_tail: int = 10) -> PowerLawFit:
    """Fit a discrete power law to positive degrees with ``powerlaw.Fit``.

    The method of Clauset, Shalizi & Newman (2009): alpha is the discrete
    maximum-likelihood estimate for each candidate ``xmin``, and the ``xmin`` kept
    minimises the Kolmogorov–Smirnov distance between the tail's empirical and
    fitted distributions, among tails of at least ``min_tail`` values. The power
    law is then compared with a lognormal and an exponential fitted to the same
    tail (``Fit.distribution_compare``, normalised ratio). Deterministic: nothing
    is sampled.

    Parameters
    ----------
    degrees : iterable of int
        Degrees of the accounts; zeros are left out (a power law has none).
    min_tail : int
        Fewest values a tail may hold for its ``xmin`` to be considered.

    Returns
    -------
    PowerLawFit
        All figures NaN (and ``n_tail`` the number of positive degrees) when fewer
        than ``min_tail`` degrees are positive or they take fewer than two values.

    Examples
    --------
    >>> k = np.random.default_rng(1).zipf(2.5, 5000)
    >>> round(fit_power_law(k).alpha, 1)
    2.5
    """
    # Imported here: powerlaw loads matplotlib.pyplot and scipy.optimize (about 2 s),
    # which `import analysis.graph` and the commands that never fit need not pay.
    import powerlaw  # type: ignore[import-untyped]

    x = np.sort(np.asarray(list(degrees), dtype=float))
    if not np.isfinite(x).all() or (x != np.round(x)).any():
        raise UsageError(
            "fit_power_law takes whole-number degrees; drop missing or fractional values first."
        )
    x = x[x > 0]
    nan = PowerLawFit(float("nan"), float("nan"), 0, 0, int(len(x)), float("nan"))
    if len(x) < max(min_tail, 1) or len(np.unique(x)) < 2:
        return nan
    # Candidate xmins: every distinct degree whose tail holds at least min_tail values
    # (powerlaw tries the values below the range's upper end, less the last one).
    values = np.unique(x)
    allowed = values[values <= x[-max(min_tail, 1)]]
    above = values[values > allowed[-1]]
    upper = float(above[0]) + 0.5 if len(above) else float(values[-1]) + 0.5
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        fit = powerlaw.Fit(
            x, discrete=True, xmin=(float(values[0]), upper), estimate_discrete=False, verbose=0
        )
        law = fit.power_law
        if np.isnan(fit.xmin) or np.isnan(law.alpha):
            return nan
        ratios = {
            alt: fit.distribution_compare("power_law", alt, normalized_ratio=True)
            for alt in POWER_LAW_ALTERNATIVES
        }
    return PowerLawFit(
        alpha=float(law.alpha),
        sigma=float(law.standard_err),
        xmin=int(fit.xmin),
        xmax=int(x[-1]),
        n_tail=int(fit.n_tail),
        ks=float(law.D),
        r_lognormal=float(ratios["lognormal"][0]),
        p_lognormal=float(ratios["lognormal"][1]),
        r_exponential=float(ratios["exponential"][0]),
        p_exponential=float(ratios["exponential"][1]),
    )


# -- centralities and cores --------------------------------------------------------


def pagerank(G: nx.DiGraph, alpha: float = 0.85, backend: str | None = None) -> pd.Series:
    """PageRank of each account (a follow passes rank to the followed account), converged.

    networkx runs to :data:`CONVERGED_TOL`; the fast path solves it exactly (PRPACK).

    Parameters
    ----------
    G : networkx.DiGraph
        Follow graph (an edge u -> v means u follows v).
    alpha : float, default 0.85
        Damping factor: probability of following a link rather than jumping to a random account.
    backend : str or None, optional
        ``"networkx"``, ``"igraph"`` or a networkx backend name; None uses ``settings.GRAPH_BACKEND``.

    Returns
    -------
    pandas.Series
        PageRank per account (summing to 1), indexed by user id in graph order.

    Examples
    --------
    >>> pagerank(nx.DiGraph([(1, 2), (2, 1), (3, 1)])).round(3).tolist()
    [0.486, 0.464, 0.05]
    """
    require_directed(G, "PageRank")
    nodes = list(G)
    be = resolve_backend(backend)
    if be == FAST:
        g, order = _as_sparse(G)
        values = fast.pagerank(g, alpha=alpha)[order]
    else:
        pr = run_nx(
            nx.pagerank, G, alpha=alpha, tol=CONVERGED_TOL, max_iter=CONVERGED_MAX_ITER, backend=be
        )
        values = [pr[n] for n in nodes]
    return pd.Series(values, index=pd.Index(nodes, name="user_id"), name="pagerank", dtype=float)


def hits(G: nx.DiGraph, backend: str | None = None) -> pd.DataFrame:
    """HITS ``hub`` and ``authority`` scores (each summing to 1).

    A good hub follows good authorities; an authority is followed by good hubs.

    Parameters
    ----------
    G : networkx.DiGraph
        Follow graph (an edge u -> v means u follows v).
    backend : str or None, optional
        ``"networkx"``, ``"igraph"`` or a networkx backend name; None uses ``settings.GRAPH_BACKEND``.

    Returns
    -------
    pandas.DataFrame
        Columns ``hub`` and ``authority``, indexed by user id in graph order.

    Examples
    --------
    >>> hits(nx.DiGraph([(1, 2), (3, 2), (3, 1)]))["authority"].round(2).tolist()
    [0.38, 0.62, 0.0]
    """
    require_directed(G, "HITS")
    nodes = list(G)
    be = resolve_backend(backend)
    if be == FAST or G.number_of_edges() == 0:
        g, order = _as_sparse(G)
        h, a = fast.hits(g)
        h, a = h[order], a[order]
    else:
        hd, ad = run_nx(nx.hits, G, tol=CONVERGED_TOL, max_iter=CONVERGED_MAX_ITER, backend=be)
        h, a = np.array([hd[n] for n in nodes], float), np.array([ad[n] for n in nodes], float)
    h, a = np.clip(h, 0.0, None), np.clip(a, 0.0, None)  # -0.0 from the SVD's rounding
    return pd.DataFrame({"hub": h, "authority": a}, index=pd.Index(nodes, name="user_id"))


def core_number(G: nx.DiGraph, backend: str | None = None) -> pd.Series:
    """k-core number of each account, degree = followers + following (as networkx).

    Parameters
    ----------
    G : networkx.DiGraph
        Follow graph (an edge u -> v means u follows v).
    backend : str or None, optional
        ``"networkx"``, ``"igraph"`` or a networkx backend name; None uses ``settings.GRAPH_BACKEND``.

    Returns
    -------
    pandas.Series
        Integer core number per account, indexed by user id in graph order.

    Examples
    --------
    >>> core_number(nx.DiGraph([(1, 2), (2, 1), (3, 1)])).tolist()
    [2, 2, 1]
    """
    require_directed(G, "the k-core")
    nodes = list(G)
    be = resolve_backend(backend)
    if be == FAST:
        g, order = _as_sparse(G)
        values = fast.core_number(g)[order]
    else:
        core = run_nx(nx.core_number, G, backend=be)
        values = [core[n] for n in nodes]
    return pd.Series(
        values, index=pd.Index(nodes, name="user_id"), name="core_number", dtype="int64"
    )


def betweenness(
    G: nx.DiGraph, k: int | None = None, seed: int | None = None, backend: str | None = None
) -> pd.Series:
    """Betweenness centrality, normalised; estimated from ``k`` sampled sources on large graphs.

    ``k=None`` is exact up to :data:`BETWEENNESS_EXACT_MAX` accounts and samples
    500 sources beyond; ``seed`` (default ``settings.SEED``) draws them. The
    error of a sampled value is bounded by
    :func:`analysis.graph.fast.betweenness_error_bound`.

    Parameters
    ----------
    G : networkx.DiGraph
        Follow graph (an edge u -> v means u follows v).
    k : int or None, optional
        Number of sampled source accounts; None is exact on small graphs and 500 sources beyond.
    seed : int or None, optional
        Seed for drawing the sources; None uses ``settings.SEED``.
    backend : str or None, optional
        ``"networkx"``, ``"igraph"`` or a networkx backend name; None uses ``settings.GRAPH_BACKEND``.

    Returns
    -------
    pandas.Series
        Normalised betweenness (0 to 1) per account, indexed by user id in graph order.

    Examples
    --------
    >>> betweenness(nx.DiGraph([(1, 2), (2, 3)])).tolist()
    [0.0, 0.5, 0.0]
    """
    require_directed(G, "betweenness")
    n = len(G)
    if k is None:
        k = None if n <= BETWEENNESS_EXACT_MAX else 500
    if k is not None and k >= n:
        k = None
    seed = settings.SEED if seed is None else seed
    be = resolve_backend(backend)
    nodes = list(G)
    if be == FAST:
        g, order = _as_sparse(G)
        values = fast.betweenness(g, k, seed)[order]
    else:
        b = run_nx(nx.betweenness_centrality, G, k=k, seed=seed, backend=be)
        values = [b[v] for v in nodes]
    return pd.Series(values, index=pd.Index(nodes, name="user_id"), name="betweenness", dtype=float)


def top_accounts(
    G: nx.DiGraph,
    by: str = "in_degree",
    n: int = 10,
    labels: pd.DataFrame | None = None,
    backend: str | None = None,
) -> pd.DataFrame:
    """Return the ``n`` accounts ranked highest by ``in_degree`` (most followed) or ``pagerank``.

    Columns: ``user_id``, ``username``, ``role``, ``identity``, ``in_degree``,
    ``pagerank``, ``followers_count`` (on all of X, from the profile). Ties by user id.

    Parameters
    ----------
    G : networkx.DiGraph
        Follow graph (an edge u -> v means u follows v).
    by : str, default "in_degree"
        Ranking measure: ``"in_degree"`` or ``"pagerank"``.
    n : int, default 10
        Number of accounts to return.
    labels : pandas.DataFrame or None, optional
        Account labels giving ``role`` and ``identity``; None reads them from the node attributes.
    backend : str or None, optional
        ``"networkx"``, ``"igraph"`` or a networkx backend name; None uses ``settings.GRAPH_BACKEND``.

    Returns
    -------
    pandas.DataFrame
        At most ``n`` rows, highest first, with the columns listed above.

    Examples
    --------
    >>> from analysis.graph import graph_from_tables, tiny_tables, tiny_labels
    >>> top_accounts(graph_from_tables(tiny_tables()), n=1, labels=tiny_labels())[["username", "role", "in_degree"]].values.tolist()
    [['ordre', 'institution', 2]]
    """
    require_directed(G, "top accounts")
    if by not in ("in_degree", "pagerank"):
        raise UsageError(f"rank accounts by 'in_degree' or 'pagerank', not {by!r}.")
    nodes = list(G)
    out = pd.DataFrame({"user_id": nodes})
    out["username"] = [G.nodes[v].get("username") for v in nodes]
    out["role"] = node_groups(G, "role", labels).to_numpy()
    out["identity"] = node_groups(G, "identity", labels).to_numpy()
    out["in_degree"] = [d for _, d in G.in_degree(nodes)]
    out["pagerank"] = pagerank(G, backend=backend).to_numpy() if len(G) else []
    out["followers_count"] = pd.array(
        [G.nodes[v].get("followers_count") for v in nodes], dtype="Int64"
    )
    out = out.sort_values([by, "user_id"], ascending=[False, True], ignore_index=True)
    return out.head(n)


# -- summaries for notebooks --------------------------------------------------------


def graph_summary(G: nx.DiGraph) -> pd.DataFrame:
    """Return the graph's size in a small table: ``measure`` and ``value``.

    Accounts, follow links, accounts with at least one link, mutual pairs,
    reciprocity, density, and the share of accounts in the largest weakly
    connected component.

    Parameters
    ----------
    G : networkx.DiGraph
        Follow graph (an edge u -> v means u follows v).

    Returns
    -------
    pandas.DataFrame
        One row per measure: ``measure`` (name) and ``value`` (float).

    Examples
    --------
    >>> graph_summary(nx.DiGraph([(1, 2), (2, 1), (3, 1)]))["value"].tolist()[:4]
    [3.0, 3.0, 3.0, 1.0]
    """
    require_directed(G, "the graph summary")
    n, m = G.number_of_nodes(), G.number_of_edges()
    linked = sum(1 for v in G if G.degree(v) > 0)
    mutual = sum(1 for u, v in G.edges() if u < v and G.has_edge(v, u))
    largest = max((len(c) for c in nx.weakly_connected_components(G)), default=0) if m else 0
    rows = [
        ("accounts", n),
        ("follow links", m),
        ("accounts with a link", linked),
        ("mutual pairs", mutual),
        ("reciprocity (share of links returned)", reciprocity(G) if m else float("nan")),
        ("density", nx.density(G) if n > 1 else float("nan")),
        ("share of accounts in the largest component", largest / n if n and m else float("nan")),
    ]
    return pd.DataFrame(rows, columns=["measure", "value"]).astype({"value": float})


def describe_reciprocity(G: nx.DiGraph) -> str:
    """Reciprocity in one sentence, or why there is nothing to show.

    Parameters
    ----------
    G : networkx.DiGraph
        Follow graph (an edge u -> v means u follows v).

    Returns
    -------
    str
        A sentence with returned links, their share and mutual pairs, or the reason there are none.

    Examples
    --------
    >>> describe_reciprocity(nx.DiGraph([(1, 2), (2, 1), (3, 1)]))
    '2 of 3 follow links (66.7%) are returned; 1 mutual pairs among 3 accounts.'
    """
    require_directed(G, "reciprocity")
    m = G.number_of_edges()
    if m == 0:
        return "Nothing to show: this dataset has no follow links."
    returned = sum(1 for u, v in G.edges() if G.has_edge(v, u))
    return (
        f"{returned:,} of {m:,} follow links ({returned / m:.1%}) are returned; "
        f"{returned // 2:,} mutual pairs among {len(G):,} accounts."
    )
