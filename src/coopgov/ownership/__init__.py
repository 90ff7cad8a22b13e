"""Ownership transparency for care providers (issue 7): plain Python, no Django.

Import CQC's files and the registers, classify each provider's ownership model with evidence,
and compare ratings by ownership model::

    from coopgov import ownership as own

    report = own.ImportReport()
    locations = list(own.read_cqc_directory("directory.csv", report=report))
    registers = own.Registers.build(
        companies=own.read_companies_house("BasicCompanyData.csv"),
        societies=own.read_fca_mutuals("mutuals.csv"),
        charities=own.read_charity_commission("publicextract.charity.txt"),
        employee_owned=own.read_employee_owned("employee_owned.csv"),
    )
    providers = own.providers_from_locations(locations)
    classes = own.classify_providers(providers, registers, overrides=[...])
    records = own.records_from_locations(locations, classes)
    table = own.share_table(records, key_question="Overall", by=("ownership", "region"))
    result = own.rating_regression(records)

Importers stream (generators) and never stop on a bad row: they record it in an
:class:`ImportReport` (line + reason). A problem that stops an import (missing file, no header
row, a required column absent) raises :class:`OwnershipInputError` with file, line and field.
The order of classification checks is in :mod:`coopgov.ownership.classify`.
"""

from coopgov.ownership._charts import share_chart
from coopgov.ownership._cqc import (
    parse_date,
    read_cqc_api,
    read_cqc_directory,
    read_cqc_latest_ratings,
)
from coopgov.ownership._detect import detect_kind, read_any
from coopgov.ownership._errors import ImportReport, OwnershipInputError, RowProblem
from coopgov.ownership._model import (
    CharityRecord,
    CompanyRecord,
    ComparisonRecord,
    EmployeeOwnedRecord,
    Location,
    OwnershipModel,
    ProviderFacts,
    SocietyRecord,
    merge_locations,
    normalise_company_number,
    parse_model,
)
from coopgov.ownership._ratings import (
    GRADES_LOW_TO_HIGH,
    KEY_QUESTIONS,
    Rating,
    UnknownRating,
    normalise_key_question,
    normalise_rating,
)
from coopgov.ownership._registers import (
    read_charity_commission,
    read_companies_house,
    read_employee_owned,
    read_fca_mutuals,
)
from coopgov.ownership._research import (
    ClosureYear,
    read_bach_mortensen_by_year,
    read_bach_mortensen_carehomes,
    read_goodair_inspections,
)
from coopgov.ownership.classify import (
    RULE_ORDER,
    Classification,
    Evidence,
    Finding,
    Override,
    Registers,
    classify_provider,
    classify_providers,
    merge_facts,
    providers_from_locations,
)
from coopgov.ownership.compare import (
    FlagRow,
    ShareRow,
    flag_table,
    latest_per_unit,
    publishable_share_rows,
    rating_regression,
    records_from_locations,
    share_table,
)

__all__ = [
    "GRADES_LOW_TO_HIGH",
    "KEY_QUESTIONS",
    "RULE_ORDER",
    "CharityRecord",
    "Classification",
    "ClosureYear",
    "CompanyRecord",
    "ComparisonRecord",
    "EmployeeOwnedRecord",
    "Evidence",
    "Finding",
    "FlagRow",
    "ImportReport",
    "Location",
    "Override",
    "OwnershipInputError",
    "OwnershipModel",
    "ProviderFacts",
    "Rating",
    "Registers",
    "RowProblem",
    "ShareRow",
    "SocietyRecord",
    "UnknownRating",
    "classify_provider",
    "classify_providers",
    "detect_kind",
    "flag_table",
    "latest_per_unit",
    "merge_facts",
    "merge_locations",
    "normalise_company_number",
    "normalise_key_question",
    "normalise_rating",
    "parse_date",
    "parse_model",
    "providers_from_locations",
    "publishable_share_rows",
    "rating_regression",
    "read_any",
    "read_bach_mortensen_by_year",
    "read_bach_mortensen_carehomes",
    "read_charity_commission",
    "read_companies_house",
    "read_cqc_api",
    "read_cqc_directory",
    "read_cqc_latest_ratings",
    "read_employee_owned",
    "read_fca_mutuals",
    "read_goodair_inspections",
    "records_from_locations",
    "share_chart",
    "share_table",
]
