"""The learnt part of the confidentiality check: a spaCy text classifier trained on the labelled dev tweets.

The rules of :mod:`.check` are explainable but only know the words and shapes they
were tuned on. This module trains spaCy's own ``textcat`` (exclusive classes
``risky``/``safe``, a bag of word n-grams, :data:`ARCHITECTURE`) on the tweets of
``tests/data/confidentiality_labelled.csv`` whose split starts with ``dev``: a copy
of those rows ships as package data (:data:`TRAINING`, made by :func:`write_training`),
so a held-out row can never be trained on, even once committed to the labelled set.
The model is trained once per process, at first use, with a fixed seed
(:func:`model`; measured 0.8 to 0.9 s on this 2-core machine, against 0.05 s to
load the same model from disk: trained, the package ships 88 kB of rows instead of
a 0.6 MB model that would have to be rebuilt and checked against the rows each
round), never downloaded. The words lower-cased and digits read as ``0``, the
text goes through spaCy's multi-language tokenizer. ``check.with_model`` turns its
probability into a flag with the words it rests on (:func:`weighing_words`).
"""

from __future__ import annotations

import csv
import functools
import io
import random
import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from analysis.errors import MedtwitterError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import TextCategorizer

#: The packaged training rows: the labelled set's ``dev*`` rows (``text``, ``label``, ``lang``, ``split``).
TRAINING = "training.csv"
#: A tweet whose risky probability is at least this is ``high`` (chosen by leave-one-split-out
#: cross-validation over the dev splits: ``benchmarks/confidentiality.py --cv``).
THRESHOLD = 0.55


def _bow(ngram_size: int, length: int) -> dict[str, Any]:
    """Return the config of spaCy's bag-of-words ``textcat`` over word 1..``ngram_size``-grams."""
    return {
        "@architectures": "spacy.TextCatBOW.v3",
        "exclusive_classes": True,
        "ngram_size": ngram_size,
        "no_output_layer": False,
        "length": length,
    }


#: The architectures compared by cross-validation (``benchmarks/confidentiality.py --cv``): spaCy's
#: bag of word n-grams (hashed into ``length`` rows) and its ensemble of that with a small CNN.
CANDIDATES: dict[str, dict[str, Any]] = {
    **{f"bow {n}-gram, 2^{bits}": _bow(n, 2**bits) for bits in (16, 18) for n in (1, 2, 3)},
    "ensemble (bow 2-gram, 2^18 + CNN)": {
        "@architectures": "spacy.TextCatEnsemble.v2",
        "linear_model": _bow(2, 2**18),
        "tok2vec": {
            "@architectures": "spacy.Tok2Vec.v2",
            "embed": {
                "@architectures": "spacy.MultiHashEmbed.v2",
                "width": 64,
                "rows": [2000, 2000, 500, 1000, 500],
                "attrs": ["NORM", "LOWER", "PREFIX", "SUFFIX", "SHAPE"],
                "include_static_vectors": False,
            },
            "encode": {
                "@architectures": "spacy.MaxoutWindowEncoder.v2",
                "width": 64,
                "window_size": 1,
                "maxout_pieces": 3,
                "depth": 2,
            },
        },
    },
}
#: The architecture used, chosen by cross-validation over the dev splits.
CHOSEN = "bow 2-gram, 2^16"
ARCHITECTURE = CANDIDATES[CHOSEN]
SEED = 0
EPOCHS = 12
BATCH_SIZE = 16
#: The tokenizer's language: spaCy's multi-language tokenizer (tweets are French or English).
LANG = "xx"
#: Words shown as weighing most towards ``risky`` in a flag's reason.
TOP_WORDS = 3
#: Probabilities already computed, by text; cleared past this size.
_CACHE_SIZE = 200_000
_probabilities: dict[str, float] = {}
#: Held while the model is trained and while the probability cache is read or changed: threads
#: checking tweets at once train it once and never see the cache cleared under them.
_LOCK = threading.RLock()


