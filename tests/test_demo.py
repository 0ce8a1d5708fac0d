"""The demo community carries the structure it claims, within stated tolerances."""

import json

import numpy as np
import pandas as pd

from analysis import settings
from analysis.demo import COMMUNITIES, DemoParams, bass_cdf, bass_sample, build_demo
from analysis.tables import TABLE_NAMES, load_dataset


def _accounts(truth) -> pd.DataFrame:
    acc = pd.DataFrame(truth["accounts"])
    acc["user_id"] = acc["user_id"].astype("int64")
    return acc


def test_measured_reciprocity_matches_the_generator(demo_tables, truth):
    f = demo_tables.follows
    edges = set(zip(f.follower_id, f.followed_id, strict=True))
    measured = sum((b, a) in edges for a, b in edges) / len(edges)
    assert abs(measured - truth["params"]["reciprocity"]) < 0.03
    assert measured == truth["reciprocity"]


def test_follow_graph_is_asymmetric_and_heavy_tailed(demo_tables):
    indeg = demo_tables.follows.groupby("followed_id").size()
    assert indeg.max() > 10 * indeg.median()
    top = demo_tables.users.set_index("user_id").loc[indeg.nlargest(3).index, "username"]
    assert {"ordre_medecins", "CroixRouge", "assoAIDES"} & set(top)


def test_identity_and_protected_shares_match_parameters(truth):
    acc = _accounts(truth)
    pros = acc[acc.professional]
    params = truth["params"]
    assert abs((pros.identity == "anonymous").mean() - params["anonymous_share"]) < 0.07
    people = acc[acc.identity != "institutional"]
    assert abs(people.protected.mean() - params["protected_share"]) < 0.04
    assert acc.pair_id.notna().sum() >= 2 * 10
    pairs = acc.dropna(subset=["pair_id"]).groupby("pair_id")["identity"].agg(sorted)
    assert all(p == ["anonymous", "nominative"] for p in pairs)


def test_users_table_reflects_ground_truth(demo_tables, truth):
    acc = _accounts(truth).set_index("user_id")
    users = demo_tables.users.set_index("user_id")
    assert len(users) == len(acc) == DemoParams().accounts
    assert (users.loc[acc.index, "protected"].astype(bool) == acc["protected"]).all()


def test_role_mix_follows_each_community(truth):
    acc = _accounts(truth)
    for c, comm in enumerate(COMMUNITIES):
        members = acc[acc.community == c]
        top_planted = max(comm.roles, key=comm.roles.get)
        assert members.role.value_counts().idxmax() == top_planted, comm.name
    assert set(acc.role) >= {
        "physician",
        "intern",
        "nurse",
        "pharmacist",
        "midwife",
        "physiotherapist",
        "institution",
        "public",
    }


def test_hashtag_mix_each_community_uses_its_own_tags(demo_tables, truth):
    acc = _accounts(truth)[["user_id", "community"]]
    h = demo_tables.hashtags.merge(demo_tables.tweets[["tweet_id", "author_id"]], on="tweet_id")
    h = h.merge(acc, left_on="author_id", right_on="user_id")
    own = h["tag_norm"].map(truth["hashtag_communities"]) == h["community"]
    assert own.mean() > 0.8
    counts = h["tag_norm"].value_counts()
    assert counts["docstoctoc"] > 100 and counts["foamed"] > 20
    # #Santé written three ways folds into one tag; #sante stays its own
    assert {"santé", "sante"} <= set(counts.index)
    assert set(h.loc[h.tag_norm == "santé", "tag"]) == {"Santé", "santé", "SANTÉ"}


def test_languages_and_tweet_kinds_are_realistic(demo_tables):
    tw = demo_tables.tweets
    shares = tw.lang.value_counts(normalize=True)
    assert 0.05 < shares["en"] < 0.35 and shares["fr"] > 0.6
    assert tw.retweet_of_tweet_id.notna().mean() > 0.1
    assert tw.reply_to_tweet_id.notna().mean() > 0.1
    assert tw.quote_of_tweet_id.notna().sum() > 0
    assert tw.text.str.contains("é").any() and tw.text.str.contains("https://t.co/").any()


def test_first_tweet_of_each_account_is_at_its_bass_adoption_date(demo_tables, truth):
    acc = _accounts(truth).set_index("user_id")
    first = demo_tables.tweets.groupby("author_id")["created_at"].min()
    adopted = pd.to_datetime(acc.loc[first.index, "adopted_at"], utc=True)
    # same day (the hour of day is redrawn)
    assert (first.dt.floor("D") == adopted.dt.floor("D")).mean() > 0.95


def test_bass_sampler_follows_the_bass_cdf():
    rng = np.random.default_rng(0)
    t = bass_sample(rng, 20000, 0.02, 0.4, horizon=15)
    for x in (3, 6, 9, 12):
        expected = bass_cdf(x, 0.02, 0.4) / bass_cdf(15, 0.02, 0.4)
        assert abs((t <= x).mean() - expected) < 0.015


def test_demo_is_labelled_synthetic_in_raw_pages_and_meta(data_root):
    raw = settings.raw_dir("demo")
    for path in raw.glob("*.jsonl"):
        first = json.loads(path.open(encoding="utf-8").readline())
        assert first["__medtwitter"]["synthetic"] is True
    assert load_dataset("demo").meta["synthetic"] is True
    assert json.loads((raw / "ground_truth.json").read_text())["synthetic"] is True


def test_demo_is_deterministic_for_a_seed(tmp_data):
    build_demo("a", accounts=120, seed=7, progress=False)
    build_demo("b", accounts=120, seed=7, progress=False)
    a, b = load_dataset("a"), load_dataset("b")
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    build_demo("c", accounts=120, seed=8, progress=False)
    assert not load_dataset("c").tweets.equals(a.tweets)


def test_links_in_demo_tweets_become_urls_rows_with_their_sources(demo_tables):
    urls, tweets = demo_tables.urls, demo_tables.tweets.set_index("tweet_id")
    assert len(urls) > 1000
    text = tweets.loc[urls["tweet_id"], "text"].to_numpy()
    assert all(u in t for u, t in zip(urls["url"], text, strict=True))
    shortened = urls[urls["url"].str.startswith("https://t.co/")]
    # a shortened link leads to a health authority, a journal or the news, never to t.co
    assert not shortened["domain"].eq("t.co").any()
    assert {"has-sante.fr", "who.int", "bmj.com"} <= set(shortened["domain"])
    # a quote's permalink is its own link, to the quoted tweet
    quotes = tweets[tweets["quote_of_tweet_id"].notna()]
    permalinks = urls[urls["tweet_id"].isin(quotes.index) & urls["domain"].eq("twitter.com")]
    assert len(permalinks) == len(quotes)
    quoted = permalinks["url"].str.rsplit("/", n=1).str[-1].astype("int64").to_numpy()
    assert (quoted == quotes.loc[permalinks["tweet_id"], "quote_of_tweet_id"].to_numpy()).all()
    # every tweet with a t.co link in its text has it in urls
    linked = tweets.index[tweets["text"].str.contains("https://t.co/", regex=False)]
    assert set(linked) == set(shortened["tweet_id"])
