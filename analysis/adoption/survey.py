"""The survey's reference figures on professionals and Twitter, beside what a dataset measures.

The survey counts *all* health professionals, including those who never use
Twitter; a Twitter dataset only holds accounts that do, so
:func:`survey_comparison` states the denominator of every measured figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.adoption.adopters import adoption_table
from analysis.tables import Tables

#: Reference figures from a survey of health professionals, shown beside measured ones.
SURVEY_REFERENCE = (
    ("know_twitter", "Professionals who know Twitter", 0.71),
    ("use_professionally", "Professionals who use Twitter professionally", 0.11),
    (
        "avoid_for_confidentiality",
        "Professionals who avoid general social networks for confidentiality",
        0.61,
    ),
)


def survey_comparison(
    tables: Tables,
    adoption: pd.DataFrame | None = None,
    labels: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Set the survey's reference figures beside what this dataset measures, where it can.

    The survey's figures are about *all* professionals, including those who
    never use Twitter; a Twitter dataset only holds accounts that do, so the
    measured figures have a different denominator, stated in each row. "Know
    Twitter" cannot be measured from tweets at all. The confidentiality row's
    measured proxy is the share of professional accounts that are anonymous
    (needs ``labels`` with ``role`` and ``identity``) or protected.

    Parameters
    ----------
    tables : Tables
        The dataset.
    adoption : pandas.DataFrame, optional
        An :func:`~analysis.adoption.adoption_table` (computed when not given).
    labels : pandas.DataFrame, optional
        Account labels with ``user_id``, ``role`` and ``identity``.

    Returns
    -------
    pandas.DataFrame
        One row per figure: ``figure``, ``survey (reference, not ours)``, ``measured here``,
        ``measured over``, ``note``.
    """
    adoption = adoption if adoption is not None else adoption_table(tables)
    users = tables.users
    rows = []
    accounts = len(adoption)
    with_prof = int(adoption["first_professional_at"].notna().sum())
    for key, label, value in SURVEY_REFERENCE:
        measured, denominator, note = np.nan, "", ""
        if key == "know_twitter":
            note = "not measurable from Twitter data: every account in it knows Twitter"
        elif key == "use_professionally":
            if accounts:
                measured = with_prof / accounts
            denominator = f"{accounts:,} accounts in the dataset"
            note = "share of accounts with at least one professional tweet (rule: ProfessionalRule)"
        else:
            prof_ids = None
            if labels is not None and {"role", "identity", "user_id"} <= set(labels.columns):
                lab = labels.assign(user_id=labels["user_id"].astype("int64"))
                pros = lab[~lab["role"].isin(["institution", "public", "unknown"])]
                prof_ids = set(pros["user_id"])
                anon = set(pros.loc[pros["identity"] == "anonymous", "user_id"])
                prot = set(users.loc[users["protected"].fillna(False).astype(bool), "user_id"])
                hidden = (anon | prot) & prof_ids
                if prof_ids:
                    measured = len(hidden) / len(prof_ids)
                denominator = f"{len(prof_ids):,} professional accounts (from labels)"
                note = "proxy: professional accounts that are anonymous or protected"
            else:
                note = "needs account labels (role, identity); none given"
        rows.append(
            {
                "figure": label,
                "survey (reference, not ours)": value,
                "measured here": measured,
                "measured over": denominator,
                "note": note,
            }
        )
    return pd.DataFrame(rows)
