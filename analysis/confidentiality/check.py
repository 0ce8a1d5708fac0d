"""Risk levels from cues: :func:`check_tweet`, :func:`check_texts`, :func:`check_tweets`, :func:`evaluate`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from analysis.confidentiality import learnt
from analysis.confidentiality.community import FAMILY_PERSON_RE, HINT_RE, PUBLIC_CONTEXT_RE, ROLE_RE
from analysis.confidentiality.entities import clear_cache, entity_cues
from analysis.confidentiality.names import is_first_name
from analysis.confidentiality.rules import (
    _GENERIC_RARE_RE,
    _SUPERLATIVE_RE,
    CLINICAL_RE,
    ROOM_RE,
    Cue,
    care_event,
    merge_cues,
    rule_cues,
)
from analysis.confidentiality.shapes import (
    ABOUT_AUTHOR_RE,
    ADDRESS_RE,
    ADDRESSED_RE,
    BUSINESS_RE,
    CARE_CONTEXT_RE,
    CARE_EVENT_RE,
    CARE_TOPIC_RE,
    DISGUISED_RE,
    GROUP_RE,
    HONOUR_RE,
    LOCAL_CARE_RE,
    LOCAL_ROLE_RE,
    MEMORIES_RE,
    NAME_APPOSITION_RE,
    ONE_PERSON_RE,
    OWN_CHILD_RE,
    OWN_HEALTH_RE,
    QUESTION_RE,
    RECORDS_PHOTO_RE,
    ROOM_AT_HOSPITAL_RE,
    STREET_OR_FLOOR_RE,
    TITLE_CLINICIAN_RE,
    TITLE_NAME_RE,
)

RISK_LEVELS = ("none", "low", "high")
DETAIL_KINDS = (
    "age",
    "sex",
    "place",
    "date",
    "ward",
    "rare",
    "photo",
    "identifier",
    "person",
    "school_or_employer",
    "family",
)
#: Cues that describe one person (who the tweet is about).
DESCRIBING_KINDS = ("patient", "age", "sex", "person")
#: Cues that narrow down who that person is: ``photo``, ``person`` and ``identifier`` identify
#: on their own; the others count by kind of detail (:data:`_NARROWING_GROUPS`), two kinds make
#: a tweet about one individual in care ``high``.
NARROWING_KINDS = (
    "date",
    "place",
    "ward",
    "rare",
    "school_or_employer",
    "family",
    "photo",
    "person",
    "identifier",
)
#: Narrowing cue kinds by the kind of detail they give: details of one kind count once.
_NARROWING_GROUPS = {
    "date": "when",
    "place": "where",
    "ward": "where",
    "school_or_employer": "who",
    "family": "who",
    "rare": "rare",
}
#: A record number with its label ("MRN 00982716", "NHS no. 482 913 7706"): records are care.
_LABELLED_RECORD_RE = re.compile(r"(?i:nhs|mrn|ipp|hospital|hosp|dossier|record)\D{0,8}\d{3,}")
_OLD_AGE = 90  # ages of 90 and over identify (HIPAA's Safe Harbor groups them as "90 or older")
_YEARS_RE = re.compile(r"(\d{1,3})(?:\s?(?:ans|an|yo|y/o|-?year-old|years?\s+old|yrs?))?$", re.I)
_VERY_OLD_RE = re.compile(r"nonagénaire|centenaire|centenarian|nonagenarian", re.I)
#: Checks already made, by text, with and without the named-entity pass; cleared past this size.
_CACHE_SIZE = 200_000
_checks: dict[bool | str, dict[str, Check]] = {True: {}, False: {}, "care": {}}


@dataclass(frozen=True)
class Check:
    """The outcome of :func:`check_tweet`: a risk level, the cues and a one-line reason.

    ``learnt`` is the learnt model's risky probability when the ``high`` is its
    flag (the rules alone did not say ``high``), else ``None``.
    """

    risk: str
    cues: tuple[Cue, ...]
    reason: str
    learnt: float | None = None

    @property
    def kinds(self) -> list[str]:
        """The cue kinds found, sorted, each once."""
        return sorted({c.kind for c in self.cues})

    def to_dict(self) -> dict:
        """``{"risk": ..., "cues": [{"kind", "match"}...], "reason": ...}`` for JSON output.

        A flag of the learnt model adds ``"learnt_probability"``.
        """
        out: dict = {
            "risk": self.risk,
            "cues": [{"kind": c.kind, "match": c.match} for c in self.cues],
            "reason": self.reason,
        }
        if self.learnt is not None:
            out["learnt_probability"] = round(self.learnt, 3)
        return out


def find_cues(text: str, ner: bool = True) -> list[Cue]:
    """Every cue in ``text``, in reading order: the rules', then spaCy's people and places.

    Parameters
    ----------
    text : str
        A tweet's text.
    ner : bool, default True
        Run the spaCy named-entity pass too; False uses the rules only.

    Returns
    -------
    list of Cue
        The cues, merged (one per span), in reading order.

    Examples
    --------
    >>> [c.kind for c in find_cues("Mon patient de 45 ans vu ce matin à Dijon")]
    ['patient', 'age', 'date', 'place']
    >>> [(c.kind, c.source) for c in find_cues("J'ai opéré ce matin Yannick Le Goff")]
    [('date', 'rules'), ('person', 'spacy')]
    """
    return find_cues_many([text], ner=ner)[0]


def find_cues_many(texts: Sequence[str], ner: bool = True) -> list[list[Cue]]:
    """Return :func:`find_cues` for many texts, the named-entity pass in batches.

    Parameters
    ----------
    texts : sequence of str
        The texts (anything else counts as an empty text).
    ner : bool
        Run the named-entity pass (``False``: rules only).

    Returns
    -------
    list of list of Cue
        The cues of each text, in reading order.
    """
    texts = [t if isinstance(t, str) else "" for t in texts]
    rules = [rule_cues(t) for t in texts]
    if not ner:
        return rules

    return [merge_cues(r + e) for r, e in zip(rules, entity_cues(texts), strict=True)]


def in_care_situation(text: str, cues: Iterable[Cue]) -> bool:
    """Return whether ``text`` is about someone in care: the condition of every ``high`` answer.

    A broad care context: a ``patient``, ``ward`` or (not generic) ``rare`` cue,
    a care word of the rules (seen, admitted, operated, urgences...) or a care
    shape of :data:`~analysis.confidentiality.shapes.CARE_CONTEXT_RE` ("pt",
    "patiente", "brought in", "reçue", vaccination, delivery). The named-entity
    pass only adds ``person`` and ``place`` cues, so it cannot change this answer.

    Parameters
    ----------
    text : str
        The tweet.
    cues : iterable of Cue
        The cues found in it (the rules' alone suffice).

    Returns
    -------
    bool
        True when the rules of :func:`assess` that need a care situation may apply.

    Examples
    --------
    >>> t = "Congrès de cardiologie à Lyon"
    >>> in_care_situation(t, find_cues(t, ner=False))
    False
    >>> t = "Pt in resus tonight"
    >>> in_care_situation(t, find_cues(t, ner=False))
    True
    """
    kinds = _kinds(cues)
    if "rare" in kinds and _GENERIC_RARE_RE.search(text):
        kinds.discard("rare")
    return bool(
        "patient" in kinds
        or kinds & {"ward", "rare"}
        or CLINICAL_RE.search(text)
        or CARE_CONTEXT_RE.search(text)
        or LOCAL_CARE_RE.search(text)
        or ROOM_AT_HOSPITAL_RE.search(text)
        or CARE_TOPIC_RE.search(text)
        or RECORDS_PHOTO_RE.search(text)
        or _LABELLED_RECORD_RE.search(text)
    )


def _kinds(cues: Iterable[Cue]) -> set[str]:
    """Return the kinds of ``cues``; a ``patient`` cue that is only a family link does not count.

    "La fille du voisin", "the vet's daughter" name a person, not a patient: they
    need a care word like any other person described.
    """
    cues = list(cues)
    family = [(c.start, c.end) for c in cues if c.kind == "family"]
    return {
        c.kind
        for c in cues
        if c.kind != "patient" or not any(s <= c.start and c.end <= e for s, e in family)
    }


def _is_very_old(cues: Iterable[Cue]) -> bool:
    for c in cues:
        if c.kind != "age":
            continue
        m = _YEARS_RE.match(c.match)
        if (m and int(m.group(1)) >= _OLD_AGE) or _VERY_OLD_RE.search(c.match):
            return True
    return False


def _role_in_care(text: str) -> tuple[str, str] | None:
    """Return how a person in care is named by a family link or a role, and the words, if so.

    ``("family link", "le fils du maire")`` or ``("role", "le curé")``; only when
    something happens to someone in care (:func:`care_event`) and nothing puts
    the person in their public role (a visit, a talk, thanks).
    """
    for label, rx in (("family link", FAMILY_PERSON_RE), ("role", ROLE_RE)):
        m = rx.search(text)
        if m:
            if not care_event(text) or PUBLIC_CONTEXT_RE.search(text):
                return None
            return label, " ".join(m.group().split())
    return None


def _identifiers(text: str, cues: Sequence[Cue]) -> list[str]:
    """Return the identifiers of ``cues``: names, record numbers, birth dates, photos of records.

    A name found by the rules (a first name with a detail, "Dr P.") or a full
    name found by spaCy; a record number or birth date by its shape; a photo of
    records, or a photo with a person described. A one-word name spaCy alone
    found is not enough (it reads many capitalised English words as names).
    """
    described = any(c.kind in DESCRIBING_KINDS for c in cues)
    out = []
    for c in cues:
        if c.kind in {"identifier", "person"} and TITLE_CLINICIAN_RE.match(text[c.end :]):
            continue  # the surgeon by their title ("Mr Okafor operated"), not the one in care
        if c.kind == "identifier" or (
            c.kind == "person" and (c.source == "rules" or len(c.match.split()) > 1)
        ):
            out.append(f"{c.kind}: {c.match}")
        elif c.kind == "photo" and (described or RECORDS_PHOTO_RE.search(text)):
            out.append(f"photo: {c.match}")
    return out


def _names_by_shape(text: str) -> list[str]:
    """Return names the cue extractors do not read, by their shape in a text about care.

    A first name with an apposition tying them to a job at a place ("Gareth, the
    caretaker at ..."); a title with a surname or an initial ("Mrs Pennyfeather",
    "Mr K.") addressed about their care or with a care event, unless they are
    the clinician ("Mr Khan operated") or in a public role; a room or bed at a
    named hospital ("Bed 7 at St Aldric's"); a home address by its number.
    """
    out = [
        f"person: {m.group(1)}"
        for m in NAME_APPOSITION_RE.finditer(text)
        if is_first_name(m.group(1))
    ]
    public = PUBLIC_CONTEXT_RE.search(text) or HONOUR_RE.search(text)
    cared = care_event(text) or CARE_EVENT_RE.search(text) or LOCAL_CARE_RE.search(text)
    for m in TITLE_NAME_RE.finditer(text):
        after = text[m.end() : m.end() + 60]
        if TITLE_CLINICIAN_RE.match(text[m.end() :]) or public:
            continue
        if ADDRESSED_RE.match(after) or cared:
            out.append(f"person: {' '.join(m.group().split())}")
    out += [f"room at a named hospital: {m.group()}" for m in ROOM_AT_HOSPITAL_RE.finditer(text)]
    out += [f"home address: {m.group()}" for m in ADDRESS_RE.finditer(text)]
    return out


def _narrowing(text: str, cues: Sequence[Cue], kinds: set[str]) -> dict[str, str]:
    """Return the narrowing details of ``cues`` by kind: when, where, who, rare, very old, singled out.

    Several details of one kind count once ("aux urgences" and "à Brest" are
    both where); the decision counts the kinds.
    """
    found: dict[str, str] = {}
    for c in cues:
        kind = _NARROWING_GROUPS.get(c.kind)
        if kind and (c.kind != "rare" or "rare" in kinds):
            found.setdefault(kind, c.match)
    role = _role_in_care(text)
    if role:
        found.setdefault("who", role[1])
    for kind, rx in (("where", STREET_OR_FLOOR_RE), ("who", BUSINESS_RE), ("who", LOCAL_ROLE_RE)):
        m = rx.search(text)
        if m:
            found.setdefault(kind, " ".join(m.group().split()))
    memories = MEMORIES_RE.search(text)
    if memories and "who" in found and text.find(found["who"]) > memories.start():
        del found["who"]  # a job in a patient's memories is the past, not who they are now
    if _is_very_old(cues):
        found["very old"] = "an age of 90 or more"
    singled = _SUPERLATIVE_RE.search(text) or HINT_RE.search(text)
    if singled:
        found["singled out"] = singled.group()
    return found


def _one_individual(text: str, cues: Sequence[Cue], identifiers: list[str]) -> bool:
    """Return whether the care in ``text`` is about one individual, not only a setting or a topic.

    A person described (a ``patient``, ``age``, ``sex`` or ``family`` cue, an
    identifier, a role in care), a care shape ("pt", "brought in", "reçue"), or
    something happening to someone (admitted, operated, seen, "s'est cassé").
    "Ce matin aux urgences, 12 heures d'attente" names a setting only.
    """
    return bool(
        identifiers
        or any(c.kind in {"patient", "age", "sex", "family"} for c in cues)
        or CARE_CONTEXT_RE.search(text)
        or CARE_EVENT_RE.search(text)
        or ONE_PERSON_RE.search(text)
        or LOCAL_CARE_RE.search(text)
        or _role_in_care(text)
    )


def _excused(text: str, cues: Sequence[Cue], identifiers: list[str]) -> str | None:
    """Return why the labelling rules excuse the one in care, if they do, else ``None``.

    A group or a statistic as the subject (no single patient described, no
    identifier); the author's own health or own child (no other patient
    described); a person in a public role with no care event.
    """
    own = [m.span() for rx in (OWN_CHILD_RE, OWN_HEALTH_RE) for m in rx.finditer(text)]
    other = [
        c
        for c in cues
        if c.kind == "patient" and not any(s <= c.start < e or c.start <= s < c.end for s, e in own)
    ]
    if own and not other:
        return "the author's own child or own health"
    described = any(c.kind in {"age", "sex"} for c in cues) or _role_in_care(text)
    if not (other or identifiers or described or HINT_RE.search(text)) and GROUP_RE.search(text):
        return "a group or a statistic, not one person"
    if (
        QUESTION_RE.search(text)
        and not identifiers
        and not (CARE_EVENT_RE.search(text) or care_event(text))
    ):
        return "a question asked, with no care given"
    cared = care_event(text) or CARE_EVENT_RE.search(text)
    if DISGUISED_RE.search(text) and not identifiers:
        return "details changed by the author, a teaching case"
    if ABOUT_AUTHOR_RE.search(text) and not identifiers and not cared:
        return "a remark about the author, with no care given"
    if MEMORIES_RE.search(text) and not identifiers and not cared:
        return "a patient's memories, with no care event"
    # a bed or a home holds a patient, whatever public role they once had ("the retired headmaster")
    placed = ROOM_AT_HOSPITAL_RE.search(text) or ADDRESS_RE.search(text)
    event = other or cared or placed or CARE_CONTEXT_RE.search(text)
    if (PUBLIC_CONTEXT_RE.search(text) or HONOUR_RE.search(text)) and not event:
        return "a person in a public role, with no care event"
    return None


def assess(text: str, cues: Sequence[Cue]) -> Check:
    """Return the risk level that ``cues`` found in ``text`` give, with the reason.

    ``high`` — the tweet is about one individual in a care situation
    (:func:`in_care_situation`, a broad care context, whether or not a person
    noun was read) and it carries (a) an identifier: a name (full, a first name
    with a detail, a title with an initial or a surname), a birth date, a record
    number by its shape, a room at a named hospital, a numbered home address, a
    photo of records or of a person described; or (b) narrowing
    details of two kinds or more: when; where (a town, a village by its shape, a
    named hospital, a ward, a room or bed); who (a role, job, school, employer,
    club or family link); a rare condition; an age of 90 or more; "the only",
    "you know who". Except when the labelling rules excuse it: a group or a
    statistic, the author's own health or own child (not their parent), a
    person in a public role with no care event. ``low`` — one patient with a
    detail, someone in care with one narrowing detail or a name, or a rare
    condition named. ``none`` otherwise.

    Parameters
    ----------
    text : str
        The text the cues were found in.
    cues : Sequence of Cue
        Cues of that text, e.g. from :func:`find_cues`.

    Returns
    -------
    Check
        risk (none, low, high), the cues and the reason.

    Examples
    --------
    >>> t = "Une ado de 15 ans en réa cette nuit, élève au lycée de Castres"
    >>> assess(t, find_cues(t, ner=False)).reason
    'one individual in care with 3 kinds of narrowing detail: where (en réa), when (cette nuit), who (élève au lycée)'
    >>> t = "Pt in resus tonight is the head teacher of a primary school"
    >>> assess(t, find_cues(t, ner=False)).risk
    'high'
    >>> t = "Ma fille de 3 ans aux urgences cette nuit"
    >>> assess(t, find_cues(t, ner=False)).reason
    "the author's own child or own health"
    """
    kinds = _kinds(cues)
    if "rare" in kinds and _GENERIC_RARE_RE.search(text):
        kinds.discard("rare")
    clinical = in_care_situation(text, cues)
    # the shapes of names are read only in a care situation (they matter nowhere else; speed)
    identifiers = _identifiers(text, cues) + (_names_by_shape(text) if clinical else [])
    excused = _excused(text, cues, identifiers) if clinical else None
    individual = clinical and not excused and _one_individual(text, cues, identifiers)
    if individual:
        if identifiers:
            return Check(
                "high", tuple(cues), f"one individual in care with an identifier ({identifiers[0]})"
            )
        narrowing = _narrowing(text, cues, kinds)
        if len(narrowing) >= 2:
            shown = ", ".join(f"{k} ({v})" for k, v in narrowing.items())
            return Check(
                "high",
                tuple(cues),
                f"one individual in care with {len(narrowing)} kinds of narrowing detail: {shown}",
            )
        if (
            "patient" in kinds
            and "ward" in kinds
            and (kinds & {"age", "sex"} or ROOM_RE.search(text))
        ):
            # kept from rounds 1-3: ward staff and visitors know the patient of that age in that ward
            return Check(
                "high", tuple(cues), "one patient with a named ward or room with age or sex"
            )
    if excused:
        return Check("none", tuple(cues), excused)
    details = kinds & set(DETAIL_KINDS)
    if "patient" in kinds and details:
        shown = ", ".join(sorted(details))
        return Check("low", tuple(cues), f"one patient with a detail ({shown}); check it")
    if "person" in kinds and clinical:
        return Check("low", tuple(cues), "a named person in a care situation; check it")
    if "rare" in details:
        return Check("low", tuple(cues), "a rare condition is named; check nothing else identifies")
    return Check("none", tuple(cues), "no single patient described with identifying detail")


def check_texts(
    texts: Iterable[str], ner: bool | Literal["care"] = True, learnt: bool = True
) -> list[Check]:
    """Return :func:`check_tweet` for many texts, the named-entity pass and the model batched (fast).

    The rules (:func:`assess`, with spaCy's names and places) decide first; a
    tweet they do not answer ``high`` is ``high`` when the learnt model
    (:mod:`.learnt`, spaCy's ``textcat`` trained on the labelled ``dev`` tweets)
    gives it a risky probability of at least :data:`~.learnt.THRESHOLD`
    (:func:`with_model`). Each distinct text is checked once per process and
    remembered (a report asks about the same tweets several times);
    :func:`clear_caches` forgets.

    Parameters
    ----------
    texts : iterable of str
        The tweets (anything else counts as an empty text).
    ner : bool or "care"
        ``True``: rules, the named-entity pass and the learnt model on every
        text; ``False``: the rules alone (no spaCy: no named entities, no learnt
        model); ``"care"``: the named-entity pass only on texts in a care
        situation (:func:`in_care_situation`), the model on every text. Outside
        a care situation, every rule that a ``person`` or ``place`` cue can
        trigger is closed, so the risk and the reason are those of the full
        pass; only the ``person``/``place`` cues spaCy would have added there are
        not looked for. Made for counting risk levels over a whole dataset.
    learnt : bool, default True
        Add the learnt model's flags (:func:`with_model`); False gives the
        rules' answers (with spaCy's names and places unless ``ner`` is False).

    Returns
    -------
    list of Check
        One per text, in order.

    Examples
    --------
    >>> [c.risk for c in check_texts(["Bonne garde", "J'ai revu Jeanne Martin ce matin"])]
    ['none', 'high']
    """
    texts = [t if isinstance(t, str) else "" for t in texts]
    mode: bool | str = ner if ner == "care" else bool(ner)
    checks = _rule_checks(texts, mode)
    return with_model(texts, checks) if mode and learnt else checks


def _rule_checks(texts: list[str], mode: bool | str) -> list[Check]:
    """Return the rules' checks of ``texts`` (with spaCy's names and places unless ``mode`` is False)."""
    done = _checks[mode]
    todo = list(dict.fromkeys(t for t in texts if t not in done))  # repeated texts checked once
    if len(done) + len(todo) > _CACHE_SIZE:
        done.clear()
        todo = list(dict.fromkeys(texts))
    if todo and mode == "care":
        rules = dict(zip(todo, _rule_checks(todo, False), strict=True))
        care = [t for t, c in rules.items() if in_care_situation(t, c.cues)]
        rules.update(zip(care, _with_entities(care, [rules[t] for t in care]), strict=True))
        done.update(rules)
    elif todo:
        done.update(zip(todo, map(assess, todo, find_cues_many(todo, ner=bool(mode))), strict=True))
    return [done[t] for t in texts]


def _with_entities(texts: list[str], rule_checks: list[Check]) -> list[Check]:
    """Full-pass checks of ``texts`` from their rules-only checks: spaCy's cues added."""
    full = _checks[True]
    known = {t: full[t] for t in texts if t in full}
    todo = [(t, c) for t, c in zip(texts, rule_checks, strict=True) if t not in known]
    if todo:
        found = entity_cues([t for t, _ in todo])
        known.update(
            (t, assess(t, merge_cues([*c.cues, *e]))) for (t, c), e in zip(todo, found, strict=True)
        )
        if len(full) + len(todo) > _CACHE_SIZE:
            full.clear()
        full.update(known)
    return [known[t] for t in texts]


