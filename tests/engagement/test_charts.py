"""The server-rendered SVG charts: accessible names, escaped text, gaps for suppressed values."""

from __future__ import annotations

import re

from coopgov.apps.engagement.charts import bar_chart, gap_chart, line_chart


def test_line_chart_is_named_and_leaves_gaps() -> None:
    svg = line_chart(
        "Members <by year>", "A line & its table", ["2021", "2022", "2023", "2024"],
        [("Members", [40.0, None, 60.0, 80.0])], y_label="Members",
    )  # fmt: skip
    assert svg.startswith("<svg") and 'role="img"' in svg
    tid, did = re.search(r'aria-labelledby="([^ ]+) ([^"]+)"', svg).groups()  # type: ignore[union-attr]
    assert f'<title id="{tid}">Members &lt;by year&gt;</title>' in svg
    assert f'<desc id="{did}">A line &amp; its table</desc>' in svg
    # the suppressed 2022 value breaks the line: one segment (2023-2024), three markers
    assert svg.count("<polyline") == 1
    assert svg.count("<circle") == 3
    assert "style=" not in svg  # CSP: presentation attributes only


def test_bar_and_gap_charts() -> None:
    bars = bar_chart("Funnel", "d", [("Eligible", 100.0, "100"), ("Stood", None, "<10")])
    assert "&lt;10" in bars
    gaps = gap_chart("Gaps", "d", [("Female", 1.5, 1.2, 1.8), ("Male", None, None, None), ("Decile 1", 0.0, 0.0, 0.01)])
    assert "not shown (too few)" in gaps and "no members" in gaps
    assert gaps.count("<path") == 1  # the female ratio's interval excludes 1: drawn as a diamond
