"""The fast path: a follower graph as numpy index arrays, measured by igraph.

A follower graph of a million accounts does not fit networkx's dicts of dicts.
:class:`SparseDigraph` holds the sorted account ids and the links as two int32
arrays of positions (sorted, no duplicates, no self-follows), built with numpy
from the tables' id columns or from Arrow batches (no Python object per link).
The measures are igraph's exact algorithms, normalised as networkx normalises
them: PageRank by PRPACK (a direct solve, not a stopped iteration), HITS as
igraph's authority eigenvector with hubs ``A @ a`` (networkx's definition), the
k-core with degree = in + out, reciprocity, Louvain, and betweenness (exact, or
estimated from sampled sources). The igraph graph is built once from the index
arrays through igraph's own edge-list reader, which is faster and lighter than
python-igraph's conversion of a numpy array (a Python list per link).

The module is long because the graph is built, laid out for igraph and measured in one
place: every measure reads the same index arrays and the same igraph graph, and each is
normalised here to networkx's definition.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import math
import os
import random
import signal
import tempfile
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from analysis import settings
from analysis.errors import UsageError

if TYPE_CHECKING:
    import igraph as ig
    import networkx as nx

#: Links handled at a time when a step needs a temporary array per link.
CHUNK = 4_000_000
#: Links from which :func:`node_measures` runs Louvain in a forked process beside the others.
CONCURRENT_MIN_LINKS = 1_000_000
#: Peak memory (summed PSS) of the metrics' process tree when Louvain runs in a forked
#: child: this many bytes a link above :data:`CONCURRENT_BASE_BYTES`. Measured with
#: ``benchmarks/graph.py``'s sampling of the tree: 1,751 MB at 200k accounts / 10M links
#: and 7,029 MB at 1M / 50M (the parent's igraph graph and PRPACK's copy beside the
#: child's undirected graph and multilevel's copy of it).
CONCURRENT_BYTES_PER_LINK = 139
#: The fixed part of that peak (the interpreter, numpy, Arrow and igraph in two processes).
CONCURRENT_BASE_BYTES = 431 << 20
#: Memory the forked run may take at most (the 6 GB target at 1M / 50M): beyond, Louvain
#: runs in the process after the other measures, slower and within the target.
CONCURRENT_MAX_BYTES = 6 << 30


@dataclass(eq=False)
class SparseDigraph:
    """A directed graph: sorted account ids and links as positions, follower -> followed.

    ``src`` and ``dst`` (int32) are sorted by (``src``, ``dst``), without
    duplicates or self-follows: what :meth:`from_edges` and :meth:`from_indices`
    guarantee.

    Examples
    --------
    >>> g = SparseDigraph.from_edges(np.array([1, 2, 3]), np.array([2, 1, 1]))
    >>> g.ids.tolist(), g.in_degree().tolist(), g.m
    ([1, 2, 3], [2, 1, 0], 3)
    """

    ids: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    _mutual: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def from_edges(
        cls,
        src: np.ndarray,
        dst: np.ndarray,
        nodes: np.ndarray | None = None,
        within_nodes: bool = False,
    ) -> SparseDigraph:
        """Build from follower and followed id arrays; duplicates and self-follows are dropped.

        ``nodes`` adds accounts without links; ``within_nodes`` says every link's
        two ends are among ``nodes`` (saves a sort).

        Parameters
        ----------
        src : numpy.ndarray
            Follower ids, one per link.
        dst : numpy.ndarray
            Followed ids, aligned with ``src``.
        nodes : numpy.ndarray or None, optional
            Ids of accounts to include even without a link; None adds none.
        within_nodes : bool, default False
            Promise that every link's two ends are in ``nodes``.

        Returns
        -------
        SparseDigraph
            The graph, ids sorted.
        """
        src = np.asarray(src, dtype=np.int64)
        dst = np.asarray(dst, dtype=np.int64)
        if nodes is not None and within_nodes:
            ids = unique(np.asarray(nodes, dtype=np.int64))
        else:
            parts = [src, dst] if nodes is None else [src, dst, np.asarray(nodes, dtype=np.int64)]
            ids = unique(np.concatenate(parts))
        return cls.from_indices(ids, np.searchsorted(ids, src), np.searchsorted(ids, dst))

    @classmethod
    def from_indices(cls, ids: np.ndarray, src: np.ndarray, dst: np.ndarray) -> SparseDigraph:
        """Build from links given as positions in the sorted ``ids``; sorts and deduplicates them.

        Links already sorted (as a ``follows`` table read in key order) are not sorted again.

        Parameters
        ----------
        ids : numpy.ndarray
            Node ids, sorted ascending.
        src : numpy.ndarray
            Follower positions in ``ids``, one per link.
        dst : numpy.ndarray
            Followed positions in ``ids``, aligned with ``src``.

        Returns
        -------
        SparseDigraph
            The graph.

        Examples
        --------
        >>> g = SparseDigraph.from_indices(np.array([7, 9]), np.array([1, 0, 1]), np.array([0, 1, 0]))
        >>> g.src.tolist(), g.dst.tolist()
        ([0, 1], [1, 0])
        """
        n = len(ids)
        code = np.asarray(src, dtype=np.int64) * n
        code += np.asarray(dst, dtype=np.int64)
        code = code[np.asarray(src) != np.asarray(dst)]
        if len(code) > 1 and not bool(np.all(code[1:] > code[:-1])):
            code = unique(code)
        index = np.int32 if n < 2**31 else np.int64
        return cls(
            np.asarray(ids, dtype=np.int64), (code // n).astype(index), (code % n).astype(index)
        )

    @classmethod
    def from_batches(
        cls,
        batches: Iterable[pa.RecordBatch],
        accounts: np.ndarray,
        only_known: bool = True,
        exclude: np.ndarray | None = None,
    ) -> SparseDigraph:
        """Build from Arrow batches of ``follower_id``, ``followed_id``, one batch in memory at a time.

        ``accounts`` are the dataset's accounts (nodes even without a link);
        ``only_known`` keeps links whose two ends are among them; links touching
        an id of ``exclude`` are left out. With ``only_known``, each batch becomes
        two int32 arrays of positions at once, so memory holds 8 bytes a link.

        Parameters
        ----------
        batches : Iterable of pyarrow.RecordBatch
            Batches with ``follower_id`` and ``followed_id`` columns.
        accounts : numpy.ndarray
            Ids of the dataset's accounts.
        only_known : bool, default True
            Keep only links whose two ends are in ``accounts``.
        exclude : numpy.ndarray or None, optional
            Ids whose links are left out (e.g. protected accounts); None excludes none.

        Returns
        -------
        SparseDigraph
            The graph.
        """
        known = unique(np.asarray(accounts, dtype=np.int64))
        gone = None if exclude is None else unique(np.asarray(exclude, dtype=np.int64))
        srcs, dsts = [], []
        for batch in batches:
            s = batch.column("follower_id").to_numpy().astype(np.int64, copy=False)
            d = batch.column("followed_id").to_numpy().astype(np.int64, copy=False)
            keep = s != d
            if gone is not None and len(gone):
                keep &= ~_member(s, gone) & ~_member(d, gone)
            if only_known:
                si, sin = _positions(s, known)
                di, din = _positions(d, known)
                keep &= sin & din
                srcs.append(si[keep].astype(np.int32 if len(known) < 2**31 else np.int64))
                dsts.append(di[keep].astype(srcs[-1].dtype))
            else:
                srcs.append(s[keep])
                dsts.append(d[keep])
        src = np.concatenate(srcs) if srcs else np.zeros(0, dtype=np.int64)
        del srcs
        dst = np.concatenate(dsts) if dsts else np.zeros(0, dtype=np.int64)
        del dsts
        graph = (
            cls.from_indices(known, src, dst)
            if only_known
            else cls.from_edges(src, dst, nodes=known)
        )
        del src, dst
        trim_memory()  # the batches' arrays, freed but kept by the heap
        return graph

    @classmethod
    def from_networkx(cls, G: nx.DiGraph) -> SparseDigraph:
        """Convert a networkx ``DiGraph`` whose nodes are integer ids.

        Parameters
        ----------
        G : networkx.DiGraph
            A graph with integer node ids.

        Returns
        -------
        SparseDigraph
            The same nodes and links.
        """
        if not all(isinstance(v, int | np.integer) for v in G.nodes):
            raise UsageError(
                "the fast path (backend='igraph', the default) needs integer node ids, as "
                "graph_from_tables makes; relabel the graph with "
                "nx.convert_node_labels_to_integers, or pass backend='networkx'."
            )
        ids = np.fromiter(G.nodes, dtype=np.int64, count=G.number_of_nodes())
        edges = np.array(list(G.edges()), dtype=np.int64).reshape(-1, 2)
        return cls.from_edges(edges[:, 0], edges[:, 1], nodes=ids)

    @property
    def n(self) -> int:
        """Number of accounts."""
        return len(self.ids)

    @property
    def m(self) -> int:
        """Number of follow links."""
        return len(self.src)

    @property
    def adj(self) -> sp.csr_array:
        """The 0/1 adjacency as a CSR matrix (row follows column), built from the sorted links."""
        indptr = np.searchsorted(self.src, np.arange(self.n + 1))
        return sp.csr_array((np.ones(self.m), self.dst, indptr), shape=(self.n, self.n))

    def in_degree(self) -> np.ndarray:
        """Followers of each node within the graph."""
        return np.bincount(self.dst, minlength=self.n).astype(np.int64)

    def out_degree(self) -> np.ndarray:
        """Accounts each node follows within the graph."""
        return np.bincount(self.src, minlength=self.n).astype(np.int64)

    def mutual(self) -> np.ndarray:
        """Per link, whether it is returned (the reverse link exists).

        Computed once, with the reversed links in sorted order (a stable sort by
        followed account) and a search of the sorted links in them.
        """
        if self._mutual is None:
            self._mutual = np.zeros(self.m, dtype=bool)
            if self.m:
                order = np.argsort(
                    self.dst, kind="stable"
                )  # (dst, src) order: reversed links sorted
                rev = self.dst[order].astype(np.int64) * self.n + self.src[order]
                del order
                for lo in range(0, self.m, CHUNK):
                    code = self.src[lo : lo + CHUNK].astype(np.int64) * self.n
                    code += self.dst[lo : lo + CHUNK]
                    pos = np.minimum(np.searchsorted(rev, code), self.m - 1)
                    self._mutual[lo : lo + CHUNK] = rev[pos] == code
        return self._mutual


def unique(values: np.ndarray) -> np.ndarray:
    """Return the sorted distinct values, by one sort (``np.unique`` of numpy 2.4 hashes first: 20 times slower).

    Measured on 4 million int64: ``np.unique`` 15.2 s, this 0.75 s.

    Parameters
    ----------
    values : numpy.ndarray
        A one-dimensional array.

    Returns
    -------
    numpy.ndarray
        Its distinct values, ascending.

    Examples
    --------
    >>> unique(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    out = np.sort(values)
    if len(out) < 2:
        return out
    keep = np.empty(len(out), dtype=bool)
    keep[0] = True
    np.not_equal(out[1:], out[:-1], out=keep[1:])
    return out[keep]


def trim_memory() -> None:
    """Give the heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    numpy's arrays of a batch (a few MB each) and igraph's per-node lists come from
    the C heap; once freed, glibc keeps their pages unless the heap's top is free
    too, so a process that read 50M links a batch at a time keeps about 0.7 GB it no
    longer uses (measured at 1M accounts / 50M links: 1,488 MB after the read, 808 MB
    trimmed). ``malloc_trim(0)`` returns every free page, wherever it lies in the heap
    (the remedy Dask documents for a worker's "unmanaged memory").
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """Return glibc's ``malloc_trim``, or None where the C library has none (macOS, musl, Windows)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def _positions(values: np.ndarray, sorted_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of ``values`` in ``sorted_ids`` and whether each is there."""
    if len(sorted_ids) == 0:
        return np.zeros(len(values), dtype=np.int64), np.zeros(len(values), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_ids, values), len(sorted_ids) - 1)
    return pos, sorted_ids[pos] == values


