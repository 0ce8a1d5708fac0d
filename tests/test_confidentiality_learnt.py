"""The learnt part of the confidentiality check: trained on dev rows only, deterministic, explained.

The tweets written here are synthetic (invented for these tests).
"""

import csv
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from confidentiality_examples import EXAMPLES
from test_confidentiality_community import SAFE

from analysis.cli import main
from analysis.confidentiality import Check, check_texts, check_tweet, evaluate, learnt
from analysis.confidentiality import check as check_module
from analysis.confidentiality.rules import CUE_MEANINGS, Cue
from analysis.errors import MedtwitterError

LABELLED = Path(__file__).parent / "data" / "confidentiality_labelled.csv"
BENCHMARK = Path(__file__).parent.parent / "benchmarks" / "confidentiality.py"
#: The rules answer "low" (one patient with a date); the model flags it (measured: 0.92).
MODEL_FLAG = "J'ai vu hier la petite du boulanger, toujours ses crises"


def _rows(path=LABELLED):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def model():
    return learnt.model()


# --- what it learns from: the dev rows, never a held-out one -----------------------------------


def test_the_packaged_training_rows_are_the_dev_rows_of_the_labelled_set():
    packaged = learnt.read_training()
    assert packaged == [r for r in _rows() if r["split"].startswith("dev")]
    assert len(packaged) == 687 and {r["split"] for r in packaged} == {
        "dev",
        "dev_2",
        "dev_3",
        "dev_4",
        "dev_5",
        "dev_6",
    }


def test_a_held_out_row_is_never_in_the_training_set(tmp_path):
    labelled = tmp_path / "labelled.csv"
    rows = _rows()
    fake = [
        {"text": "Fake held-out tweet, 45 ans, vu ce matin", "label": "risky", "lang": "fr"},
        {"text": "Another fake one, admitted last night", "label": "risky", "lang": "en"},
    ]
    with open(labelled, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["text", "label", "lang", "split"])
        writer.writeheader()
        writer.writerows(rows)
        writer.writerow({**fake[0], "split": "held_out_6"})
        writer.writerow({**fake[1], "split": "held_out"})
    out = tmp_path / "training.csv"
    assert learnt.write_training(labelled, out) == sum(r["split"].startswith("dev") for r in rows)
    with open(out, newline="", encoding="utf-8") as f:
        written = list(csv.DictReader(f))
    assert {f["text"] for f in fake}.isdisjoint(r["text"] for r in written)
    assert all(r["split"].startswith("dev") for r in written)
    assert written == learnt.read_training()  # the packaged copy is that file
    assert learnt.training_rows([{"split": "held_out_6"}, {"split": "heldout_dev"}]) == []


def test_cross_validation_neither_trains_on_nor_scores_a_held_out_row(monkeypatch):
    seen = []
    real = learnt.train

    def spy(texts, risky, architecture=None, epochs=learnt.EPOCHS):
        seen.append(list(texts))
        return real(texts, risky, architecture, epochs=2)

    monkeypatch.setattr(learnt, "train", spy)
    rows = [
        {"text": "Mon patient de 45 ans vu ce matin à Brest", "label": "risky", "split": "dev"},
        {"text": "Congrès de cardiologie à Lyon", "label": "safe", "split": "dev"},
        {
            "text": "A 60yo farmer from Little Wetherby admitted tonight",
            "label": "risky",
            "split": "dev_2",
        },
        {"text": "Flu jabs for everyone this Saturday", "label": "safe", "split": "dev_2"},
        {"text": "Secret held-out tweet, 80 ans, vu hier", "label": "risky", "split": "held_out_6"},
    ]
    folds = learnt.cross_validate(
        rows, [True, False, False, False, True], {"bow": learnt.ARCHITECTURE}, (0.5,)
    )
    assert [(f["split"], f["n"], f["risky"]) for f in folds] == [("dev", 2, 1), ("dev_2", 2, 1)]
    assert seen == [
        [
            "A 60yo farmer from Little Wetherby admitted tonight",
            "Flu jabs for everyone this Saturday",
        ],
        ["Mon patient de 45 ans vu ce matin à Brest", "Congrès de cardiologie à Lyon"],
    ]
    for f in folds:  # rules OR model: at least what the rules flag, the model's own counts apart
        assert f["tp"] >= f["model_tp"] and f["tp"] + f["fp"] <= f["n"]
    assert folds[0]["tp"] >= 1  # the rules flagged the dev risky tweet


# --- deterministic -----------------------------------------------------------------------------


def test_training_twice_gives_the_same_probabilities(model):
    rows = learnt.read_training()
    again = learnt.train([r["text"] for r in rows], [r["label"] == "risky" for r in rows])
    texts = [r["text"] for r in _rows()] + [t for t, *_ in EXAMPLES]
    assert learnt.risky_probabilities(texts, model) == learnt.risky_probabilities(texts, again)