def with_model(texts: Sequence[str], checks: Sequence[Check]) -> list[Check]:
    """Return ``checks`` with the learnt model's flags: ``high`` when the rules or the model say so.

    A check the rules did not answer ``high`` becomes ``high`` when the model's
    risky probability of its text is at least :data:`~.learnt.THRESHOLD`; it
    keeps the rules' cues and gains one ``learnt`` cue per word the flag rests
    on most (:func:`~.learnt.weighing_words`), and its reason gives the
    probability, those words and what the rules alone answered.

    Parameters
    ----------
    texts : sequence of str
        The tweets.
    checks : sequence of Check
        Their checks by the rules (:func:`assess`), in the same order.

    Returns
    -------
    list of Check
        One per text: the rules' check, or the model's ``high``.

    Examples
    --------
    >>> t = "Visited our old neighbour in the care home this week, she's doing better"
    >>> [c.risk for c in with_model([t], [Check("none", (), "no single patient")])]
    ['none']
    """
    todo = [t for t, c in zip(texts, checks, strict=True) if c.risk != "high"]
    probability = dict(zip(todo, learnt.cached_probabilities(todo), strict=True))
    flagged = list(dict.fromkeys(t for t in todo if probability[t] >= learnt.THRESHOLD))
    words = dict(zip(flagged, learnt.weighing_words(flagged) if flagged else [], strict=True))
    return [
        _flag(text, check, probability[text], words[text]) if text in words else check
        for text, check in zip(texts, checks, strict=True)
    ]


