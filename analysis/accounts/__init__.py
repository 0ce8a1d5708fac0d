"""Accounts: who is a health professional, and who tweets anonymously.

* :mod:`~analysis.accounts.classify` — role and identity style of each account,
  with the reasons (cues matched) and a confidence; researchers' overrides win;
* :mod:`~analysis.accounts.pairs` — likely personal/professional pairs of one
  person, listed with their evidence, never merged;
* :mod:`~analysis.accounts.evaluate` — precision, recall, F1 and confusion
  matrices against a ground truth;
* :mod:`~analysis.accounts.compare` — how anonymous, nominative and
  institutional accounts (and roles) differ, with effect sizes and tests.
"""

from analysis.accounts.classify import (
    IDENTITIES,
    PROFESSIONAL_ROLES,
    ROLES,
    LabelsError,
    apply_overrides,
    classify_profile,
    label_users,
    labels_from_tables,
    load_overrides,
    load_profiles,
    save_labels,
)
from analysis.accounts.pairs import find_pairs, pairs_from_tables

__all__ = [
    "IDENTITIES",
    "PROFESSIONAL_ROLES",
    "ROLES",
    "LabelsError",
    "apply_overrides",
    "classify_profile",
    "find_pairs",
    "label_users",
    "labels_from_tables",
    "load_overrides",
    "load_profiles",
    "pairs_from_tables",
    "save_labels",
]