def training_rows(rows: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    """Return the rows the model may learn from: those whose split starts with ``dev``.

    Parameters
    ----------
    rows : sequence of dict
        Labelled rows with a ``split`` (as :class:`csv.DictReader` reads them).

    Returns
    -------
    list of dict
        The ``dev*`` rows, in order; ``held_out*`` and any other split are left out.

    Examples
    --------
    >>> rows = [{"split": "dev_6"}, {"split": "held_out_6"}, {"split": "dev"}]
    >>> [r["split"] for r in training_rows(rows)]
    ['dev_6', 'dev']
    """
    return [r for r in rows if r["split"].startswith("dev")]


def write_training(labelled: Path, out: Path | None = None) -> int:
    """Write the ``dev*`` rows of the labelled set to the packaged training file.

    Run after a held-out set becomes a ``dev`` split:
    ``.venv/bin/python -c "from pathlib import Path; from analysis.confidentiality.learnt import
    write_training; write_training(Path('tests/data/confidentiality_labelled.csv'))"``.

    Parameters
    ----------
    labelled : Path
        ``tests/data/confidentiality_labelled.csv``.
    out : Path, optional
        Where to write (default: :data:`TRAINING` next to this module).

    Returns
    -------
    int
        Rows written.
    """
    with open(labelled, newline="", encoding="utf-8") as f:
        rows = training_rows(list(csv.DictReader(f)))
    out = out or Path(__file__).with_name(TRAINING)
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["text", "label", "lang", "split"])
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def read_training() -> list[dict[str, str]]:
    """Return the packaged training rows (every one of a ``dev*`` split).

    Returns
    -------
    list of dict
        ``text``, ``label``, ``lang``, ``split`` per row.
    """
    try:
        text = resources.files("analysis.confidentiality").joinpath(TRAINING).read_text("utf-8")
    except FileNotFoundError as exc:
        raise MedtwitterError(
            f"the learnt model's training rows (analysis/confidentiality/{TRAINING}) are missing "
            "from this installation: reinstall medtwitter (pip install --force-reinstall medtwitter), "
            "or check tweets with the rules alone (learnt=False)"
        ) from exc
    return training_rows(list(csv.DictReader(io.StringIO(text))))


def _features(text: str) -> str:
    """Return the text the model reads: lower-cased, digits as ``0`` (ages, rooms, dates by shape).

    Every character stays one character, so offsets in it are offsets in ``text``.
    """
    return "".join("0" if c.isdigit() else (c.lower() if len(c.lower()) == 1 else c) for c in text)


def train(
    texts: Sequence[str],
    risky: Sequence[bool],
    architecture: dict[str, Any] | None = None,
    epochs: int = EPOCHS,
) -> Language:
    """Return a spaCy pipeline whose ``textcat`` was trained on ``texts``, deterministically.

    Parameters
    ----------
    texts : sequence of str
        Training tweets.
    risky : sequence of bool
        Their labels (True: risky).
    architecture : dict, optional
        The ``textcat`` model config (default :data:`ARCHITECTURE`).
    epochs : int
        Passes over the shuffled training set.

    Returns
    -------
    spacy.language.Language
        A blank pipeline with a trained ``textcat`` (labels ``risky``, ``safe``).
    """
    import spacy  # lazy: spaCy, ~0.6 s to import
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(SEED)
    nlp = spacy.blank(LANG)
    textcat = cast(
        "TextCategorizer",
        nlp.add_pipe("textcat", config={"model": dict(architecture or ARCHITECTURE)}),
    )
    for label in ("risky", "safe"):
        textcat.add_label(label)
    examples = [
        Example.from_dict(
            nlp.make_doc(_features(t)), {"cats": {"risky": float(y), "safe": float(not y)}}
        )
        for t, y in zip(texts, risky, strict=True)
    ]
    optimizer = nlp.initialize(lambda: examples)
    order = random.Random(SEED)
    for _ in range(epochs):
        shuffled = list(examples)
        order.shuffle(shuffled)
        for batch in minibatch(shuffled, size=BATCH_SIZE):
            nlp.update(batch, sgd=optimizer)
    return nlp


def model() -> Language:
    """Return the model trained on the packaged ``dev*`` rows, trained once per process.

    Thread-safe: threads asking at once wait for one training.

    Returns
    -------
    spacy.language.Language
        The trained pipeline (:func:`train` with the defaults).
    """
    with _LOCK:
        return _trained()


@functools.cache
def _trained() -> Language:
    rows = read_training()
    return train([r["text"] for r in rows], [r["label"] == "risky" for r in rows])


def risky_probabilities(texts: Sequence[str], nlp: Language | None = None) -> list[float]:
    """Return the model's probability that each text identifies a patient, batched.

    Parameters
    ----------
    texts : sequence of str
        Tweets.
    nlp : spacy.language.Language, optional
        A pipeline from :func:`train` (default: :func:`model`).

    Returns
    -------
    list of float
        The ``risky`` score of each text, in order (0 for a text with no word).
    """
    nlp = nlp or model()
    # a text with no word has nothing to score (and spaCy's n-grams fail on an empty doc)
    worded = [i for i, t in enumerate(texts) if t.strip()]
    out = [0.0] * len(texts)
    docs = nlp.pipe((_features(texts[i]) for i in worded), batch_size=256)
    for i, doc in zip(worded, docs, strict=True):
        out[i] = doc.cats["risky"]
    return out


def cached_probabilities(texts: Sequence[str]) -> list[float]:
    """Return :func:`risky_probabilities` of :func:`model`, each distinct text scored once per process.

    Parameters
    ----------
    texts : sequence of str
        Tweets.

    Returns
    -------
    list of float
        The ``risky`` probability of each text, in order.
    """
    with _LOCK:
        todo = list(dict.fromkeys(t for t in texts if t not in _probabilities))
        if todo:
            if len(_probabilities) + len(todo) > _CACHE_SIZE:
                _probabilities.clear()
                todo = list(dict.fromkeys(texts))
            _probabilities.update(zip(todo, risky_probabilities(todo), strict=True))
        return [_probabilities[t] for t in texts]


