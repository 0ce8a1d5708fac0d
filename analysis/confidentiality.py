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
    r")(?![\w-])",  # not "patient-centred"
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
        r"(?:depuis|il\s+y\s+a|pendant|durant|après|for|since|after|waited|within)\s+\d{1,3}\s?"
        r"(?:ans|années|years?|mois|months?|semaines|weeks?|jours|days?)",
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
#: What a reader learns from each kind of cue (printed by ``medtwitter check-tweet``).
CUE_MEANINGS = {
    "patient": "one particular patient is described",
    "age": "the patient's age",
    "sex": "the patient's sex",
    "place": "where it happened or where the patient lives",
    "date": "when it happened",
    "ward": "the ward, room or bed",
    "rare": "a rare condition, which few people in one place have",
    "photo": "a picture, which may show the patient or their records",
    "identifier": "a name, initials, birth date or record number",
}


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
        reasons.append("a photo of them or their records")
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


# --- flagged content in a dataset, by role and identity style (notebook 06) ----------------------


def flag_tweets(tables) -> pd.DataFrame:
    """Every tweet with text, checked: ``tweet_id``, ``author_id``, ``is_retweet``, ``risk``, ``cues``.

    Retweets are kept but marked: a retweet spreads a breach without writing it.
    """
    tw = tables.tweets[["tweet_id", "author_id", "text", "retweet_of_tweet_id"]]
    tw = tw[tw["text"].notna()]
    out = check_tweets(tw)
    out["is_retweet"] = out["retweet_of_tweet_id"].notna()
    return out.drop(columns=["text", "retweet_of_tweet_id"]).reset_index(drop=True)


def _with_labels(users: pd.DataFrame, labels: pd.DataFrame | None) -> pd.DataFrame:
    base = users[["user_id"]].copy()
    if labels is None or labels.empty:
        base["role"], base["identity"] = "unknown", "unknown"
        return base
    lab = labels[["user_id", "role", "identity"]].drop_duplicates("user_id")
    base = base.merge(lab, on="user_id", how="left")
    return base.fillna({"role": "unknown", "identity": "unknown"})


def flag_rates(
    tables, labels: pd.DataFrame | None = None, by: str = "identity", k: int | None = None
) -> pd.DataFrame:
    """How often accounts of each group post tweets flagged ``high`` (own tweets, not retweets).

    ``labels`` is an optional frame (``user_id``, ``role``, ``identity``), e.g.
    from :mod:`analysis.accounts`; without it every account is ``unknown``.
    Columns: the group, ``accounts`` (accounts with at least one own tweet),
    ``accounts_flagged``, ``tweets``, ``tweets_flagged`` and the shares. With
    ``k``, counts of fewer than ``k`` accounts are suppressed and their shares
    blanked (anonymised outputs).

    Examples
    --------
    >>> from analysis.tables import Tables
    >>> tw = pd.DataFrame({"tweet_id": [1, 2], "author_id": [7, 8], "retweet_of_tweet_id": [None, None],
    ...                    "text": ["Ma patiente de 45 ans, une femme, ce matin à Brest", "Bonne garde"]})
    >>> t = Tables(tw, pd.DataFrame({"user_id": [7, 8]}), *[pd.DataFrame()] * 4)
    >>> flag_rates(t)[["identity", "accounts", "accounts_flagged"]].values.tolist()
    [['unknown', 2, 1]]
    """
    if by not in ("role", "identity"):
        raise ValueError("by must be 'role' or 'identity'")
    flags = flag_tweets(tables)
    own = flags[~flags["is_retweet"]].copy()
    own["high"] = own["risk"] == "high"
    per_account = own.groupby("author_id").agg(tweets=("high", "size"), flagged=("high", "sum"))
    groups = _with_labels(tables.users, labels).set_index("user_id")[by]
    per_account[by] = groups.reindex(per_account.index).fillna("unknown").to_numpy()
    out = per_account.groupby(by).agg(
        accounts=("tweets", "size"),
        accounts_flagged=("flagged", lambda s: int((s > 0).sum())),
        tweets=("tweets", "sum"),
        tweets_flagged=("flagged", "sum"),
    )
    out = out.reset_index().astype({c: "int64" for c in
                                    ("accounts", "accounts_flagged", "tweets", "tweets_flagged")})  # fmt: skip
    out["share_accounts_flagged"] = out["accounts_flagged"] / out["accounts"]
    out["per_1000_tweets"] = 1000 * out["tweets_flagged"] / out["tweets"]
    out = out.sort_values(by, ignore_index=True)
    if k is not None:
        from analysis.privacy import suppress_small_cells

        out = suppress_small_cells(out, k=k, columns=["accounts", "accounts_flagged"])
        for col in ("tweets", "tweets_flagged"):
            out[col] = out[col].astype("Int64")
        # a cell about fewer than k accounts goes with everything derived from it
        out.loc[out["accounts"].isna(), "tweets"] = pd.NA
        small = out["accounts"].isna() | out["accounts_flagged"].isna()
        out.loc[small, "tweets_flagged"] = pd.NA
        out.loc[small, ["share_accounts_flagged", "per_1000_tweets"]] = float("nan")
    return out


