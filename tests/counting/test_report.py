"""The result sheet in every format, from one real count."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from coopgov.counting import CountResult, count
from coopgov.counting._arith import fmt
from coopgov.counting._blt import read_blt
from coopgov.counting._report import render, to_dict


@pytest.fixture(scope="module")
def result() -> CountResult:
    root = Path(__file__).resolve().parents[3] / "shared" / "data" / "elections"
    return count(read_blt(root / "glasgow_2007" / "glasgow_2007_anderston-city.blt"), "scottish-stv", seed=0)


def test_json_figures_are_exact_decimal_strings(result: CountResult) -> None:
    doc = json.loads(render(result, "json"))
    assert doc == to_dict(result)
    assert doc["quota"] == "1381.00000" and doc["decimals"] == 5
    assert doc["stages"][1]["votes"]["Nina Baker"] == "927.98248"
    assert doc["stages"][1]["non_transferable"] == "73.20404"
    assert doc["elected"] == [result.candidates[c] for c in result.elected]
    for st, js in zip(result.stages, doc["stages"], strict=True):
        assert js["votes"] == {result.candidates[c]: fmt(v, 5) for c, v in enumerate(st.votes)}


def test_csv_has_a_votes_and_a_transfers_row_per_stage(result: CountResult) -> None:
    rows = list(csv.DictReader(io.StringIO(render(result, "csv"))))
    assert len(rows) == 2 * len(result.stages)
    last = rows[-2]
    assert last["kind"] == "votes" and last["Nina Baker"] == "1736.42172"
    assert rows[3]["kind"] == "transfers" and rows[3]["Craig MacKay"] == "-251.00000"


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_is_standalone_and_accessible(result: CountResult) -> None:
    page = render(result, "html")
    parser = _Tables()
    parser.feed(page)
    tags = [t for t, _ in parser.tags]
    assert tags.count("table") == 1 and "caption" in tags and "thead" in tags
    scopes = {a.get("scope") for t, a in parser.tags if t == "th"}
    assert {"col", "row", "colgroup"} <= scopes
    assert not [a for t, a in parser.tags if t in ("link", "script", "img")]
    assert parser.tags[0] == ("html", {"lang": "en"})
    for name in result.candidates:
        assert f'<th scope="row">{name}</th>' in page


def test_text_sheet(result: CountResult) -> None:
    text = render(result, "text")
    assert text.splitlines()[0] == "Election: ANDERSTON-CITY"
    assert "Quota: 1381.00000" in text
    assert "Rounding loss" in text and "1736.42172*" in text
    assert text.rstrip().endswith("Elected: Craig MacKay; Philip Braat; Nina Baker; Gordon Matheson")


def test_unknown_format(result: CountResult) -> None:
    with pytest.raises(ValueError):
        render(result, "pdf")
