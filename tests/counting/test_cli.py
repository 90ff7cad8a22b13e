"""``coopgov count``: output formats, options and one-line errors for user mistakes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from coopgov.counting.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOOD = '3 1\n3 1 2 0\n3 2 3 0\n2 3 2 0\n0\n"Ann"\n"Bob"\n"Cy"\n"Test election"\n'


@pytest.fixture
def good(tmp_path: Path) -> Path:
    p = tmp_path / "good.blt"
    p.write_text(GOOD, encoding="utf-8")
    return p


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_text(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([str(good), "--method", "scottish-stv", "--seed", "1"], capsys)
    assert code == 0 and err == ""
    assert "Quota: 5.00000" in out and "Elected: Bob" in out
    assert "Stage 2" in out and "Non-transferable" in out


def test_json_csv_html(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(good), "-m", "scottish-stv", "-f", "json"], capsys)
    doc = json.loads(out)
    assert code == 0 and doc["elected"] == ["Bob"] and doc["quota"] == "5.00000"
    assert doc["stages"][1]["action"] == "exclusion"
    assert doc["stages"][1]["votes"] == {"Ann": "3.00000", "Bob": "5.00000", "Cy": "0.00000"}
    code, out, _ = run([str(good), "-m", "scottish-stv", "-f", "csv"], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["kind"] for r in rows] == ["votes", "transfers", "votes", "transfers"]
    assert rows[2]["Bob"] == "5.00000" and rows[2]["excluded"] == "Cy"
    code, out, _ = run([str(good), "-m", "scottish-stv", "-f", "html"], capsys)
    assert out.startswith("<!DOCTYPE html>") and '<html lang="en">' in out
    assert "<caption>" in out and 'scope="col"' in out and 'scope="row"' in out
    assert "http" not in out  # standalone: no external assets


def test_output_export_blt_and_progress(good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "r.html"
    blt = tmp_path / "again.blt"
    code, out, err = run(
        [str(good), "-m", "plurality", "-f", "html", "-o", str(out_file), "--export-blt", str(blt), "--progress"],
        capsys,
    )
    assert code == 0 and out == ""
    assert "reading" in err and "count done" in err
    assert "<table>" in out_file.read_text(encoding="utf-8")
    code, out, _ = run([str(blt), "-m", "scottish-stv", "--seed", "1"], capsys)
    assert code == 0 and "Elected: Bob" in out  # the exported file counts like the original


def test_lots_are_reported_with_their_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "tie.blt"
    p.write_text('3 1\n2 1 0\n2 2 0\n1 3 0\n0\n"A"\n"B"\n"C"\n"T"\n', encoding="utf-8")
    code, out, _ = run([str(p), "-m", "scottish-stv", "--seed", "7"], capsys)
    assert code == 0 and "by lot" in out and "seed 7" in out
    _, out2, _ = run([str(p), "-m", "scottish-stv", "--seed", "7"], capsys)
    assert out2 == out
    code, out, _ = run([str(p), "-m", "scottish-stv"], capsys)
    assert "chosen by the program" in out


def test_seats_override_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "b.csv"
    p.write_text("Ann,Bob,Cy\n1,2,\n2,1,\n1,,2\n,,1\n", encoding="utf-8")
    code, out, _ = run([str(p), "-m", "plurality", "--seats", "2"], capsys)
    assert code == 0 and "Seats: 2" in out


CASES = {
    "malformed.blt": (b'3 1\n1 1 2\n0\n"a"\n"b"\n"c"\n', 2, "must end with 0"),
    "unknown.blt": (b'3 1\n1 1 2 0\n1 7 0\n0\n"a"\n"b"\n"c"\n', 3, "unknown candidate id 7"),
    "seats.blt": (b'2 2\n1 1 2 0\n0\n"a"\n"b"\n', 1, "nothing to count"),
    "empty.blt": (b"", None, "empty"),
    "latin1.blt": ('3 1\n1 1 0\n0\n"\xe9"\n"b"\n"c"\n'.encode("latin-1"), 4, "UTF-8"),
    "noseats.csv": (b"A,B\n1,2\n", None, "--seats"),
    "bad.json": (b'{"candidates": ["A"],', 1, "not valid JSON"),
    "ballots.txt": (b"whatever", None, "extension"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_user_mistakes_give_one_line_and_exit_2(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, line, words = CASES[name]
    p = tmp_path / name
    p.write_bytes(data)
    code, out, err = run([str(p), "--method", "scottish-stv"], capsys)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1
    where = f"{p}:{line}:" if line else f"{p}:"
    assert lines[0].startswith(f"coopgov count: {where}")
    assert words in lines[0]


def test_missing_file_and_bad_seats(good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run([str(tmp_path / "nope.blt"), "-m", "scottish-stv"], capsys)
    assert code == 2 and "cannot read the file" in err and len(err.splitlines()) == 1
    code, _, err = run([str(good), "-m", "scottish-stv", "--seats", "3"], capsys)
    assert code == 2 and "nothing to count" in err and len(err.splitlines()) == 1
    code, _, err = run([str(good), "-m", "scottish-stv", "-o", str(tmp_path / "no" / "x")], capsys)
    assert code == 2 and "cannot write" in err


def test_real_process_has_no_traceback(tmp_path: Path) -> None:
    p = tmp_path / "bad.blt"
    p.write_bytes(b'3 1\n1 1 9 0\n0\n"a"\n"b"\n"c"\n')
    proc = subprocess.run(
        [sys.executable, "-m", "coopgov", "count", str(p), "--method", "scottish-stv"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert proc.stderr == f"coopgov count: {p}:2: unknown candidate id 9 (candidates are 1 to 3)\n"
    assert "Traceback" not in proc.stderr


def test_importing_counting_does_not_load_django() -> None:
    code = (
        "import sys, coopgov.counting, coopgov.counting.cli, coopgov.counting.scottish_stv, "
        "coopgov.counting.plurality; from coopgov.counting import METHODS; list(METHODS); "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_input_format_override_and_csv_to_blt_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "ballots.txt"
    src.write_text("1st,2nd\nAnn,Bob\nAnn,Bob\nBob,Cy\nCy,\n", encoding="utf-8")
    blt = tmp_path / "out.blt"
    code, out, err = run(
        [
            str(src),
            "--input-format",
            "csv",
            "--seats",
            "1",
            "-m",
            "scottish-stv",
            "--seed",
            "4",
            "--export-blt",
            str(blt),
        ],
        capsys,
    )
    assert code == 0 and err == "" and "Elected: Ann" in out
    assert blt.read_text(encoding="utf-8") == '3 1\n2 1 2 0\n1 2 3 0\n1 3 0\n0\n"Ann"\n"Bob"\n"Cy"\n""\n'
    code, out2, _ = run([str(blt), "-m", "scottish-stv", "--seed", "4"], capsys)  # Bob and Cy tie: a lot
    assert code == 0 and out2.split("Stages:")[0].splitlines()[1:] == out.split("Stages:")[0].splitlines()[1:]


def test_standard_input() -> None:
    text = GOOD.encode()
    proc = subprocess.run(
        [sys.executable, "-m", "coopgov", "count", "-", "--input-format", "blt", "-m", "scottish-stv"],
        input=text, capture_output=True, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0 and b"Elected: Bob" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "coopgov", "count", "-", "--input-format", "blt", "-m", "scottish-stv"],
        input=b"3 1\n1 1 7 0\n0\n", capture_output=True, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr == b"coopgov count: <stdin>:2: unknown candidate id 7 (candidates are 1 to 3)\n"
