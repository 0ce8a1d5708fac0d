"""The fast path: directed graphs as scipy sparse matrices, igraph for Louvain.

A follower graph of a million accounts does not fit networkx's dicts of dicts,
and most metrics are a few sparse matrix products. :class:`SparseDigraph` holds
the node ids and a CSR adjacency built from the tables' id columns with numpy
(no Python loop per edge); the functions below compute the same quantities as
their networkx counterparts, with the same algorithm where one is iterative
(PageRank, HITS), so the results agree to the iteration's tolerance.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass
class SparseDigraph:
    """A directed graph as sorted node ids and a 0/1 CSR adjacency (row follows column).

    Examples
    --------
    >>> g = SparseDigraph.from_edges(np.array([1, 2, 3]), np.array([2, 1, 1]))
    >>> g.ids.tolist(), g.in_degree().tolist()
    ([1, 2, 3], [2, 1, 0])
    """

    ids: np.ndarray
    adj: sp.csr_array

    @classmethod
    def from_edges(
        cls,
        src: np.ndarray,
        dst: np.ndarray,
        nodes: np.ndarray | None = None,
        within_nodes: bool = False,
    ) -> SparseDigraph:
        """Build from follower and followed id arrays; duplicates and self-loops are dropped.

        ``nodes`` adds accounts without links (they become rows of zeros);
        ``within_nodes`` says every link's two ends are among ``nodes`` (saves a sort).
        """
        src = np.asarray(src, dtype=np.int64)
        dst = np.asarray(dst, dtype=np.int64)
        keep = src != dst
        src, dst = src[keep], dst[keep]
        if nodes is not None and within_nodes:
            ids = np.unique(np.asarray(nodes, dtype=np.int64))
        else:
            parts = [src, dst] if nodes is None else [src, dst, np.asarray(nodes, dtype=np.int64)]
            ids = np.unique(np.concatenate(parts))
        n = len(ids)
        row = np.searchsorted(ids, src)
        col = np.searchsorted(ids, dst)
        adj = sp.csr_array(
            (np.ones(len(row), dtype=np.float64), (row, col)), shape=(n, n), dtype=np.float64
        )
        adj.sum_duplicates()
        adj.data[:] = 1.0
        return cls(ids, adj)

    @classmethod
    def from_networkx(cls, G) -> SparseDigraph:
        """Convert a networkx ``DiGraph`` whose nodes are integer ids."""
        ids = np.fromiter(G.nodes, dtype=np.int64, count=G.number_of_nodes())
        edges = np.array(list(G.edges()), dtype=np.int64).reshape(-1, 2)
        return cls.from_edges(edges[:, 0], edges[:, 1], nodes=ids)

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def m(self) -> int:
        return int(self.adj.nnz)

    def in_degree(self) -> np.ndarray:
        """Followers of each node within the graph."""
        return np.bincount(self.adj.indices, minlength=self.n).astype(np.int64)

    def out_degree(self) -> np.ndarray:
        """Accounts each node follows within the graph."""
        return np.diff(self.adj.indptr).astype(np.int64)

    def mutual(self) -> sp.csr_array:
        """The adjacency of reciprocated links (symmetric)."""
        return self.adj.multiply(self.adj.T).tocsr()


def overall_reciprocity(g: SparseDigraph) -> float:
    """Share of links that are returned (as ``nx.overall_reciprocity``)."""
    if g.m == 0:
        raise ZeroDivisionError("Not defined for empty graphs")
    return float(g.mutual().nnz / g.m)


def node_reciprocity(g: SparseDigraph) -> np.ndarray:
    """Per node: 2 × mutual neighbours / (in + out degree), NaN without links (as networkx)."""
    overlap = np.diff(g.mutual().indptr)
    total = g.in_degree() + g.out_degree()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 2.0 * overlap / total, np.nan)


def pagerank(
    g: SparseDigraph, alpha: float = 0.85, max_iter: int = 100, tol: float = 1.0e-6
) -> np.ndarray:
    """PageRank by power iteration, the algorithm and stopping rule of networkx's scipy version."""
    import networkx as nx

    n = g.n
    if n == 0:
        return np.zeros(0)
    A = g.adj
    S = np.asarray(A.sum(axis=1)).ravel()
    inv = np.zeros(n)
    inv[S != 0] = 1.0 / S[S != 0]
    A = sp.dia_array((inv[np.newaxis, :], 0), shape=A.shape).tocsr() @ A
    x = np.repeat(1.0 / n, n)
    p = np.repeat(1.0 / n, n)
    dangling = np.flatnonzero(S == 0)
    for _ in range(max_iter):
        xlast = x
        x = alpha * (x @ A + x[dangling].sum() * p) + (1 - alpha) * p
        if np.absolute(x - xlast).sum() < n * tol:
            return x
    raise nx.PowerIterationFailedConvergence(max_iter)


