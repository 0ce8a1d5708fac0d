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


# ==== issue 7: adoption over time and hashtag communities ======================================


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#555555")


def _finish(fig, ax, title: str, xlabel: str, ylabel: str, source: str = "") -> None:
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        add_source(fig, source)


def plot_adoption_curves(curves: pd.DataFrame, source: str = "", date_label: str = "", ax=None):
    """Adopters per month (from ``adoption.adoption_curves``).

    One group: bars of new adopters per month and the cumulative count on a
    second axis. Several groups: one cumulative line per group, in its colour.
    """
    fig, ax = _figure(ax)
    what = f" ({date_label})" if date_label else ""
    if curves.empty:
        _empty(ax, "No dated adopters in this dataset")
        _finish(fig, ax, f"Adoption over time{what}", "Month (UTC)", "Adopters (accounts)", source)
        return fig, ax
    groups = sorted(curves["group"].unique())
    if len(groups) == 1:
        c = curves
        ax.bar(
            c["month"], c["new"], width=25, color=OKABE_ITO[4], label="new adopters in the month"
        )
        ax2 = ax.twinx()
        ax2.plot(c["month"], c["cumulative"], color=OKABE_ITO[5], lw=2, label="cumulative adopters")
        ax2.set_ylabel("Cumulative adopters (accounts)")
        ax2.spines[["top"]].set_visible(False)
        ax2.set_ylim(bottom=0)
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, loc="upper left", frameon=False)
        ylabel = "New adopters per month (accounts)"
    else:
        for i, g in enumerate(groups):
            c = curves[curves["group"] == g]
            ax.plot(c["month"], c["cumulative"], color=color_for(g, index=i), lw=2, label=g)
        ax.legend(title="Group", loc="upper left", frameon=False, fontsize=8, ncols=2)
        ylabel = "Cumulative adopters (accounts)"
    _finish(fig, ax, f"Adoption over time{what}", "Month (UTC)", ylabel, source)
    return fig, ax


def plot_bass_fit(observed: pd.DataFrame, fit=None, source: str = "", ax=None):
    """Observed cumulative adopters vs the fitted Bass curve (from ``adoption.bass_curve``)."""
    fig, ax = _figure(ax)
    title = "Cumulative adopters: data vs Bass diffusion fit"
    if observed.empty:
        _empty(ax, "No dated adopters in this dataset")
        _finish(fig, ax, title, "Month (UTC)", "Cumulative adopters (accounts)", source)
        return fig, ax
    ax.plot(observed["month"], observed["observed"], color=OKABE_ITO[4], lw=0, marker=".",
            ms=3, label="observed (end of month)")  # fmt: skip
    if fit is not None and "fitted" in observed:
        ax.plot(observed["month"], observed["fitted"], color=OKABE_ITO[5], lw=2,
                label=f"Bass fit: p = {fit.p:.4f}/yr, q = {fit.q:.3f}/yr, m = {fit.m:,.0f}")  # fmt: skip
        ax.axhline(fit.m, color="#999999", ls=":", lw=1)
        ax.annotate(f"market size m ≈ {fit.m:,.0f}", (observed["month"].iloc[0], fit.m),
                    xytext=(0, 4), textcoords="offset points", fontsize=8, color="#555555")  # fmt: skip
        peak = fit.peak.tz_localize(None)
        ax.axvline(peak, color="#999999", ls="--", lw=1)
        ax.annotate(f"peak of new adoptions: {peak:%Y-%m}", (peak, fit.m * 0.9),
                    xytext=(-6, 0), textcoords="offset points", fontsize=8, ha="right")  # fmt: skip
    else:
        _empty(ax, "Too few adopters for a Bass fit")
    ax.legend(loc="lower right", frameon=False)
    ax.set_ylim(bottom=0)
    _finish(fig, ax, title, "Month (UTC)", "Cumulative adopters (accounts)", source)
    return fig, ax


def plot_weekly_activity(
    weekly: pd.DataFrame, per_account: bool = False, source: str = "", ax=None
):
    """Tweets per week by group (from ``adoption.weekly_activity``), raw or per account."""
    fig, ax = _figure(ax)
    col = "tweets_per_account" if per_account else "tweets"
    ylabel = "Tweets per week per account (count)" if per_account else "Tweets per week (count)"
    title = "Tweets per week" + (" per account that had started" if per_account else "")
    if weekly.empty:
        _empty(ax, "No collected tweets in this dataset")
    else:
        groups = sorted(weekly["group"].unique())
        for i, g in enumerate(groups):
            w = weekly[weekly["group"] == g]
            ax.plot(w["week"], w[col], color=color_for(g, index=i), lw=0.8, label=g)
        ax.legend(title="Group", loc="upper right", frameon=False, fontsize=8)
        ax.set_ylim(bottom=0)
    _finish(fig, ax, title, "Week (starting Monday, UTC)", ylabel, source)
    return fig, ax


