"""The generator's parameters, its calendar, and the Bass diffusion that dates each adoption."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from analysis import settings

START = datetime(2009, 1, 1, tzinfo=UTC)
END = datetime(2026, 6, 30, tzinfo=UTC)
COLLECTED_AT = "2026-07-01T00:00:00.000Z"
_SNOWFLAKE_EPOCH = datetime(2006, 3, 21, tzinfo=UTC)


@dataclass
class DemoParams:
    """Parameters of the generator; all of them are recorded in the ground truth."""

    accounts: int = 800
    #: None: :data:`analysis.settings.SEED`, read when the parameters are made
    seed: int | None = None
    mean_following: float = 25.0
    homophily: float = 0.85
    reciprocity: float = 0.30
    anonymous_share: float = 0.40
    protected_share: float = 0.10
    pair_share: float = 0.08
    bass_p: float = 0.015
    bass_q: float = 0.40
    mean_tweets: float = 14.0
    tweet_types: dict[str, float] = field(
        default_factory=lambda: {"original": 0.55, "reply": 0.2, "retweet": 0.2, "quote": 0.05}
    )
    deleted_share: float = 0.01

    def __post_init__(self) -> None:
        """Resolve a ``seed`` of ``None`` from :data:`analysis.settings.SEED`."""
        if self.seed is None:
            self.seed = settings.SEED


def bass_cdf(t: np.ndarray | float, p: float, q: float) -> np.ndarray | float:
    """Bass diffusion: share of the market adopted by time ``t`` (same unit as 1/p).

    Parameters
    ----------
    t : numpy.ndarray or float
        Time(s) since the start of the diffusion.
    p : float
        Coefficient of innovation (adoption independent of others), per unit of time.
    q : float
        Coefficient of imitation (adoption driven by earlier adopters), per unit of time.

    Returns
    -------
    numpy.ndarray or float
        Share adopted, from 0 to 1, shaped like ``t``.

    Examples
    --------
    >>> round(float(bass_cdf(0.0, 0.03, 0.4)), 6)
    0.0
    >>> round(float(bass_cdf(100.0, 0.03, 0.4)), 6)
    1.0
    """
    e = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return (1 - e) / (1 + (q / p) * e)


def bass_sample(rng: np.random.Generator, n: int, p: float, q: float, horizon: float) -> np.ndarray:
    """Draw ``n`` adoption times from a Bass diffusion truncated at ``horizon``.

    Parameters
    ----------
    rng : numpy.random.Generator
        The random generator drawn from.
    n : int
        Number of adoption times.
    p : float
        Coefficient of innovation (adoption independent of others), per unit of time.
    q : float
        Coefficient of imitation (adoption driven by earlier adopters), per unit of time.
    horizon : float
        Latest time drawn (same unit as ``1/p``).

    Returns
    -------
    numpy.ndarray
        ``n`` adoption times from 0 to ``horizon``, unsorted.
    """
    u = rng.uniform(0, bass_cdf(horizon, p, q), size=n)
    return -np.log((1 - u) / (1 + (q / p) * u)) / (p + q)


def snowflake_id(ts: datetime, seq: int) -> int:
    """Return a snowflake id for time ``ts`` and sequence number ``seq`` (X's id layout).

    Parameters
    ----------
    ts : datetime.datetime
        A UTC time.
    seq : int
        Sequence number, kept to its low 22 bits; makes ids of the same millisecond distinct.

    Returns
    -------
    int
        The id: milliseconds since X's epoch shifted left 22 bits, then ``seq``.
    """
    ms = int((ts - _SNOWFLAKE_EPOCH).total_seconds() * 1000)
    return (ms << 22) | (seq & 0x3FFFFF)


def iso_time(ts: datetime) -> str:
    """Return ``ts`` as the API's ISO 8601 text (milliseconds, ``Z``).

    Parameters
    ----------
    ts : datetime.datetime
        A UTC time.

    Returns
    -------
    str
        ``YYYY-MM-DDTHH:MM:SS.000Z``.
    """
    return ts.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def years_since_start(ts: datetime) -> float:
    """Return the years from :data:`START` to ``ts``.

    Parameters
    ----------
    ts : datetime.datetime
        A UTC time.

    Returns
    -------
    float
        Years (of 365.25 days), negative before :data:`START`.
    """
    return (ts - START).total_seconds() / (365.25 * 86400)


def time_at(years: float) -> datetime:
    """Return the time ``years`` after :data:`START`.

    Parameters
    ----------
    years : float
        Years (of 365.25 days) after :data:`START`.

    Returns
    -------
    datetime.datetime
        The UTC time.
    """
    return START + timedelta(seconds=float(years) * 365.25 * 86400)
