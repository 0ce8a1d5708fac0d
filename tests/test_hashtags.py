"""Hashtag normalisation, trends, co-occurrence communities, user communities, peer help."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from analysis.errors import UsageError
from analysis.hashtags import (
    compare_partitions,
    cooccurrence_graph,
    fold_accents,
    hashtag_communities,
    label_communities,
    nmi,
    peer_help_questions,
    peer_help_summary,
    project_users,
    rising_and_declining,
    tag_frequencies,
    tag_trends,
    user_communities,
    user_hashtag_graph,
    who_answers,
)


def _labels(truth) -> pd.DataFrame:
    acc = pd.DataFrame(truth["accounts"])
    acc["user_id"] = acc["user_id"].astype("int64")
    return acc


def test_case_variants_are_one_tag_but_unaccented_sante_stays_its_own(demo_tables):
    freq = tag_frequencies(demo_tables).set_index("tag_key")
    assert set(freq.loc["santé", "written_as"].split(", ")) == {"#Santé", "#santé", "#SANTÉ"}
    assert freq.loc["sante", "written_as"] == "#sante"
    assert "SANTÉ" not in freq.index and "Santé" not in freq.index


def test_accent_folding_is_an_option_that_merges_sante(demo_tables):
    plain = tag_frequencies(demo_tables).set_index("tag_key")
    folded = tag_frequencies(demo_tables, fold=True).set_index("tag_key")
    assert "santé" not in folded.index
    assert (
        folded.loc["sante", "tweets"] <= plain.loc["santé", "tweets"] + plain.loc["sante", "tweets"]
    )
    assert folded.loc["sante", "tweets"] > plain.loc["sante", "tweets"]
    assert fold_accents("SagéFemme") == "SageFemme"


def test_retweets_are_left_out_of_counts_unless_asked(demo_tables):
    without = tag_frequencies(demo_tables)["tweets"].sum()
    with_rt = tag_frequencies(demo_tables, include_retweets=True)["tweets"].sum()
    assert with_rt > without


def test_trends_use_the_periods_tagged_tweets_as_denominator(demo_tables):
    trends = tag_trends(demo_tables, freq="Y")
    assert (trends["share"].dropna() <= 1).all()
    per_period = trends.groupby("period")
    assert (per_period["tweets"].sum() >= per_period["tagged_tweets"].first()).all()
    years = sorted(trends["period"].dt.year.unique())
    assert years == list(range(years[0], years[-1] + 1))
    movers = rising_and_declining(trends, n=2)
    assert set(movers["direction"]) == {"rising", "declining"}
    assert (movers.loc[movers["direction"] == "rising", "change_pp"] > 0).all()
    assert movers.groupby(["period", "direction"]).size().max() <= 2


def test_cooccurrence_graph_keeps_only_significant_pairs(demo_tables):
    g = cooccurrence_graph(demo_tables)
    assert g.number_of_edges() > 0
    assert all(d["npmi"] > 0 and d["pvalue"] < 0.01 for _, _, d in g.edges(data=True))
    everything = cooccurrence_graph(demo_tables, min_npmi=-1.0, alpha=None, min_pair_tweets=1)
    assert everything.number_of_edges() > 2 * g.number_of_edges()


def test_planted_hashtag_communities_are_recovered(demo_tables, truth):
    found = hashtag_communities(cooccurrence_graph(demo_tables), seed=42)
    planted = pd.Series(truth["hashtag_communities"])
    assert len(found.index.intersection(planted.index)) == len(planted)
    assert nmi(found, planted) >= 0.8


def test_planted_hashtag_communities_are_recovered_with_accent_folding(demo_tables, truth):
    found = hashtag_communities(cooccurrence_graph(demo_tables, fold=True), seed=42)
    planted = pd.Series(truth["hashtag_communities"])
    planted.index = planted.index.map(fold_accents)
    planted = planted[~planted.index.duplicated()]
    assert nmi(found, planted) >= 0.8


def test_communities_are_labelled_by_top_tags_and_roles(demo_tables, truth):
    found = hashtag_communities(cooccurrence_graph(demo_tables))
    table = label_communities(found, demo_tables, labels=_labels(truth))
    assert len(table) == found.nunique()
    docs = table[table["top_tags"].str.contains("#docstoctoc")]
    assert len(docs) == 1 and docs["roles"].iloc[0].startswith("physician")
    assert (label_communities(found, demo_tables)["roles"] == "no labels").all()


def test_user_hashtag_projection_communities_match_planted_follower_communities(demo_tables, truth):
    bip = user_hashtag_graph(demo_tables)
    assert nx.is_bipartite(bip)
    users = user_communities(project_users(bip), seed=42)
    planted = _labels(truth).set_index("user_id")["community"]
    score, tab = compare_partitions(users, planted, "hashtag community", "follower community")
    assert score >= 0.8
    assert tab.to_numpy().sum() == len(users)


def test_nmi_is_symmetric_label_invariant_and_refuses_disjoint_partitions():
    a = {i: i % 3 for i in range(30)}
    b = {i: "xyz"[i % 3] for i in range(30)}
    assert nmi(a, b) == 1.0
    rng = np.random.default_rng(0)
    c = dict(enumerate(rng.integers(0, 3, 30)))
    assert nmi(a, c) == pytest.approx(nmi(c, a))
    assert nmi(a, c) < 0.3
    with pytest.raises(UsageError):
        nmi({1: 0}, {2: 0})


def test_peer_help_questions_start_conversations_and_answers_come_from_others(demo_tables, truth):
    q = peer_help_questions(demo_tables)
    assert len(q) > 50
    tw = demo_tables.tweets.set_index("tweet_id")
    assert (tw.loc[q["tweet_id"], "conversation_id"].to_numpy() == q["tweet_id"].to_numpy()).all()
    answered = q[q["answered"]]
    assert (answered["hours_to_first_answer"] > 0).all()
    summary = peer_help_summary(q).set_index("measure")["value"]
    assert summary["share answered"] == pytest.approx(len(answered) / len(q))
    who = who_answers(demo_tables, q, labels=_labels(truth), by="role")
    assert who["answers"].sum() == answered["answers"].sum()
    assert who["group"].iloc[0] == "physician"  # planted: the tag's community is mostly physicians
    assert who_answers(demo_tables, q)["group"].tolist() == ["all"]


def test_peer_help_on_a_hand_made_thread():
    from analysis.tables import Tables

    t0 = pd.Timestamp("2024-01-01 08:00", tz="UTC")
    tweets = pd.DataFrame(
        {
            "tweet_id": [1, 2, 3, 4, 5],
            "author_id": [10, 11, 10, 12, 13],
            "created_at": [
                t0,
                t0 + pd.Timedelta(hours=2),
                t0 + pd.Timedelta(hours=3),
                t0 + pd.Timedelta(hours=5),
                t0,
            ],
            "conversation_id": [1, 1, 1, 1, 5],
            "reply_to_tweet_id": [None, 1, 2, 1, None],
            "retweet_of_tweet_id": [None] * 5,
            "collected": True,
        }
    )
    hashtags = pd.DataFrame(
        {
            "tweet_id": [1, 5],
            "tag": ["DocsToctoc", "docstoctoc"],
            "tag_norm": ["docstoctoc", "docstoctoc"],
        }
    )
    t = Tables(tweets, pd.DataFrame(), pd.DataFrame(), hashtags, pd.DataFrame(), pd.DataFrame())
    q = peer_help_questions(t).set_index("tweet_id")
    assert (
        q.loc[1, "answers"] == 2 and q.loc[1, "answerers"] == 2
    )  # the asker's own reply is not an answer
    assert q.loc[1, "hours_to_first_answer"] == 2.0
    assert not q.loc[5, "answered"]
