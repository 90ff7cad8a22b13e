"""BLT, CSV and JSON readers: format variants, invalid ballots, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopgov.counting import CountingError, Profile, count
from coopgov.counting._blt import iter_blt_lines, parse_blt, read_blt, write_blt
from coopgov.counting._csv import parse_csv
from coopgov.counting._io import read_profile
from coopgov.counting._json import parse_json

PLAIN = '3 1\n2 1 2 0\n1 2 0\n1 3 1 0\n0\n"Ann Smith"\n"Bob  Jones"\n"Cy"\n"Title"\n'


def test_blt_plain() -> None:
    p = parse_blt(PLAIN)
    assert p.candidates == ("Ann Smith", "Bob Jones", "Cy")
    assert p.seats == 1 and p.title == "Title"
    assert dict(zip(p.rankings, p.weights, strict=True)) == {(0, 1): 2, (1,): 1, (2, 0): 1}
    assert p.valid_poll == 4 and p.invalid == 0 and not p.notes


@pytest.mark.parametrize(
    "variant",
    [
        PLAIN.replace("\n", "\r\n"),  # CRLF
        "\ufeff" + PLAIN,  # byte-order mark
        '  3   1  \n 2 1 2 0  \n\t1 2 0\n1  3 1 0 \n 0 \n"Ann   Smith" \n"Bob Jones"\n"Cy"\n"Title"\n',
        '3 1\n2 1 2 0\n1 2 0\n1 3 1 0\n0\n"Ann Smith" "Bob  Jones" "Cy" "Title"\n',
        '\n# a comment\n3 1\n1 1 2 0\n1 1 2 0\n1 2 0\n1 3 1 0\n0\n\n"Ann Smith"\n"Bob Jones"\n"Cy"\n"Title"',
    ],
    ids=["crlf", "bom", "padded", "names-on-one-line", "comments-blank-lines-ungrouped"],
)
def test_blt_variants_equal_plain(variant: str) -> None:
    assert parse_blt(variant.encode("utf-8")) == parse_blt(PLAIN)


def test_blt_withdrawn_equal_skipped_and_repeated() -> None:
    text = (
        "4 1\n-2\n"
        "3 2 1 0\n"  # withdrawn B skipped -> A
        "2 1 3=4 2 0\n"  # equal ranking: used up to it -> A
        "1 3 - 4 0\n"  # skipped (-): C only
        "4 4 4 1 0\n"  # repeated: D only
        "1 2 0\n"  # only the withdrawn candidate: invalid
        '0\n"A"\n"B"\n"C"\n"D"\n"T"\n'
    )
    p = parse_blt(text)
    assert p.withdrawn == frozenset({1})
    assert dict(zip(p.rankings, p.weights, strict=True)) == {(0,): 5, (2,): 1, (3,): 4}
    assert p.invalid == 1
    assert p.notes[0] == "withdrawn before the count: B"
    assert p.notes[1].startswith("7 ballot(s)")


def test_blt_round_trip_and_ungrouped(shared_data: Path) -> None:
    p = read_blt(shared_data / "elections" / "edinburgh_2017" / "edinburgh_2017_ward13_leith.blt")
    assert parse_blt(write_blt(p)) == p
    lines = list(iter_blt_lines(p))
    assert len(lines) == p.valid_poll
    body = f"{len(p.candidates)} {p.seats}\n" + "\n".join(lines) + "\n0\n"
    body += "".join(f'"{n}"\n' for n in p.candidates) + f'"{p.title}"\n'
    q = parse_blt(body)
    assert sorted(zip(q.rankings, q.weights, strict=True)) == sorted(zip(p.rankings, p.weights, strict=True))


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", None, "empty"),
        ("   \n\n", None, "empty"),
        ("3\n1 1 0\n0\n", 1, "two numbers"),
        ("x 1\n", 1, "whole number"),
        ('3 1\n1 1 2 0\n1 1 4 0\n0\n"a"\n"b"\n"c"\n"t"\n', 3, "unknown candidate id 4"),
        ('3 1\n1 1 2\n0\n"a"\n"b"\n"c"\n', 2, "must end with 0"),
        ('3 1\n1 1 2 0\n1 1 x 0\n0\n"a"\n"b"\n"c"\n', 3, "candidate id"),
        ('3 1\nz 1 2 0\n0\n"a"\n"b"\n"c"\n', 2, "weight"),
        ("3 1\n1 1 2 0\n", 2, "lone 0"),
        ('3 1\n1 1 2 0\n0\n"a"\n"b"\n', 5, "3 candidates but 2 names"),
        ('3 3\n1 1 2 0\n0\n"a"\n"b"\n"c"\n', 1, "nothing to count"),
        ('3 2\n-2\n1 1 2 0\n0\n"a"\n"b"\n"c"\n', 1, "nothing to count"),
        ('3 1\n-5\n1 1 2 0\n0\n"a"\n"b"\n"c"\n', 2, "withdrawn"),
        ('3 1\n0\n"a"\n"b"\n"c"\n', 2, "no ballots"),
    ],
)
def test_blt_errors_name_the_line(text: str, line: int | None, words: str) -> None:
    with pytest.raises(CountingError) as info:
        parse_blt(text.encode(), source="x.blt")
    err = info.value
    assert err.file == "x.blt" and err.line == line
    assert words in err.message
    assert str(err).startswith(f"x.blt:{line}: " if line else "x.blt: ")


def test_wrong_encoding_names_line_and_byte() -> None:
    data = PLAIN.replace('"Cy"', '"C\xe9"').encode("latin-1")
    with pytest.raises(CountingError) as info:
        parse_blt(data, source="w.blt")
    assert info.value.line == 8
    assert "UTF-8" in info.value.message and "offset" in info.value.message


RANK_CSV = "id,1st,2nd,3rd\n1,Ann,Bob,\n2,Bob,,Cy\n3,Ann,Ann,Cy\n4,,Ann,\n5,Cy,Ann,Bob\n"
CAND_CSV = "Ann;Bob;Cy;weight\n1;2;;1\n;1;3;1\n1;;;1\n;;;0\n2;1;3;2\n1;1;2;1\n"


def test_csv_rank_columns() -> None:
    p = parse_csv(RANK_CSV, seats=1)
    assert p.candidates == ("Ann", "Bob", "Cy")
    # row 2 skips rank 2 -> Bob only; row 3 repeats Ann -> Ann only; row 4 has no 1st -> invalid
    assert dict(zip(p.rankings, p.weights, strict=True)) == {(0, 1): 1, (1,): 1, (0,): 1, (2, 0, 1): 1}
    assert p.invalid == 1


def test_csv_candidate_columns_with_weights() -> None:
    p = parse_csv(CAND_CSV, seats=1)
    assert p.candidates == ("Ann", "Bob", "Cy")
    # ";1;3" skips rank 2 -> Bob only; "1;1;2" repeats rank 1 -> invalid
    assert dict(zip(p.rankings, p.weights, strict=True)) == {(0, 1): 1, (1,): 1, (0,): 1, (1, 0, 2): 2}
    assert p.invalid == 1


@pytest.mark.parametrize(
    ("text", "seats", "line", "words"),
    [
        ("Ann,Bob\n1,x\n", 1, 2, "rank must be a whole number"),
        ("Ann,Bob\n1,2,3\n", 1, 2, "3 cells"),
        ("Ann,Bob,weight\n1,2,z\n", 1, 2, "weight"),
        ("Ann,Bob\n1,2\n", None, None, "--seats"),
        ("Ann,Bob\n1,2\n", 2, None, "nothing to count"),
        ("1st,3rd\nAnn,Bob\n", 1, 1, "without gaps"),
        ("Ann,Bob\n", 1, 2, "no ballots"),
    ],
)
def test_csv_errors(text: str, seats: int | None, line: int | None, words: str) -> None:
    with pytest.raises(CountingError) as info:
        parse_csv(text, source="b.csv", seats=seats)
    assert info.value.line == line and words in info.value.message


JSON = """{"title": "Board", "seats": 1, "candidates": ["Ann", "Bob", "Cy"],
 "withdrawn": ["Cy"],
 "ballots": [{"ranking": ["Ann", "Bob"], "count": 3}, [2, 1], ["Cy", "Bob"],
             ["Ann", ["Bob", "Cy"]], {"ranking": []}]}"""


def test_json_schema() -> None:
    p = parse_json(JSON)
    assert p.title == "Board" and p.withdrawn == frozenset({2})
    assert dict(zip(p.rankings, p.weights, strict=True)) == {(0, 1): 3, (1, 0): 1, (1,): 1, (0,): 1}
    assert p.invalid == 1


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{", "not valid JSON"),
        ("[]", "top level"),
        ('{"candidates": ["A", "B"], "seats": 1, "ballots": [["A", "Z"]]}', "ballots[0][1]"),
        ('{"candidates": ["A", "B"], "ballots": [["A"]]}', "seats"),
        ('{"candidates": ["A", "B"], "seats": 2, "ballots": [["A"]]}', "seats"),
        ('{"candidates": ["A", "B"], "seats": 1, "ballots": [{"ranking": ["A"], "count": -1}]}', "count"),
    ],
)
def test_json_errors(text: str, words: str) -> None:
    with pytest.raises(CountingError) as info:
        parse_json(text, source="e.json")
    assert words in str(info.value) and str(info.value).startswith("e.json")


def test_three_formats_count_alike(tmp_path: Path) -> None:
    blt = tmp_path / "e.blt"
    blt.write_text('3 1\n3 1 2 0\n3 2 3 0\n2 3 2 0\n0\n"Ann"\n"Bob"\n"Cy"\n"E"\n')
    rank_csv = tmp_path / "e.csv"
    rank_csv.write_text("1,2\n" + "Ann,Bob\n" * 3 + "Bob,Cy\n" * 3 + "Cy,Bob\n" * 2, encoding="utf-8")
    js = tmp_path / "e.json"
    js.write_text(
        '{"seats": 1, "candidates": ["Ann", "Bob", "Cy"], "ballots": ['
        '{"ranking": ["Ann", "Bob"], "count": 3}, {"ranking": ["Bob", "Cy"], '
        '"count": 3}, {"ranking": ["Cy", "Bob"], "count": 2}]}'
    )
    results = [count(read_profile(p, seats=1), "scottish-stv", seed=1) for p in (blt, rank_csv, js)]
    assert {r.elected_names for r in results} == {("Bob",)}
    assert len({tuple(s.votes for s in r.stages) for r in results}) == 1


def test_from_ballots_groups_and_cuts() -> None:
    p = Profile.from_ballots(["a", "b", "c"], 1, [[0, 1], [0, 1], [2, 2, 1], [], [1]])
    assert dict(zip(p.rankings, p.weights, strict=True)) == {(0, 1): 2, (2,): 1, (1,): 1}
    assert p.invalid == 1 and p.valid_poll == 4


def test_blt_same_ranking_on_several_lines_is_merged() -> None:
    p = parse_blt('3 1\n2 1 2 0\n3 1 2 0\n1 1 2 0\n1 1 2 0\n1 3 0\n0\n"a"\n"b"\n"c"\n"t"\n')
    assert dict(zip(p.rankings, p.weights, strict=True)) == {(0, 1): 7, (2,): 1}