def _flag(
    text: str, check: Check, probability: float, words: list[tuple[str, int, int, float]]
) -> Check:
    """Return the model's ``high`` for ``text``: the rules' cues, the weighing words, the reason."""
    cues = [Cue("learnt", w, start, end, "model") for w, start, end, _ in words]
    shown = ", ".join(repr(w) for w, *_ in words) or "none alone"
    return Check(
        "high",
        tuple(merge_cues([*check.cues, *cues])),
        f"the learnt model: risky probability {probability:.2f} >= {learnt.THRESHOLD:.2f} "
        f"(words weighing most: {shown}); the rules alone: {check.risk}, {check.reason}",
        probability,
    )


def clear_caches() -> None:
    """Forget the checks, named-entity results and probabilities remembered so far (for timing from cold)."""
    for done in _checks.values():
        done.clear()
    clear_cache()
    learnt.clear_cache()


def check_tweet(text: str, ner: bool = True, learnt: bool = True) -> Check:
    """Risk that ``text`` identifies a patient (``none``, ``low``, ``high``), with the cues.

    ``ner=False`` skips spaCy (rules only: no named entities, no learnt model);
    ``learnt=False`` skips the learnt model only. The rules of :func:`assess`
    say which combination of cues gives which level; the learnt model
    (:func:`with_model`) may raise a tweet they do not answer ``high`` to ``high``.

    Parameters
    ----------
    text : str
        A tweet's text.
    ner : bool, default True
        Run the spaCy named-entity pass and the learnt model too; False uses the rules only.
    learnt : bool, default True
        Add the learnt model's flags.

    Returns
    -------
    Check
        risk, the cues found and a one-line reason.

    Examples
    --------
    >>> check_tweet("Mon patient de 45 ans ce matin à Brest, un homme charmant").risk
    'high'
    >>> check_tweet("Vaccination grippe : pensez-y pour vos patients de plus de 65 ans").risk
    'none'
    >>> check_tweet("A 45-year-old woman in the ED tonight with chest pain").kinds
    ['age', 'date', 'patient', 'sex', 'ward']
    """
    return check_texts([text or ""], ner=ner, learnt=learnt)[0]


