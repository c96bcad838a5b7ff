"""Charts for the report: matplotlib figures rendered to inline SVG.

Text is drawn as paths (``svg.fonttype = path``), so the file needs no font and no network;
every id inside an SVG is prefixed with the chart's id, so several charts on one page never
share an id; each SVG carries ``role="img"`` and a ``<title>``/``<desc>`` for screen readers.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence

import matplotlib
from markupsafe import Markup, escape
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from report.numbers import Num, format_value

# Okabe-Ito: tells the networks apart for colour-blind readers too
COLORS = {
    "facebook": "#0072B2",
    "instagram": "#CC79A7",
    "linkedin": "#009E73",
    "x": "#000000",
    "xing": "#E69F00",
    "all": "#555555",
}
CYCLE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
SENTIMENT_COLORS = {"positive": "#009E73", "neutral": "#BBBBBB", "negative": "#D55E00"}

_ID = re.compile(r'\bid="([^"]+)"')


def _color(code: str, index: int) -> str:
    return COLORS.get(code) or SENTIMENT_COLORS.get(code) or CYCLE[index % len(CYCLE)]


def _formatter(kind: str, lang: str) -> FuncFormatter:
    def fmt(value: float, _pos: int) -> str:
        if kind in {"int", "signed_int"} or (kind == "eur" and value == round(value)):
            # whole ticks read better without decimals (600 €, not 600,00 €)
            whole = format_value(Num("tick", round(value), "int", ""), lang)
            return whole if kind != "eur" else (f"{whole} €" if lang == "de" else f"€{whole}")
        return format_value(Num("tick", value, kind, ""), lang)

    return FuncFormatter(fmt)


def _values(values: Sequence[float | None]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def render(
    chart_id: str,
    title: str,
    desc: str,
    labels: list[str],
    series: list[tuple[str, str, list[float | None]]],
    *,
    style: str,
    kinds: list[str],
    lang: str,
    colors: list[str] | None = None,
) -> Markup:
    """One chart as an inline ``<svg>`` element.

    ``style``: ``line`` (a line per series), ``bar`` (grouped columns), ``stacked`` (stacked
    columns), ``bar_line`` (first series as columns, second as a line on its own axis),
    ``panels`` (one horizontal bar panel per series over the categories, ``colors`` per
    category)."""
    params = {
        "svg.fonttype": "path",
        "svg.hashsalt": chart_id,
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    with matplotlib.rc_context(params):
        if style == "panels":
            fig = Figure(figsize=(7.5, 0.45 * len(labels) + 1.1))
            axes = fig.subplots(1, len(series), sharey=True)
            for ax, (name, _, values), kind in zip(axes, series, kinds, strict=True):
                ys = list(range(len(labels)))
                bar_colors = [_color(c, i) for i, c in enumerate(colors or [])] or None
                ax.barh(ys, [0 if math.isnan(v) else v for v in _values(values)], color=bar_colors)
                ax.set_yticks(ys, labels)
                ax.invert_yaxis()
                ax.set_title(name, fontsize=9)
                ax.xaxis.set_major_formatter(_formatter(kind, lang))
                ax.xaxis.set_major_locator(MaxNLocator(4))
        else:
            fig = Figure(figsize=(7.5, 2.8))
            ax = fig.subplots()
            xs = list(range(len(labels)))
            if style == "line":
                for i, (name, code, values) in enumerate(series):
                    ax.plot(
                        xs, _values(values), marker="o", ms=3, label=name, color=_color(code, i)
                    )
            elif style in {"bar", "stacked"}:
                width = 0.8 if style == "stacked" else 0.8 / len(series)
                bottom = [0.0] * len(labels)
                for i, (name, code, values) in enumerate(series):
                    ys = [0.0 if math.isnan(v) else v for v in _values(values)]
                    if style == "stacked":
                        ax.bar(xs, ys, width, bottom=bottom, label=name, color=_color(code, i))
                        bottom = [b + y for b, y in zip(bottom, ys, strict=True)]
                    else:
                        offset = (i - (len(series) - 1) / 2) * width
                        ax.bar(
                            [x + offset for x in xs], ys, width, label=name, color=_color(code, i)
                        )
            elif style == "bar_line":
                (name, code, values), (name2, _, values2) = series
                ys = [0.0 if math.isnan(v) else v for v in _values(values)]
                ax.bar(xs, ys, 0.7, label=name, color="#56B4E9")
                ax2 = ax.twinx()
                ax2.plot(xs, _values(values2), marker="o", ms=3, color="#D55E00", label=name2)
                ax2.yaxis.set_major_formatter(_formatter(kinds[1], lang))
                ax2.set_ylim(bottom=0)
                ax2.spines["right"].set_visible(True)
                handles = ax.get_legend_handles_labels()
                handles2 = ax2.get_legend_handles_labels()
                ax.legend(
                    handles[0] + handles2[0],
                    handles[1] + handles2[1],
                    frameon=False,
                    fontsize=8,
                    ncols=2,
                    loc="upper left",
                    bbox_to_anchor=(0, 1.18),
                )
            else:
                raise ValueError(f"unknown chart style {style!r}")
            ax.set_xticks(xs, labels, rotation=45, ha="right")
            ax.yaxis.set_major_formatter(_formatter(kinds[0], lang))
            ax.yaxis.set_major_locator(MaxNLocator(5))
            ax.set_ylim(bottom=0)
            ax.grid(axis="y", color="#dddddd", linewidth=0.6)
            ax.set_axisbelow(True)
            if style != "bar_line":
                ax.legend(
                    frameon=False,
                    fontsize=8,
                    ncols=min(len(series), 5),
                    loc="upper left",
                    bbox_to_anchor=(0, 1.18),
                )
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return _inline(buffer.getvalue(), chart_id, title, desc)


def _inline(svg: str, chart_id: str, title: str, desc: str) -> Markup:
    """Matplotlib's SVG document as an element for an HTML page."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    ids = set(_ID.findall(svg))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{chart_id}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"')
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
        svg = svg.replace(f"url(#{old})", f"url(#{new})")
    # size from the stylesheet; the viewBox keeps the proportions
    head_end = svg.index(">")
    head = re.sub(r'\s(width|height)="[^"]*"', "", svg[:head_end])
    head += (
        f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart-svg"'
        f' data-chart-svg="{chart_id}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )
    return Markup(head + svg[head_end + 1 :])  # noqa: S704 - our own chart, titles escaped
