"""Classification on hand-built register extracts: each model and each conflicting-evidence case."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopgov import ownership as own
from coopgov.ownership import Classification, Override, OwnershipModel

M = OwnershipModel


@pytest.fixture(scope="module")
def classes(fixtures: Path) -> dict[str, Classification]:
    locs = list(own.read_cqc_directory(fixtures / "cqc_directory_with_title_rows.csv"))
    registers = own.Registers.build(
        companies=own.read_companies_house(fixtures / "companies_house_basic_company_data.csv"),
        societies=own.read_fca_mutuals(fixtures / "fca_mutuals_register_extract.csv"),
        charities=own.read_charity_commission(fixtures / "charity_commission_publicextract.charity.txt"),
        employee_owned=own.read_employee_owned(fixtures / "employee_owned_list.csv"),
        private_equity={"Sunrise Group": "hand-built PE list"},
    )
    overrides = [Override("1-100000019", M.NOT_FOR_PROFIT, "articles seen: CLG with asset lock", "officer.a")]
    return own.classify_providers(own.providers_from_locations(locs), registers, overrides, chain_threshold=3)


def _c(classes: dict[str, Classification], n: int) -> Classification:
    return classes[f"1-1000000{n:02d}"]


@pytest.mark.parametrize(
    ("n", "model", "rule"),
    [
        (1, M.FOR_PROFIT, "COMPANY_WITH_SHARES"),
        (2, M.LOCAL_AUTHORITY, "LOCAL_AUTHORITY"),
        (3, M.NHS, "NHS_BODY"),
        (4, M.COOPERATIVE, "REGISTERED_SOCIETY"),  # co-operative society
        (5, M.COOPERATIVE, "REGISTERED_SOCIETY"),  # community benefit society
        (6, M.MULTI_STAKEHOLDER_COOP, "REGISTERED_SOCIETY"),
        (7, M.NOT_FOR_PROFIT, "REGISTERED_CHARITY"),
        (8, M.NOT_FOR_PROFIT, "NOT_FOR_PROFIT_FORM"),  # CIC
        (9, M.NOT_FOR_PROFIT, "NOT_FOR_PROFIT_FORM"),  # CLG without share capital
        (10, M.EMPLOYEE_OWNED, "EMPLOYEE_OWNED_LIST"),
        (15, M.FOR_PROFIT, "SOLE_TRADER_OR_PARTNERSHIP"),  # individual
        (16, M.FOR_PROFIT, "SOLE_TRADER_OR_PARTNERSHIP"),  # partnership
    ],
)
def test_each_model(classes: dict[str, Classification], n: int, model: M, rule: str) -> None:
    c = _c(classes, n)
    assert (c.model, c.rule) == (model, rule)
    assert c.evidence, "every classification carries its evidence"
    assert not c.needs_review
    assert c.rule_order == own.RULE_ORDER


def test_evidence_names_register_field_and_value(classes: dict[str, Classification]) -> None:
    coop = _c(classes, 4)
    assert coop.evidence[0].register == "FCA Mutuals Public Register"
    assert coop.evidence[0].field == "Society Type"
    assert coop.evidence[0].value == "Co-operative Society"
    assert coop.evidence[0].record.endswith("fca_mutuals_register_extract.csv:2")
    cbs = _c(classes, 5)
    assert cbs.findings[0].note == "community benefit society"
    # the society's CH entry agrees, so it is a finding but not a conflict
    assert [f.rule for f in cbs.findings] == ["REGISTERED_SOCIETY", "NOT_FOR_PROFIT_FORM"]
    assert "Co-operative / community benefit society by rule REGISTERED_SOCIETY" in cbs.explain()


def test_chain_and_private_equity_flags(classes: dict[str, Classification]) -> None:
    c = _c(classes, 1)
    assert c.flags == {"chain", "private_equity"}
    assert {e.register for e in c.flag_evidence} == {"CQC", "private-equity list"}
    assert _c(classes, 2).flags == frozenset()


def test_employee_owned_company_with_shares_is_not_a_conflict(classes: dict[str, Classification]) -> None:
    c = _c(classes, 10)
    assert [f.rule for f in c.findings] == ["EMPLOYEE_OWNED_LIST", "COMPANY_WITH_SHARES"]
    assert c.conflicts == ()


def test_conflict_employee_owned_list_and_charity(classes: dict[str, Classification]) -> None:
    c = _c(classes, 11)
    assert c.model is M.NOT_FOR_PROFIT and c.rule == "REGISTERED_CHARITY"
    assert c.evidence[0].field == "charity_company_registration_number"
    assert [(f.rule, f.model) for f in c.conflicts] == [("EMPLOYEE_OWNED_LIST", M.EMPLOYEE_OWNED)]
    assert c.needs_review


def test_conflict_fca_society_that_companies_house_lists_as_a_company(classes: dict[str, Classification]) -> None:
    c = _c(classes, 12)
    assert c.model is M.COOPERATIVE
    assert [(f.rule, f.model) for f in c.conflicts] == [("COMPANY_WITH_SHARES", M.FOR_PROFIT)]
    assert c.conflicts[0].evidence[0].value == "Private Limited Company"
    assert c.needs_review


def test_dissolved_company(classes: dict[str, Classification]) -> None:
    c = _c(classes, 13)
    assert c.model is M.UNKNOWN and c.rule == "NO_EVIDENCE"
    assert c.issues == (
        "Companies House lists company 08000001 as Dissolved on 14/02/2023, but CQC still registers the provider",
    )
    assert c.needs_review


def test_conflict_nhs_body_and_private_limited_company(classes: dict[str, Classification]) -> None:
    c = _c(classes, 14)
    assert c.model is M.NHS
    assert [(f.rule, f.model) for f in c.conflicts] == [("COMPANY_WITH_SHARES", M.FOR_PROFIT)]


def test_deregistered_society_and_removed_charity(classes: dict[str, Classification]) -> None:
    soc = _c(classes, 17)
    assert soc.model is M.UNKNOWN
    assert soc.issues[0] == "FCA lists society 29999R as Deregistered"
    char = _c(classes, 18)
    assert char.model is M.NOT_FOR_PROFIT and char.rule == "NOT_FOR_PROFIT_FORM"
    assert char.issues == ("Charity Commission lists charity 1100002 as Removed",)


def test_override_keeps_the_automatic_result(classes: dict[str, Classification]) -> None:
    c = _c(classes, 19)
    assert c.model is M.NOT_FOR_PROFIT and c.rule == "OVERRIDE"
    assert c.override is not None and c.override.by == "officer.a"
    assert c.automatic is not None and c.automatic.model is M.UNKNOWN
    assert c.evidence[0].value == "articles seen: CLG with asset lock"
    assert "overridden by officer.a" in c.explain()


def test_override_needs_reason_and_known_provider() -> None:
    with pytest.raises(ValueError, match="reason is required"):
        Override("1-1", M.FOR_PROFIT, "  ", "me")
    facts = {"1-1": own.ProviderFacts("1-1", "A Ltd")}
    with pytest.raises(ValueError, match="unknown provider"):
        own.classify_providers(facts, own.Registers(), [Override("1-2", M.FOR_PROFIT, "why", "me")])


def test_override_against_register_evidence_is_recorded_as_conflict() -> None:
    reg = own.Registers.build(companies=[own.CompanyRecord("01234567", "A LTD", "Private Limited Company", "Active")])
    p = own.ProviderFacts("1-1", "A Ltd", "Organisation", "01234567")
    c = own.classify_provider(p, reg, override=Override("1-1", M.COOPERATIVE, "member vote 2025", "me"))
    assert c.model is M.COOPERATIVE
    assert [f.rule for f in c.conflicts] == ["COMPANY_WITH_SHARES"]


def test_local_authority_company_is_not_a_council() -> None:
    # a council-owned trading company is a company, not the council
    p = own.ProviderFacts("1-1", "Shropshire Council Care Services Ltd", "Organisation")
    assert own.classify_provider(p, own.Registers()).model is M.UNKNOWN


def test_society_numbers_join_across_registers() -> None:
    from coopgov.ownership.classify import society_key

    assert society_key("7001R") == society_key("RS007001") == society_key("IP7001") == "E7001"
    assert society_key("2345RS") == society_key("SP002345") == "S2345"
    assert society_key("01234567") is None


def test_statutory_name_endings_when_no_register_decides() -> None:
    def model(name: str) -> OwnershipModel:
        return own.classify_provider(own.ProviderFacts("1-1", name, "Organisation"), own.Registers()).model

    assert model("Community Support CIC") is M.NOT_FOR_PROFIT
    assert model("Care Holdings PLC") is M.FOR_PROFIT
    assert model("Foo Care Limited") is M.UNKNOWN  # shares or guarantee: undecided
    assert model("Cicero Care") is M.UNKNOWN


def test_company_in_liquidation_is_classified_and_flagged() -> None:
    reg = own.Registers.build(
        companies=[own.CompanyRecord("01234567", "A LTD", "Private Limited Company", "Liquidation")]
    )
    c = own.classify_provider(own.ProviderFacts("1-1", "A Ltd", "Organisation", "01234567"), reg)
    assert c.model is M.FOR_PROFIT and c.issues == ("Companies House lists company 01234567 as Liquidation",)


_CATEGORIES = [
    "Private Limited Company",
    "PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)",
    "Community Interest Company",
    "Registered Society",
    "Public Limited Company",
    "Charitable Incorporated Organisation",
    "Other company type",
]


@pytest.mark.parametrize("seed", range(5))
def test_classification_invariants_on_random_evidence(seed: int) -> None:
    """Whatever the registers say, the result is one model, decided by the first applicable rule
    in RULE_ORDER, with evidence; conflicts are findings pointing elsewhere."""
    import random

    rng = random.Random(seed)
    companies, societies, charities, eo, facts = [], [], [], [], []
    for i in range(300):
        number = f"RS{i:06d}" if rng.random() < 0.2 else f"{i:08d}"
        if rng.random() < 0.7:
            status = rng.choice(["Active", "Active", "Dissolved", "Liquidation"])
            companies.append(own.CompanyRecord(number, f"C{i}", rng.choice(_CATEGORIES), status))
        if number.startswith("RS") and rng.random() < 0.7:
            stype = rng.choice(["Co-operative Society", "Community Benefit Society"])
            societies.append(
                own.SocietyRecord(f"{i}R", f"S{i}", "2014 Act", stype, rng.choice(["Registered", "Deregistered"]))
            )
        if rng.random() < 0.15:
            charities.append(
                own.CharityRecord(
                    str(1000000 + i), f"Ch{i}", rng.choice(["Registered", "Removed"]), company_number=number
                )
            )
        if rng.random() < 0.1:
            eo.append(
                own.EmployeeOwnedRecord(number, f"E{i}", rng.choice([M.EMPLOYEE_OWNED, M.MULTI_STAKEHOLDER_COOP]))
            )
        name = rng.choice([f"Provider {i} Ltd", f"Borough Council {i}", f"Care {i} CIC", f"Care {i} plc"])
        otype = rng.choice(["Organisation", "Organisation", "Individual", "Partnership", "NHS Body"])
        facts.append(own.ProviderFacts(f"1-{i}", name, otype, number if rng.random() < 0.8 else ""))
    reg = own.Registers.build(companies, societies, charities, eo)
    for c in own.classify_providers(facts, reg).values():
        assert c.rule in own.RULE_ORDER
        if c.rule == "NO_EVIDENCE":
            assert c.model is M.UNKNOWN and not c.findings
        else:
            assert c.findings[0].rule == c.rule and c.findings[0].model is c.model and c.evidence
            ranks = [own.RULE_ORDER.index(f.rule) for f in c.findings]
            assert ranks == sorted(ranks)
        assert all(f.model is not c.model for f in c.conflicts)
        assert c.needs_review == bool(c.conflicts or c.issues)
