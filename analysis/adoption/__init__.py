"""Adoption over time: when accounts started, adoption curves, a Bass fit, activity.

Per account, three dates (:func:`adoption_table`): account creation, first tweet
in the dataset, and first *professional* tweet (a medical hashtag or a
professional cue in the text; the rule is a :class:`ProfessionalRule`
parameter). Adoption curves count new adopters per calendar month with no gap
in the months (:func:`adoption_curves`), and :func:`fit_bass` fits a Bass
diffusion model to a set of adoption dates: ``p`` (innovation) and ``q``
(imitation) are rates **per year** (365.25 days) from the fit's ``start``,
``m`` is a number of accounts.

Modules: :mod:`~analysis.adoption.adopters` (the professional rule, adoption
dates and curves), :mod:`~analysis.adoption.bass` (the Bass fit),
:mod:`~analysis.adoption.activity` (weekly activity, kinds of tweets, active
accounts, retention) and :mod:`~analysis.adoption.survey` (the survey's
reference figures beside measured ones).
"""

from analysis.adoption.activity import (
    active_accounts,
    retention,
    tweet_kinds,
    tweet_type_shares,
    weekly_activity,
)
from analysis.adoption.adopters import (
    MEDICAL_HASHTAGS,
    PROFESSIONAL_CUES,
    ProfessionalRule,
    adoption_curves,
    adoption_summary,
    adoption_table,
    with_groups,
)
from analysis.adoption.bass import (
    YEAR_SECONDS,
    BassFit,
    bass_cdf,
    bass_curve,
    describe_bass,
    fit_bass,
    try_fit_bass,
)
from analysis.adoption.survey import SURVEY_REFERENCE, survey_comparison

__all__ = [
    "MEDICAL_HASHTAGS",
    "PROFESSIONAL_CUES",
    "SURVEY_REFERENCE",
    "YEAR_SECONDS",
    "BassFit",
    "ProfessionalRule",
    "active_accounts",
    "adoption_curves",
    "adoption_summary",
    "adoption_table",
    "bass_cdf",
    "bass_curve",
    "describe_bass",
    "fit_bass",
    "retention",
    "survey_comparison",
    "try_fit_bass",
    "tweet_kinds",
    "tweet_type_shares",
    "weekly_activity",
    "with_groups",
]
