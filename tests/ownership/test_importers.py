"""Each importer on its format, and bad input: a report or a one-line error, never a crash."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from coopgov import ownership as own
from coopgov.ownership import ImportReport, OwnershipInputError, Rating


def test_rating_normalisation() -> None:
    assert own.normalise_rating("Requires Improvement") is Rating.REQUIRES_IMPROVEMENT
    assert own.normalise_rating(" requires  improvement ") is Rating.REQUIRES_IMPROVEMENT
    assert own.normalise_rating("Not rated") is Rating.NOT_RATED
    assert own.normalise_rating("Insufficient evidence to rate") is Rating.INSUFFICIENT_EVIDENCE
    assert own.normalise_rating("Inspected but not rated") is Rating.INSPECTED_NOT_RATED
    assert own.normalise_rating("") is None and own.normalise_rating(None) is None
    assert not Rating.NOT_RATED.is_grade and Rating.GOOD.is_grade
    with pytest.raises(own.UnknownRating, match="Very good"):
        own.normalise_rating("Very good")
    assert own.normalise_key_question("well led") == "Well-led"


def test_company_numbers() -> None:
    assert own.normalise_company_number("1234567") == "01234567"
    assert own.normalise_company_number("sc 12345") == "SC012345"
    assert own.normalise_company_number("1234567.0") == "01234567"
    assert own.normalise_company_number("7001R") == "7001R"


def test_directory_with_title_rows(fixtures: Path) -> None:
    rep = ImportReport()
    progress: list[int] = []
    locs = list(
        own.read_cqc_directory(fixtures / "cqc_directory_with_title_rows.csv", report=rep, progress=progress.append)
    )
    assert len(locs) == 21 and not rep.problems and progress[-1] == 21
    first = locs[0]
    assert first.line == 5  # three title/blank rows, then the header on line 4
    assert first.regulated_activities == {"Accommodation for persons who require nursing or personal care"}
    assert first.service_types == {"Care home service without nursing"}
    assert first.service_user_bands == {"Dementia", "Older People"}
    assert first.companies_house_number == "01234567"  # zero-padded
    assert first.brand_name == "Sunrise Group"
    assert first.publication_date == date(2023, 5, 12)
    assert locs[1].ratings["Overall"] is Rating.REQUIRES_IMPROVEMENT
    assert "Overall" not in locs[-1].ratings


def test_directory_as_ods(tmp_path: Path, fixtures: Path) -> None:
    pd = pytest.importorskip("pandas")
    with (fixtures / "cqc_directory_with_title_rows.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    frame = pd.DataFrame(rows)
    path = tmp_path / "directory.ods"
    frame.to_excel(path, engine="odf", header=False, index=False)
    rep = ImportReport()
    locs = list(own.read_cqc_directory(path, report=rep))
    assert len(locs) == 21 and not rep.problems
    assert locs[0].service_types == {"Care home service without nursing"}
    assert own.detect_kind(path) == "cqc-directory"


def test_latest_ratings_pivot(fixtures: Path) -> None:
    rep = ImportReport()
    locs = {
        loc.location_id: loc for loc in own.read_cqc_latest_ratings(fixtures / "cqc_latest_ratings.csv", report=rep)
    }
    house = locs["1-200000001"]
    assert house.ratings == {
        "Overall": Rating.GOOD,
        "Safe": Rating.REQUIRES_IMPROVEMENT,
        "Effective": Rating.GOOD,
        "Caring": Rating.OUTSTANDING,
        "Responsive": Rating.GOOD,
        "Well-led": Rating.REQUIRES_IMPROVEMENT,
    }
    court = locs["1-200000003"]
    # the core-service row ("Urgent and emergency services", Safe = Good) is not the location's
    assert court.ratings["Safe"] is Rating.INADEQUATE
    assert locs["1-200000009"].ratings == {"Overall": Rating.INSUFFICIENT_EVIDENCE}
    reasons = sorted(p.reason for p in rep.problems)
    assert len(reasons) == 2
    assert "unknown key question 'Kindness'" in reasons[1]
    assert "Very good" in reasons[0]


def test_api_json_array_and_lines(fixtures: Path) -> None:
    rep = ImportReport()
    recs = list(own.read_cqc_api(fixtures / "cqc_api_records.json", report=rep))
    provider = next(r for r in recs if isinstance(r, own.ProviderFacts))
    assert provider.companies_house_number == "01234567"
    assert provider.cqc_ownership_type == "Organisation"
    loc = next(r for r in recs if isinstance(r, own.Location) and r.location_id == "1-200000001")
    assert loc.ratings["Overall"] is Rating.REQUIRES_IMPROVEMENT and loc.ratings["Safe"] is Rating.INADEQUATE
    assert loc.service_types == {"Care home service with nursing"}
    assert [p.line for p in rep.problems] == [4] and "neither" in rep.problems[0].reason
    rep2 = ImportReport()
    recs2 = list(own.read_cqc_api(fixtures / "cqc_api_records.jsonl", report=rep2))
    assert len(recs2) == 2
    assert rep2.problems[0].line == 2 and "invalid JSON" in rep2.problems[0].reason


def test_registers(fixtures: Path) -> None:
    rep = ImportReport()
    companies = list(own.read_companies_house(fixtures / "companies_house_basic_company_data.csv", report=rep))
    assert len(companies) == 13 and not rep.problems
    sunrise = companies[0]
    assert sunrise.number == "01234567" and sunrise.category == "Private Limited Company"
    assert sunrise.sic_codes[0].startswith("87100")
    rep = ImportReport()
    socs = list(own.read_fca_mutuals(fixtures / "fca_mutuals_register_extract.csv", report=rep))
    assert [s.society_type for s in socs][:2] == ["Co-operative Society", "Community Benefit Society"]
    assert rep.problems[0].line == 7 and rep.problems[0].field == "Society Number"
    rep = ImportReport()
    chars = list(own.read_charity_commission(fixtures / "charity_commission_publicextract.charity.txt", report=rep))
    assert [c.number for c in chars] == ["1100001", "1100002", "1100003"]  # linked subsidiary skipped
    assert chars[0].company_number == "04000001"
    assert "11OO004" in rep.problems[0].reason
    rep = ImportReport()
    eo = list(own.read_employee_owned(fixtures / "employee_owned_list.csv", report=rep))
    assert [e.model for e in eo] == [
        own.OwnershipModel.EMPLOYEE_OWNED,
        own.OwnershipModel.EMPLOYEE_OWNED,
        own.OwnershipModel.MULTI_STAKEHOLDER_COOP,
    ]
    assert [p.line for p in rep.problems] == [5, 6]


def test_detect_kinds(fixtures: Path) -> None:
    expect = {
        "companies_house_basic_company_data.csv": "companies-house",
        "fca_mutuals_register_extract.csv": "fca-mutuals",
        "charity_commission_publicextract.charity.txt": "charity-commission",
        "employee_owned_list.csv": "employee-owned",
        "cqc_latest_ratings.csv": "cqc-latest-ratings",
        "cqc_directory_with_title_rows.csv": "cqc-directory",
        "cqc_api_records.json": "cqc-api",
    }
    for name, kind in expect.items():
        assert own.detect_kind(fixtures / name) == kind


# ------------------------------------------------------------------------------ bad input


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_missing_file() -> None:
    with pytest.raises(OwnershipInputError) as exc:
        list(own.read_cqc_directory("/no/such/file.csv"))
    assert exc.value.one_line() == "/no/such/file.csv: file not found"


def test_no_header_row(tmp_path: Path) -> None:
    p = _write(tmp_path / "x.csv", "a,b\n1,2\n")
    with pytest.raises(OwnershipInputError, match="no header row with a 'Location ID' column"):
        list(own.read_cqc_directory(p))


def test_required_column_missing_names_line_and_field(tmp_path: Path) -> None:
    p = _write(tmp_path / "ch.csv", "Title\nCompanyName, CompanyNumber,CompanyStatus\nA,1,Active\n")
    with pytest.raises(OwnershipInputError) as exc:
        list(own.read_companies_house(p))
    assert exc.value.line == 2 and exc.value.field == "CompanyCategory"
    assert "ch.csv:2: field 'CompanyCategory'" in exc.value.one_line()


def test_bad_rows_are_reported_with_line_and_reason(tmp_path: Path) -> None:
    p = _write(
        tmp_path / "d.csv",
        "Location ID,Location Name,Location Latest Overall Rating,Care homes beds,Publication Date\n"
        "1-1000001,Good Home,Good,10,01/02/2023\n"
        "1-1000002,Odd Rating,Excellent,10,01/02/2023\n"
        "1-1000003,Odd Beds,Good,ten,01/02/2023\n"
        "1-1000004,Too,Many,Fields,x,y\n"
        ",No ID,Good,1,01/02/2023\n"
        "1-1000005,Bad Date,Good,1,31/31/2023\n"
        "\n"
        '1-1000006,"Multi\nline name",Good,2,01/02/2023\n',
    )
    rep = ImportReport()
    locs = list(own.read_cqc_directory(p, report=rep))
    assert [loc.location_id for loc in locs] == ["1-1000001", "1-1000006"]
    got = [(pr.line, pr.field) for pr in rep.problems]
    assert got == [
        (3, "Location Latest Overall Rating"),
        (4, "Care homes beds"),
        (5, None),
        (6, "Location ID"),
        (7, "Publication Date"),
    ]
    assert "Excellent" in rep.problems[0].reason
    assert "6 fields where the header has 5" in rep.problems[2].reason
    assert locs[1].line == 9


def test_windows_1252_file(tmp_path: Path) -> None:
    p = _write(
        tmp_path / "w.csv",
        "Location ID,Location Name,Location Latest Overall Rating\n1-1000001,Café Lodge,Good\n",
        encoding="cp1252",
    )
    assert next(own.read_cqc_directory(p)).name == "Café Lodge"


def test_excel_and_bad_json_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(OwnershipInputError, match="save as CSV or ODS"):
        list(own.read_cqc_directory(_write(tmp_path / "x.xlsx", "")))
    with pytest.raises(OwnershipInputError) as exc:
        list(own.read_cqc_api(_write(tmp_path / "x.json", '[{"locationId": "1-1",\n')))
    assert exc.value.line == 2 and "invalid JSON" in exc.value.message


def test_corrupt_ods(tmp_path: Path) -> None:
    with pytest.raises(OwnershipInputError, match="unreadable ODS"):
        list(own.read_cqc_directory(_write(tmp_path / "x.ods", "not a zip")))


def test_unknown_file_kind(tmp_path: Path) -> None:
    p = _write(tmp_path / "x.csv", "foo,bar\n1,2\n")
    with pytest.raises(OwnershipInputError, match="header row"):
        own.detect_kind(p)


def test_bach_mortensen_bad_values(tmp_path: Path) -> None:
    p = _write(
        tmp_path / "bm.csv",
        "carehomesbeds,year_location_end,forced_closure,ownership,nurse,inadequate,requiresimprovement,good,outstanding,missing_quality\n"
        "10,2015,1,For-Profit,0,0,0,1,0,0\n"
        "10,2015,2,For-Profit,0,0,0,1,0,0\n"
        "10,2015,0,Mutual,0,0,0,1,0,0\n"
        "10,,,Local Authority,1,,,,,1\n",
    )
    rep = ImportReport()
    recs = list(own.read_bach_mortensen_carehomes(p, report=rep))
    assert len(recs) == 2 and [pr.line for pr in rep.problems] == [3, 4]
    assert recs[1].flags == {} and recs[1].ratings == {}
    assert recs[1].service_type == "Care home service with nursing"


def test_merge_locations(fixtures: Path) -> None:
    directory = list(own.read_cqc_directory(fixtures / "cqc_directory_with_title_rows.csv"))
    ratings = list(own.read_cqc_latest_ratings(fixtures / "cqc_latest_ratings.csv"))
    merged = own.merge_locations(directory, ratings)
    assert len(merged) == len(directory)
    house = next(loc for loc in merged if loc.location_id == "1-200000001")
    assert house.ratings["Caring"] is Rating.OUTSTANDING  # from the ratings file
    assert house.service_types == {"Care home service without nursing"}  # from the directory
    assert house.beds == 40
    court = next(loc for loc in merged if loc.location_id == "1-200000003")
    assert court.ratings["Overall"] is Rating.INADEQUATE and court.ratings["Well-led"] is Rating.INADEQUATE


def test_ods_streaming_reader_agrees_with_pandas(tmp_path: Path, fixtures: Path) -> None:
    """Our iterparse ODS reader against pandas' odf engine on a workbook with a cover sheet."""
    pd = pytest.importorskip("pandas")
    with (fixtures / "cqc_latest_ratings.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    path = tmp_path / "ratings.ods"
    with pd.ExcelWriter(path, engine="odf") as xw:
        pd.DataFrame([["Latest ratings (cover sheet)"], ["See the next sheet"]]).to_excel(
            xw, sheet_name="Cover", header=False, index=False
        )
        pd.DataFrame(rows).to_excel(xw, sheet_name="Locations", header=False, index=False)
    ours = {loc.location_id: loc.ratings for loc in own.read_cqc_latest_ratings(path)}
    theirs = {loc.location_id: loc.ratings for loc in own.read_cqc_latest_ratings(fixtures / "cqc_latest_ratings.csv")}
    assert ours == theirs
    frame = pd.read_excel(path, sheet_name="Locations", engine="odf", header=None, dtype=str, keep_default_na=False)
    from coopgov.ownership._tabular import _ods_rows

    sheet_rows = [fields for sheet, _, fields in _ods_rows(path) if sheet == 1]
    assert sheet_rows == [[c for c in r] for r in frame.itertuples(index=False, name=None)]


def test_ods_without_header_sheet(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    path = tmp_path / "x.ods"
    pd.DataFrame([["a", "b"], ["1", "2"]]).to_excel(path, engine="odf", header=False, index=False)
    with pytest.raises(OwnershipInputError, match="no sheet with a header row"):
        list(own.read_cqc_directory(path))


def test_nul_bytes_and_undefined_cp1252_bytes_do_not_stop_an_import(tmp_path: Path) -> None:
    p = tmp_path / "n.csv"
    p.write_bytes(
        b"Location ID,Location Name,Location Latest Overall Rating\r\n"
        b"1-1000001,Nul\x00 Home,Good\r\n"
        b"1-1000002,Caf\xe9 \x81 Lodge,Good\r\n"
    )
    locs = list(own.read_cqc_directory(p))
    assert [loc.name for loc in locs] == ["Nul Home", "Café \ufffd Lodge"]


def test_pretty_printed_single_json_object(tmp_path: Path, fixtures: Path) -> None:
    import json

    records = json.loads((fixtures / "cqc_api_records.json").read_text())
    p = tmp_path / "one.json"
    p.write_text(json.dumps(records[1], indent=2))  # one location, over many lines
    (loc,) = list(own.read_cqc_api(p))
    assert isinstance(loc, own.Location) and loc.location_id == "1-200000001"


def test_location_to_dict_is_json_ready(fixtures: Path) -> None:
    import json

    loc = next(own.read_cqc_directory(fixtures / "cqc_directory_with_title_rows.csv"))
    d = json.loads(json.dumps(loc.to_dict()))
    assert d["ratings"] == {"Overall": "Good"}
    assert d["publication_date"] == "2023-05-12"
    assert d["service_user_bands"] == ["Dementia", "Older People"]
