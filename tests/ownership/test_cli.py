"""``coopgov ownership import|compare`` end to end."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from coopgov.ownership.cli import main

BM = "bach_mortensen_2024_involuntary_closures_carehomes.csv"


def _registers(f: Path) -> list[str]:
    return [
        "--companies", str(f / "companies_house_basic_company_data.csv"),
        "--mutuals", str(f / "fca_mutuals_register_extract.csv"),
        "--charities", str(f / "charity_commission_publicextract.charity.txt"),
        "--employee-owned", str(f / "employee_owned_list.csv"),
        "--private-equity", str(f / "private_equity_list.csv"),
        "--overrides", str(f / "overrides.csv"),
    ]  # fmt: skip


def test_import_classifies_to_csv(fixtures: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["import", str(fixtures / "cqc_directory_with_title_rows.csv"), *_registers(fixtures), "--format", "csv"])
    out, err = capsys.readouterr()
    assert rc == 0
    rows = {r["provider_id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["1-100000004"]["model"] == "cooperative"
    assert rows["1-100000010"]["model"] == "employee_owned"
    assert rows["1-100000019"]["rule"] == "OVERRIDE"
    assert rows["1-100000011"]["needs_review"] == "True"
    assert "1 rows could not be read" in err  # the FCA extract's row without a number


def test_compare_json_with_regression(fixtures: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        ["compare", str(fixtures / "cqc_directory_with_title_rows.csv"), *_registers(fixtures),
         "--format", "json", "--key-question", "all", "--by", "ownership"]
    )  # fmt: skip
    out, _ = capsys.readouterr()
    assert rc == 0
    data = json.loads(out)
    fp = [r for r in data["rows"] if r["key_question"] == "Overall" and r["ownership"] == "For-profit"]
    # Sunrise's three homes (Good, RI, Inadequate) + Rose Cottage (Good); The Beeches is "Not rated"
    assert fp[0]["rated"] == 4 and fp[0]["inadequate"] == 1


def test_compare_real_file_text_and_chart(care: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chart = tmp_path / "closures.svg"
    rc = main(["compare", str(care / BM), "--flag", "forced_closure", "--chart", str(chart)])
    out, err = capsys.readouterr()
    assert rc == 0
    assert "For-profit" in out and "3.31" in out
    assert chart.exists() and "alt text: Bar chart." in err
    assert "6 rows could not be read" in err


def test_compare_regression_text(care: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["compare", str(care / BM), "--regression", "--controls", "service_type,size,year"])
    out, _ = capsys.readouterr()
    assert rc == 0
    assert "Ordinal logistic regression" in out and "ownership[Third sector (research coding)]" in out


def test_progress_goes_to_stderr(care: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["import", str(care / "goodair_itv_inspections_community_asc.csv"), "--progress"])
    out, err = capsys.readouterr()
    assert rc == 0 and "29,459 rows" in err and "for_profit" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compare", "/no/such.csv"], "coopgov ownership: /no/such.csv: file not found"),
        (["compare", "{care}/" + BM, "--by", "colour"], "cannot group by 'colour'"),
        (["compare", "{care}/" + BM, "--key-question", "Kindness"], "not a CQC key question"),
        (["compare", "{care}/" + BM, "--chart", "{tmp}/c.jpg"], "chart must be a .png or .svg"),
        (["compare", "{care}/" + BM, "--flag", "nonsense"], "no record in these files carries the flag"),
        (["import", "{fx}/cqc_directory_with_title_rows.csv", "--overrides", "{fx}/employee_owned_list.csv"],
         "no header row with a 'provider_id' column"),
        (["frobnicate"], "invalid choice"),
        (["import"], "the following arguments are required"),
    ],
)  # fmt: skip
def test_user_mistakes_exit_2_with_one_line(
    argv: list[str], message: str, care: Path, fixtures: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [a.format(care=care, fx=fixtures, tmp=tmp_path) for a in argv]
    rc = main(args)
    _, err = capsys.readouterr()
    assert rc == 2
    first = err.strip().splitlines()[-1]
    assert first.startswith("coopgov ownership: ") and message in first
    assert "Traceback" not in err


def test_bad_override_line_is_named(fixtures: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "ov.csv"
    bad.write_text("provider_id,model,reason,by\n1-100000001,for-profit,checked,me\n1-100000002,plc,x,me\n")
    rc = main(["import", str(fixtures / "cqc_directory_with_title_rows.csv"), "--overrides", str(bad)])
    _, err = capsys.readouterr()
    assert rc == 2 and f"{bad}:3: unknown ownership model 'plc'" in err


def test_dispatch_through_coopgov_cli(care: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from coopgov.cli import main as coopgov_main

    rc = coopgov_main(["ownership", "compare", str(care / BM), "--format", "csv"])
    assert rc == 0 and "For-profit" in capsys.readouterr().out


def test_directory_and_latest_ratings_are_merged(fixtures: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        ["compare", str(fixtures / "cqc_directory_with_title_rows.csv"), str(fixtures / "cqc_latest_ratings.csv"),
         "--key-question", "Safe", "--format", "json", *_registers(fixtures)]
    )  # fmt: skip
    out, _ = capsys.readouterr()
    assert rc == 0
    rows = json.loads(out)["rows"]
    # Safe ratings come only from the latest-ratings file: Sunrise House RI, Sunrise Court Inadequate
    fp = next(r for r in rows if r["ownership"] == "For-profit")
    assert fp["rated"] == 2 and fp["inadequate"] == 1


def test_import_json_carries_evidence_and_override(fixtures: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        ["import", str(fixtures / "cqc_directory_with_title_rows.csv"), *_registers(fixtures), "--format", "json"]
    )
    out, _ = capsys.readouterr()
    assert rc == 0
    data = json.loads(out)
    by_id = {p["provider_id"]: p for p in data["providers"]}
    coop = by_id["1-100000004"]
    assert coop["evidence"][0] == {
        "register": "FCA Mutuals Public Register",
        "field": "Society Type",
        "value": "Co-operative Society",
        "record": str(fixtures / "fca_mutuals_register_extract.csv") + ":2",
    }
    ov = by_id["1-100000019"]
    assert ov["override"]["by"] == "officer.a@example.gov.uk"
    assert ov["automatic"]["model"] == "unknown"
    assert data["models"]["cooperative"] == 3