def _member(values: np.ndarray, sorted_ids: np.ndarray) -> np.ndarray:
    return _positions(values, sorted_ids)[1]


# -- igraph --------------------------------------------------------------------------------


def to_igraph(g: SparseDigraph, directed: bool = True) -> ig.Graph:
    """``g`` as an igraph ``Graph`` (vertex i is ``g.ids[i]``), read by igraph's edge-list reader.

    The links go to a temporary text file written by Arrow's CSV writer and back
    through igraph's C reader: python-igraph turns a numpy edge array into a
    Python list per link first (measured on 20M random links: 119 s and 3.6 GB,
    against 46 s and 1.8 GB through the reader); this path holds no Python
    object per link. ``directed=False`` gives the undirected
    multigraph (a mutual pair is two edges).

    Parameters
    ----------
    g : SparseDigraph
        The follower graph (link i -> j: node i follows node j).
    directed : bool, default True
        Build a directed graph; False gives the undirected multigraph.

    Returns
    -------
    igraph.Graph
        The graph, vertex i being node i of ``g``.

    Examples
    --------
    >>> to_igraph(SparseDigraph.from_edges(np.array([1, 2]), np.array([2, 3]))).get_edgelist()
    [(0, 1), (1, 2)]
    """
    return _read_edge_file(_edge_file(g.src, g.dst), g.n, directed)


