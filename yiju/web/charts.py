"""Charts drawn on the server as SVG (no script, no library): bars per department and a monthly
trend; and the 对照 of two versions of a law for the law page.

>>> svg = bars("待办提示", [("市场监管局", 3, 1), ("生态环境局", 0, 0)], ("待办", "逾期"))
>>> svg.startswith("<svg") and "市场监管局" in svg
True
"""

from __future__ import annotations

from markupsafe import Markup, escape

from diffing.align import compare
from registry import laws as law_store
from texts.structure import parse

COLORS = ("#0969da", "#cf222e", "#1a7f37", "#9a6700")
FONT = "font-family=\"'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei',sans-serif\""


def _e(text) -> str:
    return str(escape(str(text)))


def bars(title: str, rows: list[tuple], series: tuple[str, ...], *, unit: str = "", percent: bool = False) -> Markup:
    """Horizontal grouped bars: one group per row (label, value1, value2, …), one bar per series."""
    label_w, bar_w, row_h, bar_h = 160, 250, 16 + 18 * len(series), 15
    height = 44 + row_h * max(len(rows), 1) + 10
    width = label_w + bar_w + 70
    top = max([v for r in rows for v in r[1:] if v is not None] or [0]) or 1
    if percent:
        top = 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart" role="img" '
           f'aria-label="{_e(title)}" {FONT} font-size="14">',
           f'<text x="0" y="16" font-weight="bold" font-size="15">{_e(title)}</text>']
    x = label_w
    for i, name in enumerate(series):
        out.append(f'<rect x="{x}" y="24" width="10" height="10" fill="{COLORS[i]}"/>'
                   f'<text x="{x + 14}" y="33" font-size="12">{_e(name)}</text>')
        x += 16 + 13 * len(name) + 16
    y = 44
    if not rows:
        out.append(f'<text x="0" y="{y + 14}" fill="#57606a">（暂无数据）</text>')
    for row in rows:
        label, values = row[0], row[1:]
        short = label if len(label) <= 10 else label[:9] + "…"
        out.append(f'<text x="{label_w - 8}" y="{y + row_h / 2 + 4:.0f}" text-anchor="end"><title>{_e(label)}</title>{_e(short)}</text>')
        for i, v in enumerate(values):
            by = y + 4 + i * 18
            w = 0 if v is None else bar_w * v / top
            out.append(f'<rect x="{label_w}" y="{by}" width="{w:.1f}" height="{bar_h}" fill="{COLORS[i]}" rx="2"/>')
            text = "—" if v is None else (f"{v * 100:.0f}%" if percent else f"{v:g}{unit}")
            out.append(f'<text x="{label_w + w + 5:.1f}" y="{by + 11}" font-size="12">{_e(text)}</text>')
        y += row_h
    out.append("</svg>")
    return Markup("".join(out))


def trend(title: str, months: list[dict], series: tuple[tuple[str, str], ...]) -> Markup:
    """Vertical grouped bars per month; ``series`` are (key, name)."""
    width, height, left, bottom = 720, 250, 36, 40
    plot_w, plot_h = width - left - 10, height - bottom - 50
    top = max([m[k] for m in months for k, _ in series] or [0]) or 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart" role="img" '
           f'aria-label="{_e(title)}" {FONT} font-size="14">',
           f'<text x="0" y="16" font-weight="bold" font-size="15">{_e(title)}</text>']
    x = left
    for i, (_, name) in enumerate(series):
        out.append(f'<rect x="{x}" y="24" width="10" height="10" fill="{COLORS[i]}"/>'
                   f'<text x="{x + 14}" y="33">{_e(name)}</text>')
        x += 30 + 12 * len(name)
    base = 50 + plot_h
    out.append(f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#8c959f"/>')
    out.append(f'<text x="{left - 4}" y="{50 + 4}" text-anchor="end" fill="#57606a">{top}</text>')
    out.append(f'<text x="{left - 4}" y="{base}" text-anchor="end" fill="#57606a">0</text>')
    if not months:
        out.append(f'<text x="{left + 10}" y="{base - 20}" fill="#57606a">（暂无数据）</text>')
    slot = plot_w / max(len(months), 1)
    bw = min(22, (slot - 8) / len(series))
    for j, m in enumerate(months):
        sx = left + j * slot + (slot - bw * len(series)) / 2
        for i, (key, _) in enumerate(series):
            h = plot_h * m[key] / top
            out.append(f'<rect x="{sx + i * bw:.1f}" y="{base - h:.1f}" width="{bw - 1:.1f}" height="{h:.1f}" '
                       f'fill="{COLORS[i]}"><title>{_e(m["month"])} {_e(series[i][1])} {m[key]}</title></rect>')
        out.append(f'<text x="{left + j * slot + slot / 2:.1f}" y="{base + 16}" text-anchor="middle" '
                   f'fill="#57606a">{_e(m["month"][2:])}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def report_charts(data: dict) -> dict[str, Markup]:
    """The 评议考核 page's charts from ``pages.report_data``."""
    deps = data["departments"]
    return {
        "open": bars("待办与逾期提示（项）", [(d["department"], d["open_flags"]["total"], d["overdue_flags"]) for d in deps],
                     ("待办", "逾期")),
        "in_time": bars("按期办结率", [(d["department"], d["share_in_time"]) for d in deps], ("按期办结",), percent=True),
        "median": bars("办结用时中位数（天）", [(d["department"], d["median_days_to_resolution"]) for d in deps],
                       ("中位天数",), unit=" 天"),
        "current": bars("依据全部现行的职权占比", [(d["department"], d["share_all_current"]) for d in deps],
                        ("依据全部现行",), percent=True),
        "trend": trend("每月新增与办结提示", data["trend"],
                       (("raised", "新增"), ("closed", "办结"), ("in_time", "按期办结"))),
    }


def compare_versions(db, old_id: int, new_id: int) -> dict:
    """The changed articles between two stored versions (unchanged ones are only counted)."""
    old, new = law_store.get_version(db, old_id), law_store.get_version(db, new_id)
    if not old.get("text") or not new.get("text"):
        return {"old": old, "new": new, "matches": [], "summary": {}, "unavailable": True}
    comparison = compare(parse(old["text"]), parse(new["text"]))
    return {"old": old, "new": new, "summary": comparison.summary,
            "matches": [m for m in comparison.matches if m.status != "unchanged"], "unavailable": False}