def test_the_model_is_trained_once_per_process(model):
    assert learnt.model() is model


# --- the combination: rules OR model >= threshold ----------------------------------------------


def test_high_when_the_rules_say_so_or_the_probability_reaches_the_threshold(monkeypatch):
    asked = []
    probability = {"rules high": 0.0, "below": learnt.THRESHOLD - 0.01, "at": learnt.THRESHOLD}

    def fake(texts):
        asked.extend(texts)
        return [probability[t] for t in texts]

    monkeypatch.setattr(learnt, "cached_probabilities", fake)
    monkeypatch.setattr(
        learnt, "weighing_words", lambda texts: [[("at", 0, 2, 0.2)] for _ in texts]
    )
    rules = [
        Check("high", (), "the rules' high"),
        Check("low", (Cue("date", "hier", 0, 4),), "one patient with a detail"),
        Check("none", (), "no single patient"),
    ]
    out = check_module.with_model(["rules high", "below", "at"], rules)
    assert asked == ["below", "at"]  # a tweet the rules answer high is not scored
    assert out[0] is rules[0] and out[1] is rules[1]
    assert out[2].risk == "high" and out[2].learnt == learnt.THRESHOLD
    assert out[2].cues == (Cue("learnt", "at", 0, 2, "model"),)
    assert out[2].reason == (
        f"the learnt model: risky probability {learnt.THRESHOLD:.2f} >= {learnt.THRESHOLD:.2f} "
        "(words weighing most: 'at'); the rules alone: none, no single patient"
    )


def test_a_model_flag_names_its_probability_words_and_what_the_rules_said(model):
    check = check_tweet(MODEL_FLAG)
    rules = check_tweet(MODEL_FLAG, learnt=False)
    assert rules.risk == "low" and check.risk == "high"
    assert check.learnt is not None and check.learnt >= learnt.THRESHOLD
    assert check.reason.startswith(f"the learnt model: risky probability {check.learnt:.2f} >= ")
    assert check.reason.endswith(f"; the rules alone: low, {rules.reason}")
    words = [c for c in check.cues if c.kind == "learnt"]
    assert 1 <= len(words) <= learnt.TOP_WORDS and all(c.source == "model" for c in words)
    assert all(MODEL_FLAG[c.start : c.end] == c.match for c in words)
    assert set(rules.cues) <= set(check.cues)  # the rules' cues are kept
    assert "learnt" in CUE_MEANINGS


def test_the_rules_high_is_not_explained_by_the_model(model):
    check = check_tweet("J'ai revu Jeanne Martin ce matin")
    assert check.risk == "high" and check.learnt is None and "learnt" not in check.kinds