def plot_tweet_type_shares(
    shares: pd.DataFrame, group: str | None = None, source: str = "", ax=None
):
    """Stacked shares of originals, replies, retweets and quotes per period (one group)."""
    fig, ax = _figure(ax)
    kinds = ["original", "reply", "retweet", "quote"]
    colors = [OKABE_ITO[4], OKABE_ITO[5], OKABE_ITO[2], OKABE_ITO[6]]
    title = "Share of tweet types per year" + (f" ({group})" if group else "")
    s = shares if group is None else shares[shares["group"] == group]
    if s.empty:
        _empty(ax, "No collected tweets in this dataset")
    else:
        s = s.groupby("period", as_index=False)[[*kinds, "tweets"]].sum(min_count=1)
        x = s["period"].dt.year.astype(str)
        bottom = pd.Series(0.0, index=s.index)
        for k, c in zip(kinds, colors, strict=True):
            vals = s[k].fillna(0) * 100
            ax.bar(x, vals, bottom=bottom, color=c, label=k)
            bottom += vals
        for xi, n in zip(x, s["tweets"], strict=True):
            ax.annotate(f"n={int(n)}", (xi, 100), xytext=(0, 2), textcoords="offset points",
                        ha="center", fontsize=6, rotation=90)  # fmt: skip
        ax.set_ylim(0, 115)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        ax.tick_params(axis="x", labelrotation=90)
    _finish(fig, ax, title, "Year (UTC)", "Share of the year's tweets (%)", source)
    return fig, ax


def plot_active_accounts(active: pd.DataFrame, source: str = "", ax=None):
    """Active accounts per month and their share of the accounts that had started."""
    fig, ax = _figure(ax)
    title = "Active accounts per month (at least one tweet)"
    if active.empty:
        _empty(ax, "No collected tweets in this dataset")
        _finish(fig, ax, title, "Month (UTC)", "Active accounts (count)", source)
        return fig, ax
    a = active.groupby("month", as_index=False)[["active", "adopted"]].sum()
    ax.plot(a["month"], a["active"], color=OKABE_ITO[4], lw=1.5, label="active accounts")
    ax.plot(a["month"], a["adopted"], color="#999999", lw=1, ls="--",
            label="accounts that had started (denominator)")  # fmt: skip
    ax2 = ax.twinx()
    share = a["active"] / a["adopted"].where(a["adopted"] > 0) * 100
    ax2.plot(a["month"], share, color=OKABE_ITO[5], lw=1, alpha=0.8, label="share active (%)")
    ax2.set_ylabel("Share of started accounts active (%)")
    ax2.set_ylim(0, 100)
    ax2.spines[["top"]].set_visible(False)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper left", frameon=False, fontsize=8)
    _finish(fig, ax, title, "Month (UTC)", "Accounts (count)", source)
    return fig, ax


def plot_retention(ret: pd.DataFrame, source: str = "", ax=None):
    """Share of accounts still tweeting N months after adopting (from ``adoption.retention``)."""
    fig, ax = _figure(ax, figsize=(7, 4))
    title = "Retention: accounts still tweeting N months after their first tweet"
    r = ret.dropna(subset=["share_retained"]) if len(ret) else ret
    if r.empty:
        _empty(ax, "Too little time covered to measure retention")
    else:
        for i, g in enumerate(sorted(r["group"].unique())):
            d = r[r["group"] == g]
            ax.plot(d["months_after"], d["share_retained"] * 100, marker="o",
                    color=color_for(g, index=i), label=g)  # fmt: skip
            if len(r["group"].unique()) == 1:
                for m, s, e in zip(d["months_after"], d["share_retained"], d["eligible"],
                                   strict=True):  # fmt: skip
                    ax.annotate(f"n={e}", (m, s * 100), xytext=(0, -12),
                                textcoords="offset points", ha="center", fontsize=7)  # fmt: skip
        ax.set_xscale("log")
        ticks = sorted(r["months_after"].unique())
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.set_ylim(0, 105)
        ax.legend(title="Group (n = eligible accounts)", frameon=False, fontsize=8)
    _finish(fig, ax, title, "Months after first tweet (log scale)", "Accounts retained (%)", source)
    return fig, ax


