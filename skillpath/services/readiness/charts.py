"""Plotly figures for the dashboards, built as plain dictionaries from `services/readiness/dashboards.py` output.

Pure functions: no database, no Flask. A page carries each figure as JSON in a
`<script type="application/json">` and `static/js/charts.js` draws it with the
plotly.js basic bundle (bar, scatter and pie: no heatmap trace, so the skill-gap
grids are drawn as bars placed cell by cell). Plain dictionaries rather than
`plotly.graph_objects.Figure`, which costs about 14 ms a figure on these pages;
the unit tests check each one against Plotly's own schema instead. Titles, axis labels, legends and hover
text are in the reader's language (built during the request); the traces are keyed by code, not by words.

Every chart has a table with the same numbers beside or below it: that table,
not the picture, is what a screen reader or a browser without JavaScript uses.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from skillpath.i18n import _, _l
from skillpath.models import Barrier, SkillLevel
from skillpath.services.readiness.dashboards import (
    CohortSkillGrid,
    CohortSummary,
    Dashboard,
    LearnerSkillGrid,
    Overview,
)
from skillpath.services.readiness.readiness import Band
from skillpath.services.readiness.readiness_history import Week

Figure = dict[str, Any]

# GOV.UK colours, each at least 3:1 against white.
BAND_COLOURS = {
    Band.NOT_STARTED: "#505a5f",
    Band.BUILDING: "#c25a00",
    Band.NEARLY_READY: "#1d70b8",
    Band.READY: "#00703c",
}
BAR_COLOUR = "#1d70b8"
TEXT_COLOUR = "#0b0c0c"

# Skill-gap cells: (name in the legend, fill, text colour). Names are lazy: read in the request's language.
MET = (_l("At the level needed"), "#00703c", "#ffffff")
BELOW = (_l("Below the level needed"), "#c25a00", "#ffffff")
NOT_YET = (_l("Not shown yet"), "#b1b4b6", TEXT_COLOUR)
# Share of a cohort's learners holding a skill at the level: darker is better.
SHARE_BANDS = (
    (75, _l("75% or more"), "#003078", "#ffffff"),
    (50, _l("50% to 74%"), "#1d70b8", "#ffffff"),
    (25, _l("25% to 49%"), "#5694ca", TEXT_COLOUR),
    (0, _l("Under 25%"), "#d2e2f1", TEXT_COLOUR),
)


@dataclass(frozen=True)
class Chart:
    """A figure with what a page needs around it: an id, a heading and an accessible description."""

    id: str
    title: str
    description: str
    figure: Figure


def _layout(**overrides: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "font": {"family": "arial, sans-serif", "size": 16, "color": TEXT_COLOUR},
        "margin": {"l": 60, "r": 20, "t": 20, "b": 60},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "dragmode": False,
        "showlegend": False,
        "hoverlabel": {"font": {"family": "arial, sans-serif", "size": 16}},
    }
    layout.update(overrides)
    return layout


def _axis(**overrides: Any) -> dict[str, Any]:
    axis: dict[str, Any] = {"fixedrange": True, "automargin": True, "gridcolor": "#dddddd", "zeroline": False}
    axis.update(overrides)
    return axis


@lru_cache(maxsize=1024)
def _wrap(text: str, width: int = 16) -> str:
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False)) or text


def _legend(**overrides: Any) -> dict[str, Any]:
    legend: dict[str, Any] = {"orientation": "h", "x": 0, "y": -0.15, "yanchor": "top", "traceorder": "normal"}
    legend.update(overrides)
    return legend


def distribution_figure(counts: Mapping[Band, int]) -> Figure:
    bands = list(Band)
    return {
        "data": [
            {
                "type": "bar",
                "x": [band.label for band in bands],
                "y": [counts.get(band, 0) for band in bands],
                "marker": {"color": [BAND_COLOURS[band] for band in bands]},
                "text": [str(counts.get(band, 0)) for band in bands],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertemplate": _("%(x)s: %(y)s learners", x="%{x}", y="%{y}") + "<extra></extra>",
            }
        ],
        "layout": _layout(
            height=340,
            xaxis=_axis(title={"text": _("Readiness band")}),
            yaxis=_axis(title={"text": _("Learners")}, rangemode="tozero", tickformat=",d"),
        ),
    }


def weekly_figure(weeks: Sequence[Week]) -> Figure:
    starts = [week.starts.isoformat() for week in weeks]
    traces = [
        {
            "type": "bar",
            "name": band.label,
            "x": starts,
            "y": [week.counts.get(band, 0) for week in weeks],
            "marker": {"color": BAND_COLOURS[band]},
            "hovertemplate": _(
                "Week of %(week)s: %(count)s %(band)s", week="%{x|%-d %b %Y}", count="%{y}", band=band.label.lower()
            )
            + "<extra></extra>",
        }
        for band in Band
    ]
    return {
        "data": traces,
        "layout": _layout(
            height=380,
            barmode="stack",
            bargap=0.15,
            showlegend=True,
            legend=_legend(y=1.02, yanchor="bottom"),
            xaxis=_axis(type="date", tickformat="%-d %b", title={"text": _("Week beginning")}),
            yaxis=_axis(title={"text": _("Learners")}, rangemode="tozero", tickformat=",d"),
            margin={"l": 60, "r": 20, "t": 50, "b": 60},
        ),
    }


def barriers_figure(counts: Mapping[Barrier, int]) -> Figure:
    barriers = list(Barrier)
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [barrier.label for barrier in barriers],
                "x": [counts.get(barrier, 0) for barrier in barriers],
                "marker": {"color": BAR_COLOUR},
                "text": [str(counts.get(barrier, 0)) for barrier in barriers],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertemplate": _("%(y)s: %(x)s learners", y="%{y}", x="%{x}") + "<extra></extra>",
            }
        ],
        "layout": _layout(
            height=380,
            xaxis=_axis(title={"text": _("Learners with this still to sort out")}, rangemode="tozero", tickformat=",d"),
            yaxis=_axis(autorange="reversed"),
            margin={"l": 20, "r": 40, "t": 20, "b": 60},
        ),
    }


def cohorts_figure(summaries: Sequence[CohortSummary]) -> Figure:
    """Cohorts side by side: each one's learners split by band."""
    names = [summary.cohort.name if summary.cohort else _("Everyone") for summary in summaries]
    return places_figure(names, [summary.bands for summary in summaries], wrap=24)


