"""Names: of people (first-name list, full names, titles, colleagues) and of diseases named after people or places.

Helpers of :mod:`analysis.confidentiality.rules` and :mod:`.entities`: is a
capitalised word a first name, does a name stand after a title or before "notre
cadre", is "Lyme" a disease here rather than a town; and the regex pieces the
rule modules share (word edges, long word lists grouped by first letter).
"""

from __future__ import annotations

import functools
import re

from gender_guesser.detector import Detector

_I = re.IGNORECASE
_W = r"(?<![\w])"  # start of a word (works with accents, unlike \b after a non-word char)
_E = r"(?![\w])"


def _by_first_letter(alternation: str) -> str:
    """Return a regex alternation with its alternatives grouped by first letter (for speed).

    Python's ``re`` tries every alternative at every word start; grouped under
    their first letter ("a(?:dmise?|ccouche)|b(?:urns|ypass)"), only the few that
    can match are tried. Alternatives not opening with a plain letter keep their
    order, after the groups. For case-insensitive patterns.

    Parameters
    ----------
    alternation : str
        Regex alternatives joined by ``|`` at the top level.

    Returns
    -------
    str
        An alternation matching the same words.

    Examples
    --------
    >>> _by_first_letter("vue?|burns|brûlée?|(?:dog|cat) bite")
    'v(?:ue?)|b(?:urns|rûlée?)|(?:dog|cat) bite'
    """
    alternatives, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(alternation):
        c = alternation[i]
        if c == "\\":
            i += 1
        elif in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c in "()":
            depth += 1 if c == "(" else -1
        elif c == "|" and depth == 0:
            alternatives.append(alternation[start:i])
            start = i + 1
        i += 1
    alternatives.append(alternation[start:])
    groups: dict[str, list[str]] = {}
    rest = []
    for alt in alternatives:
        if alt[:1].isalpha() and alt[1:2] not in ("?", "*", "+", "{"):
            groups.setdefault(alt[0].lower(), []).append(alt[1:])
        else:
            rest.append(alt)
    return "|".join([f"{k}(?:{'|'.join(v)})" for k, v in groups.items()] + rest)


_MONTHS = (
    "janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre "
    "décembre decembre january february march april may june july august september october "
    "november december"
).split()
_DAYS = (
    "lundi mardi mercredi jeudi vendredi samedi dimanche monday tuesday wednesday thursday friday "
    "saturday sunday"
).split()

#: Diseases named after a place or a person: never a place or a person themselves.
DISEASE_NAMES = (
    "Lyme", "Ebola", "Zika", "Marburg", "West Nile", "Nil", "Lassa", "Nipah", "Hendra",
    "Chikungunya", "Coxsackie", "Hantaan", "Norwalk", "Rift Valley", "Crimée-Congo",
    "Crimean-Congo", "Bornholm", "Stockholm", "Münchhausen", "Munchausen", "Diogène", "Crohn",
    "Parkinson", "Alzheimer", "Hodgkin", "Kawasaki", "Charcot", "Huntington", "Fabry", "Pompe",
    "Gaucher", "Marfan", "Asperger", "Tourette", "Raynaud", "Basedow", "Addison", "Cushing",
    "Guillain-Barré", "Guillain", "Barré", "Creutzfeldt-Jakob", "Duchenne", "Ménière", "Menière",
    "Horton", "Behçet", "Sjögren", "Kaposi", "Burkitt", "Ewing", "Wilms", "Epstein-Barr",
    "Kahler", "Waldenström", "Willebrand", "Dupuytren", "Verneuil", "Whipple", "Ehlers-Danlos",
    "Prader-Willi", "Rett", "Friedreich", "Turner", "Wilson", "Paget", "Bell", "Graves", "Down",
    "Legionnaires", "Oropouche", "Mayaro", "Ross River", "Powassan", "Rocky Mountain", "Usutu",
    "Toscana", "Omsk", "Machupo", "Junin", "Kyasanur", "Williams", "Moebius", "Still", "Tay-Sachs", "Niemann-Pick", "Lesch-Nyhan", "Angelman", "Dravet",
)  # fmt: skip
_DISEASE_NAME_RE = re.compile(
    _W + r"(?:" + "|".join(re.escape(n) for n in sorted(set(DISEASE_NAMES), key=len,
                                                          reverse=True)) + r")" + _E
)  # fmt: skip
#: A word next to a capitalised name that makes it a disease: "maladie de Lyme", "Zika virus".
_DISEASE_BEFORE_RE = re.compile(
    r"(?:maladies?|syndromes?|virus|fièvres?|fever|disease|sarcome|lymphome|chorée|ataxie"
    r"|myopathie|dystrophie|paralysie|palsy|tumeur|épidémie|encéphalite|flu|grippe)"
    r"\s+(?:de\s+|du\s+|d'|des\s+)?(?:la\s+)?$",
    _I,
)  # fmt: skip
_DISEASE_AFTER_RE = re.compile(
    r"^(?:'s|’s)?\s*(?:disease|virus|fever|syndrome|palsy|sarcoma|lymphoma|outbreak|vaccine"
    r"|ataxia|dystrophy|chorea|UK|Society|Association|Day)" + _E,
    _I,
)  # fmt: skip


