"""The Bass diffusion model fitted to adoption dates, with bootstrap intervals.

:func:`fit_bass` estimates innovation ``p``, imitation ``q`` (both **per year**
of 365.25 days, counted from the fit's ``start``) and market size ``m`` (in
accounts) by maximum likelihood on the individual adoption times;
:func:`bass_curve` sets the fitted curve beside the observed one and
:func:`describe_bass` says it in a sentence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from analysis import settings
from analysis.errors import InsufficientDataError, UsageError

YEAR_SECONDS = 365.25 * 86400


def bass_cdf(t: np.ndarray | float, p: float, q: float) -> np.ndarray:
    """Return the share of the market adopted by time ``t`` (years) under Bass(p, q) per year.

    Parameters
    ----------
    t : float or numpy.ndarray
        Years since the diffusion's start.
    p, q : float
        Innovation and imitation rates, per year.

    Returns
    -------
    numpy.ndarray
        ``F(t)``, between 0 and 1.

    Examples
    --------
    >>> float(bass_cdf(0.0, 0.02, 0.4))
    0.0
    >>> round(float(bass_cdf(50.0, 0.02, 0.4)), 4)
    1.0
    """
    e = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return (1 - e) / (1 + (q / p) * e)


def _neg_loglik(theta: np.ndarray, t: np.ndarray, horizon: float) -> float:
    p, q = np.exp(theta)
    s = p + q
    e = np.exp(-s * t)
    # log density of the Bass adoption time: f(t) = s^2/p * e / (1 + q/p e)^2
    logf = 2 * np.log(s) - np.log(p) - s * t - 2 * np.log1p((q / p) * e)
    return -(logf.sum() - len(t) * np.log(bass_cdf(horizon, p, q)))


def _fit_pq(t: np.ndarray, horizon: float, x0: np.ndarray) -> np.ndarray:
    res = minimize(
        _neg_loglik,
        x0,
        args=(t, horizon),
        method="Nelder-Mead",
        options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 4000},
    )
    return np.exp(res.x)


@dataclass
class BassFit:
    """A Bass diffusion fitted to adoption dates.

    ``p`` and ``q`` are per **year** (365.25 days) from ``start``; ``m`` is the
    market size in accounts; ``*_ci`` are bootstrap percentile intervals at
    level ``ci``.
    """

    p: float
    q: float
    m: float
    p_ci: tuple[float, float]
    q_ci: tuple[float, float]
    m_ci: tuple[float, float]
    n: int
    start: pd.Timestamp
    end: pd.Timestamp
    ci: float = 0.95
    n_boot: int = 0
    unit: str = "year"
    boot: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def peak(self) -> pd.Timestamp:
        """When new adoptions peak: ``start + ln(q/p) / (p + q)`` years (``start`` if q <= p)."""
        years = max(np.log(self.q / self.p) / (self.p + self.q), 0.0)
        return self.start + pd.Timedelta(seconds=years * YEAR_SECONDS)

    def cumulative(self, when: pd.Series | pd.DatetimeIndex) -> np.ndarray:
        """Return the expected cumulative adopters ``m * F(t)`` at the given timestamps.

        Parameters
        ----------
        when : pandas.Series or pandas.DatetimeIndex
            Timestamps (naive ones are read as UTC).

        Returns
        -------
        numpy.ndarray
            Expected adopters by each timestamp (0 before ``start``).
        """
        delta = pd.DatetimeIndex(pd.to_datetime(when, utc=True)) - self.start
        t = delta.total_seconds() / YEAR_SECONDS
        return self.m * bass_cdf(np.clip(np.asarray(t, dtype=float), 0, None), self.p, self.q)

    def to_frame(self) -> pd.DataFrame:
        """Return the estimates and intervals as a small table (one row per parameter).

        Returns
        -------
        pandas.DataFrame
            ``parameter``, ``estimate`` and the interval's low and high bounds.
        """
        pct = f"{self.ci:.0%}"
        rows = [
            ("p (innovation, per year)", self.p, *self.p_ci),
            ("q (imitation, per year)", self.q, *self.q_ci),
            ("m (market size, accounts)", self.m, *self.m_ci),
        ]
        return pd.DataFrame(rows, columns=["parameter", "estimate", f"{pct} low", f"{pct} high"])


def fit_bass(
    adoption_dates: Iterable,
    start: Any = None,
    end: Any = None,
    n_boot: int = 200,
    ci: float = 0.95,
    seed: int | None = None,
    min_adopters: int = 10,
) -> BassFit:
    """Fit a Bass diffusion model (p, q, m) to adoption dates, with bootstrap intervals.

    Maximum likelihood on the individual adoption times, observed from ``start``
    to ``end``: adopters form a Poisson process of intensity ``m f(t)``, so
    (p, q) maximise the likelihood of the dates under the Bass density
    truncated at ``end`` and ``m = n / F(end)``. Intervals are percentiles of
    ``n_boot`` fits to adopters resampled with replacement, their number drawn
    from a Poisson law of mean ``n`` (``seed``).

    Parameters
    ----------
    adoption_dates : iterable of timestamps
        One per adopter (naive ones are read as UTC; NaT dropped).
    start : timestamp-like, optional
        The diffusion's origin (t = 0); default the first adoption date.
    end : timestamp-like, optional
        End of observation; default the last adoption date.
    n_boot : int
        Bootstrap resamples (``0``: no intervals).
    ci : float
        Interval level.
    seed : int, optional
        Random seed of the bootstrap (default ``settings.SEED``, read when the function runs).
    min_adopters : int
        Fewer dated adopters than this raise :class:`InsufficientDataError`.

    Returns
    -------
    BassFit
        ``p`` and ``q`` **per year** and ``m`` in accounts.

    Examples
    --------
    >>> import numpy as np
    >>> from analysis.demo import bass_sample
    >>> years = bass_sample(np.random.default_rng(0), 2000, 0.02, 0.5, 15.0)
    >>> dates = pd.Timestamp("2010-01-01", tz="UTC") + pd.to_timedelta(years * 365.25, "D")
    >>> fit = fit_bass(dates, start="2010-01-01", end="2025-01-01", n_boot=0)
    >>> round(fit.p, 2), round(fit.q, 1)
    (0.02, 0.5)
    """
    seed = settings.SEED if seed is None else seed
    dates = pd.to_datetime(pd.Series(list(adoption_dates), dtype=object), utc=True).dropna()
    if len(dates) < min_adopters:
        raise InsufficientDataError(
            f"a Bass fit needs at least {min_adopters} dated adopters and got {len(dates)}; "
            "use a larger dataset or a broader adoption rule."
        )
    start = dates.min() if start is None else pd.Timestamp(start)
    end = dates.max() if end is None else pd.Timestamp(end)
    start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
    end = end.tz_localize("UTC") if end.tzinfo is None else end.tz_convert("UTC")
    if end <= start:
        raise UsageError(
            f"the fit's end ({end:%Y-%m-%d}) must come after its start ({start:%Y-%m-%d})."
        )
    dates = dates[(dates >= start) & (dates <= end)]
    t = ((dates - start).dt.total_seconds() / YEAR_SECONDS).to_numpy()
    horizon = (end - start).total_seconds() / YEAR_SECONDS
    if len(t) < min_adopters:
        raise InsufficientDataError(
            f"only {len(t)} adoption dates fall between {start:%Y-%m-%d} and {end:%Y-%m-%d}; "
            f"a Bass fit needs {min_adopters}."
        )
    best = min(
        (_fit_pq(t, horizon, np.log(g)) for g in ([0.01, 0.3], [0.05, 0.1], [0.002, 1.0])),
        key=lambda pq: _neg_loglik(np.log(pq), t, horizon),
    )
    p, q = (float(x) for x in best)
    m = len(t) / float(bass_cdf(horizon, p, q))
    rng = np.random.default_rng(seed)
    rows = []
    x0 = np.log([p, q])
    for _ in range(n_boot):
        # the number of adopters is itself random (Poisson), so m's interval reflects it
        size = max(int(rng.poisson(len(t))), 2)
        sample = rng.choice(t, size=size, replace=True)
        bp, bq = _fit_pq(sample, horizon, x0)
        rows.append((bp, bq, size / float(bass_cdf(horizon, bp, bq))))
    boot = pd.DataFrame(rows, columns=["p", "q", "m"])
    lo, hi = (1 - ci) / 2, 1 - (1 - ci) / 2

    def interval(col: str) -> tuple[float, float]:
        """Return the bootstrap percentile interval of one parameter.

        Parameters
        ----------
        col : str
            The parameter: ``"p"``, ``"q"`` or ``"m"``.

        Returns
        -------
        tuple of (float, float)
            Lower and upper bounds; NaN, NaN when no bootstrap fit succeeded.
        """
        if boot.empty:
            return (np.nan, np.nan)
        return (float(boot[col].quantile(lo)), float(boot[col].quantile(hi)))

    return BassFit(
        p=p,
        q=q,
        m=m,
        p_ci=interval("p"),
        q_ci=interval("q"),
        m_ci=interval("m"),
        n=len(t),
        start=start,
        end=end,
        ci=ci,
        n_boot=n_boot,
        boot=boot,
    )


def try_fit_bass(adoption_dates: Iterable, **kwargs: Any) -> BassFit | None:
    """Return :func:`fit_bass`'s fit, or ``None`` when there are too few adopters (for notebooks).

    Parameters
    ----------
    adoption_dates : iterable of timestamps
        One per adopter.
    **kwargs
        Passed to :func:`fit_bass`.

    Returns
    -------
    BassFit or None
        The fit, or ``None`` if :func:`fit_bass` raised :class:`InsufficientDataError`.
    """
    try:
        return fit_bass(adoption_dates, **kwargs)
    except InsufficientDataError:
        return None


def describe_bass(fit: BassFit | None, min_adopters: int = 10) -> str:
    """Return one or two sentences on a Bass fit, or on why there is none.

    Parameters
    ----------
    fit : BassFit or None
        A fit from :func:`try_fit_bass`.
    min_adopters : int
        The threshold the fit used, quoted when there is no fit.

    Returns
    -------
    str
        The sentences.
    """
    if fit is None:
        return (
            f"No Bass fit: this dataset has fewer than {min_adopters} dated adopters, too few "
            "to estimate a diffusion curve."
        )
    pct = f"{fit.ci:.0%}"
    return (
        f"Bass fit on {fit.n:,} adopters from {fit.start:%Y-%m-%d} to {fit.end:%Y-%m-%d} "
        f"(rates per year): innovation p = {fit.p:.4f} ({pct} CI {fit.p_ci[0]:.4f}–{fit.p_ci[1]:.4f}), "
        f"imitation q = {fit.q:.3f} ({fit.q_ci[0]:.3f}–{fit.q_ci[1]:.3f}), market size "
        f"m = {fit.m:,.0f} accounts ({fit.m_ci[0]:,.0f}–{fit.m_ci[1]:,.0f}); new adoptions "
        f"peak around {fit.peak:%Y-%m}."
    )


def bass_curve(curve: pd.DataFrame, fit: BassFit | None) -> pd.DataFrame:
    """Return observed and fitted cumulative adopters per month, side by side (for the data-vs-fit plot).

    Parameters
    ----------
    curve : pandas.DataFrame
        The overall :func:`~analysis.adoption.adoption_curves` output (one group).
    fit : BassFit or None
        The fit; without one only ``observed`` is given.

    Returns
    -------
    pandas.DataFrame
        ``month``, ``observed`` and, with a fit, ``fitted`` (at each month's end) and ``fitted_new``.
    """
    total = curve.groupby("month", as_index=False)[["new"]].sum().sort_values("month")
    total["observed"] = total["new"].cumsum()
    if fit is not None and len(total):
        ends = total["month"] + pd.offsets.MonthBegin(1)
        total["fitted"] = fit.cumulative(ends.dt.tz_localize("UTC"))
        total["fitted_new"] = np.diff(np.concatenate([[0.0], total["fitted"].to_numpy()]))
    return total.drop(columns="new").reset_index(drop=True)
