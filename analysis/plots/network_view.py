"""The interactive network view: the follower graph (and mention/retweet graphs) in the page.

:func:`network_view` lays each graph out (igraph's Fruchterman–Reingold, seeded)
and returns a :class:`NetworkView` that shows, in a notebook or an exported
report, every account up to ``max_nodes`` (default :data:`NETWORK_MAX_NODES`;
above it the accounts of the largest k-core that fits, or else the top accounts by
PageRank, and the view says which), directed edges, node size by followers within
the graph (in-degree), colour by identity style with a switch to role and to
community, a tooltip per account (handle, role, identity, followers) and a search
box. Everything is inlined: the vis-network library shipped in the ``pyvis``
wheel and the data, so the page works offline. Handles are the graph's
``username`` attributes: pseudonyms when the tables were loaded anonymised;
display names are never embedded.

:func:`view_layout` is shared with the static figure for papers
(:func:`analysis.plots.graph.plot_network`).
"""

from __future__ import annotations

import html
import itertools
import json
import random
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from analysis import settings
from analysis.plots.base import IDENTITY_COLORS, OKABE_ITO, ROLE_COLORS

#: Most accounts a view shows (``medtwitter report --network-max-nodes``).
NETWORK_MAX_NODES = 5000
#: Attributes a view colours by, in the order of its switch.
COLOUR_BY: tuple[str, ...] = ("identity", "role", "community")
_ids = itertools.count(1)


@cache
def vis_network_js() -> str:
    """Return the vis-network library (standalone build, licence header kept) bundled in the ``pyvis`` wheel."""
    # Imported here: pyvis (with jinja2) takes 0.3 to 0.7 s, which the charts need not pay.
    import pyvis

    path = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2" / "vis-network.min.js"
    return path.read_text(encoding="utf-8")


def select_accounts(G: nx.DiGraph, max_nodes: int | None = None) -> tuple[list, str]:
    """Return the accounts a view shows, and a sentence saying which.

    Every account when there are at most ``max_nodes``; otherwise the largest
    k-core (ties counted both ways) with at most ``max_nodes`` accounts when it holds at
    least half of them, else the ``max_nodes`` accounts with the highest PageRank.

    Parameters
    ----------
    G : networkx.DiGraph
        The graph to show.
    max_nodes : int or None, optional
        Most accounts shown; None uses ``NETWORK_MAX_NODES``.

    Returns
    -------
    tuple of (list, str)
        The node ids shown, and the sentence saying which.

    Raises
    ------
    ValueError
        If ``max_nodes`` is below 1.

    Examples
    --------
    >>> G = nx.DiGraph([(1, 2), (2, 1), (3, 1), (4, 1)])
    >>> select_accounts(G, 10)
    ([1, 2, 3, 4], 'All 4 accounts.')
    >>> select_accounts(G, 2)[1]
    'The 2-core: 2 of 4 accounts (those with at least 2 ties among themselves; the view shows at most 2).'
    """
    # Imported here: analysis.graph takes about 1.1 s, which `import analysis.plots` need not pay.
    from analysis.graph import core_number, pagerank

    cap = NETWORK_MAX_NODES if max_nodes is None else int(max_nodes)
    if cap < 1:
        raise ValueError(f"max_nodes must be at least 1, not {cap}.")
    nodes = list(G)
    if len(nodes) <= cap:
        return nodes, f"All {len(nodes):,} accounts."
    cores = core_number(G)
    for k in sorted(cores.unique()):
        members = cores.index[cores >= k]
        if len(members) <= cap:
            if len(members) >= cap / 2:
                return [n for n in nodes if n in set(members)], (
                    f"The {k}-core: {len(members):,} of {len(nodes):,} accounts (those with at "
                    f"least {k} ties among themselves; the view shows at most {cap:,})."
                )
            break
    ranks = pagerank(G).sort_values(ascending=False, kind="stable")
    top = set(ranks.index[:cap])
    return [n for n in nodes if n in top], (
        f"The {cap:,} accounts with the highest PageRank, of {len(nodes):,} "
        f"(the view shows at most {cap:,})."
    )


