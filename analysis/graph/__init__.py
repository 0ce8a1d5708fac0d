"""The follower graph: tables -> networkx graphs; measures; communities; change; export.

The follower graph is **asymmetric**: an edge runs from the follower to the
followed account, and most follows are not returned. This package builds it
(:func:`graph_from_tables`) and the interaction graphs (mentions, retweets,
replies, quotes; any of them by name with :func:`network_graph`), measures it
(reciprocity overall, per account and between groups; degree distributions with
a power-law fit; PageRank, HITS, k-core, sampled betweenness; mixing between
groups; top accounts and bridges), finds its
communities (Louvain and label propagation on the undirected or mutual
projection), follows its change over snapshots, and exports it (a metrics table,
GEXF, GraphML; any network for Gephi with a timeline, or as CSV edge and node
tables: :func:`export_network`).

Group-level functions take an optional ``labels`` frame (``user_id``, ``role``,
``identity``) such as ``accounts.label_users`` returns; without one they use the
nodes' own attributes, and accounts with none count as ``unknown``.

Every metric takes ``backend=``: :data:`analysis.settings.GRAPH_BACKEND` by default,
``"igraph"`` (the fast path: igraph's exact algorithms, the same results as networkx
run to convergence), ``"networkx"`` (honouring networkx's backend configuration), or
an installed networkx backend such as ``"cugraph"`` — with a warning and networkx when
it is absent.
"""

from analysis.graph.backends import BackendFallbackWarning, installed_backends, resolve_backend
from analysis.graph.build import (
    NETWORKS,
    follow_edges,
    graph_from_tables,
    interaction_graph,
    interaction_summary,
    mention_graph,
    network_graph,
    quote_graph,
    reply_graph,
    require_directed,
    retweet_graph,
)
from analysis.graph.communities import (
    community_bridges,
    community_sample,
    describe_communities,
    detect_communities,
    modularity,
    normalized_mutual_info,
    projection,
)
from analysis.graph.examples import tiny_labels, tiny_tables
from analysis.graph.export import (
    METRIC_COLUMNS,
    export_graph,
    graph_for_export,
    metrics_from_dataset,
    node_metrics,
    read_graph,
    save_metrics,
)
from analysis.graph.fast import SparseDigraph
from analysis.graph.metrics import (
    PowerLawFit,
    as_matrix,
    betweenness,
    core_number,
    degree_distribution,
    degree_table,
    describe_reciprocity,
    fit_power_law,
    graph_summary,
    group_reciprocity,
    hits,
    node_groups,
    node_reciprocity,
    pagerank,
    reciprocity,
    top_accounts,
)
from analysis.graph.mixing import assortativity, mixing_table
from analysis.graph.networks import export_network, network_for_export, network_tables
from analysis.graph.snapshots import (
    change_summary,
    describe_snapshots,
    follow_changes,
    follow_history,
    follows_as_of,
    snapshot_dates,
)

__all__ = [
    "METRIC_COLUMNS",
    "NETWORKS",
    "export_network",
    "network_for_export",
    "network_graph",
    "network_tables",
    "quote_graph",
    "BackendFallbackWarning",
    "PowerLawFit",
    "SparseDigraph",
    "as_matrix",
    "assortativity",
    "betweenness",
    "change_summary",
    "community_bridges",
    "community_sample",
    "core_number",
    "degree_distribution",
    "degree_table",
    "describe_reciprocity",
    "graph_summary",
    "describe_communities",
    "detect_communities",
    "export_graph",
    "fit_power_law",
    "follow_changes",
    "follow_edges",
    "follow_history",
    "follows_as_of",
    "graph_for_export",
    "graph_from_tables",
    "group_reciprocity",
    "hits",
    "installed_backends",
    "interaction_graph",
    "interaction_summary",
    "describe_snapshots",
    "mention_graph",
    "metrics_from_dataset",
    "mixing_table",
    "modularity",
    "node_groups",
    "node_metrics",
    "node_reciprocity",
    "normalized_mutual_info",
    "pagerank",
    "projection",
    "read_graph",
    "reciprocity",
    "reply_graph",
    "require_directed",
    "resolve_backend",
    "retweet_graph",
    "save_metrics",
    "snapshot_dates",
    "tiny_labels",
    "tiny_tables",
    "top_accounts",
]
