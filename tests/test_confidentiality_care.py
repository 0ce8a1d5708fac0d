"""The fast paths of the confidentiality check give the full pass's answers.

``check_texts`` remembers each text's check; ``ner="care"`` (what ``flag_tweets``
uses) runs spaCy only on tweets in a care situation. Compared here with the full
pass, caches cleared, on the labelled set and on a sample of the demo's tweets.
"""

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from analysis.confidentiality import (
    assess,
    check_texts,
    check_tweets,
    clear_caches,
    entities,
    flag_tweets,
    in_care_situation,
)
from analysis.confidentiality import check as check_module
from analysis.confidentiality.rules import Cue, rule_cues

LABELLED = Path(__file__).parent / "data" / "confidentiality_labelled.csv"


def _answers(checks):
    return [(c.risk, c.reason, c.cues) for c in checks]


def _full_pass(texts):
    """Every text through rules and spaCy, nothing remembered from before."""
    clear_caches()
    return check_texts(texts, ner=True)


def _demo_sample(tables, n=600):
    texts = pd.Series(tables.tweets["text"].dropna().unique())
    return texts.sample(n=min(n, len(texts)), random_state=7).tolist()


def _compare_care_with_full(texts):
    full = _full_pass(texts)
    clear_caches()
    care = check_texts(texts, ner="care")
    assert [(c.risk, c.reason) for c in care] == [(c.risk, c.reason) for c in full]
    for text, c, f in zip(texts, care, full, strict=True):
        if in_care_situation(text, f.cues):
            assert c.cues == f.cues, text
        else:  # outside a care situation, only spaCy's people and places are not looked for
            assert {x.kind for x in set(c.cues) ^ set(f.cues)} <= {"person", "place"}, text
    return full, care


def test_care_mode_gives_the_full_pass_risk_and_reason_on_the_labelled_set(nlp):
    labelled = pd.read_csv(LABELLED)
    texts = labelled.loc[labelled["split"].isin(["dev", "dev_2"]), "text"].tolist()
    full, care = _compare_care_with_full(texts)
    _compare_care_with_full(labelled["text"].tolist())  # every split: the same risk and reason
    # measured: the cues differ on 4 of the 212 dev and dev_2 tweets, all outside a care situation
    # (places in outbreak news, a colleague's thesis)
    differ = [t for t, c, f in zip(texts, care, full, strict=True) if c.cues != f.cues]
    assert len(differ) == 4
    assert "Bravo à Maëlle, notre interne, qui a soutenu sa thèse hier à Brest 🎓" in differ


def test_care_mode_and_the_cache_give_the_full_pass_answers_on_demo_tweets(demo_tables, nlp):
    texts = _demo_sample(demo_tables)
    full, care = _compare_care_with_full(texts)
    assert [c.cues for c in care] == [c.cues for c in full]  # measured on the whole demo too
    assert {c.risk for c in full} >= {"none", "high"}


def test_flag_tweets_risk_is_the_full_pass_risk(demo_tables, nlp):
    sample = set(_demo_sample(demo_tables, n=300))
    tweets = demo_tables.tweets[demo_tables.tweets["text"].isin(sample)]
    tables = replace(demo_tables, tweets=tweets)
    clear_caches()
    flags = flag_tweets(tables)
    clear_caches()
    full = check_tweets(tweets[tweets["text"].notna()], ner=True)
    assert flags["tweet_id"].tolist() == full["tweet_id"].tolist()
    assert flags["risk"].tolist() == full["risk"].tolist()


# texts outside a care situation close to each rule a name or a place could complete
OUTSIDE_CARE = [
    "Congrès de cardiologie à Lyon ce matin : Sophie Durand a présenté ses travaux",
    "Le petit Lucas, 6 ans, a gagné le concours de dessin de l'école de Castres",
    "Journée mondiale des maladies rares à Vannes",
    "Mme D. nous a quittés ce matin à Brest",  # high by its identifier, with or without spaCy
    "",
    "LYON LYON LYON",
]


@pytest.mark.parametrize("text", OUTSIDE_CARE)
def test_no_person_or_place_changes_the_answer_outside_a_care_situation(text):
    """The proof, checked: add the strongest cues spaCy can give (a full name, a place)."""
    rules = rule_cues(text)
    assert not in_care_situation(text, rules)
    strongest = [
        *rules,
        Cue("person", "Jeanne Martin", 0, 0, "spacy"),
        Cue("place", "Millau", 0, 0, "spacy"),
    ]
    base, widened = assess(text, rules), assess(text, strongest)
    assert (widened.risk, widened.reason) == (base.risk, base.reason)


def test_in_a_care_situation_a_name_can_change_the_answer():
    text = "Bonne garde"  # 'garde' is a care word
    rules = rule_cues(text)
    assert in_care_situation(text, rules) and assess(text, rules).risk == "none"
    name = Cue("person", "Jeanne Martin", 0, 0, "spacy")
    assert assess(text, [*rules, name]).risk == "high"


def test_care_situation_does_not_depend_on_what_spacy_adds(nlp):
    for text in pd.read_csv(LABELLED)["text"]:
        clear_caches()
        full = check_texts([text], ner=True)[0]
        assert in_care_situation(text, full.cues) == in_care_situation(text, rule_cues(text))


def test_a_text_checked_again_comes_from_the_cache(monkeypatch, nlp):
    clear_caches()
    text = "J'ai revu Jeanne Martin ce matin"
    first = check_texts([text])[0]
    monkeypatch.setattr(check_module, "find_cues_many", lambda *a, **k: pytest.fail("re-checked"))
    assert check_texts([text, text])[0] is first
    clear_caches()
    monkeypatch.undo()
    assert check_texts([text])[0] == first


def test_caches_overflowing_mid_call_keep_every_answer(monkeypatch, nlp):
    """A cache cleared because it is full does not lose the answers of the texts asked."""
    monkeypatch.setattr(check_module, "_CACHE_SIZE", 3)
    monkeypatch.setattr(entities, "_CACHE_SIZE", 3)
    clear_caches()
    texts = ["Bonne garde", "Mon patient de 45 ans ce matin à Brest", "Hier soir aux urgences"]
    expected = _answers(check_texts(texts))
    more = ["Un monsieur de 80 ans vu ce matin", *texts, "Une dame de 90 ans"]
    for ner in (True, "care", False):
        got = check_texts(more, ner=ner)
        assert len(got) == 5 and all(c is not None for c in got)
    assert _answers(check_texts(more)[1:4]) == expected
    assert [c.risk for c in check_texts(more, ner="care")] == [c.risk for c in check_texts(more)]