def view_layout(G: nx.Graph, seed: int | None = None) -> dict:
    """Positions of the nodes (Fruchterman–Reingold on the undirected graph, igraph, seeded).

    Coordinates are scaled to about -1000..1000 and rounded to 0.1.

    Parameters
    ----------
    G : networkx.Graph
        The graph to lay out (direction ignored).
    seed : int or None, optional
        Seed of the starting positions; None uses ``settings.SEED``.

    Returns
    -------
    dict
        ``(x, y)`` per node.

    Examples
    --------
    >>> pos = view_layout(nx.DiGraph([(1, 2), (2, 3)]), seed=1)
    >>> sorted(pos) == [1, 2, 3] and all(abs(x) <= 1000 for x, y in pos.values())
    True
    """
    # Imported here: igraph takes about 0.3 s, which the charts need not pay.
    import igraph as ig

    seed = settings.SEED if seed is None else seed
    nodes = list(G)
    if not nodes:
        return {}
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {n: i for i, n in enumerate(nodes)}
    edges = {(min(index[u], index[v]), max(index[u], index[v])) for u, v in G.edges() if u != v}
    g = ig.Graph(n=len(nodes), edges=sorted(edges), directed=False)
    rng = np.random.default_rng(seed)
    start = rng.uniform(-1, 1, size=(len(nodes), 2)).tolist()
    random.seed(seed)  # igraph draws from Python's random module
    coords = np.asarray(g.layout_fruchterman_reingold(seed=start, niter=500).coords, dtype=float)
    coords -= coords.mean(axis=0)
    scale = np.abs(coords).max() or 1.0
    coords = np.round(coords / scale * 1000, 1)
    return {n: (float(x), float(y)) for n, (x, y) in zip(nodes, coords, strict=True)}


def graph_view_data(
    G: nx.DiGraph,
    communities: pd.Series | None = None,
    max_nodes: int | None = None,
    seed: int | None = None,
    title: str = "Follower graph",
    accounts: nx.DiGraph | None = None,
) -> dict:
    """Return the data a view embeds for one graph: accounts, links and the sentence saying which accounts.

    Each account: ``handle`` (its ``username``, a pseudonym when anonymised; ``#id``
    for an account the dataset does not describe), ``role``, ``identity``,
    ``community`` (-1 when none), ``followers`` (its followers count), ``in_degree``
    (links received within the graph), and ``x``, ``y``. Links are index pairs,
    ``[source, target]`` (or ``[source, target, weight]`` when weighted). ``accounts``
    (the follower graph) fills in what a node of ``G`` lacks (role, identity, followers).

    Parameters
    ----------
    G : networkx.DiGraph
        The graph to show (follower or interaction graph).
    communities : pandas.Series or None, optional
        Community number per user id; None puts every account in -1.
    max_nodes : int or None, optional
        Most accounts shown (see :func:`select_accounts`); None uses ``NETWORK_MAX_NODES``.
    seed : int or None, optional
        Seed of the layout (see :func:`view_layout`).
    title : str, default "Follower graph"
        Name of the graph in the view's switch.
    accounts : networkx.DiGraph or None, optional
        The follower graph, whose node attributes fill in those ``G`` lacks; None fills in nothing.

    Returns
    -------
    dict
        ``title``, ``note``, ``nodes`` (list of dicts) and ``edges`` (list of index lists).
    """
    shown, note = select_accounts(G, max_nodes)
    H = G.subgraph(shown)
    pos = view_layout(H, seed)
    index = {n: i for i, n in enumerate(shown)}
    comm = communities if communities is not None else pd.Series(dtype="int64")
    nodes = []
    for n in shown:
        a = {**(accounts.nodes[n] if accounts is not None and n in accounts else {}), **G.nodes[n]}
        followers = a.get("followers_count")
        nodes.append(
            {
                "handle": str(a.get("username") or f"#{index[n] + 1}"),
                "role": str(a.get("role") or "unknown"),
                "identity": str(a.get("identity") or "unknown"),
                "community": int(comm.get(n, -1)) if n in comm.index else -1,
                "followers": int(followers)
                if followers is not None and not pd.isna(followers)
                else None,
                "in_degree": int(H.in_degree(n)),
                "x": pos[n][0],
                "y": pos[n][1],
            }
        )
    weighted = any("weight" in d for _, _, d in H.edges(data=True))
    edges = [
        [index[u], index[v], int(d.get("weight", 1))] if weighted else [index[u], index[v]]
        for u, v, d in H.edges(data=True)
    ]
    return {"title": title, "note": note, "nodes": nodes, "edges": edges}


@dataclass
class NetworkView:
    """One or more graphs in an interactive view; shows itself in a notebook and in a report."""

    graphs: list[dict]
    height: int = 640
    element_id: str = field(default_factory=lambda: f"mt-network-{next(_ids)}")

    def __repr__(self) -> str:
        """Summarise the views: accounts and links of each graph."""
        parts = [
            f"{g['title']}: {len(g['nodes']):,} accounts, {len(g['edges']):,} links"
            for g in self.graphs
        ]
        return f"<NetworkView: {'; '.join(parts)}>"

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self) -> str:
        """Return the view as one HTML fragment: controls, canvas, the inlined library and data."""
        return network_view_html(self.graphs, self.element_id, self.height)


