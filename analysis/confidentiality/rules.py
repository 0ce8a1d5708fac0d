"""The explainable rules: regular expressions that find cues in a tweet, and what each cue means.

Every rule is a pattern a reader can check by eye; :func:`rule_cues` returns the
matches as :class:`Cue` objects in reading order. The named-entity pass
(:mod:`analysis.confidentiality.entities`) adds people and places the patterns
miss; :mod:`analysis.confidentiality.check` combines both into a risk level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.confidentiality.community import (
    PUBLIC_CONTEXT_RE,
    ROLE_APPOSITION_RE,
    ROLES_EN,
    ROLES_FR,
    SCHOOL_OR_CLUB_NAME_RE,
    SCHOOL_YEAR_RE,
    STREET_RE,
    VILLAGE_RE,
)
from analysis.confidentiality.names import (
    _DAYS,
    _E,
    _I,
    _MONTHS,
    _NOT_FIRST_NAMES,
    _W,
    COLLEAGUE_AFTER_RE,
    FULL_NAME_RE,
    PERSON_RE,
    TITLE_INITIAL_RE,
    _by_first_letter,
    _not_a_name_here,
    _sentence_start,
    is_disease_name,
    is_first_name,
)
from analysis.confidentiality.shapes import (
    CARE_CONTEXT_RE,
    EVENT_TIME_RE,
    HEAD_OF_RE,
    HOSPITAL_RE,
    OWN_RELATIVE_RE,
    RECORD_NUMBER_RE,
    RECORDS_PHOTO_RE,
    WORKPLACE_RE,
)


@dataclass(frozen=True)
class Cue:
    """One piece of evidence: its kind, the words matched, where, and what found it.

    ``source`` is ``"rules"`` for a pattern of this module, ``"spacy"`` for the
    named-entity pass.
    """

    kind: str
    match: str
    start: int
    end: int
    source: str = "rules"


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
    "person": "a person's name",
    "school_or_employer": "a school, employer or job, which narrows who it is",
    "family": "a family link (her son, la femme du...), which points to a household",
    "learnt": "a word the learnt model weighs towards an identifiable patient (probability in the reason)",
}

# --- one person described ------------------------------------------------------------------

_PERSON_NOUNS_FR = (
    r"patiente?|malade|résidente?|parturiente|enfant|bébé|nourrisson|ado|adolescente?|monsieur"
    r"|dame|homme|femme|garçon|fille|papy|papi|mamie|mamy|gamine?|maman|papa|retraitée?"
    r"|grand-mère|grand-père|étudiante?|lycéenne?|collégienne?|sportive?|jeune|octogénaire"
    r"|nonagénaire|centenaire|quadragénaire|quinquagénaire|sexagénaire|septuagénaire"
    r"|veuve|veuf|nouveau-née?|sans-abri|sdf|mineure|agricultrice|agriculteur|ancien\s+combattant"
    r"|prématurée?|collégien|lycéen|écoli(?:er|ère)|apprentie?|orpheline?|handicapée?|migrante?"
    r"|bonhomme|gars|bambin|gosse|petiote?"
)
_PERSON_NOUNS_EN = (
    r"patient|pt|man|woman|lady|gentleman|gent|guy|lad|lass|bloke|chap|fella|boy|girl|child|kid"
    r"|baby|infant|toddler|teen|teenager|resident|mum|mom|dad|pensioner|grandmother|grandfather"
    r"|granny|grandad|grandpa|grandma|student|pupil|young\s+(?:man|woman|mum|dad|lad)"
    r"|new\s+mum|octogenarian|nonagenarian|centenarian|widow|widower|veteran|newborn|neonate"
    r"|homeless\s+(?:man|woman|person)|rough\s+sleeper|miner|farmer|builder|schoolboy|schoolgirl"
    r"|apprentice|preemie|orphan|asylum\s+seeker|refugee|care\s+leaver|youngster|little\s+one"
    r"|wee\s+one|granddad"
)
#: Up to two adjectives between the article and the noun: "une charmante vieille dame".
_ADJECTIVES_FR = (
    r"(?:(?:jeune|vieux|vieil|vieille|petite?|future?|charmante?|adorable|pauvre|gentil(?:le)?|très"
    r"|grande?|brave|jolie?|sacrée?|sympathique|souriante?|courageuse|courageux|ancien(?:ne)?)\s+){0,2}"
)
_ADJECTIVES_EN = (
    r"(?:(?:young|elderly|little|old|lovely|sweet|frail|tiny|wee|poor|brave|gorgeous|anxious"
    r"|charming|delightful|retired|local|middle-aged|pregnant|new|very|lively|cheerful|grumpy"
    r"|confused|teenage|older|younger|oldest|youngest|favourite|favorite|last|first)\s+){0,2}"
)
#: One patient (singular), in French or English. "ma fille", "mon fils" are the author's own.
PATIENT_RE = re.compile(
    _W + r"(?:"
    r"(?:un|une|le|la|ce|cette|cet)\s+" + _ADJECTIVES_FR + r"(?:" + _PERSON_NOUNS_FR + r")"
    r"|(?:mon|ma|notre)\s+(?:petite?\s+|vieux\s+|vieille\s+)?"
    r"(?:patiente?|malade|résidente?|parturiente|monsieur|dame|papy|papi|mamie|mamy)"
    r"|(?:my|our|a|an|the|this|that)\s+" + _ADJECTIVES_EN + r"(?:" + _PERSON_NOUNS_EN + r")"
    r"|baby\s+(?:girl|boy)|teen\s+(?:boy|girl)|the\s+little\s+one"
    r"|(?:le|la|un|une)\s+petite?(?=\s+(?:de|du|des)\s|\s+d')"  # "le petit de CM2"
    r"|the\s+[\w-]+'s\s+(?:wife|husband|son|daughter|mum|dad|mother|father|baby|kid|widow)"
    r"|(?:an?|one|the|this|that|our|my)\s+\d{1,3}[\s-]?(?:yo|y/o|year-old|yr-old|month-old|week-old)"
    r"|(?:un|une)\s+(?:patiente?\s+)?(?:de\s+)?\d{1,3}\s?(?:ans|mois)"
    r"|\d{1,3}\s?(?:yo|y/o|-year-old|yr-old)\s+(?:man|woman|male|female|boy|girl|lady|gent|guy"
    r"|lad|teen|child|kid|baby|infant|toddler)"
    r")(?![\w-])"  # not "patient-centred"
    # a bare noun opening a clause, then the age: "Woman, 35", "Kid, 9", "Homme de 60 ans"
    r"|(?:^|(?<=[.:;!?#]\s))(?:woman|man|boy|girl|kid|teen|lady|gent|homme|femme|garçon|fille"
    r"|dame|monsieur|ado|gamine?|teenager|toddler|child|baby|patient|patiente|enfant|bébé"
    r"|(?:newborn\s+)?(?:twins|triplets)|newborn|neonate|nouveau-née?|(?:des\s+)?jumeaux|jumelles)"
    r"(?=,?\s+(?:de\s+)?\d{1,3}(?![\w])|\s+(?:from|of|in|at|with|avec|de|du|à)\s"
    r"|\s+(?:née?s?|born|delivered|admise?s?|admitted|opérée?s?|operated|hospitalisée?s?"
    r"|transférée?s?|transferred|intubée?s?|intubated|réanimée?s?|resuscitated)(?![\w]))",
    _I,
)  # fmt: skip
#: Clinical shorthand for one patient's age and sex: 45M, 45 yo F, F45, H 72 (case-sensitive).
COMPACT_RE = re.compile(_W + r"(?:\d{1,3}\s?(?:yo|y/o|ans|a)?\s?[MFH]|[MFH]\s?\d{1,3})" + _E)
AGE_RE = re.compile(
    _W + r"(?:\d{1,3}\s?(?:ans|an|mois|semaines|jours|yo|y/o|-?year-old|years?\s+old|yrs?"
    r"|months?\s+old|-month-old|week-old)"
    r"|(?:âgée?\s+de|aged|turned|just\s+turned|fête\s+ses|a\s+fêté\s+ses|vient\s+d'avoir)\s+\d{1,3}"
    r"|in\s+(?:his|her|their)\s+(?:early\s+|mid\s+|mid-|late\s+)?(?:\d0s|twenties|thirties"
    r"|forties|fifties|sixties|seventies|eighties|nineties)"
    r"|(?:quadra|quinqua|sexa|septua|octo|nona)génaire|centenaire|centenarian|nonagenarian"
    r"|octogenarian|(?:la\s+)?(?:quarantaine|cinquantaine|soixantaine|septantaine))" + _E
    + r"(?!\s+(?:d'expérience|of\s+experience|de\s+carrière|d'exercice|in\s+practice"
    r"|de\s+métier|d'études|de\s+formation|since|depuis|ago))",
    _I,
)  # fmt: skip
#: A bare number after a person noun or a first name: "Woman, 35,", "Oliver, 5,", "gent, 94".
AGE_AFTER_PERSON_RE = re.compile(
    r"(?:(?i:woman|man|boy|girl|kid|teen|lady|gent|lad|baby|homme|femme|garçon|fille|gamine?"
    r"|papy|mamie|miner|builder|farmer|pensioner|widow|widower|veteran|retraitée?|mineur"
    r"|agriculteur|agricultrice|veuve|veuf)"
    r"|[A-Z][a-zéèëïîç]+(?:\s+(?i:today|yesterday|tonight|ce\s+matin|hier|aujourd'hui))?"
    r"|(?i:one\s+of\s+(?:our|my)\s+(?:own\s+)?[\w-]+))"
    r",\s*(\d{1,3})(?=\s*[,)]|\s+(?i:ans|yo|y/o)" + _E + ")"
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
    r"|man|woman|lady|gentleman|gent|lad|male|female|boy|girl|mr|mrs|ms)" + _E
    + r"(?!\.?\s+(?:la|le|l')\s*(?:ministre|maire|présidente?|directrice|directeur|députée?))",
    _I,
)  # fmt: skip

# --- when and where --------------------------------------------------------------------------

DATE_RE = re.compile(
    _W + r"(?:ce\s+matin|cet\s+après-midi|cet\s+aprem|ce\s+soir|cette\s+nuit|hier(?:\s+soir)?"
    r"|avant-hier|aujourd'hui|tout\s+à\s+l'heure|cette\s+garde|en\s+garde|lors\s+de\s+ma\s+garde"
    r"|this\s+morning|this\s+afternoon|this\s+evening|tonight|last\s+night|yesterday|today"
    r"|on\s+call\s+tonight|on\s+my\s+shift|during\s+my\s+shift|last\s+week(?:end)?|this\s+week(?:end)?"
    r"|la\s+semaine\s+dernière|cette\s+semaine|ce\s+week-end|le\s+week-end\s+dernier"
    r"|le\s+mois\s+dernier|last\s+month|ce\s+mois-ci|this\s+month|en\s+ce\s+moment|right\s+now"
    r"|as\s+we\s+speak|à\s+l'instant|just\s+now|en\s+pleine\s+nuit|au\s+petit\s+matin|ce\s+midi"
    r"|à\s+midi|à\s+minuit|à\s+l'aube|overnight|at\s+midnight|(?:at|this)\s+lunchtime"
    r"|(?:over|at)\s+the\s+weekend|\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)|(?:le\s+)?(?:jour|soir|nuit)\s+de\s+(?:noël|l'an)"
    r"|christmas\s+(?:day|eve)|new\s+year's\s+(?:day|eve)|boxing\s+day|la\s+saint-sylvestre"
    r"|(?:on|since|last|after|before)\s+(?:" + "|".join(_DAYS[7:]) + r")"
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
    "Santé", "Health", "Médecine", "Medicine", "Dieu", "God", "Year", "Little", "Upper",
    # regions and nations: too wide to narrow who a person is
    "Bretagne", "Normandie", "Alsace", "Lorraine", "Provence", "Occitanie", "Auvergne",
    "Bourgogne", "Aquitaine", "Nouvelle-Aquitaine", "Champagne", "Picardie", "Savoie",
    "Île-de-France", "Hauts-de-France", "Grand", "Grand Est", "Pays", "Pays de la Loire",
    "Centre-Val de Loire", "Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté",
    "Provence-Alpes-Côte d'Azur", "Midi", "England", "Scotland", "Wales", "Ireland",
    "Northern Ireland", "Britain", "Great Britain", "Afrique", "Africa",
}  # fmt: skip
#: A small place without its name: "from our village", "du village", "de ma ville (Belvezet)".
LOCAL_PLACE_RE = re.compile(
    _W + r"(?:(?:from|in|of)\s+(?:our|my|the|a)\s+(?:little\s+|small\s+|tiny\s+|local\s+|home\s+)?"
    r"(?:village|hamlet|town|hometown)|(?:de|du|dans)\s+(?:notre|mon|ma|ce|cette|le|un)\s+"
    r"(?:petite?\s+)?(?:village|hameau|bourg|quartier|ville|commune|bled|patelin)"
    r"|du\s+(?:village|hameau|bourg|quartier|coin))" + _E
    + r"(?:\s*\((?-i:[A-ZÉ])[\w'’ -]+\))?",
    _I,
)  # fmt: skip
PLACE_RE = re.compile(
    _W + r"(?:à|a|au|aux|près\s+de|pres\s+de|de|du|sur|in|at|near|from|outside)\s+"
    r"(?:l'|la\s+|le\s+)?((?:Saint-|St-|Ste-|St\.?\s|Saint\s|Le\s+|La\s+)?[A-ZÉÈÂÎ][a-zéèàâêîôûçë]+(?:-[A-ZÉ][a-zéèàâêîôûç]+)*)"
    + _E,
)  # fmt: skip
WARD_RE = re.compile(
    _W + r"(?:service\s+(?:de\s+|d')\w+|(?:dans|en)\s+(?:notre|mon)\s+(?:service|unité|maternité"
    r"|réa|bloc|ehpad)"
    r"|(?:on|in|to)\s+(?:our|my)\s+(?:ward|unit)|(?:on|to)\s+the\s+[\w-]+\s+(?:ward|unit)|en\s+réa|en\s+rea|aux\s+urgences|en\s+maternité"
    r"|à\s+la\s+maternité|en\s+pédiatrie|en\s+gériatrie|en\s+soins\s+palliatifs|en\s+usc|en\s+usi"
    r"|en\s+(?:cardio|cardiologie|néonat|néonatologie|psychiatrie|psy|onco|oncologie|neuro"
    r"|neurologie|chirurgie|ortho|orthopédie|obstétrique|salle\s+de\s+naissance|ssr|usld|hdj"
    r"|médecine\s+interne|pneumo|pneumologie|hémato|hématologie|néphro|néphrologie|uhcd|ehpad)"
    r"|au\s+bloc|en\s+salle\s+de\s+réveil|(?:à|de)\s+l'(?:ehpad|hôpital|hopital)\s+(?:de\s+|d')?\w+"
    r"|à\s+la\s+clinique\s+\w+|in\s+theatre|in\s+majors|in\s+recovery|at\s+the\s+hospice"
    r"|in\s+the\s+care\s+home|(?:on|to)\s+the\s+(?:stroke|cardiac|renal|surgical|medical"
    r"|respiratory|acute|elderly\s+care|oncology|orthopaedic|maternity|labour|psych)\s+(?:unit|ward)"
    r"|(?:chambre|lit|box|salle|bed|room|bay|bed\s+space|cubicle)\s+(?:n°\s?)?\d+[a-z]?"
    r"|(?:unité|ward|pavillon|bâtiment)\s+(?-i:[A-Z0-9]\w*)|(?:in|on|to)\s+(?:the\s+|our\s+)?(?:icu|nicu|picu|ccu"
    r"|a&e|ed|resus|majors|the\s+ward|children's\s+ward|maternity\s+ward)"
    r"|(?:au|du)\s+CHU\s+(?:de\s+|d')\w+" + r")" + _E,
    _I,
)  # fmt: skip
ROOM_RE = re.compile(_W + r"(?:chambre|lit|box|bed|room|bay|cubicle)\s+(?:n°\s?)?\d+", _I)

# --- what narrows who it is ------------------------------------------------------------------

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
    "syndrome de williams", "williams syndrome", "maladie de niemann-pick", "niemann-pick",
    "tay-sachs", "syndrome de dravet", "dravet syndrome", "syndrome d'angelman",
    "angelman syndrome", "amyotrophie spinale", "spinal muscular atrophy", "xeroderma",
    "fibrodysplasie", "fibrodysplasia", "ichtyose arlequin", "harlequin ichthyosis",
    "syndrome de moebius", "moebius syndrome", "lesch-nyhan", "mastocytose", "mastocytosis",
    "acromégalie", "acromegaly", "syndrome de treacher collins", "treacher collins",
    "maladie rare", "rare disease", "syndrome rarissime", "très rare", "very rare",
)  # fmt: skip
RARE_RE = re.compile(
    _W + "(?:" + _by_first_letter("|".join(re.escape(c) for c in RARE_CONDITIONS)) + ")"
    r"|" + _W + r"(?:maladie|tumeur|syndrome|cancer|forme|pathologie|condition|disease|tumou?r"
    r"|cancer|syndrome|disorder)\s+(?:(?:très|extrêmement|very|extremely|super)\s+)?"
    r"(?:rare|orpheline|rarissime)" + _E
    + r"|only\s+\d+\s+(?:people|children|cases)\s+in\s+the\s+(?:world|country|uk)"
    # rarity said by the author: "only my second ever case", "premier cas de ma carrière"
    r"|(?:first|second|third|2nd|3rd)\s+(?:ever\s+case|case\s+(?:in|of)\s+my\s+career)"
    r"|once\s+in\s+a\s+career|(?:premier|deuxième|second|troisième)\s+cas\s+(?:de\s+ma\s+carrière"
    r"|en\s+\d+\s+ans)|jamais\s+vu\s+(?:ça|ca|un\s+cas)\s+en\s+\d+\s+ans"
    r"|never\s+seen\s+(?:one|this|a\s+case)\s+in\s+\d+\s+years"
    # a double-barrelled eponym: "Erdheim-Chester disease", "syndrome de Stevens-Johnson"
    r"|(?<![\w-])(?!(?:Osgood-Schlatter|Mallory-Weiss|Henoch-Sch[oö]nlein|Epstein-Barr)\b)"
    r"(?-i:[A-Z][a-zéèäöü]+-[A-Z][a-zéèäöü]+)(?:'s)?\s+(?:disease|syndrome)"
    r"|(?:maladie|syndrome)\s+(?:de\s+|d')(?!(?:Osgood-Schlatter|Mallory-Weiss"
    r"|Henoch-Sch[oö]nlein)\b)(?-i:[A-Z][a-zéèäöü]+-[A-Z][a-zéèäöü]+)"
    r"|\d+\s+cas\s+(?:au\s+monde|en\s+france|décrits)",
    _I,
)  # fmt: skip
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
_JOBS_FR = (
    r"institutrice|instituteur|prof(?:esseure?)?\s+(?:de|d')\s*\w+|enseignante?|caissière|caissier"
    r"|boulangère?|boucher|bouchère|pharmacienne?|maire|curé|pompier|gendarme|policière?"
    r"|agricultrice|agriculteur|aide-soignante?|garde\s+forestière?|footballeur|rugbyman"
    r"|(?:ancien(?:ne)?\s+)?champion(?:ne)?\s+de\s+\w+|chauffeur|facteur|factrice|coiffeuse"
    r"|coiffeur|serveuse|serveur|ouvrière?|notaire|vétérinaire|kiné|directrice|directeur"
    r"|patronne?|gérante?|commerçante?|épicière?|buraliste|conseillère?\s+municipale?|député"
    r"|sénateur|joueuse|joueur"
)
_JOBS_EN = (
    r"teacher|head\s+teacher|headteacher|councillor|vicar|priest|footballer|park\s+ranger"
    r"|postman|postwoman|farmer|landlord|landlady|shopkeeper|butcher|baker|mayor|firefighter"
    r"|police\s+officer|lorry\s+driver|bus\s+driver|hairdresser|barmaid|barman|nurse|midwife"
    r"|student|pupil|apprentice|solicitor|vet|headmaster|headmistress|captain|player"
)
SCHOOL_OR_EMPLOYER_RE = re.compile(
    _W + r"(?:"
    # a school or a workplace
    r"(?:élève|scolarisée?|étudiante?|lycéen(?:ne)?|collégien(?:ne)?|écolière?|interne)"
    r"\s+(?:au|à\s+l'|à\s+la|à|en|de\s+l'|du|de\s+la)\s*\w+"
    r"|(?:au|à\s+l'|du|de\s+l'|en|à\s+la)\s*(?:lycée|collège|école|crèche|fac|faculté|université"
    r"|iut|prépa|maternelle|usine|entreprise|mairie|caserne|gendarmerie|poste|banque|club"
    r"|supermarché|magasin)" + _E + r"(?:\s+(?:de|du|d')?\s*[\w'-]+)?"
    r"|(?:travaille|bosse|employée?|salariée?|embauchée?)\s+(?:chez|à|au|dans|comme|à\s+la)\s+\w+"
    r"|(?:joue|jouait)\s+au\s+(?:club|foot|rugby|hand|basket)\w*"
    r"|(?:pupil|student|teacher|works|worked|working|employed|apprentice|nurse|plays)\s+(?:at|for)"
    r"\s+(?:the\s+)?[\w'-]+"
    r"|(?:at|from|the\s+local|the|(?-i:[A-Z][\w'-]+))\s+(?:primary\s+|secondary\s+|high\s+)?"
    r"(?:school|uni|university|college|academy|nursery|plant|factory|chip\s+shop|shop|pub"
    r"|garage|farm)" + _E
    # a job, singular: "le boulanger de", "institutrice à", "a park ranger"
    + r"|(?:le|la|l'|un|une|the|a|an|as\s+an?|comme)\s*(?:"
    + _by_first_letter(_JOBS_FR + r"|" + _JOBS_EN + r"|" + ROLES_FR + r"|" + ROLES_EN) + r")" + _E
    + r"|(?:" + _JOBS_FR + r")\s+(?:à|au|de|du|chez)\s+(?:l'|la\s+)?[A-ZÉ\w]"
    r")",
    _I,
)  # fmt: skip
FAMILY_RE = re.compile(
    _W + r"(?:"
    r"(?:sa|son|ses|leur|leurs)\s+(?:(?:petite?|grande?|jeune|vieille|vieux)[\s-])?"
    r"(?:fille|fils|mère|père|maman|papa|mari|femme|épouse|époux|compagne?|conjointe?|sœur|soeur"
    r"|frère|petite?-fille|petit-fils|petits-enfants|grand-mère|grand-père|enfants?|parents"
    r"|belle-fille|gendre|nièce|neveu|oncle|tante|cousine?|jumeaux|jumelle|jumeau|famille|bébé)"
    r"|(?:la|le|l')\s*(?:femme|fille|fils|mère|père|épouse|mari|famille|frère|sœur|soeur|veuve"
    r"|bébé|maman|nièce|neveu|cousine?|petite?-fille|petit-fils|belle-mère|beau-père|belle-fille"
    r"|gendre|beau-frère|belle-sœur|compagne|compagnon|grand-mère|grand-père)"
    r"\s+(?:du|de\s+la|de\s+l'|de|d')(?!\s*(?:\d|famille|ménage))\s*\w+"
    r"|(?:la\s+)?famille\s+[A-Z]\w+|(?:mère|père|maman|papa)\s+de\s+(?:\d|deux|trois|quatre)"
    r"|(?:his|her|their)\s+(?:(?:little|older|younger|big|baby)\s+)?"
    r"(?:wife|husband|son|daughter|mum|mom|dad|mother|father|family|partner|twin|twins"
    r"|grandson|granddaughter|grandmother|grandfather|sister|brother|kids|children|parents"
    r"|fourth|third|baby)"
    r"|married\s+to|(?:wife|husband|son|daughter|mother|father|widow|niece|nephew|grandson"
    r"|granddaughter|sister|brother)\s+of"
    r"|the\s+[\w-]+'s\s+(?:wife|husband|son|daughter|mum|dad|mother|father|family|kid|baby"
    r"|niece|nephew|grandson|granddaughter|sister|brother|partner|widow)"
    r"|(?:mum|dad|mother|father)\s+(?:is|of)\s+\w+"
    r"|the\s+[A-Z]\w+\s+family"
    r")" + _E,
    _I,
)  # fmt: skip
#: The words of a care situation, as one regex alternation (grouped by first letter when compiled).
_CARE_WORDS = (
    r"vue?s?|revue?s?|examinée?|opérée?|hospitalisée?|admise?|amenée?|adressée?|accouchée?"
    r"|accouchement|née?|naissance|diagnostiquée?|diagnostic|suivie?\s+(?:pour|au|à|en)|soignée?"
    r"|intubée?|consultation|consulte|urgences|réa|chimio|perfusion|traitement|fracture|cancer"
    r"|tumeur|méningite|diabétique|diabète|avc|infarctus|arrêt\s+cardiaque|overdose|imv|morsure"
    r"|brûlures?|piquée?|atteinte?|tombée?|chute|malade|visite\s+à\s+domicile|garde|enceinte|grossesse|décédée?"
    r"|décès|réanimée?|intoxication|intoxiquée?|je\s+(?:la|le|l')\s*suivais|que\s+je\s+suivais"
    r"|renouvellement|resuscitated|poisoning|chimiothérapie|radiothérapie|chemotherapy"
    r"|radiotherapy|réanimation|transfusée?|perfusée?|intubated|ventilated|sedated|sectioned"
    r"|amputée?|amputation|amputated|hospitalised|hospitalized|crise\s+cardiaque|heart\s+attack"
    r"|cardiac\s+arrest|ambulance|paramedics|fin\s+de\s+vie|end\s+of\s+life|palliatifs"
    r"|hospice|suturée?|plâtrée?|opérée?s|i\s+(?:had\s+)?looked\s+after"
    r"|saw|seen|admitted|brought\s+in|came\s+in|came\s+to|clinic|delivered|born|diagnosed"
    r"|treated|operated|resus|a&e|ed|ward|picu|nicu|icu|home\s+visit|insulin|rash|crisis|burns"
    r"|tear|pregnant|antenatal|meningitis|overdose|fell|fall|stroke|cancer|chemo|case|surgery"
    r"|consultait|rdv|rendez-vous|appointment|examen|scanner|irm|scan|mri|x-ray|radio|biopsie"
    r"|biopsy|points\s+de\s+suture|stitches|plâtre|dialyse|dialysis|greffe|greffée?|transplant"
    r"|bilan|sortie|discharged|died|passed\s+away|palliatif|palliative|démence|dementia|psychose"
    r"|psychosis|dépression|depression|suicide|ts|ivg|abortion|miscarriage|fausse\s+couche|vih"
    r"|hiv|sida|hépatite|hepatitis|infection|pneumonie|pneumonia|covid|sepsis|asthme|asthma"
    r"|crise|seizure|convulsions?|épilepsie|epilepsy|bronchiolite|gastro|hospitalisation"
    r"|opération|injury|blessée?|blessure|plaie|wound|accident|trauma|ordonnance|prescription"
    r"|douleurs?|pain|symptômes?|symptoms?|hospital|hôpital|hopital|clinique|chu|ehpad|care\s+home"
    r"|sutured|cast|fracture[ds]?|broken|labour|travail|césarienne|c-section|vaccinée?|jab"
    # an event happening to someone, of the kinds above, in words no labelled tweet holds
    r"|pass(?:é|ée|er|e|ait)\s+aux\s+urgences|(?:est|sont)\s+chez\s+nous|is\s+with\s+us"
    r"|chez\s+nous\s+depuis|(?:chest|back|abdominal|tummy)\s+pain|in\s+pain|en\s+travail"
    r"|accouche|accouchent|accoucher|brûlée?s?|burned|burnt|pontage|stent|angioplastie"
    r"|angioplasty|bypass|appendicite|appendicitis|appendicectomie|appendicectomy|burn-out"
    r"|burnout|leucémie|leukaemia|leukemia|lymphome|lymphoma|treatment|traitée?|entorse"
    r"|sprain|sprained|luxation|dislocated|dislocation|concussion|commotion\s+cérébrale|coma"
    r"|noyade|drowning|drowned|hypothermie|hypothermia|anaphylaxie|anaphylaxis|anaphylactic"
    r"|(?:réaction|choc)\s+(?:allergique|anaphylactique)|allergic\s+reaction|mordue?|bitten"
    r"|(?:dog|cat|snake|horse|insect|spider|tick)\s+bite|s'est\s+cassée?|broke\s+(?:his|her|their)"
    r"|s'est\s+faite?\s+(?:mordre|renverser|percuter|piquer|agresser)|knocked\s+down|run\s+over"
    r"|hit\s+by\s+a\s+(?:car|van|lorry|bus)|(?:est\s+)?(?:passée?|venue?)\s+(?:me|nous)\s+voir"
    r"|came\s+to\s+see\s+(?:me|us)|brought\s+(?:him|her|them)\s+in|popped\s+in|dropped\s+in|consultée?|téléconsultation"
    r"|(?:au|à\s+mon|à\s+notre)\s+cabinet|at\s+(?:the|my|our)\s+(?:practice|surgery)"
    r"|fait\s+un\s+malaise|fainted|collapsed|syncope|sous\s+oxygène|on\s+oxygen"
    r"|(?:gardée?|mise?)\s+en\s+observation|under\s+observation|kept\s+in(?!\s+mind)|recousue?"
    r"|stitched|rupture\s+(?:du|de\s+la|des|d'un|d'une)\s+(?:lca|ligament|tendon|rate"
    r"|anévrisme|membranes|poche)|transportée?\s+(?:à|aux|au)|rushed\s+to|taken\s+to\s+hospital"
)  # fmt: skip
CLINICAL_RE = re.compile(_W + "(?:" + _by_first_letter(_CARE_WORDS) + ")" + _E, _I)
#: Care words that name a setting, a service or a document rather than something happening to a
#: person: "le maire a inauguré le service des urgences", "la pharmacienne de garde".
_CARE_SETTINGS = frozenset(
    "garde urgences réa hospital hôpital hopital clinique clinic chu ehpad ward icu picu nicu a&e "
    "ed resus case bilan rdv rendez-vous appointment hospice travail crise crisis sortie radio "
    "examen cast ordonnance prescription vaccinée vacciné jab vue vu vus vues revu revue revus "
    "revues saw seen pain".split()
) | {"care home", "au cabinet", "à mon cabinet", "à notre cabinet", "téléconsultation"}
_CARE_SETTINGS |= {f"at {w} {p}" for w in ("the", "my", "our") for p in ("practice", "surgery")}


def care_event(text: str) -> bool:
    """Return whether ``text`` says something happened to someone in care (not only where care is).

    A care word of :data:`CLINICAL_RE` that is not a setting ("urgences",
    "ward", "garde", "clinic"...): admitted, operated, "came in", a burn, a
    bypass. A role ("le curé", "the postman") describes a patient only then.

    Parameters
    ----------
    text : str
        A tweet's text.

    Returns
    -------
    bool
        True if a care event is named.

    Examples
    --------
    >>> care_event("Le maire a inauguré le service des urgences"), care_event("Le curé, opéré hier")
    (False, True)
    """
    return any(
        " ".join(m.group().lower().split()) not in _CARE_SETTINGS
        for m in CLINICAL_RE.finditer(text)
    )


_SUPERLATIVE_RE = re.compile(
    _W + r"(?:le\s+seul|la\s+seule|the\s+only|the\s+oldest|the\s+youngest|le\s+plus\s+âgé"
    r"|la\s+plus\s+âgée|doyenne?)" + _E,
    _I,
)  # fmt: skip


#: A preposition of place just before a capitalised pair: "GP in Fenwick Magna" is a place.
_PLACE_BEFORE_RE = re.compile(r"(?<![\w])(?:in|near|outside|à|près\s+de)\s+$", _I)
#: English village prefixes: "Little Wetherby" is a place, "Little Ellie" is a child.
_VILLAGE_PREFIX_RE = re.compile(
    r"(?:Little|Upper|Lower|Great|Much|Nether|Market|Chipping|Steeple|Bishops|Kings|Castle)\s+"
)


def _is_village(text: str, m: re.Match) -> bool:
    """Return whether a :data:`VILLAGE_RE` match is a place: not a region, disease or first name."""
    name = m.group()
    prefix = _VILLAGE_PREFIX_RE.match(name)
    if prefix and is_first_name(name[prefix.end() :].split()[0]):
        return False
    return name not in _NOT_PLACES and not is_disease_name(text, m.start(), m.end())


_DIGIT_RE = re.compile(r"\d")


def rule_cues(text: str) -> list[Cue]:
    """Every cue the patterns match in ``text``, in reading order (no named-entity pass).

    Parameters
    ----------
    text : str
        A tweet's text.

    Returns
    -------
    list of Cue
        The cues, merged, in reading order.

    Examples
    --------
    >>> [c.kind for c in rule_cues("Mon patient de 45 ans vu ce matin à Dijon")]
    ['patient', 'age', 'date', 'place']
    >>> [(c.kind, c.match) for c in rule_cues("Le petit Lucas, 6 ans, et sa mère")]
    [('person', 'Lucas'), ('age', '6 ans'), ('family', 'sa mère')]
    """
    cues: list[Cue] = []

    def add(kind: str, rx: re.Pattern, group: int = 0, keep=lambda m: True) -> None:
        """Append a cue of ``kind`` for every match of ``rx`` in the text that ``keep`` accepts.

        Parameters
        ----------
        kind : str
            The cue kind, e.g. ``"age"``, ``"place"``.
        rx : re.Pattern
            The pattern to run over the text.
        group : int, default 0
            The match group taken as the cue's words and span.
        keep : Callable, optional
            Test of each match; by default every match is kept.
        """
        for m in rx.finditer(text):
            if m.group(group) and keep(m):
                cues.append(Cue(kind, m.group(group), m.start(group), m.end(group)))

    digits = _DIGIT_RE.search(text) is not None  # ages, ranges and compact forms all need one
    generic = [m.span() for rx in _GENERIC_AGE_RES if digits for m in rx.finditer(text)]

    def not_generic(m: re.Match) -> bool:
        """Return whether a match lies outside the generic age phrases ("patients de plus de 65 ans").

        Parameters
        ----------
        m : re.Match
            A match in the text.

        Returns
        -------
        bool
            True if the match does not start inside a generic age phrase.
        """
        return not any(s <= m.start() < e for s, e in generic)

    add("patient", PATIENT_RE, keep=not_generic)
    for kind in ("patient", "age", "sex"):
        if digits:
            add(kind, COMPACT_RE)
    add("age", AGE_RE, keep=not_generic)
    if digits:
        add("age", AGE_AFTER_PERSON_RE, group=1)
    add("sex", SEX_RE, keep=not_generic)
    add("date", DATE_RE)
    add("date", EVENT_TIME_RE)  # "le soir du loto", "the day after the Harnby Show"
    add(
        "place",
        PLACE_RE,
        group=1,
        keep=lambda m: (
            m.group(1) not in _NOT_PLACES
            and not is_disease_name(text, m.start(1), m.end(1))
            and not COLLEAGUE_AFTER_RE.match(text[m.end(1) : m.end(1) + 60])
        ),
    )  # "à Sophie, notre..."
    add("place", LOCAL_PLACE_RE)
    add("place", VILLAGE_RE, keep=lambda m: _is_village(text, m))
    add("place", STREET_RE)
    add("ward", WARD_RE)
    add("ward", HOSPITAL_RE)  # a named hospital or an acute unit, by its shape
    add("rare", RARE_RE)
    add("photo", PHOTO_RE)
    add("photo", RECORDS_PHOTO_RE)
    add("identifier", IDENTIFIER_RE)
    if digits:
        add("identifier", RECORD_NUMBER_RE)  # a record number or birth date, by its shape
    for rx in (SCHOOL_OR_EMPLOYER_RE, SCHOOL_YEAR_RE, SCHOOL_OR_CLUB_NAME_RE, ROLE_APPOSITION_RE,
               HEAD_OF_RE, WORKPLACE_RE):  # fmt: skip
        add("school_or_employer", rx)
    add("family", FAMILY_RE)
    add("family", OWN_RELATIVE_RE)  # the author's own relative, not their child
    for m in FULL_NAME_RE.finditer(text):
        first, last = m.group(2), m.group(3)
        if (is_first_name(first) and last not in _NOT_PLACES and last not in _NOT_FIRST_NAMES
                and not _sentence_start(text, m.start(1)) and not _not_a_name_here(
                    text, m.start(1), m.end(1))
                and not _PLACE_BEFORE_RE.search(text, 0, m.start(1))):  # fmt: skip
            cues.append(Cue("person", m.group(1), m.start(1), m.end(1)))
    # a colleague with an initial is a person here only when they are the one in care
    add("person", TITLE_INITIAL_RE, keep=lambda m: (
        (care_event(text) or CARE_CONTEXT_RE.search(text)) and not PUBLIC_CONTEXT_RE.search(text)))  # fmt: skip
    for m in PERSON_RE.finditer(text):  # one group matched: which neighbour made it a name
        g = m.lastindex or 0
        if g and is_first_name(m.group(g).split()[0]) and not _not_a_name_here(
                text, m.start(g), m.end(g)):  # fmt: skip
            cues.append(Cue("person", m.group(g), m.start(g), m.end(g)))
    return merge_cues(cues)


def merge_cues(cues: list[Cue]) -> list[Cue]:
    """Cues in reading order, one per span: a longer match of the same kind covering one wins.

    Parameters
    ----------
    cues : list of Cue
        Cues of one text, from any source.

    Returns
    -------
    list of Cue
        The cues kept, sorted by position.

    Examples
    --------
    >>> merge_cues([Cue("place", "Lyon", 3, 7), Cue("place", "Lyon", 3, 7, "spacy")])
    [Cue(kind='place', match='Lyon', start=3, end=7, source='rules')]
    """
    out: list[Cue] = []
    for c in sorted(cues, key=lambda c: (c.start, -c.end, c.kind, c.source != "rules")):
        if any(o.kind == c.kind and o.start <= c.start and c.end <= o.end for o in out):
            continue
        out.append(c)
    return out