def flagged_examples(
    tables, labels: pd.DataFrame | None = None, n: int = 5, risk: str = "high", seed: int = 42
) -> pd.DataFrame:
    """A few flagged tweets to read, always pseudonymised and redacted.

    The author is shown as "account 1", "account 2"... (numbered for this table
    only), with role and identity if ``labels`` gives them; the text has its
    identifying details replaced by "[…]", URLs removed and @mentions replaced
    by "@account". Tweets by protected accounts, and retweets, are never shown.
    """
    from analysis.privacy import MENTION_RE, URL_PLACEHOLDER, URL_RE, protected_tweet_ids

    flags = flag_tweets(tables)
    hidden = protected_tweet_ids(tables)
    pick = flags[(flags["risk"] == risk) & ~flags["is_retweet"] & ~flags["tweet_id"].isin(hidden)]
    if pick.empty:
        return pd.DataFrame(
            columns=["account", "role", "identity", "risk", "cues", "redacted_text"]
        )
    pick = pick.sample(n=min(n, len(pick)), random_state=seed).sort_values("tweet_id")
    texts = tables.tweets.set_index("tweet_id").loc[pick["tweet_id"], "text"]
    groups = _with_labels(tables.users, labels).set_index("user_id")
    numbers = {a: i + 1 for i, a in enumerate(dict.fromkeys(pick["author_id"]))}
    rows = []
    for (_, row), text in zip(pick.iterrows(), texts, strict=True):
        clean = MENTION_RE.sub("@account", URL_RE.sub(URL_PLACEHOLDER, text))
        g = groups.loc[row["author_id"]] if row["author_id"] in groups.index else None
        rows.append({
            "account": f"account {numbers[row['author_id']]}",
            "role": g["role"] if g is not None else "unknown",
            "identity": g["identity"] if g is not None else "unknown",
            "risk": row["risk"], "cues": row["cues"], "redacted_text": redact(clean),
        })  # fmt: skip
    return pd.DataFrame(rows)


def risk_counts(flags: pd.DataFrame) -> pd.DataFrame:
    """Tweets per risk level, own tweets and retweets apart (from :func:`flag_tweets`).

    Examples
    --------
    >>> f = pd.DataFrame({"risk": ["none", "high", "high"], "is_retweet": [False, False, True]})
    >>> risk_counts(f).values.tolist()
    [['none', 1, 0], ['low', 0, 0], ['high', 1, 1]]
    """
    own = flags.loc[~flags["is_retweet"], "risk"].value_counts()
    rts = flags.loc[flags["is_retweet"], "risk"].value_counts()
    return pd.DataFrame({
        "risk": list(RISK_LEVELS),
        "own_tweets": [int(own.get(r, 0)) for r in RISK_LEVELS],
        "retweets": [int(rts.get(r, 0)) for r in RISK_LEVELS],
    })  # fmt: skip


def planted_validation(
    tables, dataset: str, k: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Precision/recall on a demo dataset's planted set, and flag rates by planted identity.

    Reads the demo's ground truth (validation only); for a dataset without one,
    returns two empty frames. Works on anonymised tables too: the planted ids are
    pseudonymised with the same key.
    """
    import warnings

    from analysis.errors import UnknownDatasetError

    with warnings.catch_warnings():  # tqdm.auto warns about ipywidgets inside notebooks
        warnings.simplefilter("ignore")
        from analysis.demo import load_ground_truth

    try:
        truth = load_ground_truth(dataset)
    except UnknownDatasetError:
        return pd.DataFrame(), pd.DataFrame()
    labels = pd.DataFrame(truth["accounts"], columns=["user_id", "role", "identity"])
    planted = pd.DataFrame(truth.get("confidentiality", {}).get("tweets", []),
                           columns=["tweet_id", "breach"])  # fmt: skip
    labels["user_id"] = labels["user_id"].astype("int64")
    planted["tweet_id"] = planted["tweet_id"].astype("int64")
    if tables.meta.get("anonymised"):
        from analysis.privacy import anonymise_frame

        labels, planted = anonymise_frame(labels), anonymise_frame(planted)
    y = planted_labels(tables.tweets, planted.to_dict("records"))
    text = tables.tweets["text"].fillna("")
    scores = pd.DataFrame([
        {"flagged_at": level, **evaluate(text, y, threshold=level)} for level in ("high", "low")
    ])  # fmt: skip
    return scores, flag_rates(tables, labels, by="identity", k=k)