def _edge_file(src: np.ndarray, dst: np.ndarray) -> str:
    """Write the links to a temporary file, one ``src dst`` line each (the caller reads and removes it)."""
    fd, path = tempfile.mkstemp(prefix="medtwitter-edges-", suffix=".txt")
    os.close(fd)
    try:
        options = pcsv.WriteOptions(include_header=False, delimiter=" ", quoting_style="none")
        pcsv.write_csv(pa.table({"s": src, "d": dst}), path, write_options=options)
    except BaseException:
        os.remove(path)
        raise
    return path


def _read_edge_file(path: str, n: int, directed: bool) -> ig.Graph:
    """Read the graph of :func:`_edge_file`'s file, with ``n`` vertices; the file is removed."""
    import igraph as ig  # lazy: igraph, ~0.45 s to import

    try:
        empty = os.path.getsize(path) == 0
        graph = ig.Graph(directed=directed) if empty else ig.Graph.Read_Edgelist(path, directed)
    finally:
        os.remove(path)
    if graph.vcount() < n:
        graph.add_vertices(n - graph.vcount())
    return graph


def _graph(g: SparseDigraph, graph: ig.Graph | None) -> ig.Graph:
    return to_igraph(g) if graph is None else graph


@contextmanager
def _seeded(seed: int | None) -> Iterator[None]:
    """Make igraph draw from ``random.Random(seed)`` meanwhile (ARPACK's start vector, Louvain's order)."""
    import igraph as ig  # lazy: igraph, ~0.45 s to import

    ig.set_random_number_generator(random.Random(settings.SEED if seed is None else seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)  # igraph's default: the random module


def overall_reciprocity(g: SparseDigraph, graph: ig.Graph | None = None) -> float:
    """Share of links that are returned: igraph's ``reciprocity`` (as ``nx.overall_reciprocity``).

    Parameters
    ----------
    g : SparseDigraph
        The follower graph (link i -> j: node i follows node j).
    graph : igraph.Graph or None, optional
        The igraph graph of ``g`` already built (:func:`to_igraph`), to reuse; None builds it.

    Returns
    -------
    float
        Returned links / all links, between 0 and 1.

    Raises
    ------
    ZeroDivisionError
        If the graph has no link (as networkx).

    Examples
    --------
    >>> overall_reciprocity(SparseDigraph.from_edges(np.array([1, 2, 3]), np.array([2, 1, 1])))
    0.6666666666666666
    """
    if g.m == 0:
        raise ZeroDivisionError("Not defined for empty graphs")
    return float(_graph(g, graph).reciprocity(ignore_loops=True, mode="default"))


def node_reciprocity(g: SparseDigraph) -> np.ndarray:
    """Per node: 2 × returned links / (in + out degree), NaN without links (as ``nx.reciprocity``).

    Parameters
    ----------
    g : SparseDigraph
        The follower graph (link i -> j: node i follows node j).

    Returns
    -------
    numpy.ndarray
        Reciprocity (0-1) per node, in node order.

    Examples
    --------
    >>> node_reciprocity(SparseDigraph.from_edges(np.array([1, 2, 3]), np.array([2, 1, 1]))).tolist()
    [0.6666666666666666, 1.0, 0.0]
    """
    overlap = np.bincount(g.src[g.mutual()], minlength=g.n)
    total = g.in_degree() + g.out_degree()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 2.0 * overlap / total, np.nan)


