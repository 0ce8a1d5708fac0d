"""Hand-written tweets for the patient-confidentiality rules (invented; no real patient or case).

Each example: text, whether a careful reader could recognise one patient (the
label), and the risk the rules are expected to give. Some examples are written
to be hard: generic talk with ages and places (should stay ``none``), and
breaches phrased without the words the rules look for. The latter are kept with
their honest expected outcome so that the measured precision and recall are
not flattered; ``KNOWN_MISSES`` lists them.
"""

from __future__ import annotations

# (text, identifies_a_patient, expected_risk)
EXAMPLES: list[tuple[str, bool, str]] = [
    # --- French, identifying -------------------------------------------------------------
    ("Mon patient de 45 ans ce matin à Quimper, un homme adorable, m'a ramené des crêpes 😊",
     True, "high"),
    ("Ce matin aux urgences de Lorient, une dame de 87 ans tombée dans son escalier, fracture du col",
     True, "high"),
    ("Ma patiente de 32 ans, enceinte de jumeaux, accouchée cette nuit en chambre 12 🥰",
     True, "high"),
    ("Une patiente atteinte de la maladie de Fabry suivie à Vannes depuis 10 ans, quelle force",
     True, "high"),
    ("Regardez la photo de l'éruption de mon patient, vous en pensez quoi ? #docstoctoc",
     True, "high"),
    ("Mme D. en box 3 refuse encore son traitement, je ne sais plus quoi faire", True, "high"),
    ("Un homme de 58 ans hier soir à Morlaix, arrêt cardiaque récupéré, le SMUR au top 💪",
     True, "high"),
    ("Un enfant de 4 ans en réa pédiatrique depuis lundi, on croise les doigts", True, "high"),
    ("Mon papy de 96 ans à Guingamp, toujours aussi drôle pendant la visite à domicile",
     True, "high"),
    ("Ma patiente, née le 3 mars 1950, n'avait jamais vu de médecin", True, "high"),
    ("Cette patiente de 23 ans en service de gynécologie, elle a fait le tour des médecins",
     True, "high"),
    ("Un garçon de 15 ans ce soir à Concarneau, morsure de chien au visage", True, "high"),
    # --- English, identifying ------------------------------------------------------------
    ("A 45-year-old woman in the ED tonight with chest pain, turned out to be a dissection",
     True, "high"),
    ("72M bed 4 on the ward this morning, still confused, family furious", True, "high"),
    ("My patient, a 30 year old teacher from Truro, was diagnosed with progeria as a child",
     True, "high"),
    ("Pic of the rash my patient showed me today, any ideas? #FOAMed", True, "high"),
    ("This lady aged 91 in Penzance walked 3 miles to see me this morning", True, "high"),
    ("Mrs K. in room 7 asked me to marry her son again today 😂", True, "high"),
    # --- borderline: one patient, one detail -------------------------------------------
    ("Mon patient m'a dit merci ce matin, ça fait du bien", False, "low"),
    ("A patient thanked me today. That's why we do this.", False, "low"),
    ("Ma patiente de 90 ans qui fait encore son jardin, un modèle", False, "low"),
    # --- French, not identifying ---------------------------------------------------------
    ("Vaccination grippe : pensez-y pour vos patients de plus de 65 ans #vaccination", False, "none"),
    ("Dépistage organisé du cancer du sein pour les femmes de 50 à 74 ans #OctobreRose",
     False, "none"),
    ("Ce matin à Lyon, congrès passionnant sur l'insuffisance cardiaque", False, "none"),
    ("Journée mondiale de la maladie de Fabry : parlons des maladies rares", False, "none"),
    ("Belle photo de l'équipe du service de cardiologie après la garde 💙", False, "none"),
    ("20 ans d'exercice à Brest et toujours autant de plaisir à soigner", False, "none"),
    ("Les déserts médicaux à Nevers : 3 mois pour un rendez-vous chez le dermato", False, "none"),
    ("Question aux confrères : que faites-vous devant une fièvre chez l'enfant ?", False, "none"),
    ("Rappel : les patients sous AVK doivent avoir un INR régulier", False, "none"),
    ("Cette nuit en garde, 40 passages aux urgences, on tient bon", False, "none"),
    # --- English, not identifying ------------------------------------------------------
    ("Great talk in London this morning on sepsis bundles #FOAMed", False, "none"),
    ("Adults over 65 should get their booster this autumn", False, "none"),
    ("Rare Disease Day: 1 in 17 people will be affected by a rare disease", False, "none"),
    ("Long shift in the ICU today, proud of the team", False, "none"),
    # --- hard cases the rules got wrong until round 4 --------------------------------------
    # risky by the labelling rules (a place, a family link, "le seul"): "none" until round 4,
    # when someone in care stopped needing a person noun
    ("Le seul pharmacien de Ploumanac'h a encore vu passer la famille du maire, toujours les mêmes "
     "soucis de tension", True, "high"),
    # found since the person-described rule (issue 15): a teen, a rare condition, "our village"
    ("Teenager from our village with a condition only 40 people in the world have, met her today",
     True, "high"),
    # age and sex describe, a town narrows once: "low" since age and sex stopped counting as details
    ("Une femme de 45 ans, c'est jeune pour un AVC : pensez-y à Paris comme ailleurs", False,
     "low"),
    ("Une femme de ménage de 50 ans agressée à Paris : solidarité", False, "low"),
    ("Le patient est au centre de nos préoccupations à Lyon depuis 20 ans", False, "low"),
    ("A patient-centred approach to care in Leeds", False, "none"),
]  # fmt: skip

#: Indexes of EXAMPLES whose expected risk disagrees with the label (misses and false alarms).
KNOWN_MISSES = [i for i, (_, label, risk) in enumerate(EXAMPLES) if label != (risk == "high")]
