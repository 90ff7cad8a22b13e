"""Data for the result page: the stage-by-stage table and an SVG chart of how votes moved.

The chart is drawn server-side as SVG (no JavaScript, no inline style: CSP-safe) with the stage
table as its text alternative.  Bar lengths use floats, which is fine for drawing; every figure
printed comes from the count's exact decimal strings.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

BAR_WIDTH = 420
ROW_HEIGHT = 22
LABEL_WIDTH = 180


def _num(text: Any) -> Decimal:
    try:
        return Decimal(str(text))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _signed(text: Any) -> str:
    """A transfer as '+1.50000' / '-2.00000', or '' when nothing moved."""
    v = _num(text)
    if v == 0:
        return ""
    return f"+{text}" if v > 0 and not str(text).startswith("+") else str(text)


def stage_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per candidate: name, then (total, transfer) per stage, and the outcome."""
    elected, excluded = set(r.get("elected", [])), set(r.get("excluded", []))
    rows = []
    for name in r.get("candidates", []):
        cells = [
            {"votes": st["votes"].get(name, ""), "transfer": _signed(st["transfers"].get(name, "")) if i else ""}
            for i, st in enumerate(r.get("stages", []))
        ]
        status = "Elected" if name in elected else "Excluded" if name in excluded else "Not elected"
        rows.append({"name": name, "cells": cells, "status": status})
    return rows


def movement_chart(r: dict[str, Any]) -> dict[str, Any]:
    """Per stage, each candidate's bar (votes at the end of the stage) and the quota line."""
    stages = r.get("stages", [])
    names = r.get("candidates", [])
    if not stages or not names:
        return {"stages": []}
    top = max([_num(v) for st in stages for v in st["votes"].values()] + [_num(r.get("quota", 0)), Decimal(1)])
    scale = Decimal(BAR_WIDTH) / top
    out = []
    for st in stages:
        bars = []
        for i, name in enumerate(names):
            v = _num(st["votes"].get(name, 0))
            bars.append(
                {
                    "name": name,
                    "votes": st["votes"].get(name, ""),
                    "y": i * ROW_HEIGHT,
                    "text_y": i * ROW_HEIGHT + 15,
                    "width": int(v * scale),
                    "elected": name in st.get("elected", []),
                    "gain": _num(st["transfers"].get(name, 0)) > 0,
                }
            )
        quota = _num(st.get("quota") or r.get("quota") or 0)
        out.append(
            {
                "number": st["number"],
                "action": st["action"],
                "subjects": ", ".join(st.get("subjects", [])),
                "bars": bars,
                "quota_x": LABEL_WIDTH + int(quota * scale) if quota else None,
                "height": len(names) * ROW_HEIGHT + 6,
            }
        )
    return {"stages": out, "label_width": LABEL_WIDTH, "width": LABEL_WIDTH + BAR_WIDTH + 80}
