"""The optional C reader (``_cvotes.c`` via ``_cvotes_api``): VOTES rows and utility tables.

It must give exactly what the Python reader gives, and hand every unusual row back to it (which
is where errors are found and located): it never decides what is an error."""

from __future__ import annotations

import pytest
from budgeting_helpers import ALL_FILES, BUDGETS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopgov.budgeting import BudgetingError, _cvotes_api
from coopgov.budgeting._model import SCORINGS
from coopgov.budgeting._pabulib import parse_pabulib, read_pabulib

needs_c = pytest.mark.skipif(not _cvotes_api.available(), reason="coopgov was installed without its C reader")


def _both(monkeypatch: pytest.MonkeyPatch, read):  # type: ignore[no-untyped-def]
    with_c = read()
    with monkeypatch.context() as m:
        m.setattr(_cvotes_api, "_C", None)
        without = read()
    return with_c, without


@needs_c
@pytest.mark.parametrize("name", ALL_FILES)
def test_every_shared_file_reads_the_same_with_and_without_c(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for voter_ids in (False, True):
        with_c, without = _both(monkeypatch, lambda: read_pabulib(BUDGETS / name, voter_ids=voter_ids))
        assert with_c == without
        assert [type(b) for b in with_c.profile.ballots[:3]] == [type(b) for b in without.profile.ballots[:3]]
    for scoring in SCORINGS:
        try:
            expected: object = without.utilities(scoring)
        except BudgetingError as exc:
            expected = str(exc)
        try:
            got: object = with_c.utilities(scoring)
        except BudgetingError as exc:
            got = str(exc)
        assert got == expected, scoring


HEAD = """META
key;value
budget;100
vote_type;{vote_type}
{extra}PROJECTS
project_id;cost
a;10
b;20
c;30
VOTES
voter_id;vote;age
"""


def _text(rows: str, vote_type: str = "approval", extra: str = "") -> str:
    return HEAD.format(vote_type=vote_type, extra=extra) + rows


@needs_c
@pytest.mark.parametrize(
    ("rows", "vote_type", "extra"),
    [
        ("1;a,b;30\n2;b,a;40\n3;;50\n4;c;20\n", "approval", ""),
        ("1;c,a,b;30\n2;a,b,c;40\n3;c,a,b;50\n", "ordinal", ""),
        ("1;c,a;30\n2;a;40\n", "ordinal", "min_length;1\nmax_length;2\n"),
        ("1;b;30\n2;b;31\n3;a;32\n", "choose-1", ""),
        ("1;a,b\n2;b\n", "approval", ""),  # fewer columns than the header: the Python reader decides
    ],
)
def test_small_files_read_the_same(rows: str, vote_type: str, extra: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def read():  # type: ignore[no-untyped-def]
        try:
            return parse_pabulib(_text(rows, vote_type, extra), "f.pb", voter_ids=False)
        except BudgetingError as exc:
            return str(exc)

    with_c, without = _both(monkeypatch, read)
    assert with_c == without


@needs_c
@pytest.mark.parametrize(
    ("rows", "vote_type", "extra", "message"),
    [
        ("1;a,b;30\n2;a,x;40\n", "approval", "", "f.pb:13: vote names unknown project 'x'"),
        ("1;a,a;30\n", "approval", "", "f.pb:12: vote lists project 'a' more than once"),
        ("1;a,b,c;30\n", "approval", "max_length;2\n", "f.pb:13: ballot lists 3 projects, more than the maximum of 2"),
        ("1;a;30\n", "ordinal", "min_length;2\n", "f.pb:13: ballot lists 1 projects, fewer than the minimum of 2"),
        ("1;a,b;30\n", "choose-1", "", "f.pb:12: ballot lists 2 projects, more than the maximum of 1"),
    ],
)
def test_bad_rows_are_located_by_the_python_reader(rows: str, vote_type: str, extra: str, message: str) -> None:
    with pytest.raises(BudgetingError) as caught:
        parse_pabulib(_text(rows, vote_type, extra), "f.pb", voter_ids=False)
    assert str(caught.value) == message


@needs_c
def test_flat_int64() -> None:
    assert _cvotes_api.flat_int64(((1, 2), (), (3,))).tolist() == [1, 2, 3]
    assert _cvotes_api.flat_int64(((2**62,),)).tolist() == [2**62]
    with pytest.raises(OverflowError):
        _cvotes_api.flat_int64(((2**70,),))


@needs_c
@pytest.mark.parametrize(
    "bad",
    [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82"],
    ids=["stray byte", "overlong", "surrogate", "above U+10FFFF", "cut off"],
)
def test_a_file_with_bad_utf8_in_its_votes_is_refused_with_its_line(bad: bytes, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.pb"
    path.write_bytes(_text("1;a,b;30\n2;b;40\n").encode() + b"3;a;" + bad + b"\n4;c;20\n")
    with pytest.raises(BudgetingError) as caught:
        read_pabulib(path, voter_ids=False)
    assert str(caught.value) == f"{path}:14: file is not valid UTF-8"


@needs_c
def test_valid_utf8_in_the_votes_is_read(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "ok.pb"
    path.write_text(_text("1;a,b;Łódź\n2;b;€ 𝄞\n3;c;\n"), encoding="utf-8")
    with_c, without = _both(monkeypatch, lambda: read_pabulib(path, voter_ids=False))
    assert with_c == without
    assert len(with_c.profile.ballots) == 3


_PIECES = st.sampled_from(
    ["a", "b", "c", "ab", ",", ";", "\n", "\r\n", "1", "22", " ", '"', "Ł", "€", "", "a,b", "c,a", ";;"]
)


@needs_c
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(_PIECES, max_size=8).map("".join), max_size=12),
    tail=st.binary(max_size=4),
    vote_type=st.sampled_from(["approval", "ordinal", "choose-1"]),
    extra=st.sampled_from(["", "max_length;2\n", "min_length;2\n"]),
)
def test_any_votes_read_the_same_with_and_without_c(
    rows: list[str], tail: bytes, vote_type: str, extra: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Whatever the VOTES rows hold (bad bytes included), the file reads the same with and
    without the C reader: the same election or the same error."""
    path = tmp_path_factory.mktemp("fuzz") / "f.pb"
    path.write_bytes(_text("\n".join(f"{i};{r}" for i, r in enumerate(rows)), vote_type, extra).encode() + tail)

    def read() -> object:
        try:
            return read_pabulib(path, voter_ids=False)
        except BudgetingError as exc:
            return str(exc)

    with_c = read()
    saved = _cvotes_api._C
    _cvotes_api._C = None
    try:
        without = read()
    finally:
        _cvotes_api._C = saved
    assert with_c == without