def network_view(
    graphs: dict[str, nx.DiGraph] | nx.DiGraph,
    communities: pd.Series | None = None,
    max_nodes: int | None = None,
    seed: int | None = None,
    accounts: nx.DiGraph | None = None,
) -> NetworkView:
    """Return an interactive view of one graph, or of several with a switch between them.

    Parameters
    ----------
    graphs : a graph, or graphs by title ({"Follower graph": G, "Mentions": M, ...}); nodes
        carry ``username``, ``role``, ``identity``, ``followers_count`` when known
        (as :func:`analysis.graph.graph_from_tables` puts them)
    communities : community number per account (colour by community); -1 or absent: none
    max_nodes : most accounts per graph (default :data:`NETWORK_MAX_NODES`)
    seed : layout seed (default ``settings.SEED``)
    accounts : the follower graph, whose node attributes fill in those of the other graphs
        (a mention graph's nodes carry only ``username``)

    Examples
    --------
    >>> from analysis.graph import graph_from_tables, tiny_tables
    >>> view = network_view(graph_from_tables(tiny_tables()))
    >>> view.graphs[0]["note"], len(view.graphs[0]["edges"])
    ('All 3 accounts.', 3)
    """
    if isinstance(graphs, nx.Graph):
        graphs = {"Follower graph": graphs}
    data = [
        graph_view_data(G, communities, max_nodes, seed, title, accounts)
        for title, G in graphs.items()
    ]
    return NetworkView(data)


