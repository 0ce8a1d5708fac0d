"""Patient-confidentiality check: explainable rules flagging tweets that may identify a patient.

Health professionals are bound by medical confidentiality (in France, Code de la
santé publique L.1110-4 and R.4127-4). A tweet about "a patient" is not a
breach; a tweet that lets a reader recognise **which** patient is. The rules
below look, in French and English, for a reference to one patient and for the
details that single a person out, and say which cues they matched:

==============  =========================================================
cue             examples
==============  =========================================================
``patient``     mon patient, une patiente, un monsieur de..., my patient,
                a 45-year-old woman, 45M (one person, not "les patients")
``age``         45 ans, 3 mois, 45-year-old, 45yo, aged 45 (not "plus de 65 ans")
``sex``         homme, femme, monsieur, dame, garçon, man, woman, girl, M/F
``place``       à Lyon, in Leeds, near Brest (a capitalised place after a preposition)
``date``        ce matin, hier soir, cette nuit, lundi, le 12 mars, today, last night
``ward``        service de cardiologie, en réa, chambre 12, lit 4, bed 4, ward 7B
``rare``        a rare condition (maladie de Fabry, progeria, Marfan...)
``photo``       photo, radio ci-jointe, 📷, pic attached, x-ray below
``identifier``  a name or initials (Mme D., Mr S.), date of birth, record number
==============  =========================================================

Risk levels (:func:`check_tweet`):

* ``high`` — one patient with details that together could identify them: age +
  sex + place or date; a photo; a named ward with age or sex; a rare condition
  with a place; a name, initials or birth date; or three details or more;
* ``low`` — one patient with one or two details (worth a second look);
* ``none`` — no single patient, or no detail about them. Generic health talk
  ("les patients de plus de 65 ans", "journée des maladies rares") stays ``none``.

The rules are deliberately simple and readable; they miss paraphrases and
over-flag some anecdotes. :func:`evaluate` measures precision and recall on
labelled examples (the demo's planted set, the tests' hand-written set).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

RISK_LEVELS = ("none", "low", "high")

_I = re.IGNORECASE
_W = r"(?<![\w])"  # start of a word (works with accents, unlike \b after a non-word char)
_E = r"(?![\w])"

#: One patient (singular), in French or English.
PATIENT_RE = re.compile(
    _W + r"(?:"
    r"(?:mon|ma|notre|un|une|le|la|ce|cette|cet)\s+(?:jeune\s+|vieux\s+|vieille\s+|petite?\s+)?"
    r"(?:patiente?|malade|résidente?|parturiente|enfant|bébé|nourrisson|ado|adolescente?"
    r"|monsieur|dame|homme|femme|garçon|fille|papy|papi|mamie|mamy|gamine?)"
    r"|(?:my|our|a|an|the|this|that)\s+(?:young\s+|elderly\s+|little\s+|old\s+)?"
    r"(?:patient|pt|man|woman|lady|gentleman|guy|boy|girl|child|kid|baby|infant|toddler"
    r"|teen|teenager|resident)"
    r"|(?:an?|one)\s+\d{1,3}[\s-]?(?:yo|y/o|year-old|yr-old|month-old)"
    r"|(?:un|une)\s+(?:patiente?\s+)?(?:de\s+)?\d{1,3}\s?(?:ans|mois)"
    r")" + _E,
    _I,
)  # fmt: skip
#: Clinical shorthand for one patient's age and sex: 45M, 45 yo F, F45, H 72 (case-sensitive).
COMPACT_RE = re.compile(_W + r"(?:\d{1,3}\s?(?:yo|y/o|ans|a)?\s?[MFH]|[MFH]\s?\d{1,3})" + _E)
AGE_RE = re.compile(
    _W + r"(?:\d{1,3}\s?(?:ans|an|mois|semaines|jours|yo|y/o|-?year-old|years?\s+old|yrs?"
    r"|months?\s+old|-month-old|week-old)"
    r"|(?:âgée?\s+de|aged)\s+\d{1,3})" + _E
    + r"(?!\s+(?:d'expérience|of\s+experience|de\s+carrière|d'exercice|in\s+practice"
    r"|de\s+métier|d'études|de\s+formation|since|depuis|ago))",
    _I,
)  # fmt: skip
#: Age ranges and thresholds describe groups, not a patient (each pattern is searched on its own).
_GENERIC_AGE_RES = tuple(
    re.compile(rx, _I)
    for rx in (
        r"(?:plus\s+de|moins\s+de|de\s+\d{1,3}\s+à|entre|à\s+partir\s+de|dès|over|under|above"
        r"|below|aged\s+\d{1,3}\s*(?:-|to|and)|\d{1,3}\s*(?:-|à|to|and)|≥|>|<)\s*\d{1,3}\s?"
        r"(?:ans|years?|yo|mois)",
        r"\d{1,3}\s?(?:ans|years?)\s+(?:et\s+plus|and\s+over|and\s+older|ou\s+plus|\+)",
        r"(?:les|des|nos|vos|aux|the|our|your|all)\s+(?:patients?|patientes|malades|enfants"
        r"|femmes|hommes|people|children|adults|women|men)\s+(?:de|of|aged)\s+\d{1,3}",
    )
)
SEX_RE = re.compile(
    _W + r"(?:homme|femme|monsieur|madame|dame|garçon|fille|papy|papi|mamie|mamy|mme|mlle"
    r"|man|woman|lady|gentleman|male|female|boy|girl|mr|mrs|ms)" + _E,
    _I,
)  # fmt: skip
_MONTHS = (
    "janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre "
    "décembre decembre january february march april may june july august september october "
    "november december"
).split()
_DAYS = (
    "lundi mardi mercredi jeudi vendredi samedi dimanche monday tuesday wednesday thursday friday "
    "saturday sunday"
).split()
DATE_RE = re.compile(
    _W + r"(?:ce\s+matin|cet\s+après-midi|cet\s+aprem|ce\s+soir|cette\s+nuit|hier(?:\s+soir)?"
    r"|avant-hier|aujourd'hui|tout\s+à\s+l'heure|cette\s+garde|en\s+garde|lors\s+de\s+ma\s+garde"
    r"|this\s+morning|this\s+afternoon|tonight|last\s+night|yesterday|today|on\s+call\s+tonight"
    r"|on\s+my\s+shift|during\s+my\s+shift|on\s+(?:" + "|".join(_DAYS[7:]) + r")"
    r"|(?:ce\s+)?(?:" + "|".join(_DAYS[:7]) + r")(?:\s+(?:matin|soir|dernier))?"
    r"|(?:le\s+)?\d{1,2}(?:er)?\s+(?:" + "|".join(_MONTHS) + r")"
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?"
    r"|\d{1,2}h\d{0,2})" + _E,
    _I,
)  # fmt: skip
_NOT_PLACES = {m.capitalize() for m in _MONTHS + _DAYS} | {
    "Noël", "Pâques", "Twitter", "France", "Europe", "Internet", "Dr", "Docteur", "Doctolib",
    "Covid", "COVID", "HAS", "ARS", "CHU", "SAMU", "SMUR", "EHPAD", "Ehpad", "Madame", "Monsieur",
    "The", "A", "An", "My", "Le", "La", "Les", "Un", "Une", "Mon", "Ma", "Mme", "Mr", "Mrs",
    "Ms", "English", "French", "Christmas", "Easter", "NHS", "ICU", "A&E", "ED", "UK", "US",
}  # fmt: skip
PLACE_RE = re.compile(
    _W + r"(?:à|a|au|aux|près\s+de|pres\s+de|de|du|sur|in|at|near|from|outside)\s+"
    r"(?:l'|la\s+|le\s+)?((?:Saint-|St-|Le\s+|La\s+)?[A-ZÉÈÂÎ][a-zéèàâêîôûçë]+(?:-[A-ZÉ][a-zéèàâêîôûç]+)*)"
    + _E,
)  # fmt: skip
WARD_RE = re.compile(
    _W + r"(?:service\s+(?:de|d')\s*\w+|en\s+réa|en\s+rea|aux\s+urgences|en\s+maternité"
    r"|en\s+pédiatrie|en\s+gériatrie|en\s+soins\s+palliatifs|en\s+usc|en\s+usi"
    r"|(?:chambre|lit|box|salle|bed|room|bay|bed\s+space|cubicle)\s+(?:n°\s?)?\d+[a-z]?"
    r"|(?:unité|ward|pavillon|bâtiment)\s+\w+|(?:in|on)\s+(?:the\s+)?(?:icu|nicu|picu|ccu|a&e|ed"
    r"|resus|majors|the\s+ward)" + r")" + _E,
    _I,
)  # fmt: skip
ROOM_RE = re.compile(_W + r"(?:chambre|lit|box|bed|room|bay|cubicle)\s+(?:n°\s?)?\d+", _I)
RARE_CONDITIONS = (
    "maladie de fabry", "fabry disease", "progéria", "progeria", "syndrome de marfan",
    "marfan syndrome", "ehlers-danlos", "maladie de huntington", "huntington's disease",
    "creutzfeldt-jakob", "maladie de wilson", "wilson's disease", "porphyrie", "porphyria",
    "maladie de gaucher", "gaucher disease", "maladie de pompe", "pompe disease",
    "neurofibromatose", "neurofibromatosis", "prader-willi", "syndrome de turner",
    "turner syndrome", "sclérose latérale amyotrophique", "amyotrophic lateral sclerosis",
    "maladie de charcot", "myopathie de duchenne", "duchenne", "mucoviscidose", "cystic fibrosis",
    "amylose", "amyloidosis", "syndrome de guillain-barré", "guillain-barré", "guillain-barre",
    "maladie de kawasaki", "kawasaki disease", "hémophilie", "haemophilia", "hemophilia",
    "phénylcétonurie", "phenylketonuria", "syndrome de rett", "rett syndrome",
    "épidermolyse bulleuse", "epidermolysis bullosa", "ataxie de friedreich", "friedreich's ataxia",
    "maladie rare", "rare disease", "syndrome rarissime", "très rare", "very rare",
)  # fmt: skip
RARE_RE = re.compile(_W + "(?:" + "|".join(re.escape(c) for c in RARE_CONDITIONS) + ")", _I)
_GENERIC_RARE_RE = re.compile(
    r"journée\s+(?:mondiale|internationale|nationale)|rare\s+disease\s+day|"
    r"plan\s+national|association|congrès|colloque|conférence|webinaire|conference|awareness"
    r"|research|recherche|essai\s+clinique|trial", _I
)  # fmt: skip
PHOTO_RE = re.compile(
    _W + r"(?:photo|photos|pic|picture|image|selfie|radio\s+ci-jointe|ci-joint|ci-jointe|en\s+pj"
    r"|x-ray\s+(?:below|attached)|see\s+attached|voir\s+(?:la\s+)?photo|pic\.twitter\.com)" + _E
    + r"|📷|📸|🖼",
    _I,
)  # fmt: skip
IDENTIFIER_RE = re.compile(
    _W + r"(?:(?i:mme|mlle|m\.|mr\.?|mrs\.?|ms\.?|monsieur|madame)\s+[A-Z][a-zé]*\.?"
    r"|(?i:née?\s+le\s+\d|date\s+de\s+naissance|ddn\s*:?\s*\d|d\.o\.b\.?|date\s+of\s+birth"
    r"|dob\s*:?\s*\d|ipp\s*:?\s*\d|n°\s+de\s+dossier|dossier\s+n°|nhs\s+number|mrn\s*:?\s*\d"
    r"|(?:il|elle)\s+s'appelle|(?:his|her)\s+name\s+is|prénom\s*:))",
)  # fmt: skip


@dataclass(frozen=True)
class Cue:
    """One piece of evidence: its kind and the words matched."""

    kind: str
    match: str
    start: int
    end: int


@dataclass(frozen=True)
class Check:
    """The outcome of :func:`check_tweet`: a risk level, the cues and a one-line reason."""

    risk: str
    cues: tuple[Cue, ...]
    reason: str

    @property
    def kinds(self) -> list[str]:
        """The cue kinds found, sorted, each once."""
        return sorted({c.kind for c in self.cues})

    def to_dict(self) -> dict:
        """``{"risk": ..., "cues": [{"kind", "match"}...], "reason": ...}`` for JSON output."""
        return {
            "risk": self.risk,
            "cues": [{"kind": c.kind, "match": c.match} for c in self.cues],
            "reason": self.reason,
        }


def find_cues(text: str) -> list[Cue]:
    """Every cue the rules match in ``text``, in reading order.

    Examples
    --------
    >>> [c.kind for c in find_cues("Mon patient de 45 ans vu ce matin à Dijon")]
    ['patient', 'age', 'date', 'place']
    """
    cues: list[Cue] = []

    def add(kind: str, rx: re.Pattern, group: int = 0, keep=lambda m: True) -> None:
        for m in rx.finditer(text):
            if keep(m):
                cues.append(Cue(kind, m.group(group), m.start(group), m.end(group)))

    generic = [m.span() for rx in _GENERIC_AGE_RES for m in rx.finditer(text)]

    def not_generic(m: re.Match) -> bool:
        return not any(s <= m.start() < e for s, e in generic)

    add("patient", PATIENT_RE, keep=not_generic)
    for kind in ("patient", "age", "sex"):
        add(kind, COMPACT_RE)
    add("age", AGE_RE, keep=not_generic)
    add("sex", SEX_RE, keep=not_generic)
    add("date", DATE_RE)
    add("place", PLACE_RE, group=1, keep=lambda m: m.group(1) not in _NOT_PLACES)
    add("ward", WARD_RE)
    add("rare", RARE_RE)
    add("photo", PHOTO_RE)
    add("identifier", IDENTIFIER_RE)
    cues.sort(key=lambda c: (c.start, c.kind))
    # one cue per span: a longer match of another kind covering it wins
    out: list[Cue] = []
    for c in cues:
        if any(o.kind == c.kind and o.start <= c.start and c.end <= o.end for o in out):
            continue
        out.append(c)
    return out


DETAIL_KINDS = ("age", "sex", "place", "date", "ward", "rare", "photo", "identifier")


def check_tweet(text: str) -> Check:
    """Risk that ``text`` identifies a patient (``none``, ``low``, ``high``), with the cues.

    Examples
    --------
    >>> check_tweet("Mon patient de 45 ans ce matin à Brest, un homme charmant").risk
    'high'
    >>> check_tweet("Vaccination grippe : pensez-y pour vos patients de plus de 65 ans").risk
    'none'
    >>> check_tweet("A 45-year-old woman in the ED tonight with chest pain").kinds
    ['age', 'date', 'patient', 'sex', 'ward']
    """
    cues = find_cues(text or "")
    kinds = {c.kind for c in cues}
    rare_generic = "rare" in kinds and _GENERIC_RARE_RE.search(text or "")
    if rare_generic:
        kinds.discard("rare")
    patient = "patient" in kinds
    details = kinds & set(DETAIL_KINDS)
    room = bool(ROOM_RE.search(text or ""))
    reasons = []
    if "identifier" in details:
        reasons.append("a name, initials, birth date or record number")
    if patient and "photo" in details:
        reasons.append("a photo of or about one patient")
    if "rare" in details and "place" in details:
        reasons.append("a rare condition with a place")
    if patient and {"age", "sex"} <= details and details & {"place", "date", "ward"}:
        reasons.append("age, sex and a place or date")
    if patient and "ward" in details and (details & {"age", "sex"} or room):
        reasons.append("a named ward or room with age or sex")
    if patient and len(details - {"photo"}) >= 3:
        reasons.append(f"{len(details)} identifying details")
    if reasons:
        return Check("high", tuple(cues), f"one patient with {reasons[0]}")
    if patient and details:
        shown = ", ".join(sorted(details))
        return Check("low", tuple(cues), f"one patient with a detail ({shown}); check it")
    if "rare" in details and not rare_generic:
        return Check("low", tuple(cues), "a rare condition is named; check nothing else identifies")
    return Check("none", tuple(cues), "no single patient described with identifying detail")


def check_tweets(tweets: pd.DataFrame, text_column: str = "text") -> pd.DataFrame:
    """Check every tweet of a frame; adds ``risk`` and ``cues`` (comma list of kinds).

    Retweets (text starting with ``RT @``) are checked too: sharing a breach spreads it.

    Examples
    --------
    >>> df = pd.DataFrame({"tweet_id": [1, 2], "text": ["Bonne garde à tous", "Ma patiente de 90 ans"]})
    >>> check_tweets(df)["risk"].tolist()
    ['none', 'low']
    """
    checks = [check_tweet(t) if isinstance(t, str) else None for t in tweets[text_column]]
    out = tweets.copy()
    out["risk"] = [c.risk if c else "none" for c in checks]
    out["cues"] = [",".join(c.kinds) if c else "" for c in checks]
    return out


def redact(text: str, placeholder: str = "[…]") -> str:
    """``text`` with every identifying detail the rules found replaced by ``placeholder``.

    Patient references stay (they say what the tweet is about); ages, places,
    dates, wards, rare conditions, names and photo links go.

    Examples
    --------
    >>> redact("Ma patiente de 45 ans ce matin à Dijon")
    'Ma patiente de […] […] à […]'
    """
    spans = sorted((c.start, c.end) for c in find_cues(text) if c.kind != "patient")
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
    texts: Iterable[str], labels: Iterable[bool], threshold: str = "high"
) -> dict[str, float]:
    """Precision and recall of the rules against labels (True: may identify a patient).

    A tweet counts as flagged when its risk is at least ``threshold``
    (``"high"``, or ``"low"`` to count any flag).

    Examples
    --------
    >>> evaluate(["Mon patient de 45 ans, un homme, ce matin à Lyon", "Bonne garde"], [True, False])
    {'n': 2, 'positives': 1, 'flagged': 1, 'true_positives': 1, 'precision': 1.0, 'recall': 1.0}
    """
    rank = {r: i for i, r in enumerate(RISK_LEVELS)}
    flagged = [rank[check_tweet(t).risk] >= rank[threshold] for t in texts]
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


def planted_labels(tweets: pd.DataFrame, planted: Iterable[dict]) -> pd.Series:
    """Labels for every tweet from a planted set (``tweet_id``, ``breach``); others are False.

    A retweet carries the text of its original, so it inherits the original's label.
    Used by the validation cells and tests with the demo's ground truth.

    Examples
    --------
    >>> tw = pd.DataFrame({"tweet_id": [1, 2, 3], "retweet_of_tweet_id": [None, 1, None]})
    >>> planted_labels(tw, [{"tweet_id": "1", "breach": True}]).tolist()
    [True, True, False]
    """
    breach = {int(p["tweet_id"]) for p in planted if p["breach"]}
    own = tweets["tweet_id"].isin(breach)
    shared = tweets["retweet_of_tweet_id"].isin(breach).fillna(False).astype(bool)
    return (own | shared).astype(bool)