def hits(
    g: SparseDigraph, max_iter: int = 100, tol: float = 1.0e-8
) -> tuple[np.ndarray, np.ndarray]:
    """Hub and authority scores, normalised to sum 1 (networkx's SVD method, fixed start vector)."""
    import networkx as nx

    if g.n == 0:
        return np.zeros(0), np.zeros(0)
    if g.m == 0:
        return np.full(g.n, 1.0 / g.n), np.full(g.n, 1.0 / g.n)
    try:
        v0 = np.full(g.n, 1.0 / np.sqrt(g.n))  # a fixed start: the same scores on every run
        _, _, vt = sp.linalg.svds(g.adj, k=1, v0=v0, maxiter=max_iter, tol=tol)
    except sp.linalg.ArpackNoConvergence as exc:
        raise nx.PowerIterationFailedConvergence(max_iter) from exc
    a = vt.ravel().real
    h = g.adj @ a
    return h / h.sum(), a / a.sum()


def core_number(g: SparseDigraph) -> np.ndarray:
    """k-core number of each node, degree = in + out (as ``nx.core_number`` on a DiGraph).

    Peels the graph level by level: at level k, every node left with degree ≤ k
    gets core number k and is removed, in vectorised rounds.
    """
    n = g.n
    sym = (g.adj + g.adj.T).tocsr()  # a mutual pair counts twice, as in networkx
    deg = np.asarray(sym.sum(axis=1)).ravel().astype(np.int64)
    core = np.full(n, -1, dtype=np.int64)
    alive = np.ones(n, dtype=bool)
    k = 0
    while alive.any():
        k = max(k, int(deg[alive].min()))
        while True:
            drop = np.flatnonzero(alive & (deg <= k))
            if len(drop) == 0:
                break
            core[drop] = k
            alive[drop] = False
            rows = sym[drop]
            deg -= np.bincount(rows.indices, weights=rows.data, minlength=n).astype(np.int64)
    return core


def undirected_edges(g: SparseDigraph, projection: str = "undirected") -> np.ndarray:
    """Edges (i < j) of the undirected projection, or of the mutual links only."""
    A = g.mutual() if projection == "mutual" else (g.adj + g.adj.T)
    upper = sp.triu(A, k=1).tocoo()
    return np.stack([upper.row, upper.col], axis=1).astype(np.int64)


def louvain(
    g: SparseDigraph, projection: str = "undirected", resolution: float = 1.0, seed: int = 42
) -> tuple[np.ndarray, float]:
    """Louvain communities (igraph's multilevel) of the projection: labels and modularity.

    Labels are renumbered by decreasing community size (ties by smallest member id),
    so 0 is the largest. Nodes without links in the projection get label -1.
    """
    import igraph as ig

    edges = undirected_edges(g, projection)
    graph = ig.Graph(n=g.n, directed=False)
    graph.add_edges(edges)
    ig.set_random_number_generator(random.Random(seed))
    try:
        clustering = graph.community_multilevel(resolution=resolution)
    finally:
        ig.set_random_number_generator(random)  # igraph's default: the random module
    labels = np.asarray(clustering.membership, dtype=np.int64)
    modularity = float(graph.modularity(labels, resolution=resolution)) if len(edges) else 0.0
    linked = np.zeros(g.n, dtype=bool)
    linked[edges.ravel()] = True
    return canonical_labels(labels, linked), modularity


def canonical_labels(labels: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
    """Renumber community labels by decreasing size, ties by first index; -1 outside ``keep``.

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