def test_check_tweet_command_prints_the_model_s_flag(capsys, model):
    assert main(["check-tweet", MODEL_FLAG]) == 0
    out = capsys.readouterr().out
    assert out.startswith("risk: high — the learnt model: risky probability")
    assert "  learnt " in out and CUE_MEANINGS["learnt"] in out
    assert main(["check-tweet", "--json", MODEL_FLAG]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["risk"] == "high" and data["learnt_probability"] >= learnt.THRESHOLD
    assert any(c["kind"] == "learnt" for c in data["cues"])
    assert main(["check-tweet", "--json", "Bonne garde à tous"]) == 0
    assert "learnt_probability" not in json.loads(capsys.readouterr().out)


def test_check_tweet_no_learnt_gives_the_rules_answer(capsys, model):
    assert main(["check-tweet", "--json", "--no-learnt", MODEL_FLAG]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["risk"] == check_tweet(MODEL_FLAG, learnt=False).risk != "high"
    assert "learnt_probability" not in data
    assert all(c["kind"] != "learnt" for c in data["cues"])


def test_the_weighing_words_are_words_of_the_text_that_lower_the_probability(model):
    (words,) = learnt.weighing_words([MODEL_FLAG])
    assert words and all(MODEL_FLAG[s:e] == w and drop > 0 for w, s, e, drop in words)
    assert [d for *_, d in words] == sorted((d for *_, d in words), reverse=True)
    assert learnt.weighing_words(["", MODEL_FLAG]) == [[], words]


# --- the rules alone, hostile input ------------------------------------------------------------


def test_ner_false_is_the_rules_alone_and_imports_no_spacy():
    code = (
        "import sys; from analysis.confidentiality import check_tweet; "
        f"c = check_tweet({MODEL_FLAG!r}, ner=False); print(c.risk, 'spacy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["low", "False"]


@pytest.mark.parametrize(
    "text", ["", "   ", "\n", ".", "🙂", "\x00\x0b\ufffe", "a", "x" * 100_000, "RT @a: " * 500]
)
def test_hostile_texts_get_a_check_and_no_word_scores_zero(text, model):
    check = check_tweet(text)
    assert check.risk in {"none", "low", "high"}
    (p,) = learnt.risky_probabilities([text])
    assert 0.0 <= p <= 1.0 and (p == 0.0 if not text.strip() else True)
    assert check_texts([None])[0].risk == "none"  # type: ignore[list-item]


# --- measured: what the model adds and what it costs -------------------------------------------


def test_split_figures_of_the_full_check_and_the_rules_alone(model):
    dev6 = pd.read_csv(LABELLED).query("split == 'dev_6'")
    rules = evaluate(dev6["text"], dev6["label"] == "risky", learnt=False)
    full = evaluate(dev6["text"], dev6["label"] == "risky")
    # round 5's held-out set: the rules alone, measured once at 46 of 60, no false alarm (not tuned
    # on since); the full check: 60 of 60, no false alarm (the model was trained on these rows)
    assert (rules["true_positives"], rules["flagged"]) == (46, 46)
    assert (full["true_positives"], full["flagged"]) == (60, 60)


def test_the_model_raises_some_look_alikes_the_rules_keep_safe(model):
    """Measured at the freeze: the cost of the model on the hand-written safe look-alikes."""
    look_alikes = [t for t, _, expected in EXAMPLES if expected != "high"] + SAFE
    flagged = [
        t for t, c in zip(look_alikes, check_texts(look_alikes), strict=True) if c.risk == "high"
    ]
    assert all(check_tweet(t, learnt=False).risk != "high" for t in flagged)
    assert all(check_tweet(t).learnt is not None for t in flagged)  # each is the model's flag
    # measured at the freeze: 14 of the 52, the model's known cost; a change may lower it, not raise it
    assert len(look_alikes) == 52 and 0 < len(flagged) <= 14


def test_the_model_changes_few_demo_flags(demo_tables, model):
    texts = demo_tables.tweets["text"].fillna("").tolist()
    rules = check_texts(texts, ner="care", learnt=False)
    full = check_texts(texts, ner="care")
    changed = [(r.risk, f.risk) for r, f in zip(rules, full, strict=True) if r.risk != f.risk]
    # measured at the freeze: 7 of the demo's 11,362 tweets, each from none to high (the model only
    # ever adds flags); a retrained model may change fewer
    assert len(texts) == 11_362 and 0 < len(changed) <= 7
    assert set(changed) == {("none", "high")}


# --- the benchmark's cross-validation ----------------------------------------------------------


def _benchmark():
    spec = importlib.util.spec_from_file_location("confidentiality_benchmark", BENCHMARK)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_the_benchmark_prints_the_cross_validation_and_its_choice(capsys, model):
    bench = _benchmark()
    df = pd.read_csv(LABELLED)
    df = df[df["split"].isin(["dev", "dev_6"])]
    cv = bench.cross_validation(df, {learnt.CHOSEN: learnt.ARCHITECTURE}, (0.5, 0.95))
    assert list(cv["threshold"]) == [0.5, 0.95]
    assert (cv["fp"] >= 0).all() and cv["recall"].between(0, 1).all()
    # dev_6 is a fold: the rules alone miss 14 of its 60 risky tweets, rules OR model fewer
    assert (cv["dev_6_recall"] >= 46 / 60).all()
    picked = bench.print_cross_validation(cv)
    out = capsys.readouterr().out
    assert "leave one dev split out" in out and "chosen: " in out
    assert f"the check uses {learnt.CHOSEN}, T = {learnt.THRESHOLD:.2f}" in out
    assert picked["precision"] >= bench.CV_PRECISION


def test_choose_refuses_when_no_threshold_is_precise_enough():
    cv = pd.DataFrame({"precision": [0.8, 0.7], "recall": [1.0, 1.0], "model_recall": [0.9, 0.9]})
    with pytest.raises(ValueError, match="no threshold keeps a CV precision of 0.9"):
        _benchmark().choose(cv)


def test_a_missing_training_file_is_one_clear_error(monkeypatch):
    class Missing:
        def joinpath(self, name):
            return self

        def read_text(self, encoding):
            raise FileNotFoundError(learnt.TRAINING)

    monkeypatch.setattr(learnt.resources, "files", lambda package: Missing())
    with pytest.raises(MedtwitterError, match="reinstall medtwitter"):
        learnt.read_training()


def test_threads_asking_at_once_train_one_model(model, monkeypatch):
    import functools
    import time
    from concurrent.futures import ThreadPoolExecutor

    trainings = []

    def slow_training():  # a training long enough for every thread to ask meanwhile
        trainings.append(1)
        time.sleep(0.3)
        return model

    monkeypatch.setattr(learnt, "_trained", functools.cache(slow_training))
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda _: learnt.model(), range(8)))
    assert len(trainings) == 1 and all(m is model for m in got)
    texts = ["Mme D., 92 ans, chambre 12", "Bonne garde à tous"] * 50
    with ThreadPoolExecutor(4) as pool:
        probs = list(pool.map(lambda _: learnt.cached_probabilities(texts), range(4)))
    assert all(p == probs[0] for p in probs)
