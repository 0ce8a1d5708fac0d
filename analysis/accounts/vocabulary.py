"""The labels an account can get: roles and identity styles, and the error for unusable label files.

Shared by the classifier (:mod:`analysis.accounts.classify`), its evaluation
(:mod:`analysis.accounts.evaluate`) and everything that reads labels.
"""

from __future__ import annotations

from analysis.errors import MedtwitterError

#: Role vocabulary, health professions first, then institutions, the public, unknown.
ROLES: tuple[str, ...] = (
    "physician", "intern", "nurse", "pharmacist", "midwife", "physiotherapist", "dentist",
    "other_hcp", "institution", "public", "unknown",
)  # fmt: skip
#: Health-professional roles.
PROFESSIONAL_ROLES: frozenset[str] = frozenset(ROLES[:8])
#: Identity-style vocabulary.
IDENTITIES: tuple[str, ...] = ("nominative", "anonymous", "institutional")


class LabelsError(MedtwitterError):
    """A profiles or overrides file the classifier cannot use."""
