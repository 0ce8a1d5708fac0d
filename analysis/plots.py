"""Every chart of the toolkit: each takes data (and an optional ``ax``), returns ``(fig, ax)``.

Charts never compute a metric; they draw what the analysis modules return.
Conventions: a title naming the subject, labelled axes with units, a source
line (``source_label``), and a colour-blind-safe palette (Okabe-Ito) in which a
group keeps its colour in every chart.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

#: Okabe-Ito colour-blind-safe palette.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000",
             "#999999")  # fmt: skip
IDENTITY_COLORS = {"nominative": "#0072B2", "anonymous": "#D55E00", "institutional": "#009E73",
                   "unknown": "#999999"}  # fmt: skip
ROLE_COLORS = {
    "physician": "#0072B2", "intern": "#56B4E9", "nurse": "#CC79A7", "pharmacist": "#009E73",
    "midwife": "#F0E442", "physiotherapist": "#E69F00", "dentist": "#8C564B", "other_hcp": "#7F7F7F",
    "institution": "#000000", "public": "#D55E00", "unknown": "#BBBBBB",
}  # fmt: skip
LANG_COLORS = {"fr": "#0072B2", "en": "#E69F00", "und": "#999999"}


def color_for(group: str, palette: dict[str, str] | None = None, index: int = 0) -> str:
    """The fixed colour of a group, or the ``index``-th Okabe-Ito colour."""
    for pal in (palette or {}, IDENTITY_COLORS, ROLE_COLORS, LANG_COLORS):
        if group in pal:
            return pal[group]
    return OKABE_ITO[index % len(OKABE_ITO)]


def source_label(name: str, synthetic: bool, span: tuple | None = None) -> str:
    """The source line under a chart.

    Examples
    --------
    >>> source_label("demo", True)
    'Source: demo data — synthetic'
    """
    if synthetic:
        return f"Source: {name} data — synthetic"
    if span and span[0] is not None:
        return f"Source: {name}, {span[0]:%Y-%m-%d} to {span[1]:%Y-%m-%d}"
    return f"Source: {name}"


def _figure(ax=None, figsize=(9, 4)):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    else:
        fig = ax.figure
    return fig, ax


def add_source(fig, text: str) -> None:
    """Write the source line in the bottom-right corner of a figure."""
    fig.text(0.995, 0.005, text, ha="right", va="bottom", fontsize=7, color="#555555")


def plot_tweets_per_month(counts: pd.DataFrame, source: str = "", ax=None):
    """Stacked area of tweets per month by language (from ``overview.tweets_per_month``)."""
    fig, ax = _figure(ax)
    if counts.empty:
        ax.text(
            0.5, 0.5, "No tweets in this dataset", ha="center", va="center", transform=ax.transAxes
        )
    else:
        cols = sorted(counts.columns, key=lambda c: -counts[c].sum())
        ax.stackplot(counts.index, *[counts[c] for c in cols], labels=cols,
                     colors=[color_for(c, LANG_COLORS, i) for i, c in enumerate(cols)])  # fmt: skip
        ax.legend(title="Language", loc="upper left", frameon=False)
    ax.set_title("Tweets per month by language")
    ax.set_xlabel("Month (UTC)")
    ax.set_ylabel("Tweets per month (count)")
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        add_source(fig, source)
    return fig, ax


# == accounts (issue 6): roles, identity styles and how groups differ ==================================


def _group_color(group: str, by: str, index: int = 0) -> str:
    palette = IDENTITY_COLORS if by == "identity" else ROLE_COLORS
    return palette.get(group, OKABE_ITO[index % len(OKABE_ITO)])


def _nothing(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_confusion_matrix(cm: pd.DataFrame, title: str = "Confusion matrix", source: str = "",
                          ax=None):  # fmt: skip
    """Heatmap of a confusion matrix (from ``accounts.evaluate.confusion_matrix``), counts written in."""
    fig, ax = _figure(
        ax, figsize=(1.0 + 0.65 * max(len(cm.columns), 3), 0.9 + 0.5 * max(len(cm), 3))
    )
    if cm.empty:
        _nothing(ax, "Nothing to evaluate")
    else:
        values = cm.to_numpy()
        im = ax.imshow(values, cmap="Blues")
        ax.set_xticks(range(len(cm.columns)), cm.columns, rotation=45, ha="right")
        ax.set_yticks(range(len(cm.index)), cm.index)
        top = values.max() or 1
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                ax.text(j, i, str(values[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if values[i, j] > top / 2 else "black")  # fmt: skip
        fig.colorbar(im, ax=ax, label="Accounts (count)", shrink=0.8)
    ax.set_title(title)
    ax.set_xlabel("Predicted label")
    ax.set_ylabel("True label")
    if source:
        add_source(fig, source)
    return fig, ax


def plot_metric_by_group(metrics: pd.DataFrame, metric: str, by: str = "identity",
                         groups=None, label: str | None = None, log: bool = False,
                         source: str = "", ax=None):  # fmt: skip
    """Box plot of one account-level metric per group (from ``accounts.compare.account_metrics``)."""
    fig, ax = _figure(ax, figsize=(7, 4))
    label = label or metric.replace("_", " ")
    order = [g for g in (groups or metrics[by].dropna().unique()) if g in set(metrics[by])]
    data = [metrics.loc[metrics[by] == g, metric].dropna() for g in order]
    kept = [(g, d) for g, d in zip(order, data, strict=True) if len(d)]
    if not kept:
        _nothing(ax, f"No account has data for {label}")
    else:
        box = ax.boxplot([d.to_numpy() for _, d in kept], patch_artist=True, widths=0.6,
                         medianprops={"color": "black"})  # fmt: skip
        many = len(kept) > 5
        ax.set_xticks(range(1, len(kept) + 1), [f"{g} (n={len(d)})" if many else f"{g}\n(n={len(d)})"
                                                for g, d in kept],
                      rotation=35 if many else 0, ha="right" if many else "center")  # fmt: skip
        for i, (patch, (g, _)) in enumerate(zip(box["boxes"], kept, strict=True)):
            patch.set_facecolor(_group_color(g, by, i))
            patch.set_alpha(0.8)
        ax.legend([box["boxes"][i] for i in range(len(kept))], [g for g, _ in kept],
                  title=by.capitalize(), frameon=False, fontsize=8,
                  loc="upper left", bbox_to_anchor=(1.0, 1.0))  # fmt: skip
        if log:
            values = pd.concat([d for _, d in kept])
            if (values > 0).all():
                ax.set_yscale("log")
            else:
                ax.set_yscale("symlog", linthresh=float(values[values > 0].min()) if (values > 0).any()
                              else 1.0)  # fmt: skip
    ax.set_title(f"{label[0].upper() + label[1:]} by {by}")
    ax.set_xlabel(by.capitalize())
    ax.set_ylabel(label + (" (log scale)" if log else ""))
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        add_source(fig, source)
    return fig, ax


def plot_kind_shares(shares: pd.DataFrame, by: str = "identity", source: str = "", ax=None):
    """Stacked bars: share of originals, replies, retweets and quotes in each group's tweets."""
    fig, ax = _figure(ax, figsize=(8, 3.5))
    if shares.empty:
        _nothing(ax, "No tweets to show")
    else:
        kind_colors = {"original": "#0072B2", "reply": "#D55E00", "retweet": "#009E73",
                       "quote": "#CC79A7"}  # fmt: skip
        left = pd.Series(0.0, index=shares.index)
        for kind in shares.columns:
            ax.barh(shares.index, shares[kind], left=left, label=kind,
                    color=kind_colors.get(kind, "#999999"))  # fmt: skip
            left += shares[kind]
        ax.invert_yaxis()
        ax.legend(title="Tweet type", frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.xaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.set_title(f"Tweet types by {by}")
    ax.set_xlabel("Share of the group's tweets (%)")
    ax.set_ylabel(by.capitalize())
    if source:
        add_source(fig, source)
    return fig, ax


def plot_activity_profile(profile: pd.DataFrame, by: str = "identity", unit: str = "hour",
                          source: str = "", ax=None):  # fmt: skip
    """Lines: share of each group's tweets per hour of day (UTC) or weekday."""
    fig, ax = _figure(ax, figsize=(8, 3.8))
    if profile.empty:
        _nothing(ax, "No tweets to show")
    else:
        x = range(len(profile.index))
        for i, g in enumerate(profile.columns):
            ax.plot(x, profile[g], marker="o", ms=3, label=g, color=_group_color(g, by, i))
        ax.set_xticks(list(x), [str(v) for v in profile.index])
        ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
        ax.legend(title=by.capitalize(), frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    what = "hour of day" if unit == "hour" else "day of the week"
    ax.set_title(f"When each {by} group tweets: {what}")
    ax.set_xlabel("Hour of day (UTC)" if unit == "hour" else "Day of the week (UTC)")
    ax.set_ylabel("Share of the group's tweets (%)")
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        add_source(fig, source)
    return fig, ax


def plot_effect_sizes(comparison: pd.DataFrame, by: str = "identity", source: str = "", ax=None):
    """Dot plot of every comparison's effect size; filled dots survived the p-value correction."""
    fig, ax = _figure(ax, figsize=(9, 1.2 + 0.3 * max(comparison["label"].nunique(), 3)
                                   if len(comparison) else 3))  # fmt: skip
    if comparison.empty:
        _nothing(ax, "Nothing to compare")
    else:
        labels = list(dict.fromkeys(comparison["label"]))
        y = {lab: i for i, lab in enumerate(labels)}
        pairs = list(dict.fromkeys(zip(comparison["group_a"], comparison["group_b"], strict=True)))
        step = min(0.18, 0.7 / len(pairs))  # the dots of one metric stay within its row
        offsets = {p: (k - (len(pairs) - 1) / 2) * step for k, p in enumerate(pairs)}
        for k, pair in enumerate(pairs):
            sub = comparison[
                (comparison["group_a"] == pair[0]) & (comparison["group_b"] == pair[1])
            ]
            color = OKABE_ITO[k % len(OKABE_ITO)]
            ys = [y[lab] + offsets[pair] for lab in sub["label"]]
            sig = sub["significant"].to_numpy()
            ax.scatter(sub["effect_size"][sig], [v for v, s in zip(ys, sig, strict=True) if s],
                       color=color, label=f"{pair[0]} vs {pair[1]}", zorder=3)  # fmt: skip
            ax.scatter(sub["effect_size"][~sig], [v for v, s in zip(ys, sig, strict=True) if not s],
                       facecolors="none", edgecolors=color, zorder=3)  # fmt: skip
        ax.axvline(0, color="#555555", lw=0.8)
        ax.set_yticks(range(len(labels)), labels)
        ax.invert_yaxis()
        ax.set_xlim(-1.05, 1.05)
        ax.legend(title="Comparison\n(filled: significant after correction;\nCliff's δ for metrics, "
                  "Cramér's V\nfor shares and distributions)", frameon=False, fontsize=8, title_fontsize=8,
                  loc="upper left", bbox_to_anchor=(1.0, 1.0))  # fmt: skip
    ax.set_title(f"How strongly groups differ, by {by}")
    ax.set_xlabel("Effect size (unitless)")
    ax.grid(axis="x", alpha=0.3)
    if source:
        add_source(fig, source)
    return fig, ax


def plot_hashtag_preferences(prefs: pd.DataFrame, by: str = "identity", source: str = "", ax=None):
    """Horizontal bars: log odds ratio of the hashtags each group prefers."""
    fig, ax = _figure(ax, figsize=(8, 0.6 + 0.3 * max(len(prefs), 4)))
    if prefs.empty:
        _nothing(ax, "No hashtag is preferred by any group")
    else:
        labels = [f"#{t} ({g})" for g, t in zip(prefs["group"], prefs["tag"], strict=True)]
        colors = [_group_color(g, by, i) for i, g in enumerate(prefs["group"])]
        ax.barh(range(len(prefs)), prefs["log_odds"], color=colors)
        ax.set_yticks(range(len(prefs)), labels)
        ax.invert_yaxis()
        groups = list(dict.fromkeys(prefs["group"]))
        handles = [plt.Rectangle((0, 0), 1, 1, color=_group_color(g, by, i))
                   for i, g in enumerate(groups)]  # fmt: skip
        ax.legend(handles, groups, title=by.capitalize(), frameon=False,
                  loc="upper left", bbox_to_anchor=(1.0, 1.0))  # fmt: skip
    ax.set_title(f"Hashtags each {by} group prefers")
    ax.set_xlabel("Log odds ratio, group vs all others (natural log)")
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        add_source(fig, source)
    return fig, ax


def plot_group_shares(shares: pd.Series, title: str, ylabel: str, by: str = "identity",
                      source: str = "", ax=None):  # fmt: skip
    """Bars of one share per group (e.g. protected accounts), in the groups' colours."""
    fig, ax = _figure(ax, figsize=(6, 3.5))
    shares = shares.dropna()
    if shares.empty:
        _nothing(ax, "No account to show")
    else:
        ax.bar(range(len(shares)), shares.to_numpy(),
               color=[_group_color(g, by, i) for i, g in enumerate(shares.index)])  # fmt: skip
        ax.set_xticks(range(len(shares)), list(shares.index))
        ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.set_title(title)
    ax.set_xlabel(by.capitalize())
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        add_source(fig, source)
    return fig, ax
