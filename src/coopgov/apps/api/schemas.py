from __future__ import annotations

import datetime

from ninja import Schema


class ErrorOut(Schema):
    detail: str


class ProblemOut(Schema):
    row: int | None
    column: str | None
    message: str


class ConstituencyOut(Schema):
    id: int
    name: str
    slug: str


class StakeholderClassOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    voting_by_default: bool
    constituencies: list[ConstituencyOut]
    active_members: int | None = None


class OrganisationOut(Schema):
    id: int
    name: str
    slug: str
    kind: str
    sectors: list[str]
    legal_form: str
    ownership_model: str
    asset_lock: str
    area: str
    website: str
    companies_house_number: str
    fca_society_number: str
    charity_number: str
    cqc_provider_id: str
    school_urn: str
    police_force_code: str


class OrganisationDetailOut(OrganisationOut):
    description: str
    stakeholder_classes: list[StakeholderClassOut]


class MembershipOut(Schema):
    id: int
    member_number: str
    full_name: str
    email: str
    stakeholder_class: str
    constituency: str | None
    status: str
    voting_rights: bool
    joined_on: datetime.date | None
    ended_on: datetime.date | None


class MembershipPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[MembershipOut]


class MembershipIn(Schema):
    full_name: str
    email: str = ""
    stakeholder_class: str
    constituency: str | None = None
    joined_on: datetime.date | None = None
    member_number: str = ""


class MembershipChangeIn(Schema):
    status: str | None = None
    voting_rights: bool | None = None
    effective_from: datetime.date | None = None
    reason: str = ""


class MembershipRecordOut(Schema):
    effective_from: datetime.date
    status: str
    stakeholder_class_id: int
    constituency_id: int | None
    voting_rights: bool
    reason: str
    recorded_at: datetime.datetime


class EligibilityOut(Schema):
    as_at: datetime.date
    eligible_voters: int
