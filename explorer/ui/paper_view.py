"""The paper's tables beside the values our cost model computes, discrepancies explained.

Same content as ``python main.py paper`` (both read ``explorer.arch.paper.paper_tables``).
The tables do not depend on the sliders, so the HTML is built once.
"""

from __future__ import annotations

import html
import re

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from explorer.arch.paper import PaperTable, PaperValue, paper_tables

FLAG_BG = "#fff1cc"


def _num(x: float | None, decimals: int) -> str:
    return "&ndash;" if x is None else f"{x:,.{decimals}f}"


def _cell(v: PaperValue) -> str:
    dec = v.decimals
    computed_dec = 0 if "exact" in v.quantity else dec + (1 if dec < 2 and
                                                          v.quantity != "stride" else 0)
    if v.printed is None:
        text = _num(v.computed, computed_dec)
    elif v.computed is None:
        text = _num(v.printed, dec)
    else:
        text = f"{_num(v.printed, dec)} / {_num(v.computed, computed_dec)}"
    if v.flagged:
        return (f'<td align="right" style="background:{FLAG_BG}" title="{html.escape(v.note)}">'
                f"{text}&nbsp;<b>*</b></td>")
    return f'<td align="right">{text}</td>'


def table_html(table: PaperTable) -> str:
    quantities = table.quantities
    head = "".join(f"<th>{html.escape(q)}<br><span style='font-weight:normal; color:#666'>"
                   "printed / computed</span></th>" for q in quantities)
    rows = []
    for r in table.rows:
        by_q = {v.quantity: v for v in r.values}
        cells = "".join(_cell(by_q[q]) if q in by_q else "<td></td>" for q in quantities)
        rows.append(f"<tr><td>{html.escape(r.label)}</td>{cells}</tr>")
    notes = "".join(
        f"<li><b>{html.escape(row.label)}</b>, {html.escape(v.quantity)}: "
        f"{html.escape(v.note or '')}</li>" for row, v in table.flagged_values)
    caption = f"<p class='cap'>{html.escape(table.caption)}</p>" if table.caption else ""
    return (f"<h3>{html.escape(table.title)}</h3>{caption}"
            "<table cellspacing='0' cellpadding='4' border='1' style='border-collapse:collapse;"
            f" border-color:#ccc'><tr><th></th>{head}</tr>{''.join(rows)}</table>"
            + (f"<ul class='notes'>{notes}</ul>" if notes else ""))


def _glance_items(tables: tuple[PaperTable, ...]) -> list[str]:
    """One bullet per kind of discrepancy: rows whose notes differ only in numbers merge."""
    groups: dict[tuple[str, str], list[tuple[str, PaperValue]]] = {}
    for t in tables:
        for row, value in t.flagged_values:
            key = (t.title.split(".")[0], re.sub(r"[0-9][0-9.,]*", "#", value.note or ""))
            groups.setdefault(key, []).append((row.label, value))
    items = []
    for (table, _), members in groups.items():
        label, first = members[0]
        more = (f" <i>(and {len(members) - 1} more rows of this table like it)</i>"
                if len(members) > 1 else "")
        items.append(f"<li><b>{html.escape(table)}</b>, {html.escape(label)} "
                     f"({html.escape(first.quantity)}): {html.escape(first.note or '')}{more}</li>")
    return items


def paper_html() -> str:
    tables = paper_tables()
    flagged = sum(len(t.flagged_values) for t in tables)
    intro = (
        "<h2>MobileNets (Howard et al. 2017, arXiv:1704.04861): printed vs computed</h2>"
        "<p>Each cell shows the value printed in the paper (or another source) and the value "
        "this tool's cost model computes for the same network. Mult-adds (MACs) are one "
        "multiply plus one add (FLOPs = 2 x MACs); params are kernel weights without biases or "
        "batch norm, as the paper counts them. "
        f"<span style='background:{FLAG_BG}'>&nbsp;Highlighted&nbsp;</span> cells ({flagged}) "
        "differ from the computation; the note under each table says why.</p>")
    glance = "".join(_glance_items(tables))
    intro += f"<h3>Discrepancies at a glance</h3><ul class='notes'>{glance}</ul>"
    style = ("<style>th{background:#eef1f5; text-align:right} td{color:#222}"
             " .cap{color:#555} .notes li{margin-bottom:3px}</style>")
    return style + intro + "".join(table_html(t) for t in tables)


class PaperView(QWidget):
    """Read-only, searchable rendering of the paper tables."""

    def __init__(self, state: object = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paperView")
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("paperBrowser")
        self.browser.setOpenExternalLinks(False)
        self.browser.setHtml(paper_html())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.browser)
