"""Every chart of the toolkit: each takes data (and an optional ``ax``), returns ``(fig, ax)``.

Charts never compute a metric; they draw what the analysis modules return.
Conventions: a title naming the subject, labelled axes with units, a source
line (``source_label``), and a colour-blind-safe palette (Okabe-Ito) in which a
group keeps its colour in every chart.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
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


def _empty(ax, text: str) -> None:
    """Say in the plot area that there is nothing to show (a tiny dataset, a missing table)."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])


def _finish(fig, ax, title: str, xlabel: str, ylabel: str, source: str = "") -> None:
    """Title, axis labels (with units), no top/right spines, and the source line."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        add_source(fig, source)


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
    _finish(
        fig, ax, "Tweets per month by language", "Month (UTC)", "Tweets per month (count)", source
    )
    return fig, ax


# --- issue 9: patient confidentiality --------------------------------------------------------


def plot_flag_rates(rates: pd.DataFrame, by: str = "identity", source: str = "", ax=None):
    """Share of accounts with a tweet flagged high risk, per group (from ``confidentiality.flag_rates``).

    Suppressed groups (fewer than k accounts, anonymised outputs) are labelled, not drawn.
    """
    from matplotlib.patches import Patch

    fig, ax = _figure(ax, figsize=(8, 0.45 * max(len(rates), 3) + 2))
    palette = IDENTITY_COLORS if by == "identity" else ROLE_COLORS
    if rates.empty:
        ax.text(0.5, 0.5, "No tweets in this dataset", ha="center", va="center",
                transform=ax.transAxes)  # fmt: skip
    else:
        groups = list(rates[by])
        values = 100 * pd.to_numeric(rates["share_accounts_flagged"], errors="coerce")
        colors = [color_for(g, palette, i) for i, g in enumerate(groups)]
        y = range(len(groups))
        ax.barh(list(y), values.fillna(0), color=colors)
        for yi, v in zip(y, values, strict=True):
            if pd.isna(v):
                ax.text(0, yi, "  suppressed (fewer than k accounts)", va="center", fontsize=8,
                        color="#555555")  # fmt: skip
        ax.set_yticks(list(y), groups)
        ax.invert_yaxis()
        ax.legend(handles=[Patch(color=c, label=g) for g, c in zip(groups, colors, strict=True)],
                  title=by.capitalize(), loc="lower right", frameon=False, fontsize=8)  # fmt: skip
    ax.set_title(f"Accounts that posted a tweet flagged high risk for patient confidentiality, "
                 f"by {by}", fontsize=10)  # fmt: skip
    ax.set_xlabel("Accounts with at least one high-risk tweet (% of the group's tweeting accounts)")
    ax.set_ylabel(by.capitalize())
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        engine = fig.get_layout_engine()
        if engine is not None and hasattr(engine, "set"):
            engine.set(rect=(0, 0.06, 1, 0.94))  # room for the source line under the axis label
        add_source(fig, source)
    return fig, ax


# ==== issue 7: adoption over time and hashtag communities ======================================


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


# == accounts (issue 6): roles, identity styles and how groups differ ==================================


def _group_color(group: str, by: str, index: int = 0) -> str:
    return color_for(group, IDENTITY_COLORS if by == "identity" else ROLE_COLORS, index)


def plot_confusion_matrix(cm: pd.DataFrame, title: str = "Confusion matrix", source: str = "",
                          ax=None):  # fmt: skip
    """Heatmap of a confusion matrix (from ``accounts.evaluate.confusion_matrix``), counts written in."""
    fig, ax = _figure(
        ax, figsize=(1.0 + 0.65 * max(len(cm.columns), 3), 0.9 + 0.5 * max(len(cm), 3))
    )
    if cm.empty:
        _empty(ax, "Nothing to evaluate")
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
        _empty(ax, f"No account has data for {label}")
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
    _finish(
        fig,
        ax,
        f"{label[0].upper() + label[1:]} by {by}",
        by.capitalize(),
        label + (" (log scale)" if log else ""),
        source,
    )
    return fig, ax


def plot_kind_shares(shares: pd.DataFrame, by: str = "identity", source: str = "", ax=None):
    """Stacked bars: share of originals, replies, retweets and quotes in each group's tweets."""
    fig, ax = _figure(ax, figsize=(8, 3.5))
    if shares.empty:
        _empty(ax, "No tweets to show")
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
        _empty(ax, "No tweets to show")
    else:
        x = range(len(profile.index))
        for i, g in enumerate(profile.columns):
            ax.plot(x, profile[g], marker="o", ms=3, label=g, color=_group_color(g, by, i))
        ax.set_xticks(list(x), [str(v) for v in profile.index])
        ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
        ax.legend(title=by.capitalize(), frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    what = "hour of day" if unit == "hour" else "day of the week"
    _finish(
        fig,
        ax,
        f"When each {by} group tweets: {what}",
        "Hour of day (UTC)" if unit == "hour" else "Day of the week (UTC)",
        "Share of the group's tweets (%)",
        source,
    )
    return fig, ax


def plot_effect_sizes(comparison: pd.DataFrame, by: str = "identity", source: str = "", ax=None):
    """Dot plot of every comparison's effect size; filled dots survived the p-value correction."""
    fig, ax = _figure(ax, figsize=(9, 1.2 + 0.3 * max(comparison["label"].nunique(), 3)
                                   if len(comparison) else 3))  # fmt: skip
    if comparison.empty:
        _empty(ax, "Nothing to compare")
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
        _empty(ax, "No hashtag is preferred by any group")
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
        _empty(ax, "No account to show")
    else:
        ax.bar(range(len(shares)), shares.to_numpy(),
               color=[_group_color(g, by, i) for i, g in enumerate(shares.index)])  # fmt: skip
        ax.set_xticks(range(len(shares)), list(shares.index))
        ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    _finish(fig, ax, title, by.capitalize(), ylabel, source)
    return fig, ax


# ---------------------------------------------------------------------------------------
# Follower graph (issue 5): degree distributions, group matrices, top accounts, community map
# ---------------------------------------------------------------------------------------


def _room_for_source(fig) -> None:
    """Keep the bottom strip free for the source line under a constrained layout."""
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        engine.set(rect=(0, 0.035, 1, 0.965))


def plot_degree_distribution(
    in_dist: pd.DataFrame, out_dist: pd.DataFrame | None = None, fit=None, source: str = "", ax=None
):
    """Log-log share of accounts with at least k followers (and following), with a power-law fit.

    ``in_dist``/``out_dist`` come from ``graph.degree_distribution``; ``fit`` from
    ``graph.fit_power_law`` on in-degrees (drawn over its fitted range).
    """
    fig, ax = _figure(ax, figsize=(7, 4.5))
    ax.set_title("Followers and following within the community (degree distribution)")
    if in_dist.empty or (in_dist["degree"] > 0).sum() == 0:
        _empty(ax, "No follow links in this dataset")
    else:
        for dist, label, color in ((in_dist, "followers (in-degree)", "#0072B2"),
                                   (out_dist, "following (out-degree)", "#E69F00")):  # fmt: skip
            if dist is None:
                continue
            d = dist.loc[dist["degree"] > 0]
            ax.loglog(d["degree"], d["ccdf"], "o", ms=3, color=color, label=label, alpha=0.8)
        if fit is not None and fit.alpha == fit.alpha:  # not NaN
            d = in_dist.loc[in_dist["degree"] >= fit.xmin]
            k = np.geomspace(fit.xmin, fit.xmax, 50)
            start = float(d["ccdf"].iloc[0]) if len(d) else 1.0
            ax.loglog(k, start * (k / fit.xmin) ** (1 - fit.alpha), "-", color="#D55E00",
                      label=f"power law, alpha = {fit.alpha:.2f} (k = {fit.xmin}–{fit.xmax})")  # fmt: skip
        ax.set_xlabel("Degree k (accounts, log scale)")
        ax.set_ylabel("Share of accounts with degree ≥ k (log scale)")
        ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        _room_for_source(fig)
        add_source(fig, source)
    return fig, ax


def plot_group_matrix(
    matrix: pd.DataFrame, title: str, value_label: str, source: str = "", ax=None,
    center: float | None = None, fmt: str = "{:.2f}",
):  # fmt: skip
    """Heatmap of a group × group matrix (follower group rows, followed group columns).

    ``center`` (e.g. 1 for observed / expected ratios) switches to a diverging
    colour scale centred there; otherwise a sequential, colour-blind-safe one.
    """
    from matplotlib.colors import TwoSlopeNorm

    fig, ax = _figure(ax, figsize=(6.5, 5))
    ax.set_title(title)
    values = matrix.to_numpy(dtype=float) if not matrix.empty else np.zeros((0, 0))
    if values.size == 0 or np.isnan(values).all():
        _empty(ax, "Nothing to show")
    else:
        if center is not None:
            finite = values[np.isfinite(values)]
            lo, hi = min(finite.min(), center * 0.99), max(finite.max(), center * 1.01)
            im = ax.imshow(values, cmap="PuOr_r", norm=TwoSlopeNorm(center, lo, hi))
        else:
            top = 1.0 if np.nanmax(values) <= 1 else float(np.nanmax(values))  # shares: 0 to 1
            im = ax.imshow(values, cmap="cividis", vmin=0, vmax=top)
        ax.set_xticks(range(len(matrix.columns)), matrix.columns, rotation=45, ha="right")
        ax.set_yticks(range(len(matrix.index)), matrix.index)
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                if np.isfinite(values[i, j]):
                    ax.text(j, i, fmt.format(values[i, j]), ha="center", va="center", fontsize=8,
                            color="white" if center is None and values[i, j] < im.norm.vmax / 2 else "black")  # fmt: skip
        ax.set_xlabel("Followed account's group")
        ax.set_ylabel("Follower's group")
        fig.colorbar(im, ax=ax, label=value_label, shrink=0.8)
    if source:
        _room_for_source(fig)
        add_source(fig, source)
    return fig, ax


def plot_top_accounts(top: pd.DataFrame, value: str = "pagerank", source: str = "", ax=None):
    """Horizontal bars of the top accounts by ``value``, coloured by role (``graph.top_accounts``)."""
    fig, ax = _figure(ax, figsize=(7, 4.5))
    ax.set_title(f"Most central accounts by {value}")
    if top.empty:
        _empty(ax, "No accounts to rank")
    else:
        d = top.iloc[::-1]
        roles = d["role"].fillna("unknown")
        ax.barh(d["username"].fillna(d["user_id"].astype(str)), d[value],
                color=[color_for(r, ROLE_COLORS, i) for i, r in enumerate(roles)])  # fmt: skip
        from matplotlib.patches import Patch

        seen = list(dict.fromkeys(top["role"].fillna("unknown")))
        ax.legend(handles=[Patch(color=color_for(r, ROLE_COLORS), label=r) for r in seen],
                  title="Role", frameon=False, loc="lower right")  # fmt: skip
        unit = "share of random-surfer visits" if value == "pagerank" else "accounts"
        ax.set_xlabel(f"{value} ({unit})")
        ax.set_ylabel("Account (handle)")
    ax.spines[["top", "right"]].set_visible(False)
    if source:
        _room_for_source(fig)
        add_source(fig, source)
    return fig, ax


def plot_community_map(graph, pos: dict, names: dict | None = None, source: str = "", ax=None):
    """Draw a sample of the graph laid out (``graph.community_sample``), coloured by community."""
    import networkx as nx
    from matplotlib.lines import Line2D

    fig, ax = _figure(ax, figsize=(8, 7))
    ax.set_title("Communities of the follower graph (sample of accounts, spring layout)")
    if graph.number_of_nodes() == 0:
        _empty(ax, "No communities: no follow links in this dataset")
    else:
        comms = sorted({d for _, d in graph.nodes(data="community")})
        colors = [
            OKABE_ITO[comms.index(graph.nodes[v]["community"]) % len(OKABE_ITO)] for v in graph
        ]
        nx.draw_networkx_edges(graph, pos, ax=ax, alpha=0.08, width=0.5)
        nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=18, node_color=colors, linewidths=0)
        names = names or {}
        handles = [Line2D([], [], marker="o", ls="", color=OKABE_ITO[i % len(OKABE_ITO)],
                          label=f"{c}: {names.get(c, '')}".rstrip(": ")) for i, c in enumerate(comms)]  # fmt: skip
        ax.legend(handles=handles, title="Community", frameon=False, loc="upper left",
                  bbox_to_anchor=(1.0, 1.0))  # fmt: skip
        ax.set_xlabel("Layout position (no unit)")
        ax.set_axis_off()
    if source:
        _room_for_source(fig)
        add_source(fig, source)
    return fig, ax