def pagerank(g: SparseDigraph, alpha: float = 0.85, graph: ig.Graph | None = None) -> np.ndarray:
    """PageRank by igraph's PRPACK, an exact solve (networkx's definition: dangling nodes jump uniformly).

    Parameters
    ----------
    g : SparseDigraph
        The follower graph (link i -> j: node i follows node j).
    alpha : float, default 0.85
        Damping factor: probability of following a link rather than jumping to a random node.
    graph : igraph.Graph or None, optional
        The igraph graph of ``g`` already built (:func:`to_igraph`), to reuse; None builds it.

    Returns
    -------
    numpy.ndarray
        PageRank per node (summing to 1), in node order.

    Examples
    --------
    >>> pagerank(SparseDigraph.from_edges(np.array([1, 2, 3]), np.array([2, 1, 1]))).round(3).tolist()
    [0.486, 0.464, 0.05]
    """
    if g.n == 0:
        return np.zeros(0)
    graph = _graph(g, graph)
    with threadpool_limits(1, user_api="openmp"):  # PRPACK's threaded sums vary in the last bit
        pr = graph.pagerank(directed=True, damping=alpha, implementation="prpack")
    pr = np.asarray(pr, dtype=np.float64)
    return pr / pr.sum()


def hits(
    g: SparseDigraph, graph: ig.Graph | None = None, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Hub and authority scores as networkx defines them, each summing to 1.

    The authorities are igraph's ``authority_score`` (the principal eigenvector
    of AᵀA, solved by ARPACK to machine precision); the hubs are ``A @ a``,
    networkx's definition. When the leading eigenvalue is shared (two parts of
    the graph equally strong), the scores are not unique, in networkx as in igraph.
    ``seed`` (default ``settings.SEED``) fixes ARPACK's start vector: the same
    numbers to the last bit on every run.

    Parameters
    ----------
    g : SparseDigraph
        The follower graph (link i -> j: node i follows node j).
    graph : igraph.Graph or None, optional
        The igraph graph of ``g`` already built (:func:`to_igraph`), to reuse; None builds it.
    seed : int or None, optional
        Seed of ARPACK's start vector; None uses ``settings.SEED``.

    Returns
    -------
    tuple of (numpy.ndarray, numpy.ndarray)
        Hub and authority scores per node, in node order.

    Examples
    --------
    >>> h, a = hits(SparseDigraph.from_edges(np.array([1, 3, 3]), np.array([2, 2, 1])))
    >>> a.round(2).tolist()
    [0.38, 0.62, 0.0]
    """
    if g.n == 0:
        return np.zeros(0), np.zeros(0)
    if g.m == 0:
        return np.full(g.n, 1.0 / g.n), np.full(g.n, 1.0 / g.n)
    with warnings.catch_warnings(), _seeded(seed):
        warnings.filterwarnings("ignore", message=".*hub or authority scores are zeros")
        a = np.asarray(_graph(g, graph).authority_score(scale=True), dtype=np.float64)
    a = np.clip(a, 0.0, None)
    h = np.zeros(g.n)
    for lo in range(0, g.m, CHUNK):
        h += np.bincount(g.src[lo : lo + CHUNK], weights=a[g.dst[lo : lo + CHUNK]], minlength=g.n)
    return h / h.sum(), a / a.sum()


def core_number(g: SparseDigraph, graph: ig.Graph | None = None) -> np.ndarray:
    """k-core number of each node, degree = in + out: igraph's ``coreness`` (as ``nx.core_number``).

    Parameters
    ----------
    g : SparseDigraph
        The follower graph (link i -> j: node i follows node j).
    graph : igraph.Graph or None, optional
        The igraph graph of ``g`` already built (:func:`to_igraph`), to reuse; None builds it.

    Returns
    -------
    numpy.ndarray
        Integer core number per node, in node order.

    Examples
    --------
    >>> core_number(SparseDigraph.from_edges(np.array([1, 2, 3]), np.array([2, 1, 1]))).tolist()
    [2, 2, 1]
    """
    if g.n == 0:
        return np.zeros(0, dtype=np.int64)
    return np.asarray(_graph(g, graph).coreness(mode="all"), dtype=np.int64)


def betweenness(
    g: SparseDigraph,
    samples: int | None = None,
    seed: int | None = None,
    graph: ig.Graph | None = None,
) -> np.ndarray:
    """Normalised betweenness (as ``nx.betweenness_centrality``): exact, or from ``samples`` sources.

    With ``samples=K`` (K < n), K source accounts are drawn as networkx draws
    them (``random.Random(seed).sample`` of the nodes in id order) and igraph
    sums their shortest-path dependencies, averaged over the sources that can
    pass through each account (K, or K - 1 for a sampled one) as networkx 3.6
    does: an unbiased estimate (Brandes & Pich 2007) equal to networkx's
    ``betweenness_centrality(G, k=K, seed=seed)`` on a graph whose nodes were
    added in id order. Error bound: :func:`betweenness_error_bound`.

    Parameters
    ----------
    g : SparseDigraph
        The follower graph (link i -> j: node i follows node j).
    samples : int or None, optional
        Number of sampled source nodes; None (or at least the node count) computes it exactly.
    seed : int or None, optional
        Seed of the sources drawn; None uses ``settings.SEED``.
    graph : igraph.Graph or None, optional
        The igraph graph of ``g`` already built (:func:`to_igraph`), to reuse; None builds it.

    Returns
    -------
    numpy.ndarray
        Normalised betweenness (0 to 1) per node, in node order.

    Examples
    --------
    >>> betweenness(SparseDigraph.from_edges(np.array([1, 2]), np.array([2, 3]))).tolist()
    [0.0, 0.5, 0.0]
    """
    n = g.n
    if n == 0:
        return np.zeros(0)
    if n <= 2:
        return np.zeros(n)
    graph = _graph(g, graph)
    if samples is None or samples >= n:
        raw = np.asarray(graph.betweenness(directed=True), dtype=np.float64)
        return raw / ((n - 1) * (n - 2))
    seed = settings.SEED if seed is None else seed
    sources = random.Random(seed).sample(range(n), samples)
    raw = np.asarray(graph.betweenness(directed=True, sources=sources), dtype=np.float64)
    per_node = np.full(n, float(samples))  # sources that can pass through each account
    per_node[sources] = samples - 1  # a source's own paths start at it
    with np.errstate(invalid="ignore", divide="ignore"):
        return raw / (per_node * (n - 2))


def betweenness_error_bound(n: int, samples: int, delta: float = 0.05, accounts: int = 1) -> float:
    """Largest error of a sampled normalised betweenness, with probability at least 1 - ``delta``.

    An account's estimate is the mean, over the K (K - 1 for a sampled account)
    sources drawn without replacement, of δ_s(v)/(n - 2) ∈ [0, 1], whose mean over
    all sources is the exact value; Hoeffding's inequality (which holds for
    sampling without replacement) bounds its error by
    ε = sqrt(ln(2/δ) / (2(K - 1))); for ``accounts`` accounts at once (the whole
    table: ``accounts=n``) the union bound replaces 2/δ by 2·accounts/δ.

    Parameters
    ----------
    n : int
        Number of nodes of the graph.
    samples : int
        Number of sampled sources K.
    delta : float, default 0.05
        Allowed probability that the bound is exceeded.
    accounts : int, default 1
        Number of accounts the bound must hold for at once (``n`` for the whole table).

    Returns
    -------
    float
        The bound ε, on the normalised (0-1) scale.

    Examples
    --------
    >>> round(betweenness_error_bound(1_000_000, 1000, 0.05, accounts=1_000_000), 3)
    0.094
    """
    if samples >= n:
        return 0.0
    if samples < 2:
        return 1.0
    return min(1.0, math.sqrt(math.log(2 * accounts / delta) / (2 * (samples - 1))))


def undirected_edges(g: SparseDigraph, projection: str = "undirected") -> np.ndarray:
    """Edges (i < j) of the undirected projection, or of the mutual links only.

    Parameters
    ----------
    g : SparseDigraph
        The follower graph (link i -> j: node i follows node j).
    projection : str, default "undirected"
        ``"undirected"`` (every link, a mutual pair once) or ``"mutual"`` (mutual pairs only).

    Returns
    -------
    numpy.ndarray
        Array of shape (edges, 2), int64 node positions, smaller first.
    """
    return np.stack(_projection(g, projection), axis=1).astype(np.int64)


def _projection(g: SparseDigraph, projection: str) -> tuple[np.ndarray, np.ndarray]:
    mutual, forward = g.mutual(), g.src < g.dst
    keep = mutual & forward if projection == "mutual" else ~mutual | forward  # a mutual pair once
    src, dst = g.src[keep], g.dst[keep]
    return np.minimum(src, dst), np.maximum(src, dst)


def louvain(
    g: SparseDigraph,
    projection: str = "undirected",
    resolution: float = 1.0,
    seed: int | None = None,
    release: bool = False,
) -> tuple[np.ndarray, float]:
    """Louvain communities (igraph's multilevel) of the projection: labels and modularity.

    Labels are renumbered by decreasing community size (ties by smallest member
    id), so 0 is the largest. Nodes without links in the projection get label -1.
    The projection's igraph graph is built from its edge arrays, freed before
    igraph reads them (multilevel copies the graph: memory holds two at its peak).
    ``release`` also frees ``g``'s links then (``g`` keeps its ids, and no links).

    Parameters
    ----------
    g : SparseDigraph
        The follower graph (link i -> j: node i follows node j).
    projection : str, default "undirected"
        ``"undirected"`` or ``"mutual"`` (see :func:`undirected_edges`).
    resolution : float, default 1.0
        Modularity resolution: above 1 gives more, smaller communities.
    seed : int or None, optional
        Seed of igraph's random order; None uses ``settings.SEED``.
    release : bool, default False
        Free ``g``'s link arrays once read, to lower peak memory.

    Returns
    -------
    tuple of (numpy.ndarray, float)
        Community label per node (-1 without a link) and the partition's modularity.
    """
    path, linked = _projection_file(g, projection)
    if release:
        _release(g)
        trim_memory()
    graph = _read_edge_file(path, g.n, directed=False)
    labels = _multilevel(graph, resolution, seed)
    has_edges = graph.ecount() > 0
    modularity = float(graph.modularity(labels, resolution=resolution)) if has_edges else 0.0
    return canonical_labels(labels, linked), modularity


def _projection_file(g: SparseDigraph, projection: str) -> tuple[str, np.ndarray]:
    """Write the projection's edge file (:func:`_edge_file`); return it and which nodes have a link in it."""
    lo, hi = _projection(g, projection)
    linked = np.zeros(g.n, dtype=bool)
    linked[lo], linked[hi] = True, True
    return _edge_file(lo, hi), linked


def _multilevel(graph: ig.Graph, resolution: float, seed: int | None) -> np.ndarray:
    """Return igraph's multilevel (Louvain) membership of an undirected graph, seeded."""
    with _seeded(seed):
        clustering = graph.community_multilevel(resolution=resolution)
    return np.asarray(clustering.membership, dtype=np.int64)


def _release(g: SparseDigraph) -> None:
    g.src, g.dst, g._mutual = g.src[:0], g.dst[:0], None


def _fork_louvain(links: int) -> bool:
    """Return whether Louvain of a graph of ``links`` links runs in a forked child.

    From :data:`CONCURRENT_MIN_LINKS` links, where ``os.fork`` exists and the
    forked run's estimated peak (:func:`forked_peak_bytes`) is within
    :data:`CONCURRENT_MAX_BYTES` and the memory available (Linux's
    ``MemAvailable``; assumed enough where unknown).
    """
    if links < CONCURRENT_MIN_LINKS or not hasattr(os, "fork"):
        return False
    need = forked_peak_bytes(links)
    available = _available_bytes()
    return need <= CONCURRENT_MAX_BYTES and (available is None or available >= need)


def forked_peak_bytes(links: int) -> int:
    """Return the estimated peak memory of the metrics with Louvain in a forked child.

    A straight line through the two measured peaks of the process tree's summed
    PSS (:data:`CONCURRENT_BASE_BYTES` + :data:`CONCURRENT_BYTES_PER_LINK` a link).

    Parameters
    ----------
    links : int
        Follow links of the graph.

    Returns
    -------
    int
        Bytes.

    Examples
    --------
    >>> round(forked_peak_bytes(50_000_000) / 2**20)
    7059
    """
    return CONCURRENT_BASE_BYTES + CONCURRENT_BYTES_PER_LINK * links


def _available_bytes() -> int | None:
    """Return the memory available to new work (``MemAvailable``), or None where unknown."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


class _ForkedLouvain:
    """Louvain of a projection's edge file in a forked child process, beside the parent's work.

    The child reads the file (and removes it), runs :func:`_multilevel` with the
    same seed as :func:`louvain` would, writes the membership to a temporary
    ``.npy`` file and exits; it shares the parent's memory copy-on-write and
    builds only the undirected graph. A process, not a thread: it runs on
    the other core whatever python-igraph does with the GIL.
    """

    def __init__(self, path: str, n: int, resolution: float, seed: int | None) -> None:
        fd, self.out = tempfile.mkstemp(prefix="medtwitter-louvain-", suffix=".npy")
        os.close(fd)
        self.path = path
        self.pid = os.fork()
        if self.pid == 0:  # the child: igraph and numpy only, then out without cleanup
            code = 1
            try:
                graph = _read_edge_file(path, n, directed=False)
                trim_memory()
                labels = _multilevel(graph, resolution, seed)
                del graph
                np.save(self.out, labels)
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)

    def result(self) -> np.ndarray | None:
        """Wait for the child: its membership, or None if it failed (the caller runs Louvain)."""
        try:
            _, status = os.waitpid(self.pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                return None
            return np.load(self.out)
        finally:
            self._clean()

    def stop(self) -> None:
        """End the child (the parent failed meanwhile) and remove its files."""
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        finally:
            self._clean()

    def _clean(self) -> None:
        for path in (self.out, self.path):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)


def canonical_labels(labels: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
    """Renumber community labels by decreasing size, ties by first index; -1 outside ``keep``.

    Parameters
    ----------
    labels : numpy.ndarray
        Community label per node, any integers.
    keep : numpy.ndarray or None, optional
        Boolean mask of the nodes that get a label; None keeps every node.

    Returns
    -------
    numpy.ndarray
        int64 labels from 0 (largest community), -1 outside ``keep``.

    Examples
    --------
    >>> canonical_labels(np.array([5, 5, 2, 9, 9, 9])).tolist()
    [1, 1, 2, 0, 0, 0]
    """
    labels = np.asarray(labels)
    keep = np.ones(len(labels), dtype=bool) if keep is None else keep
    uniq, first, counts = np.unique(labels[keep], return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    mapping = np.empty(len(uniq), dtype=np.int64)
    mapping[order] = np.arange(len(uniq))
    out = np.full(len(labels), -1, dtype=np.int64)
    out[keep] = mapping[np.searchsorted(uniq, labels[keep])]
    return out


def node_measures(
    g: SparseDigraph,
    seed: int | None = None,
    betweenness_samples: int | None = None,
    with_betweenness: bool = True,
    step: Callable[[str], None] | None = None,
    release: bool = False,
) -> dict[str, np.ndarray]:
    """Return every measure of the metrics table, from one igraph graph built once.

    On a graph of :data:`CONCURRENT_MIN_LINKS` links or more (where ``os.fork``
    exists and memory allows: :func:`_fork_louvain`), Louvain runs in a forked
    child process while this one computes the other measures: the same labels
    as :func:`louvain` (same projection, same seed), in about the time of the
    longest of the two on two cores. The child shares the parent's memory
    copy-on-write and builds only the undirected graph; if it fails, Louvain
    runs here afterwards.

    Parameters
    ----------
    g : the follower graph
    seed : seed of HITS's start vector, the betweenness sources and Louvain
        (default ``settings.SEED``)
    betweenness_samples : sources of the betweenness estimate (None: exact)
    with_betweenness : compute betweenness at all
    step : called with a step's name before it (a progress bar)
    release : free ``g``'s links at the end (``g`` keeps its ids and no links
        afterwards: for a caller done with it)

    Returns
    -------
    dict of numpy arrays in node order
        ``in_degree``, ``out_degree``, ``reciprocity``, ``pagerank``, ``hub``,
        ``authority``, ``core_number``, ``betweenness`` (only if ``with_betweenness``)
        and ``community``.

    Examples
    --------
    >>> g = SparseDigraph.from_edges(np.array([1, 2, 3]), np.array([2, 1, 1]))
    >>> node_measures(g)["core_number"].tolist()
    [2, 2, 1]
    """
    tell = step or (lambda name: None)
    out: dict[str, np.ndarray] = {"in_degree": g.in_degree(), "out_degree": g.out_degree()}
    tell("reciprocity")
    out["reciprocity"] = node_reciprocity(g)
    trim_memory()  # before the fork: the child would share the freed pages
    forked = None
    if _fork_louvain(g.m):
        path, linked = _projection_file(g, "undirected")
        forked = _ForkedLouvain(path, g.n, 1.0, seed)
    try:
        tell("igraph graph")
        graph = to_igraph(g)
        trim_memory()
        tell("PageRank")
        out["pagerank"] = pagerank(g, graph=graph)
        trim_memory()
        tell("HITS")
        out["hub"], out["authority"] = hits(g, graph=graph, seed=seed)
        trim_memory()  # igraph's adjacency lists: a small block a node
        tell("k-core")
        out["core_number"] = core_number(g, graph=graph)
        if with_betweenness:
            tell("betweenness")
            out["betweenness"] = betweenness(g, betweenness_samples, seed, graph=graph)
        del graph  # Louvain builds its own (undirected) graph: never two directed ones at once
        trim_memory()
    except BaseException:
        if forked is not None:
            forked.stop()
        raise
    tell("Louvain")
    labels = None if forked is None else forked.result()
    if labels is None:
        out["community"] = louvain(g, "undirected", seed=seed, release=release)[0]
    else:
        out["community"] = canonical_labels(labels, linked)
        if release:
            _release(g)
    return out