def is_disease_name(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` names a disease ("Lyme", "maladie de Wilson", "Zika virus").

    Parameters
    ----------
    text : str
        The whole text, read for the words around the span.
    start : int
        Start offset of the span in text.
    end : int
        End offset (exclusive) of the span.

    Returns
    -------
    bool
        True if the span is (part of) a disease name.

    Examples
    --------
    >>> t = "Maladie de Lyme : une dame de Lyon"
    >>> is_disease_name(t, 11, 15), is_disease_name(t, 29, 33)
    (True, False)
    """
    word = text[start:end]
    if _DISEASE_NAME_RE.fullmatch(word) and word.split()[0] not in _EPONYMS_ALSO_NAMES:
        return True
    return bool(
        _DISEASE_BEFORE_RE.search(text[max(0, start - 30) : start])
        or _DISEASE_AFTER_RE.match(text[end : end + 20])
    )


#: Eponyms that are also common surnames: a disease only next to "maladie de", "disease"...
_EPONYMS_ALSO_NAMES = {"Turner", "Wilson", "Paget", "Bell", "Graves", "Down", "Horton", "Rett"}

#: A first name made a person by its neighbours: "le petit Lucas", "Kylian, 12 ans", "Léa, en
#: CM2", "Sarah, a Year 10 student" (an age, or an apposition saying who they are).
PERSON_RE = re.compile(
    r"(?:(?<![\w])(?i:le\s+petit|la\s+petite|petit|petite|little|baby|bébé|the\s+young|la\s+jeune"
    r"|le\s+jeune)\s+([A-Z][a-zéèëïîçô]+)(?=[\s,.!])"
    r"|(?<![\w'’-])([A-Z][a-zéèëïîçô]+(?:[\s-][A-Z][a-zéèëïîçô]+)?),\s*\d{1,3}(?=\s*[,)]|\s+(?i:ans"
    r"|yo|y/o|mois|months?|years?)" + _E + r")"
    r"|(?<![\w'’-])([A-Z][a-zéèëïîçô]+),\s+(?=(?i:(?:a|an|un|une)\s+(?!few|lot|bit|peu)\w"
    r"|(?:en|in)\s+(?-i:CP|CE1|CE2|CM1|CM2|[3-6]e|[3-6]ème|Year\s+\d)|(?-i:Year)\s+\d"
    r"|in\s+(?:the\s+)?\d{1,2}(?:st|nd|rd|th)\s+grade"
    r"|élève|pupil|apprentie?|apprentice|lycéen(?:ne)?|collégien(?:ne)?|écoli(?:er|ère)|étudiante?|student))"
    # a child named through their family: "Alfie's mum", "la maman de Lucas"
    r"|(?<![\w'’-])([A-Z][a-zéèëïîçô]+)['’]s\s+(?=(?i:mum|mom|dad|mother|father|parents|gran|nan"
    r"|grandma|grandad|sister|brother|teacher|school|class)(?![\w]))"
    r"|(?<![\w])(?i:la\s+maman|le\s+papa|la\s+mère|le\s+père|les\s+parents|la\s+mamie|le\s+papy"
    r"|la\s+maîtresse|la\s+nounou)\s+(?:de\s+|d')([A-ZÉ][a-zéèëïîçô]+)(?![\w]))"
)  # fmt: skip
#: A title with an initial: a named person ("Dr P.", "Father K.", "Pr L."), colleague or not.
TITLE_INITIAL_RE = re.compile(
    r"(?<![\w])(?:Dr|Dre|Pr|Prof|Docteure?|Professeure?|Doctor|Sister|Father|Père|Rev|Revd"
    r"|Maître|Me)\.?\s+[A-Z]\.(?![\w])"
)  # fmt: skip
#: Words after a first name that make it part of an institution's or a street's name.
_INSTITUTION_WORDS = (
    r"Hospital|Hôpital|Hopital|Clinic|Clinique|Infirmary|Street|St|Road|Rd|Avenue|Square|School"
    r"|College|University|Université|Lycée|Collège|École|Centre|Center|House|Ward|Unit|Trust"
    r"|Foundation|Fondation|Institute|Institut|Hall|Park|Court|Building|Memorial|Day|Award|Prize"
    r"|Syndrome|Disease|Bridge|Lane|Way|Close|Gardens|Place|Church|Chapel|Elementary|Primary"
    r"|Infants|Juniors|Academy|Grammar|High|Comprehensive|Middle|Rovers|United|Athletic"
)
#: A first name and a capitalised surname (checked against the first-name list by ``rule_cues``).
FULL_NAME_RE = re.compile(
    # inside a lookahead, so that "Saw Margaret Ellis" is tried at "Margaret" too
    r"(?<![\w'@#-])(?=(([A-Z][a-zéèëïîçô]+(?:-[A-Z][a-zéèëïîçô]+)?)\s+((?:[A-Z]['’])?[A-Z]"
    r"[a-zéèëïîçô]+(?:-[A-Z][a-zéèëïîçô]+)?))(?![\w-])(?!\s+(?:" + _INSTITUTION_WORDS
    + r")(?![\w])))"
)  # fmt: skip

#: Titles before a name: a colleague, a public figure, not a patient.
TITLE_BEFORE_RE = re.compile(
    r"(?:dr|dre|docteure?|pr|prof|professeure?|ministre|président(?:e)?|député(?:e)?|sénateur"
    r"|sénatrice|maire|minister|secretary|president|mp|sir|dame|lord|lady|nurse|sister|cadre"
    r"|interne|confrère|consœur|collègue|colleague|@)\.?\s*$",
    _I,
)  # fmt: skip
#: An appositive that makes the name before it a colleague: "Sophie, notre cadre".
COLLEAGUE_AFTER_RE = re.compile(
    r"^(?:\s*(?:et|and|&)\s+[A-Z]\w+)?\s*,?\s*(?:notre|nos|our|my|mon|ma|mes)\s+"
    r"(?:\w+\s+)?(?:cadre|internes?|externes?|collègues?|confrères?|consœurs?|équipe|chef|ward"
    r"|sister|colleagues?|registrars?|consultants?|students?|étudiante?s?|infirmière?s?|nurses?"
    r"|team|trainees?|juniors?|residents?|fellows?|secrétaire|secretary|manager)",
    _I,
)  # fmt: skip


@functools.cache
def _gender_detector() -> Detector:
    return Detector(case_sensitive=False)


#: Words the first-name list also holds that are mostly something else in tweets.
_NOT_FIRST_NAMES = {m.capitalize() for m in _MONTHS + _DAYS} | {
    "Vu", "Just", "Ce", "Le", "La", "Un", "Une", "Man", "Gent", "Royal", "Long", "General",
    "Will", "Summer", "Autumn", "Grace", "Hope", "Faith", "Joy", "Sunny", "London", "Paris",
    "Kid", "Baby", "Teen", "Lady", "Saint", "St", "Mr", "Mrs", "Mme", "Dr", "Pr", "Guy", "Lad",
    "Young", "Little", "Bravo", "Merci", "Happy", "Great", "Good", "Best", "Big", "Major",
}  # fmt: skip


def is_first_name(word: str) -> bool:
    """Whether ``word`` is a first name in the ``gender-guesser`` list (words it also holds excluded).

    Parameters
    ----------
    word : str
        One word, any case.

    Returns
    -------
    bool
        True if it is a first name and not also a common word.

    Examples
    --------
    >>> is_first_name("Kylian"), is_first_name("Millau"), is_first_name("June")
    (True, False, False)
    """
    word = word.strip()
    if not word[:1].isupper() or word in _NOT_FIRST_NAMES:
        return False
    return _gender_detector().get_gender(word.split("-")[0]) != "unknown"


#: What may stand before a sentence's first word: its start, punctuation, an emoji, mentions.
_SENTENCE_START_RE = re.compile(
    r"(?:^|[.!?:;…]\s*|\n\s*|[\U0001F300-\U0001FAFF]\s*)(?:(?:RT\s+)?@\w+:?\s+)*$"
)


def _sentence_start(text: str, start: int) -> bool:
    """Whether ``text[start:]`` opens a sentence (its capital may not mean a name)."""
    return bool(_SENTENCE_START_RE.search(text[max(0, start - 40) : start]))


def _not_a_name_here(text: str, start: int, end: int) -> bool:
    """Return a title, a colleague's appositive, a mention or a disease next to ``text[start:end]``."""
    before, after = text[max(0, start - 25) : start], text[end : end + 60]
    return bool(
        TITLE_BEFORE_RE.search(before)
        or COLLEAGUE_AFTER_RE.match(after)
        or (start > 0 and text[start - 1] in "@#")
        or is_disease_name(text, start, end)
    )
