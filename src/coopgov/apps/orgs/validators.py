"""Format checks for the public-register identifiers an organisation carries.

Each validator checks format only (a register look-up needs the network).  Sources for the formats:
- Companies House company number: 8 characters, digits or a two-letter prefix (SC, NI, OC, SO,
  NC, R0, IP, SP, RS, …) followed by digits, e.g. ``01234567``, ``SC123456``, ``IP12345R``.
- FCA mutuals register (registered societies): a number, optionally with a suffix letter, e.g.
  ``31495R`` (Co-operative & Community Benefit Societies Act 2014 registrations carry "R").
- Charity Commission for England and Wales: 6–8 digits; OSCR (Scotland): ``SC`` + 6 digits;
  Northern Ireland: ``NIC`` + digits (or 100000–199999).
- CQC provider id: ``1-`` followed by digits (e.g. ``1-101613059``).
- School URN: six digits (DfE Get Information About Schools).
- Police force code: two digits (Home Office force codes 01–99).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    "companies_house_number": (
        re.compile(r"^(?:\d{8}|[A-Z]{2}\d{6}|IP\d{5}R|IP\d{4}R[A-Z0-9]|[A-Z]{2}\d{5}R)$"),
        "Enter a Companies House number of 8 characters, like 01234567 or SC123456",
    ),
    "fca_society_number": (
        re.compile(r"^\d{1,6}R?$|^IP\d{1,6}R?$|^RS\d{6}$"),
        "Enter an FCA society number, like 31495R",
    ),
    "charity_number": (
        re.compile(r"^(?:\d{6,8}|SC0\d{5}|NIC\d{6}|1\d{5})$"),
        "Enter a charity number of 6 to 8 digits, or SC followed by 6 digits for Scotland",
    ),
    "cqc_provider_id": (
        re.compile(r"^1-\d{6,12}$"),
        "Enter a CQC provider ID, like 1-101613059",
    ),
    "school_urn": (re.compile(r"^\d{6}$"), "Enter a school URN of 6 digits, like 100000"),
    "police_force_code": (re.compile(r"^\d{2}$"), "Enter a police force code of 2 digits, like 01"),
}


def normalise_identifier(kind: str, value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def validate_identifier(kind: str, value: str) -> None:
    pattern, message = _PATTERNS[kind]
    if value and not pattern.match(normalise_identifier(kind, value)):
        raise ValidationError(message, code="invalid_identifier")


def validate_companies_house_number(value: str) -> None:
    validate_identifier("companies_house_number", value)


def validate_fca_society_number(value: str) -> None:
    validate_identifier("fca_society_number", value)


def validate_charity_number(value: str) -> None:
    validate_identifier("charity_number", value)


def validate_cqc_provider_id(value: str) -> None:
    validate_identifier("cqc_provider_id", value)


def validate_school_urn(value: str) -> None:
    validate_identifier("school_urn", value)


def validate_police_force_code(value: str) -> None:
    validate_identifier("police_force_code", value)