def check_tweets(
    tweets: pd.DataFrame,
    text_column: str = "text",
    ner: bool | Literal["care"] = True,
    learnt: bool = True,
) -> pd.DataFrame:
    """Check every tweet of a frame; adds ``risk`` and ``cues`` (comma list of kinds).

    Retweets (text starting with ``RT @``) are checked too: sharing a breach spreads it.
    ``ner`` and ``learnt`` are those of :func:`check_texts`.

    Parameters
    ----------
    tweets : pandas.DataFrame
        Tweets, one per row.
    text_column : str, default "text"
        Column holding the text (missing text counts as empty).
    ner : bool or "care", default True
        True: rules, named entities and the learnt model; False: rules only; "care": named
        entities only in a care situation.
    learnt : bool, default True
        Add the learnt model's flags.

    Returns
    -------
    pandas.DataFrame
        A copy of tweets with risk and cues added.

    Examples
    --------
    >>> df = pd.DataFrame({"tweet_id": [1, 2], "text": ["Bonne garde à tous", "Ma patiente de 90 ans"]})
    >>> check_tweets(df, learnt=False)["risk"].tolist()
    ['none', 'low']
    >>> check_tweets(df)["risk"].tolist()  # the learnt model flags the second (a false alarm)
    ['none', 'high']
    """
    texts = tweets[text_column].tolist()
    checks = check_texts(texts, ner=ner, learnt=learnt)
    out = tweets.copy()
    out["risk"] = [
        c.risk if isinstance(t, str) else "none" for c, t in zip(checks, texts, strict=True)
    ]
    out["cues"] = [
        ",".join(c.kinds) if isinstance(t, str) else "" for c, t in zip(checks, texts, strict=True)
    ]
    return out


