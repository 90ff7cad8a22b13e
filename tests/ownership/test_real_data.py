"""Every file in shared/data/care is read; the published figures of Bach-Mortensen, Goodair &
Degli Esposti (Lancet Healthy Longevity, 2024) are reproduced."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopgov import ownership as own
from coopgov.ownership import ImportReport, OwnershipModel, Rating

BM = "bach_mortensen_2024_involuntary_closures_carehomes.csv"


def test_every_care_file_is_read(care: Path) -> None:
    files = sorted(care.glob("*.csv"))
    assert len(files) == 6
    for path in files:
        rep = ImportReport()
        records = list(own.read_any(path, report=rep))
        assert records, path.name
        assert rep.records == len(records)
        assert rep.rows_read >= rep.records


def test_messy_directory_gives_a_report_not_a_crash(care: Path) -> None:
    rep = ImportReport()
    locs = list(own.read_cqc_directory(care / "cqc_directory_output_head.csv", report=rep))
    assert rep.rows_read == 500
    assert len(locs) == 330
    assert len(rep.problems) == 170
    first = rep.problems[0]
    assert first.line == 5  # "'I Say' Supported Living Services Limited", a provider row
    assert "misaligned" in first.reason and "Organisation" in first.reason
    assert all(p.line > 1 for p in rep.problems)
    # a good row of the same file is read correctly
    asp = locs[0]
    assert asp.location_id == "1-22940471514"
    assert asp.provider_name == "ASP Healthcare Services Ltd"
    assert asp.service_types == {"Homecare agencies"}
    assert {"Dementia", "Sensory impairments"} <= asp.service_user_bands


def test_asc_directory_head_with_key_questions(care: Path) -> None:
    rep = ImportReport()
    locs = list(own.read_cqc_directory(care / "cqc_asc_directory_provider_characteristics_head.csv", report=rep))
    assert len(locs) == 999 and not rep.problems
    # both spellings of "Requires improvement" normalised to one rating
    overall = [loc.ratings.get("Overall") for loc in locs]
    assert overall.count(Rating.REQUIRES_IMPROVEMENT) == 66 + 29
    assert overall.count(Rating.GOOD) == 625
    assert overall.count(None) == 251
    assert any(len(loc.ratings) == 6 for loc in locs)
    types = {loc.provider_ownership_type for loc in locs}
    assert types == {"Organisation", "Individual", "Partnership", "NHS Body"}
    # the NHS location uses an ODS code as its location ID
    assert any(loc.location_id == "RX3LD" for loc in locs)
    # "1/2/2025 12:00:00 AM" is a US date in this export
    first = locs[0]
    assert first.publication_date is not None and first.publication_date.isoformat() == "2025-01-02"
    assert first.region == "South West" and first.companies_house_number == "14501286"
    # classification from CQC fields alone
    classes = own.classify_providers(own.providers_from_locations(locs), own.Registers())
    models = {c.model for c in classes.values()}
    assert OwnershipModel.NHS in models and OwnershipModel.FOR_PROFIT in models


def test_devon_api_csv_uses_literal_eval(care: Path) -> None:
    rep = ImportReport()
    recs = list(own.read_cqc_api(care / "cqc_api_locations_devon_carehomes_2021.csv", report=rep))
    assert rep.rows_read == 728 and len(recs) == 728 and not rep.problems
    first = recs[0]
    assert isinstance(first, own.Location)
    assert first.location_id == "1-1000587219"
    assert first.beds == 28 and first.care_home is True
    assert first.service_types == {"Care home service without nursing"}
    assert first.ratings["Safe"] is Rating.GOOD and len(first.ratings) == 6


def test_goodair_inspections(care: Path) -> None:
    rep = ImportReport()
    recs = list(own.read_goodair_inspections(care / "goodair_itv_inspections_community_asc.csv", report=rep))
    assert len(recs) == 29459 and not rep.problems
    latest = own.latest_per_unit(recs)
    assert len(latest) == 15648  # the README's count of locations
    rows = own.share_table(recs)
    by = {r.label(): r for r in rows}
    assert by["For-profit"].rated == 25352
    # "Requires Improvement" (114 rows) and "Requires improvement" (7323) are one rating
    ri = sum(1 for r in recs if r.ratings.get("Overall") is Rating.REQUIRES_IMPROVEMENT)
    assert ri == 7437


def test_by_year_closures(care: Path) -> None:
    rep = ImportReport()
    years = list(
        own.read_bach_mortensen_by_year(care / "bach_mortensen_2024_involuntary_closures_by_year.csv", report=rep)
    )
    assert [y.year for y in years] == list(range(2011, 2024))
    assert sum(y.forced_closures for y in years) == 816  # = forced_closure flags in the homes file
    assert rep.notes  # the repeated 2011 row is noted


def test_bach_mortensen_published_figures(care: Path) -> None:
    """Bach-Mortensen, Goodair & Degli Esposti, Lancet Healthy Longevity 2024.

    Denominators that reproduce the published figures:
    * Inadequate share: homes with a latest rating (``missing_quality`` = 0 and exactly one
      rating flag set), per ownership. 6 rows have ``missing_quality`` = 0 but no flag: they are
      reported and left out of the rated denominator.
    * Forced closures: every home whose ``forced_closure`` is not blank (8 blanks), per ownership;
      rows without ownership (21) form their own "unknown" group.
    """
    rep = ImportReport()
    recs = list(own.read_bach_mortensen_carehomes(care / BM, report=rep))
    assert len(recs) == 29458 and len(rep.problems) == 6
    inad = {r.label(): r for r in own.share_table(recs)}
    assert round(100 * inad["For-profit"].inadequate_share.estimate, 1) == 5.7
    assert round(100 * inad["Third sector (research coding)"].inadequate_share.estimate, 1) == 2.1
    assert round(100 * inad["Public: local authority"].inadequate_share.estimate, 1) == 1.0
    assert inad["For-profit"].rated == 18045 and inad["For-profit"].inadequate == 1025
    closures = {r.label(): r for r in own.flag_table(recs, "forced_closure")}
    assert round(100 * closures["For-profit"].share.estimate, 2) == 3.31
    assert round(100 * closures["Third sector (research coding)"].share.estimate, 2) == 0.26
    assert round(100 * closures["Public: local authority"].share.estimate, 2) == 0.15
    assert (closures["For-profit"].count, closures["For-profit"].known) == (804, 24278)
    assert sum(r.count for r in closures.values()) == 816


def test_bach_mortensen_regression_direction(care: Path) -> None:
    recs = list(own.read_bach_mortensen_carehomes(care / BM))
    res = own.rating_regression(recs, controls=("service_type", "size", "year"))
    assert res.reference_levels["ownership"] == "For-profit"
    third = res.term("ownership[Third sector (research coding)]")
    la = res.term("ownership[Public: local authority]")
    # not-for-profit and council homes have higher odds of a better rating than for-profit ones
    assert third.lower > 1 and la.lower > 1
    assert res.n == 18045 + 2805 + 628


@pytest.mark.parametrize("kq", ["Overall", "Safe", "Effective", "Caring", "Responsive", "Well-led"])
def test_each_key_question_on_real_directory(care: Path, kq: str) -> None:
    locs = list(own.read_cqc_directory(care / "cqc_asc_directory_provider_characteristics_head.csv"))
    classes = own.classify_providers(own.providers_from_locations(locs), own.Registers())
    recs = own.records_from_locations(locs, classes)
    rows = own.share_table(recs, key_question=kq)
    assert sum(r.rated for r in rows) > 600
