"""Hashtags: frequencies, trends, co-occurrence communities, user communities, peer help.

Tags are compared by their ``tag_norm`` (case-folded, Unicode NFC, accents
kept); ``fold=True`` merges accented and plain spellings. A retweet's hashtags
are left out by default (they repeat the original's). Account labels (role,
identity) and follower-graph communities are optional inputs: ``labels`` is a
frame with ``user_id``, ``role``, ``identity``; ``communities`` maps
``user_id`` to a community.

Modules: :mod:`~analysis.hashtags.frequencies` (uses, frequencies, trends),
:mod:`~analysis.hashtags.cooccurrence` (the co-occurrence graph and its
communities), :mod:`~analysis.hashtags.partitions` (Louvain, NMI),
:mod:`~analysis.hashtags.users` (the user-hashtag graph and its projection)
and :mod:`~analysis.hashtags.peer_help` (peer-help questions and answers).
"""

from analysis.hashtags.cooccurrence import (
    CooccurrenceCounts,
    cooccurrence_counts,
    cooccurrence_graph,
    describe_graph,
    hashtag_communities,
    label_communities,
)
from analysis.hashtags.frequencies import (
    focus_tags,
    fold_accents,
    rising_and_declining,
    tag_frequencies,
    tag_trends,
    tag_uses,
)
from analysis.hashtags.partitions import compare_partitions, louvain_partition, nmi
from analysis.hashtags.peer_help import (
    answers_to,
    describe_peer_help,
    peer_help_questions,
    peer_help_summary,
    who_answers,
)
from analysis.hashtags.users import project_users, user_communities, user_hashtag_graph

__all__ = [
    "CooccurrenceCounts",
    "cooccurrence_counts",
    "answers_to",
    "compare_partitions",
    "cooccurrence_graph",
    "describe_graph",
    "describe_peer_help",
    "focus_tags",
    "fold_accents",
    "hashtag_communities",
    "label_communities",
    "louvain_partition",
    "nmi",
    "peer_help_questions",
    "peer_help_summary",
    "project_users",
    "rising_and_declining",
    "tag_frequencies",
    "tag_trends",
    "tag_uses",
    "user_communities",
    "user_hashtag_graph",
    "who_answers",
]