def redact(text: str, placeholder: str = "[…]", ner: bool = True) -> str:
    """``text`` with every identifying detail found replaced by ``placeholder``.

    Patient references stay (they say what the tweet is about); ages, places,
    dates, wards, rare conditions, names, schools, employers, family links and
    photo links go.

    Parameters
    ----------
    text : str
        A tweet's text.
    placeholder : str, default "[…]"
        Text put in place of each detail.
    ner : bool, default True
        Also redact the names and places of the named-entity pass.

    Returns
    -------
    str
        The redacted text.

    Examples
    --------
    >>> redact("Ma patiente de 45 ans ce matin à Dijon")
    'Ma patiente de […] […] à […]'
    """
    spans = sorted((c.start, c.end) for c in find_cues(text, ner=ner) if c.kind != "patient")
    out, last = [], 0
    for start, end in spans:
        if start < last:
            if end > last:
                last = end
            continue
        out.append(text[last:start])
        out.append(placeholder)
        last = end
    out.append(text[last:])
    return "".join(out)


def evaluate(
    texts: Iterable[str],
    labels: Iterable[bool],
    threshold: str = "high",
    ner: bool | Literal["care"] = True,
    learnt: bool = True,
) -> dict[str, float]:
    """Precision and recall of the check against labels (True: may identify a patient).

    A tweet counts as flagged when its risk is at least ``threshold``
    (``"high"``, or ``"low"`` to count any flag).

    Parameters
    ----------
    texts : Iterable of str
        Tweets' texts.
    labels : Iterable of bool
        Per text, True if it may identify a patient.
    threshold : str, default "high"
        Lowest risk that counts as flagged: "high" or "low".
    ner : bool or "care", default True
        As in :func:`check_tweets`.
    learnt : bool, default True
        As in :func:`check_texts`.

    Returns
    -------
    dict
        n, positives, flagged, true_positives, precision and recall (NaN when undefined).

    Examples
    --------
    >>> evaluate(["Mon patient de 45 ans, un homme, ce matin à Lyon", "Bonne garde"], [True, False])
    {'n': 2, 'positives': 1, 'flagged': 1, 'true_positives': 1, 'precision': 1.0, 'recall': 1.0}
    """
    rank = {r: i for i, r in enumerate(RISK_LEVELS)}
    flagged = [
        rank[c.risk] >= rank[threshold] for c in check_texts(list(texts), ner=ner, learnt=learnt)
    ]
    labels = [bool(x) for x in labels]
    tp = sum(f and y for f, y in zip(flagged, labels, strict=True))
    n_flag, n_pos = sum(flagged), sum(labels)
    return {
        "n": len(labels),
        "positives": n_pos,
        "flagged": n_flag,
        "true_positives": tp,
        "precision": tp / n_flag if n_flag else float("nan"),
        "recall": tp / n_pos if n_pos else float("nan"),
    }