def plot_survey_comparison(table: pd.DataFrame, source: str = "", ax=None):
    """The survey's reference figures beside the measured ones (from ``adoption.survey_comparison``)."""
    fig, ax = _figure(ax, figsize=(9, 4.3))
    y = range(len(table))
    ax.barh([i + 0.2 for i in y], table["survey (reference, not ours)"] * 100, height=0.38,
            color="#BBBBBB", label="survey's figure (reference, not measured here)")  # fmt: skip
    measured = table["measured here"].astype(float) * 100
    ax.barh([i - 0.2 for i in y], measured.fillna(0), height=0.38, color=OKABE_ITO[4],
            label="measured in this dataset (different denominator)")  # fmt: skip
    for i, (m, note) in enumerate(zip(measured, table["note"], strict=True)):
        missing = (
            "not measured (needs account labels)"
            if "labels" in note
            else "not measurable from tweets"
        )
        text = f"{m:.0f}%" if pd.notna(m) else missing
        ax.annotate(text, (0 if pd.isna(m) else m, i - 0.2), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=8)  # fmt: skip
    for i, v in enumerate(table["survey (reference, not ours)"]):
        ax.annotate(f"{v:.0%}", (v * 100, i + 0.2), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=8, color="#555555")  # fmt: skip
    ax.set_yticks(list(y), [f.replace(" general", "\ngeneral") for f in table["figure"]])
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.16), frameon=False, fontsize=8)
    _finish(fig, ax, "Survey reference figures beside what this dataset shows", "Share (%)", "",
            source)  # fmt: skip
    return fig, ax


def plot_tag_trends(trends: pd.DataFrame, tags: list[str], source: str = "", ax=None):
    """Share of the period's tagged tweets for a few tags (from ``hashtags.tag_trends``)."""
    fig, ax = _figure(ax)
    title = "Hashtag trends: share of each year's tagged tweets"
    t = trends[trends["tag_key"].isin(tags)] if len(trends) else trends
    if t.empty:
        _empty(ax, "No hashtags in this dataset")
    else:
        for i, tag in enumerate(tags):
            d = t[t["tag_key"] == tag]
            ax.plot(d["period"], d["share"] * 100, marker="o", ms=3, color=OKABE_ITO[i % 9],
                    label=f"#{tag}")  # fmt: skip
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
        ax.set_ylim(bottom=0)
    _finish(fig, ax, title, "Year (UTC)", "Share of tagged tweets (%)", source)
    return fig, ax


def plot_cooccurrence_graph(graph, communities: pd.Series, source: str = "", seed: int = 42,
                            ax=None):  # fmt: skip
    """The hashtag co-occurrence graph, nodes coloured by community and sized by use."""
    import networkx as nx

    fig, ax = _figure(ax, figsize=(9, 7))
    title = "Hashtag co-occurrence graph (significant pairs) and its communities"
    if graph.number_of_nodes() == 0 or graph.number_of_edges() == 0:
        _empty(ax, "No pair of hashtags co-occurs significantly in this dataset")
        ax.set_axis_off()
        ax.set_title(title)
        if source:
            add_source(fig, source)
        return fig, ax
    import numpy as np

    comms = sorted(communities.unique())
    # each community on its own small circle, the circles spread on a large one: readable labels
    pos, placed = {}, set()
    for ci, c in enumerate(comms):
        members = sorted(n for n in graph.nodes if communities.get(n) == c)
        angle = 2 * np.pi * ci / max(len(comms), 1)
        center = np.array([np.cos(angle), np.sin(angle)]) * (1.0 if len(comms) > 1 else 0.0)
        for k, n in enumerate(members):
            a = 2 * np.pi * k / max(len(members), 1) + angle
            pos[n] = center + 0.3 * np.array([np.cos(a), np.sin(a)])
            placed.add(n)
    rest = [n for n in graph.nodes if n not in placed]
    if rest:
        pos.update(nx.spring_layout(graph.subgraph(rest), seed=seed, center=(0, 0), scale=0.3))
    colors = [OKABE_ITO[int(communities.get(n, 0)) % 9] for n in graph.nodes]
    sizes = [30 + 3 * graph.nodes[n].get("tweets", 1) ** 0.8 for n in graph.nodes]
    widths = [0.3 + 2.5 * d.get("npmi", 0) for _, _, d in graph.edges(data=True)]
    nx.draw_networkx_edges(graph, pos, ax=ax, width=widths, edge_color="#999999", alpha=0.6)
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colors, node_size=sizes, linewidths=0.5,
                           edgecolors="white")  # fmt: skip
    nx.draw_networkx_labels(graph, pos, ax=ax, labels={n: f"#{n}" for n in graph.nodes},
                            font_size=7)  # fmt: skip
    for c in comms:
        ax.scatter([], [], color=OKABE_ITO[int(c) % 9], label=f"community {c}")
    ax.legend(title="Louvain community", loc="upper left", bbox_to_anchor=(1.0, 1.0),
              frameon=False, fontsize=8)  # fmt: skip
    ax.set_axis_off()
    ax.set_title(title + "\nnode size: tweets using the tag; edge width: normalised PMI")
    if source:
        add_source(fig, source)
    return fig, ax


