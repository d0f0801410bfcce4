"""Inline SVG charts for the HTML report (no JavaScript, no external assets)."""

from __future__ import annotations

from markupsafe import Markup, escape

SEVERITY_COLOURS = {"critical": "#7f1d1d", "high": "#c2410c", "medium": "#a16207", "low": "#1d4ed8", "info": "#4b5563"}


def severity_bars(counts: dict[str, int], labels: dict[str, str], title: str, chart_id: str = "chart-sev") -> Markup:
    """Horizontal bar per severity with its count."""
    width, bar_x, row_h = 520, 110, 30
    top = max(counts.values(), default=0) or 1
    height = row_h * len(counts) + 10
    parts = [f'<svg class="chart" role="img" aria-labelledby="{chart_id}" viewBox="0 0 {width} {height}" '
             f'width="100%" style="max-width:{width}px" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}">{escape(title)}</title>']
    for n, (sev, value) in enumerate(counts.items()):
        y = 5 + n * row_h
        w = round((width - bar_x - 60) * value / top, 1)
        parts.append(f'<text x="{bar_x - 8}" y="{y + 19}" text-anchor="end" class="lbl">{escape(labels[sev])}</text>')
        parts.append(f'<rect x="{bar_x}" y="{y + 4}" width="{max(w, 2)}" height="{row_h - 10}" rx="3" '
                     f'fill="{SEVERITY_COLOURS[sev]}"/>')
        parts.append(f'<text x="{bar_x + max(w, 2) + 6}" y="{y + 19}" class="val">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def agency_stacks(rows: dict[str, dict[str, int]], labels: dict[str, str], title: str,
                  chart_id: str = "chart-agency", limit: int = 15) -> Markup:
    """One stacked horizontal bar per agency (severity segments), most serious agencies first."""
    shown = list(rows.items())[:limit]
    width, bar_x, row_h = 640, 230, 28
    top = max((sum(c.values()) for _, c in shown), default=0) or 1
    height = row_h * max(len(shown), 1) + 34
    parts = [f'<svg class="chart" role="img" aria-labelledby="{chart_id}" viewBox="0 0 {width} {height}" '
             f'width="100%" style="max-width:{width}px" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}">{escape(title)}</title>']
    for n, (agency, counts) in enumerate(shown):
        y = 4 + n * row_h
        name = agency if len(agency) <= 32 else agency[:31] + "…"
        parts.append(f'<text x="{bar_x - 8}" y="{y + 18}" text-anchor="end" class="lbl">{escape(name)}</text>')
        x = float(bar_x)
        for sev, value in counts.items():
            if not value:
                continue
            w = round((width - bar_x - 50) * value / top, 1)
            parts.append(f'<rect x="{x}" y="{y + 4}" width="{w}" height="{row_h - 10}" '
                         f'fill="{SEVERITY_COLOURS[sev]}"><title>{escape(labels[sev])}: {value}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 6}" y="{y + 18}" class="val">{sum(counts.values())}</text>')
    legend_y = height - 12
    x = float(bar_x)
    for sev, colour in SEVERITY_COLOURS.items():
        parts.append(f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{legend_y}" class="lgd">{escape(labels[sev])}</text>')
        x += 80
    parts.append("</svg>")
    return Markup("".join(parts))
