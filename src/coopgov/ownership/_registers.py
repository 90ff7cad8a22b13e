"""Importers for the registers that reveal ownership.

Column layouts are those the registers publish (names matched after trimming spaces and
case-folding, so Companies House's ``" CompanyNumber"`` with its leading space is found):

* Companies House *Free Company Data Product* ("BasicCompanyData-….csv"): ``CompanyName``,
  ``CompanyNumber``, ``CompanyCategory`` (e.g. "Private Limited Company", "PRI/LTD BY GUAR/NSC
  (Private, limited by guarantee, no share capital)", "Community Interest Company", "Registered
  Society"), ``CompanyStatus`` ("Active", "Liquidation", "Dissolved", …), ``DissolutionDate``,
  ``SICCode.SicText_1`` … ``SICCode.SicText_4`` ("87100 - Residential nursing care facilities").
* FCA Mutuals Public Register extract: ``Society Number``, ``Society Name``, ``Society Status``
  ("Registered", "Deregistered"), ``Registration Act``, ``Society Type`` (for 2014-Act
  societies "Co-operative Society" or "Community Benefit Society"; also "Credit Union",
  "Friendly Society", …).
* Charity Commission register extract (``publicextract.charity``, tab-separated):
  ``registered_charity_number``, ``linked_charity_number`` (0 for the main charity),
  ``charity_name``, ``charity_type``, ``charity_registration_status`` ("Registered",
  "Removed"), ``charity_company_registration_number``.
* The user's list of employee-owned businesses: ``name``, ``company_number`` and optionally
  ``model`` ("employee-owned" by default, or "multi-stakeholder co-operative") and ``source``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from coopgov.ownership._errors import ImportReport
from coopgov.ownership._model import (
    CharityRecord,
    CompanyRecord,
    EmployeeOwnedRecord,
    OwnershipModel,
    SocietyRecord,
    normalise_company_number,
    parse_model,
)
from coopgov.ownership._tabular import Progress, cell, counted, open_table


def read_companies_house(
    path: str | Path, *, report: ImportReport | None = None, progress: Progress | None = None
) -> Iterator[CompanyRecord]:
    """Stream Companies House basic company data."""
    rep = report if report is not None else ImportReport()
    rep.path, rep.kind = str(path), "companies-house"
    table, rows = open_table(path, ("CompanyNumber",))
    num = table.require("CompanyNumber")
    name = table.index("CompanyName")
    cat = table.require("CompanyCategory")
    status = table.require("CompanyStatus")
    diss = table.index("DissolutionDate")
    sics = [table.index(f"SICCode.SicText_{k}") for k in range(1, 5)]
    width = len(table.header)
    for line, f in counted(rows, progress):
        if not any(x.strip() for x in f):
            continue
        rep.rows_read += 1
        if len(f) != width:
            rep.problem(line, f"{len(f)} fields where the header has {width}")
            continue
        number = cell(f, num)
        if not number:
            rep.problem(line, "company number missing", "CompanyNumber")
            continue
        if not cell(f, cat):
            rep.problem(line, "company category missing", "CompanyCategory")
            continue
        rep.records += 1
        yield CompanyRecord(
            number=normalise_company_number(number),
            name=cell(f, name),
            category=cell(f, cat),
            status=cell(f, status),
            sic_codes=tuple(s for s in (cell(f, j) for j in sics) if s and s != "None Supplied"),
            dissolution_date=cell(f, diss),
            line=line,
            source=str(path),
        )


def read_fca_mutuals(
    path: str | Path, *, report: ImportReport | None = None, progress: Progress | None = None
) -> Iterator[SocietyRecord]:
    """Stream the FCA Mutuals Public Register extract."""
    rep = report if report is not None else ImportReport()
    rep.path, rep.kind = str(path), "fca-mutuals"
    table, rows = open_table(path, ("Society Number", "Registration Number"))
    num = table.require("Society Number", "Registration Number")
    name = table.index("Society Name", "Name")
    act = table.index("Registration Act", "Act")
    stype = table.require("Society Type", "Registered As", "Type")
    status = table.require("Society Status", "Status")
    for line, f in counted(rows, progress):
        if not any(x.strip() for x in f):
            continue
        rep.rows_read += 1
        number = cell(f, num).upper()
        if not number:
            rep.problem(line, "society number missing", "Society Number")
            continue
        if not cell(f, stype):
            rep.problem(line, "society type missing", "Society Type")
            continue
        rep.records += 1
        yield SocietyRecord(
            number=number,
            name=cell(f, name),
            registration_act=cell(f, act),
            society_type=cell(f, stype),
            status=cell(f, status),
            line=line,
            source=str(path),
        )


def read_charity_commission(
    path: str | Path, *, report: ImportReport | None = None, progress: Progress | None = None
) -> Iterator[CharityRecord]:
    """Stream the Charity Commission register extract (main charities only; linked subsidiaries,
    ``linked_charity_number`` ≠ 0, are skipped silently)."""
    rep = report if report is not None else ImportReport()
    rep.path, rep.kind = str(path), "charity-commission"
    table, rows = open_table(path, ("registered_charity_number",))
    num = table.require("registered_charity_number")
    linked = table.index("linked_charity_number")
    name = table.index("charity_name")
    status = table.require("charity_registration_status")
    ctype = table.index("charity_type")
    company = table.index("charity_company_registration_number")
    for line, f in counted(rows, progress):
        if not any(x.strip() for x in f):
            continue
        rep.rows_read += 1
        number = cell(f, num)
        if not number.isdigit():
            rep.problem(line, f"charity number {number!r} is not a number", "registered_charity_number")
            continue
        if cell(f, linked) not in ("", "0"):
            continue
        co = cell(f, company)
        rep.records += 1
        yield CharityRecord(
            number=number,
            name=cell(f, name),
            status=cell(f, status),
            charity_type=cell(f, ctype),
            company_number=normalise_company_number(co) if co else "",
            line=line,
            source=str(path),
        )


def read_employee_owned(
    path: str | Path, *, report: ImportReport | None = None, progress: Progress | None = None
) -> Iterator[EmployeeOwnedRecord]:
    """Stream the user's list of employee-owned businesses."""
    rep = report if report is not None else ImportReport()
    rep.path, rep.kind = str(path), "employee-owned"
    keys = ("company_number", "Company Number", "Companies House Number")
    table, rows = open_table(path, keys)
    num = table.require(*keys)
    name = table.index("name", "Company Name", "Business Name")
    model = table.index("model", "ownership", "ownership model")
    note = table.index("source", "note", "evidence")
    for line, f in counted(rows, progress):
        if not any(x.strip() for x in f):
            continue
        rep.rows_read += 1
        number = cell(f, num)
        if not number:
            rep.problem(line, "company number missing", "company_number")
            continue
        m = OwnershipModel.EMPLOYEE_OWNED
        if cell(f, model):
            try:
                m = parse_model(cell(f, model))
            except ValueError as exc:
                rep.problem(line, str(exc), "model")
                continue
            if m not in (OwnershipModel.EMPLOYEE_OWNED, OwnershipModel.MULTI_STAKEHOLDER_COOP):
                rep.problem(
                    line,
                    f"model {cell(f, model)!r} is not employee-owned or multi-stakeholder co-operative",
                    "model",
                )
                continue
        rep.records += 1
        yield EmployeeOwnedRecord(
            company_number=normalise_company_number(number),
            name=cell(f, name),
            model=m,
            source_note=cell(f, note),
            line=line,
            source=str(path),
        )
