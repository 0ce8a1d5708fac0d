"""Defaults taken from analysis.settings are read when a function runs, not when it is imported."""

import random

import networkx as nx
import numpy as np
import pandas as pd
from xapi import FAKE_TOKEN

from analysis import settings
from analysis.collect.api import make_client
from analysis.collect.collector import Collector
from analysis.confidentiality.flags import flagged_examples
from analysis.demo import DemoParams
from analysis.graph.communities import community_sample, detect_communities


def test_demo_parameters_take_the_seed_set_after_import(monkeypatch):
    monkeypatch.setattr(settings, "SEED", 7)
    assert DemoParams().seed == 7
    assert DemoParams(seed=3).seed == 3


def test_the_collectors_jitter_follows_the_seed_set_after_import(monkeypatch):
    monkeypatch.setattr(settings, "SEED", 11)
    collector = Collector(make_client(FAKE_TOKEN), progress=False)
    assert collector.rng.random() == random.Random(11).random()


def _two_groups() -> nx.DiGraph:
    G = nx.DiGraph()
    for a in range(8):
        for b in range(8):
            if a != b and (a < 4) == (b < 4):
                G.add_edge(a, b)
    G.add_edge(3, 4)
    return G


def test_graph_functions_use_the_seed_set_after_import(monkeypatch):
    G = _two_groups()
    monkeypatch.setattr(settings, "SEED", 5)
    default = detect_communities(G, method="label_propagation")
    assert default.equals(detect_communities(G, method="label_propagation", seed=5))
    communities = pd.Series([0] * 4 + [1] * 4, index=range(8))
    graph, pos = community_sample(G, communities, size=6)
    graph5, pos5 = community_sample(G, communities, size=6, seed=5)
    assert sorted(graph) == sorted(graph5)
    assert all((pos[n] == pos5[n]).all() for n in graph)


def test_flagged_examples_sample_with_the_seed_set_after_import(demo_tables, monkeypatch):
    monkeypatch.setattr(settings, "SEED", 13)
    default = flagged_examples(demo_tables, n=3, risk="medium")
    assert default.equals(flagged_examples(demo_tables, n=3, risk="medium", seed=13))


def test_bass_fit_and_hashtag_communities_use_the_seed_set_after_import(monkeypatch):
    from analysis.adoption import fit_bass
    from analysis.demo import bass_sample
    from analysis.hashtags import louvain_partition

    rng = np.random.default_rng(1)
    years = bass_sample(rng, 300, 0.02, 0.5, 10.0)
    dates = pd.Timestamp("2015-01-01", tz="UTC") + pd.to_timedelta(years * 365.25, unit="D")
    monkeypatch.setattr(settings, "SEED", 9)
    default, given = fit_bass(dates, n_boot=20), fit_bass(dates, n_boot=20, seed=9)
    assert default.p_ci == given.p_ci and default.q_ci == given.q_ci
    G = nx.Graph(_two_groups().to_undirected())
    assert louvain_partition(G).equals(louvain_partition(G, seed=9))