def _grid_traces(
    cells: Iterable[tuple[int, int, str, str, str]], categories: Sequence[tuple[object, str, str]]
) -> list[dict[str, Any]]:
    """Bars placed one per cell (row, column), grouped into one trace per category so the legend explains colours.

    `cells` holds (row, column, category name, text shown in the cell, hover text).
    """
    grouped: dict[str, list[tuple[int, int, str, str]]] = {str(name): [] for name, _fill, _text in categories}
    for row, column, category, text, hover in cells:
        grouped[category].append((row, column, text, hover))
    traces = []
    for name, fill, text_colour in categories:
        members = grouped[str(name)]
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": str(name),
                "y": [row for row, _column, _text, _hover in members],
                "base": [column for _row, column, _text, _hover in members],
                "x": [1] * len(members),
                "width": 0.9,
                "marker": {"color": fill, "line": {"color": "#ffffff", "width": 2}},
                "text": [text for _row, _column, text, _hover in members],
                "textposition": "inside",
                "insidetextanchor": "middle",
                "textfont": {"color": text_colour, "size": 14},
                "hovertext": [hover for _row, _column, _text, hover in members],
                "hoverinfo": "text",
                "showlegend": True,
            }
        )
    return traces


def _grid_layout(skills: Sequence[tuple[str, str]], row_labels: Sequence[str]) -> dict[str, Any]:
    # Skill names are long: wrapped into columns, never turned on their side.
    width = 12 if len(skills) > 6 else 18
    return _layout(
        height=36 * len(row_labels) + 240,
        barmode="overlay",
        showlegend=True,
        legend=_legend(x=0, y=0, yanchor="top"),
        uniformtext={"minsize": 11, "mode": "hide"},
        xaxis=_axis(
            side="top",
            range=[0, len(skills)],
            tickmode="array",
            tickvals=[index + 0.5 for index in range(len(skills))],
            ticktext=[f"{_wrap(name, width)}<br>({level.lower()})" for name, level in skills],
            tickangle=0,
            tickfont={"size": 13},
            showgrid=False,
        ),
        yaxis=_axis(
            tickmode="array",
            tickvals=list(range(len(row_labels))),
            ticktext=[_wrap(label, 24) for label in row_labels],
            range=[len(row_labels) - 0.5, -0.5],
            showgrid=False,
        ),
        margin={"l": 20, "r": 20, "t": 20, "b": 90},
    )


def learner_grid_figure(grid: LearnerSkillGrid) -> Figure:
    """Learners down, the role's skills across; each cell coloured by the level held against the level needed."""
    # Each text is looked up in the reader's language once, not once a cell: a grid has hundreds of cells.
    not_yet = _("Not yet")
    pattern = _("%(name)s – %(skill)s: %(held)s, needs %(needed)s")
    names = {id(category): str(category[0]) for category in (MET, BELOW, NOT_YET)}
    cells = []
    for row_index, (row, gaps) in enumerate(grid.rows):
        name = row.learner.preferred_name
        for column, gap in enumerate(gaps):
            held = gap.held.label if gap.held else not_yet
            category = MET if gap.is_met else BELOW if gap.held else NOT_YET
            hover = pattern % {
                "name": name,
                "skill": gap.name,
                "held": held.lower(),
                "needed": gap.required.label.lower(),
            }
            cells.append((row_index, column, names[id(category)], held, hover))
    labels = [row.learner.preferred_name for row, _ in grid.rows]
    return {"data": _grid_traces(cells, (MET, BELOW, NOT_YET)), "layout": _grid_layout(grid.skills, labels)}