def plot_crosstab(table: pd.DataFrame, title: str, source: str = "", ax=None):
    """A cross-tab of two partitions as a heatmap with the counts written in."""
    fig, ax = _figure(ax, figsize=(7, 5))
    if table.empty:
        _empty(ax, "Nothing to compare")
        ax.set_axis_off()
        ax.set_title(title)
        return fig, ax
    im = ax.imshow(table.to_numpy(), cmap="Blues", aspect="auto")
    ax.set_xticks(range(table.shape[1]), [str(c) for c in table.columns])
    ax.set_yticks(range(table.shape[0]), [str(r) for r in table.index])
    vmax = table.to_numpy().max()
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            v = table.iat[i, j]
            ax.text(j, i, str(v), ha="center", va="center", fontsize=8,
                    color="white" if v > vmax / 2 else "black")  # fmt: skip
    fig.colorbar(im, ax=ax, label="Accounts (count)")
    _finish(fig, ax, title, str(table.columns.name), str(table.index.name), source)
    return fig, ax


def plot_time_to_answer(questions: pd.DataFrame, tag: str = "docstoctoc", source: str = "",
                        ax=None):  # fmt: skip
    """Distribution of the time to first answer of peer-help questions (log scale)."""
    import numpy as np

    fig, ax = _figure(ax, figsize=(8, 4))
    title = f"#{tag}: time from question to first answer"
    hours = questions["hours_to_first_answer"].dropna() if len(questions) else pd.Series()
    hours = hours[hours > 0]
    if hours.empty:
        _empty(ax, "No answered question in this dataset")
    else:
        bins = np.logspace(np.log10(hours.min()), np.log10(hours.max()), 30)
        ax.hist(hours, bins=bins, color=OKABE_ITO[4], label="answered questions")
        med = hours.median()
        ax.axvline(med, color=OKABE_ITO[5], ls="--", label=f"median: {med:,.1f} h")
        ax.set_xscale("log")
        for h, name in ((1, "1 hour"), (24, "1 day"), (168, "1 week"), (730, "1 month"),
                        (8766, "1 year")):  # fmt: skip
            if bins[0] <= h <= bins[-1]:
                ax.axvline(h, color="#BBBBBB", lw=0.8, zorder=0)
                ax.annotate(name, (h, 1), xycoords=("data", "axes fraction"), xytext=(2, -10),
                            textcoords="offset points", fontsize=7, color="#555555")  # fmt: skip
        ax.legend(frameon=False)
    _finish(fig, ax, title, "Hours to first answer (log scale)", "Questions (count)", source)
    return fig, ax


def plot_who_answers(table: pd.DataFrame, by: str = "role", source: str = "", ax=None):
    """Answers to peer-help questions by group (from ``hashtags.who_answers``)."""
    fig, ax = _figure(ax, figsize=(7, 3.5))
    title = f"Who answers peer-help questions (by {by})"
    if table.empty:
        _empty(ax, "No answers in this dataset")
    else:
        palette = IDENTITY_COLORS if by == "identity" else ROLE_COLORS
        colors = [color_for(g, palette, i) for i, g in enumerate(table["group"])]
        ax.barh(table["group"], table["answers"], color=colors)
        for g, a, n in zip(table["group"], table["answers"], table["answerers"], strict=True):
            ax.annotate(f"{n} accounts", (a, g), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=8)  # fmt: skip
        ax.invert_yaxis()
    _finish(fig, ax, title, "Answers (replies, count)", by.capitalize(), source)
    return fig, ax