def _json_for_script(value: object) -> str:
    r"""JSON safe inside a <script> element: <, > and & as \u escapes."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_PALETTES = {"identity": IDENTITY_COLORS, "role": ROLE_COLORS}

_CSS = """
.mt-network { font-family: system-ui, sans-serif; font-size: 13px; margin: .5em 0; }
.mt-network .mt-net-controls { display: flex; flex-wrap: wrap; gap: .8em; align-items: center; margin: .3em 0; }
.mt-network .mt-net-canvas { border: 1px solid #ccc; background: #fff; position: relative; }
.mt-network .mt-net-legend span { display: inline-block; margin-right: .9em; white-space: nowrap; }
.mt-network .mt-net-legend i { display: inline-block; width: .8em; height: .8em; border-radius: 50%;
  margin-right: .3em; vertical-align: middle; }
.mt-network .mt-net-note { color: #444; margin: .2em 0; }
.vis-tooltip { position: absolute; visibility: hidden; padding: 5px; white-space: pre; font: 12px system-ui,
  sans-serif; color: #000; background: #f5f4ed; border: 1px solid #808074; border-radius: 3px;
  box-shadow: 3px 3px 10px rgba(0,0,0,.2); pointer-events: none; z-index: 5; }
"""

_SCRIPT = r"""
(function () {
  const root = document.getElementById(ELEMENT_ID);
  const graphs = JSON.parse(root.querySelector("script.mt-net-data").textContent);
  const palettes = JSON.parse(root.querySelector("script.mt-net-palettes").textContent);
  const q = (s) => root.querySelector(s);
  const canvas = q(".mt-net-canvas"), note = q(".mt-net-note"), legend = q(".mt-net-legend");
  const colourBy = q("select.mt-net-colour"), graphBy = q("select.mt-net-graph");
  const search = q("input.mt-net-search"), found = q(".mt-net-found");
  let current = 0, nodes = null, network = null;
  function colourOf(n, by) {
    if (by === "community") return n.community < 0 ? "#BBBBBB" : palettes.community[n.community % palettes.community.length];
    return palettes[by][n[by]] || "#BBBBBB";
  }
  function tooltip(n) {
    return "@" + n.handle + "\nrole: " + n.role + "\nidentity: " + n.identity +
      "\nfollowers: " + (n.followers === null ? "unknown" : n.followers.toLocaleString("en")) +
      "\nfollowers in this graph: " + n.in_degree + (n.community >= 0 ? "\ncommunity: " + n.community : "");
  }
  function drawLegend(g, by) {
    const groups = new Map();
    g.nodes.forEach((n) => { const k = by === "community" ? (n.community < 0 ? "none" : String(n.community)) : n[by];
      groups.set(k, (groups.get(k) || 0) + 1); });
    legend.replaceChildren();
    [...groups.entries()].sort((a, b) => b[1] - a[1]).forEach(([k, count]) => {
      const span = document.createElement("span"), dot = document.createElement("i");
      dot.style.background = by === "community" ? (k === "none" ? "#BBBBBB" : palettes.community[Number(k) % palettes.community.length]) : (palettes[by][k] || "#BBBBBB");
      span.append(dot, document.createTextNode((by === "community" && k !== "none" ? "community " : "") + k + " (" + count + ")"));
      legend.append(span);
    });
  }
  function show(i) {
    current = i;
    const g = graphs[i], by = colourBy.value;
    nodes = new vis.DataSet(g.nodes.map((n, j) => ({ id: j, x: n.x, y: n.y, label: n.handle,
      value: n.in_degree, title: tooltip(n), color: colourOf(n, by) })));
    const edges = new vis.DataSet(g.edges.map((e, j) => ({ id: j, from: e[0], to: e[1],
      value: e.length > 2 ? e[2] : undefined })));
    note.textContent = g.title + ": " + g.note + " " + g.edges.length.toLocaleString("en") +
      " links. Size: followers within the graph; hover an account for its details.";
    const options = { physics: false, interaction: { hover: true, tooltipDelay: 80, hideEdgesOnDrag: true },
      nodes: { shape: "dot", borderWidth: 0.5, scaling: { min: 4, max: 28,
        label: { enabled: true, min: 8, max: 22, drawThreshold: 11, maxVisible: 26 } }, font: { size: 12 } },
      edges: { arrows: { to: { enabled: true, scaleFactor: 0.35 } }, color: { color: "#9a9a9a", opacity: 0.35 },
        width: 0.5, scaling: { min: 0.5, max: 4 }, smooth: false } };
    if (network) network.destroy();
    network = new vis.Network(canvas, { nodes: nodes, edges: edges }, options);
    window.medtwitterNetworks = window.medtwitterNetworks || {};
    window.medtwitterNetworks[ELEMENT_ID] = network;
    drawLegend(g, by);
    found.textContent = "";
  }
  function recolour() {
    const g = graphs[current], by = colourBy.value;
    nodes.update(g.nodes.map((n, j) => ({ id: j, color: colourOf(n, by) })));
    drawLegend(g, by);
  }
  function find() {
    const text = search.value.trim().replace(/^@/, "").toLowerCase();
    if (!text) { network.unselectAll(); found.textContent = ""; return; }
    const ids = [];
    graphs[current].nodes.forEach((n, j) => { if (n.handle.toLowerCase().includes(text)) ids.push(j); });
    network.selectNodes(ids, false);
    found.textContent = ids.length ? ids.length + " account(s) match" : "no account matches";
    if (ids.length) network.focus(ids[0], { scale: 1.2, animation: false });
  }
  colourBy.addEventListener("change", recolour);
  if (graphBy) graphBy.addEventListener("change", () => show(Number(graphBy.value)));
  search.addEventListener("input", find);
  search.addEventListener("keydown", (e) => { if (e.key === "Enter") find(); });
  show(0);
})();
"""


def network_view_html(graphs: list[dict], element_id: str, height: int = 640) -> str:
    """Return the HTML of a view (see :class:`NetworkView`): all text escaped, data and library inline.

    Parameters
    ----------
    graphs : list of dict
        One or more results of :func:`graph_view_data`.
    element_id : str
        HTML id of the view's container, unique in the page.
    height : int, default 640
        Height of the canvas, in pixels.

    Returns
    -------
    str
        A self-contained HTML fragment.
    """
    eid = html.escape(element_id)
    options = "".join(f'<option value="{b}">{b}</option>' for b in COLOUR_BY)
    graph_switch = ""
    if len(graphs) > 1:
        choices = "".join(
            f'<option value="{i}">{html.escape(g["title"])}</option>' for i, g in enumerate(graphs)
        )
        graph_switch = f'<label>Graph <select class="mt-net-graph">{choices}</select></label>'
    palettes = {
        "identity": _PALETTES["identity"],
        "role": _PALETTES["role"],
        "community": list(OKABE_ITO),
    }
    script = _SCRIPT.replace("ELEMENT_ID", json.dumps(element_id))
    return (
        f'<div class="mt-network" id="{eid}"><style>{_CSS}</style>'
        f'<div class="mt-net-controls">{graph_switch}'
        f'<label>Colour by <select class="mt-net-colour">{options}</select></label>'
        '<label>Search <input class="mt-net-search" type="search" placeholder="handle"></label>'
        '<span class="mt-net-found" aria-live="polite"></span></div>'
        '<p class="mt-net-note"></p><div class="mt-net-legend"></div>'
        f'<div class="mt-net-canvas" style="height:{int(height)}px"></div>'
        f'<script type="application/json" class="mt-net-data">{_json_for_script(graphs)}</script>'
        f'<script type="application/json" class="mt-net-palettes">{_json_for_script(palettes)}</script>'
        f"<script>if (!window.vis || !window.vis.Network) {{\n{vis_network_js()}\n}}</script>"
        f"<script>{script}</script></div>"
    )


__all__ = [
    "NETWORK_MAX_NODES",
    "NetworkView",
    "graph_view_data",
    "network_view",
    "network_view_html",
    "select_accounts",
    "view_layout",
    "vis_network_js",
]
