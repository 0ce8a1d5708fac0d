"""The cues the account classifier looks for, French and English, with their weights.

Every pattern is a regular expression on *folded* text (lower case, accents
removed: see :func:`analysis.accounts.names.fold`), so ``Infirmière`` and
``INFIRMIERE`` match ``infirmiere``. A cue has a kind (``title``,
``profession``, ``specialty``, ``emoji``, ``hashtag``, ``institution``...),
the role it points to and a weight: 4 for words that are only said by the role
itself (``interne``, ``sage-femme``), 3 for a profession or specialty, 2 for a
title (``Dr``), 1 for a hint (an emoji, a hashtag).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Cue:
    """One cue: a folded-text pattern pointing to a role, with a weight and a kind."""

    kind: str
    role: str
    pattern: re.Pattern
    weight: float


def _cues(kind: str, role: str, weight: float, *patterns: str) -> list[Cue]:
    return [Cue(kind, role, re.compile(p), weight) for p in patterns]


_B = r"(?<![\w-])"  # a word start that is not inside a hyphenated word
_E = r"(?![\w-])"

ROLE_CUES: list[Cue] = [
    # -- interns, residents, medical students (said only by them: weight 4, beats "medecine")
    *_cues(
        "profession",
        "intern",
        4,
        _B + r"internes? (en|de|d'|des) ",
        _B + r"(?<!medecine )interne" + _E,
        _B + r"externe" + _E,
        r"etudiant(e)?s? en (medecine|pharmacie|maieutique|odontologie|soins infirmiers)",
        r"carabin(e)?" + _E,
        _B + r"docteur junior",
        _B + r"(dfasm|dfgsm)\d?",
        r"\b(d[1-6]|p2|m1)\)",
        _B + r"med(ical)? ?student",
        _B + r"junior doctor",
        _B + r"fy[12]" + _E,
        _B + r"(resident|residente|registrar|intern|sho)" + _E,
        r"\bresidency\b",
        r"future (doc|doctor|medecin)",
    ),
    # -- physicians: titles, professions, specialties
    *_cues(
        "title",
        "physician",
        2,
        _B + r"dr\.?" + _E,
        _B + r"docteure?" + _E + r"(?! en )",  # "docteur en pharmacie" is not a physician
        _B + r"doctor" + _E + r"(?! of )",  # nor is a "doctor of philosophy"
        _B + r"pr\.?" + _E,
        _B + r"professeure?" + _E,
    ),
    *_cues(
        "title",
        "physician",
        3,
        _B + r"md" + _E,
        _B + r"ph" + _E,
        _B + r"pu-?ph" + _E,
        _B + r"mcu-?ph" + _E,
        _B + r"cca" + _E,
        r"chef(fe)? de clinique",
        r"praticien(ne)? hospitalier",
        _B + r"frcp" + _E,
        _B + r"mbbs" + _E,
        _B + r"mrcgp" + _E,
    ),
    *_cues(
        "profession",
        "physician",
        3,
        _B + r"medecins?" + _E,
        r"medecine generale",
        _B + r"generaliste" + _E,
        _B + r"mg" + _E + r"(?! ?@)",
        r"medecin de famille",
        _B + r"urgentiste" + _E,
        _B + r"physician" + _E,
        _B + r"gp" + _E,
        r"general practitioner",
        r"family doctor",
        r"emergency medicine",
        _B + r"consultant (in )?\w+(ist|ician|surgeon)",
        _B + r"(attending|hospitalist)" + _E,
    ),
    *_cues(
        "specialty",
        "physician",
        3,
        r"\b(cardio|pneumo|gastro-?entero|dermato|rhumato|neuro|nephro|endocrino|gyneco|"
        r"ophtalmo|onco|hemato|radio|anatomopatho|stomato|uro|allergo|addicto|infectio|"
        r"diabeto|geronto|immuno)logue\b",
        r"\b(pediatre|psychiatre|geriatre|anesthesiste(-reanimateur)?|reanimateur|"
        r"chirurgien(ne)?(?!-dentiste)(?! dentiste)|oncologue|radiotherapeute|"
        r"medecin (du travail|legiste|scolaire))\b",
        r"\b(cardiolog|dermatolog|neurolog|radiolog|oncolog|nephrolog|gastroenterolog|"
        r"rheumatolog|endocrinolog|ophthalmolog|patholog|anesthesiolog|urolog|"
        r"hematolog)ist\b",
        r"\b(pa?ediatrician|psychiatrist|surgeon|ana?esthetist|intensivist|geriatrician|"
        r"obstetrician|gyna?ecologist|oncologist|neurosurgeon|internist)\b",
    ),
    # -- nurses
    *_cues(
        "profession",
        "nurse",
        3,
        r"\binfirmi(er|ere)s?\b",
        _B + r"ide(l|c)?" + _E,
        _B + r"(ipa|ibode|iade|puericultrice)" + _E,
        r"\bnurses?\b",
        _B + r"rn" + _E,
        r"nurse practitioner",
        r"\bcadre (de sante|infirmier)",
    ),
    # -- pharmacists
    *_cues(
        "profession",
        "pharmacist",
        3,
        r"\bpharmacien(ne)?s?\b",
        r"\bpharmacists?\b",
        _B + r"pharmd" + _E,
        r"docteur en pharmacie",
    ),
    # -- midwives (weight 4: "sage-femme" is never said of someone else by accident)
    *_cues(
        "profession",
        "midwife",
        4,
        r"\bsages?[- ]?femmes?\b",
        r"\bmaieuticien(ne)?\b",
        r"\bmidwi(fe|ves|fery)\b",
    ),
    # -- physiotherapists
    *_cues(
        "profession",
        "physiotherapist",
        3,
        r"\bkine(sitherapeute|sitherapie)?s?\b",
        r"masseur-?kine",
        r"\bphysio(therapist|therapy)?s?\b",
        r"physical therapist",
    ),
    # -- dentists (beats "chirurgien")
    *_cues(
        "profession",
        "dentist",
        4,
        r"chirurgien(ne)?[- ]dentiste",
        r"\bdentistes?\b",
        r"\bdentists?\b",
        r"\borthodontiste?\b",
        _B + r"dds" + _E,
        r"dental surgeon",
    ),
    # -- other health professionals
    *_cues(
        "profession",
        "other_hcp",
        3,
        r"\bpsycholog(ue|ist)s?\b",
        r"\borthophonist(e)?s?\b",
        r"\bergotherapeute\b",
        r"\bpsychomotricien(ne)?\b",
        r"aide[- ]soignant(e)?",
        r"\bauxiliaire de puericulture",
        r"\bambulancier(e)?\b",
        r"manipulat(eur|rice) (radio|en electroradiologie)",
        r"\bdieteticien(ne)?\b",
        r"\borthoptiste\b",
        r"\bpodologue\b",
        r"\bosteopathe\b",
        r"directeur d'hopital|directrice d'hopital|directeur des soins|directrice des soins",
        r"\bdirect(eur|rice) d'(ehpad|etablissement)",
        r"\bcadre (hospitalier|administratif)",
        r"speech (and language )?therapist",
        r"occupational therapist",
        r"\bdietitian\b",
        r"\bparamedic\b",
        r"(health ?care|care) assistant",
        r"hospital manager",
        r"\bsocial worker\b",
        r"\bassistante? sociale?\b",
        r"\bsecretaire medicale?\b",
    ),
    *_cues(
        "profession",
        "other_hcp",
        2,
        r"\bsoignant(e)?s?\b",
        r"\bclinician\b",
        r"health ?care (worker|professional)",
        r"professionnel(le)? de sante",
    ),
    # -- hints: emoji and hashtags said mostly by professionals
    *_cues("emoji", "physician", 1, "\U0001fa7a"),  # stethoscope
    *_cues("emoji", "nurse", 1, "\U0001f489"),  # syringe
    *_cues("emoji", "other_hcp", 0.5, "\u2695"),  # staff of Aesculapius
    *_cues("hashtag", "physician", 1, r"#(foamed|medtwitter|docstoctoc|medecinegenerale)\b"),
    *_cues("hashtag", "nurse", 1, r"#(infirmiere|nursetwitter|ide)\b"),
    # -- the public: patients, relatives, journalists, everyone else
    *_cues(
        "profession",
        "public",
        3,
        _B + r"patiente?" + _E + r"(?! (centred|centered|safety|care))",
        r"patiente? expert",
        r"patient advocate",
        r"\baidante?s?( familial)?\b",
        r"\bcarer\b",
        r"\bcaregiver\b",
        r"\bjournaliste?\b",
        r"\bjournalist\b",
        r"\breporter\b",
        r"\bcitoyen(ne)?\b",
    ),
    *_cues(
        "profession",
        "public",
        1,
        r"\bmaman\b",
        r"\bpapa\b",
        r"\bmum\b",
        r"\bmom\b",
        r"\bretraite(e)?\b",
        r"\bretired\b",
    ),
]

#: Academic titles: with one of them, a lone "Dr" says nothing of a medical role.
ACADEMIC_CUES: list[Cue] = _cues(
    "academic title", "public", 0, _B + r"phd" + _E, _B + r"ph\.d\.?", r"docteur en (?!medecine)\w+",
    r"doctora?t (en|in) (?!medecine|medicine)", r"\bchercheu(r|se)\b", r"\bresearcher\b",
)  # fmt: skip

#: Words that make a profile an institution when they are in its *name*.
INSTITUTION_NAME_CUES: list[Cue] = _cues(
    "institution", "institution", 4,
    _B + r"chu" + _E, _B + r"chru" + _E, _B + r"ch(r)? de" + _E, r"centre hospitalier",
    r"\bhopit(al|aux)\b", r"\bhospitals?\b", r"\bcliniques?\b", r"\bclinic\b", _B + r"ars" + _E,
    _B + r"has" + _E, r"\bagence\b", r"\bagency\b", r"\bordre (des|national)", r"\bconseil\b",
    r"\bcouncil\b", r"\bsociete (francaise|savante|de|d')", r"\bsociety\b", r"\bsyndicat\b",
    r"\bfederation\b", r"\bassociation\b", r"\bcollege\b", r"\bacademie\b", r"\bacademy\b",
    r"\bfondation\b", r"\bfoundation\b", r"\binstitut(e)?\b", r"\bministere\b", r"\bministry\b",
    r"sante publique france", r"assurance maladie", _B + r"cpam" + _E, r"croix[- ]rouge",
    r"\bred cross\b", _B + r"nhs" + _E, r"\btrust\b", r"\bjournal\b", r"\brevue\b",
    r"\buniversite\b", r"\buniversity\b", r"\bfaculte\b", r"\bmutuelle\b",
    r"maison de sante", r"\behpad\b", r"\blaboratoire\b", r"\bpharmacie\b", r"\bsamu\b",
    r"\bobservatoire\b", r"\bdepartment of health\b", r"\bunion\b", r"\bgroupe hospitalier\b",
)  # fmt: skip

#: Phrases in a *bio* by which an organisation describes itself.
INSTITUTION_BIO_CUES: list[Cue] = _cues(
    "institution", "institution", 4,
    r"compte officiel", r"official (account|twitter|page)", r"^(l')?association\b",
    r"^(une )?societe savante", r"learned society", r"^agence\b", r"agence regionale de sante",
    r"^(le |la )?(journal|revue)\b", r"peer-reviewed", r"^(the )?official\b",
    r"^(centre hospitalier|hopital|clinique|chu)\b", r"^(we are|nous sommes)\b",
)  # fmt: skip

#: Bio phrases that say the account is not a professional's: fan and parody accounts...
FAN_CUES: list[Cue] = _cues(
    "fan account", "public", 6,
    r"\bfan ?(account|page|club)\b", r"\bcompte (de )?fans?\b", r"\bfan de\b", r"\bfans? of\b",
    r"\bparod(y|ie)\b", r"\bnot (a real|an actual) doctor\b", r"\bpas (un )?vrai (medecin|docteur)",
    r"\btribute\b", r"\bnot affiliated\b",
)  # fmt: skip
#: ...and bands, whose accounts are an organisation's (identity ``institutional``, role ``public``).
BAND_CUES: list[Cue] = _cues(
    "band", "public", 6,
    r"\b(rock |pop |punk |metal |jazz |indie )?band\b", r"\bgroupe de (musique|rock)\b",
    r"\balbum\b", r"\bon tour\b", r"\ben tournee\b", r"\bnew single\b", r"\bconcerts?\b",
)  # fmt: skip

#: Words that mark a display name as a pseudonym, never a family name.
PSEUDONYM_CUES: list[Cue] = _cues(
    "pseudonym", "anonymous", 3,
    r"\bmasque(e)?\b", r"\bmasked\b", r"\banonyme\b", r"\banonymous\b", r"\bincognito\b",
    r"en pleine campagne", r"\bon call\b", r"\bde garde\b", r"quelque part", r"\bsomewhere\b",
    r"\bdu (coin|village|desert)\b", r"\bnot my real name\b", r"\bpseudo\b", r"\balt\b",
)  # fmt: skip

#: Bio phrases that say the account hides its owner's identity.
ANONYMOUS_BIO_CUES: list[Cue] = _cues(
    "pseudonym", "anonymous", 2,
    r"\banonyme\b", r"\banonymous\b", r"\bpseudonyme?\b", r"\bcompte pro anonyme\b",
    r"\bpour parler librement\b", r"\bincognito\b",
)  # fmt: skip

#: Titles and credentials stripped from a display name before looking for a person's name.
NAME_TITLES = re.compile(
    r"^(dr|dre|docteure?|doctor|doc|pr|professeure?|prof|professor|mme|mr|mrs|ms|mlle|m|"
    r"md|phd|mph|rn|ide|ph|mbbs|frcp|frcs|mrcp|mrcgp|pharmd|dds|msc|bsc)$"
)
#: Small words that can sit inside a person's name ("de", "van") or an institution's.
PARTICLES = frozenset(
    "de du des d la le les l van von der den di da dos del y e et and of the en on in a au aux"
    " for to".split()
)
