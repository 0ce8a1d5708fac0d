"""Patient-confidentiality check: explainable rules and a named-entity pass flag tweets that may identify a patient.

Health professionals are bound by medical confidentiality (in France, Code de la
santé publique L.1110-4 and R.4127-4). A tweet about "a patient" is not a
breach; a tweet that lets a reader recognise **which** patient is. The rules
look, in French and English, for a person described and for the details that
single a person out, and say which cues they matched:

======================  =========================================================
cue                     examples
======================  =========================================================
``patient``             mon patient, une patiente, un monsieur de..., une ado, my patient,
                        a 45-year-old woman, the 19-year-old, 45M (not "les patients")
``age``                 45 ans, 3 mois, 45-year-old, 45yo, aged 45, in her 40s, "Woman, 35,"
``sex``                 homme, femme, monsieur, dame, garçon, man, woman, girl, M/F
``place``               à Lyon, in Leeds, near Brest; towns spaCy finds (never "Lyme", "Ebola");
                        villages by their shape: Saint-Machin-les-Bois, Little Wetherby;
                        rue des Lilas, "from our village (Cawsby)"
``date``                ce matin, hier soir, cette nuit, lundi, le 12 mars, today, last night
``ward``                service de cardiologie, en réa, chambre 12, au CHU de Nantes, bed 4, ward 7B
``rare``                a rare condition (maladie de Fabry, progeria, "une tumeur rare"...)
``photo``               photo, radio ci-jointe, 📷, pic attached, x-ray below
``identifier``          initials or a title with a name (Mme D., Mr S.), date of birth, a record
                        number by its shape (NHS no. 482 913 7706, MRN 00982716, IPP 0045821)
``person``              a named person: Jeanne Martin (spaCy), le petit Lucas, "Kylian, 12 ans",
                        "Léa, en CM2", "Noah's mum"; "Dr P." when they are the one in care
``school_or_employer``  élève au lycée..., caissière au Leclerc, le boulanger de..., works at...,
                        en CM2, a Year 10 student, l'US Fontclaire, Oakfield Primary, the striker
``family``              sa fille, la femme du maire, la famille Moreau, her son, the vicar's wife
``learnt``              a word the learnt model's flag rests on most (:mod:`.learnt`)
======================  =========================================================

:func:`check_tweet` gives ``high``, ``low`` or ``none`` with the reason
(:func:`assess` states the decision): ``high`` when the tweet is about one
individual in a care situation, whether or not a person noun was read, and
carries an identifier (a name, a birth date, a record number by its shape such
as "NHS no. 482 913 7706", a photo of records) or narrowing details of two kinds
or more (when; where; who: a role in a community such as "le curé", a job, a
school, a family link such as "le fils du maire": :mod:`.community`; a rare
condition; an age of 90 or more); a group or statistic, the author's own health
or own child, and a person in a public role are excused (:mod:`.shapes`). The named-entity pass (:mod:`.entities`, spaCy's
``fr_core_news_sm``) adds people's names and places. A learnt model (:mod:`.learnt`,
spaCy's ``textcat`` trained on the labelled set's ``dev`` tweets) raises to ``high``
a tweet the rules do not flag when its risky probability reaches a threshold chosen
by cross-validation; the reason gives the probability and the words it rests on.
``ner=False`` runs the rules alone (no spaCy), ``learnt=False`` leaves the model out.

The rules are deliberately simple and readable; they miss paraphrases. The model
catches some of those and raises false alarms on some look-alikes the rules keep
safe. ``benchmarks/confidentiality.py`` measures precision,
recall and speed on ``tests/data/confidentiality_labelled.csv``.
"""

from analysis.confidentiality.check import (
    DESCRIBING_KINDS,
    DETAIL_KINDS,
    NARROWING_KINDS,
    RISK_LEVELS,
    Check,
    assess,
    check_texts,
    check_tweet,
    check_tweets,
    clear_caches,
    evaluate,
    find_cues,
    find_cues_many,
    in_care_situation,
    redact,
)
from analysis.confidentiality.flags import (
    flag_rates,
    flag_tweets,
    flagged_examples,
    planted_labels,
    planted_validation,
    risk_counts,
)
from analysis.confidentiality.rules import CUE_MEANINGS, Cue, rule_cues

__all__ = [
    "CUE_MEANINGS",
    "DESCRIBING_KINDS",
    "DETAIL_KINDS",
    "NARROWING_KINDS",
    "RISK_LEVELS",
    "Check",
    "Cue",
    "assess",
    "check_texts",
    "check_tweet",
    "check_tweets",
    "clear_caches",
    "evaluate",
    "find_cues",
    "find_cues_many",
    "flag_rates",
    "flag_tweets",
    "flagged_examples",
    "in_care_situation",
    "planted_labels",
    "planted_validation",
    "redact",
    "risk_counts",
    "rule_cues",
]