def learner_grid_table(grid: LearnerSkillGrid) -> tuple[list[str], list[list[str]]]:
    """The grid as a table (heading, then a row a learner): what screen readers and browsers without JavaScript
    use in place of the chart. Each cell's words are looked up once a level, not once a cell."""
    at_level = {level: _("At level: %(level)s", level=level.label) for level in SkillLevel}
    below = {level: _("Below: %(level)s", level=level.label) for level in SkillLevel}
    not_yet = _("Not yet")
    head = [_("Learner")] + [
        _("%(skill)s (needs %(level)s)", skill=name, level=level.lower()) for name, level in grid.skills
    ]
    rows = [
        [row.learner.preferred_name]
        + [not_yet if gap.held is None else (at_level if gap.is_met else below)[gap.held] for gap in gaps]
        for row, gaps in grid.rows
    ]
    return head, rows


def share_category(percent: int) -> tuple[int, object, str, str]:
    return next(band for band in SHARE_BANDS if percent >= band[0])


def skill_totals_figure(grid: CohortSkillGrid) -> Figure:
    """For one role level, the share of everyone working towards it who holds each skill at the level needed.

    One bar a skill, summed over the cohorts: a cohort-by-skill grid has a row per cohort and runs to
    hundreds of kilobytes at a large establishment, so each cohort's own dashboard shows its detail instead.
    """
    totals = grid.totals
    labels = [f"{_wrap(name, 28)}<br>({level.lower()})" for name, level in grid.skills]
    pattern = _("%(skill)s: %(met)s of %(learners)s at the level needed")
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": list(range(len(totals))),
                "x": [cell.percent for cell in totals],
                "marker": {
                    "color": [share_category(cell.percent)[2] for cell in totals],
                    "line": {"color": "#0b0c0c", "width": 1},
                },
                "text": [f"{cell.percent}%" for cell in totals],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertext": [
                    pattern % {"skill": name, "met": cell.met, "learners": cell.learners}
                    for (name, _level), cell in zip(grid.skills, totals, strict=True)
                ],
                "hoverinfo": "text",
            }
        ],
        "layout": _layout(
            height=48 * len(totals) + 120,
            xaxis=_axis(title={"text": _("Learners at the level needed (%)")}, range=[0, 110], ticksuffix="%"),
            yaxis=_axis(
                tickmode="array",
                tickvals=list(range(len(totals))),
                ticktext=labels,
                autorange="reversed",
                showgrid=False,
            ),
            margin={"l": 20, "r": 40, "t": 20, "b": 60},
        ),
    }


def cohort_charts(dashboard: Dashboard) -> dict[str, object]:
    """The figures of a cohort's dashboard (the mentor's cohort page)."""
    return {
        "distribution": distribution_figure(dashboard.distribution),
        "weekly": weekly_figure(dashboard.weeks),
        "barriers": barriers_figure(dashboard.barriers_outstanding),
        "grids": [(grid, learner_grid_figure(grid), learner_grid_table(grid)) for grid in dashboard.learner_grids],
    }


def establishment_charts(dashboard: Dashboard | Overview) -> dict[str, object]:
    """The figures of an establishment's view (drawn from its `Overview`; a row-by-row `Dashboard` gives the same)."""
    return {
        "cohorts": cohorts_figure(dashboard.summaries),
        "distribution": distribution_figure(dashboard.distribution),
        "weekly": weekly_figure(dashboard.weeks),
        "barriers": barriers_figure(dashboard.barriers_outstanding),
        "grids": [(grid, skill_totals_figure(grid)) for grid in dashboard.cohort_grids],
    }


def places_figure(names: Sequence[str], bands: Sequence[Mapping[Band, int]], *, wrap: int = 32) -> Figure:
    """Places side by side (an establishment's cohorts, the national view's establishments), each one's
    learners split by band, with names wrapped at `wrap` characters."""
    rows = list(range(len(names)))
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "name": band.label,
            # No "y": Plotly numbers the bars 0, 1, 2… itself, which saves a list per band at 200 places.
            "x": [counts[band] for counts in bands],
            "marker": {"color": BAND_COLOURS[band]},
            # The place's name is the axis label beside its bar: repeating it in every bar's hover text
            # would cost a few kilobytes a place at a hundred or more.
            "hovertemplate": _("%(count)s %(band)s", count="%{x}", band=band.label.lower()) + "<extra></extra>",
        }
        for band in Band
    ]
    return {
        "data": traces,
        "layout": _layout(
            # Thinner bars beyond a screenful of places.
            height=(50 if len(names) <= 20 else 24) * len(names) + 170,
            barmode="stack",
            showlegend=True,
            legend=_legend(y=1.02, yanchor="bottom"),
            xaxis=_axis(title={"text": _("Learners")}, rangemode="tozero", tickformat=",d"),
            yaxis=_axis(
                tickmode="array",
                tickvals=rows,
                ticktext=[_wrap(name, wrap) for name in names],
                autorange="reversed",
                showgrid=False,
            ),
            margin={"l": 20, "r": 20, "t": 50, "b": 60},
        ),
    }