def clear_cache() -> None:
    """Forget the probabilities computed so far (the trained model is kept)."""
    with _LOCK:
        _probabilities.clear()


def weighing_words(
    texts: Sequence[str], nlp: Language | None = None, top: int = TOP_WORDS
) -> list[list[tuple[str, int, int, float]]]:
    """Return, per text, the words whose removal lowers its risky probability most.

    Each word is left out in turn (with the n-grams it is part of) and the drop
    of the probability measured: the words a flag rests on. Every variant of
    every text is scored in one batch.

    Parameters
    ----------
    texts : sequence of str
        Tweets.
    nlp : spacy.language.Language, optional
        A pipeline from :func:`train` (default: :func:`model`).
    top : int
        How many words to return per text.

    Returns
    -------
    list of list of (str, int, int, float)
        Per text: the word, its start and end in the text, and the drop, largest
        first (drops > 0 only).
    """
    nlp = nlp or model()
    words = [
        [t for t in nlp.make_doc(_features(text)) if not (t.is_punct or t.is_space)]
        for text in texts
    ]
    # each text, then each of its variants with one word blanked; _features keeps every offset,
    # so a token's span is that of the original word
    batch = []
    for text, tokens in zip(texts, words, strict=True):
        batch.append(text)
        batch += [text[: t.idx] + " " * len(t) + text[t.idx + len(t) :] for t in tokens]
    probabilities = iter(risky_probabilities(batch, nlp))
    out = []
    for text, tokens in zip(texts, words, strict=True):
        base = next(probabilities)
        drops = [base - next(probabilities) for _ in tokens]
        ranked = sorted(zip(tokens, drops, strict=True), key=lambda x: -x[1])
        out.append(
            [
                (text[t.idx : t.idx + len(t)], t.idx, t.idx + len(t), round(d, 3))
                for t, d in ranked[:top]
                if d > 0
            ]
        )
    return out


#: Thresholds tried by :func:`cross_validate`: 0.05 to 0.95 by 0.05.
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 20))


def cross_validate(
    rows: Sequence[dict[str, str]],
    rules_high: Sequence[bool],
    architectures: dict[str, dict[str, Any]] | None = None,
    thresholds: Sequence[float] = THRESHOLDS,
) -> list[dict[str, Any]]:
    """Return leave-one-split-out counts of "rules OR model" over the ``dev*`` splits of ``rows``.

    For each architecture and each ``dev*`` split, the model is trained on the
    other ``dev*`` splits and scores the one left out; a tweet is flagged when
    the rules answered ``high`` or its probability is at least the threshold.
    Rows of any other split are neither trained on nor scored.

    Parameters
    ----------
    rows : sequence of dict
        Labelled rows (``text``, ``label``, ``split``).
    rules_high : sequence of bool
        Per row, whether the rules (with spaCy's names and places) answer ``high``.
    architectures : dict, optional
        Name to ``textcat`` model config (default :data:`CANDIDATES`).
    thresholds : sequence of float
        Thresholds tried (default :data:`THRESHOLDS`).

    Returns
    -------
    list of dict
        One per (architecture, threshold, split left out): ``architecture``, ``threshold``,
        ``split``, ``n``, ``risky``, ``tp``, ``fp`` (rules OR model) and ``model_tp``,
        ``model_fp`` (the model alone), and ``seconds`` (training and scoring that fold).
    """
    import time  # only the cross-validation is timed

    scored = [(r, h) for r, h in zip(rows, rules_high, strict=True) if r["split"].startswith("dev")]
    splits = sorted({r["split"] for r, _ in scored})
    out = []
    for name, architecture in (architectures or CANDIDATES).items():
        for split in splits:
            start = time.perf_counter()
            train_rows = [r for r, _ in scored if r["split"] != split]
            nlp = train(
                [r["text"] for r in train_rows],
                [r["label"] == "risky" for r in train_rows],
                architecture,
            )
            fold = [(r["label"] == "risky", h) for r, h in scored if r["split"] == split]
            risky = [y for y, _ in fold]
            probs = risky_probabilities([r["text"] for r, _ in scored if r["split"] == split], nlp)
            seconds = time.perf_counter() - start
            for threshold in thresholds:
                model = [p >= threshold for p in probs]
                both = [m or h for m, (_, h) in zip(model, fold, strict=True)]
                out.append(
                    {
                        "architecture": name,
                        "threshold": threshold,
                        "split": split,
                        "n": len(fold),
                        "risky": sum(risky),
                        "tp": sum(f and y for f, y in zip(both, risky, strict=True)),
                        "fp": sum(f and not y for f, y in zip(both, risky, strict=True)),
                        "model_tp": sum(f and y for f, y in zip(model, risky, strict=True)),
                        "model_fp": sum(f and not y for f, y in zip(model, risky, strict=True)),
                        "seconds": seconds,
                    }
                )
    return out
