"""CSV register import: every problem listed by row and column, nothing imported unless all is well."""

from __future__ import annotations

import datetime

import pytest

from coopgov.apps.audit.models import AuditEvent
from coopgov.apps.membership import register_csv
from coopgov.apps.membership.models import Membership, MembershipRecord, Person

from .factories import make_member, make_org

HEADER = "full_name,email,stakeholder_class,constituency,joined_on,member_number,status,voting_rights,age_band\n"


@pytest.fixture
def org():  # type: ignore[no-untyped-def]
    return make_org("Riverside Care")


def _import(org, text: str | bytes):  # type: ignore[no-untyped-def]
    data = text.encode() if isinstance(text, str) else text
    return register_csv.do_import_register_csv(actor=None, organisation=org, data=data, file_name="members.csv")


def _problems(report) -> list[tuple[int | None, str | None]]:  # type: ignore[no-untyped-def]
    return [(p.row, p.column) for p in report.problems]


@pytest.mark.django_db
def test_good_file_imports_everything(org) -> None:  # type: ignore[no-untyped-def]
    text = HEADER + (
        "Ada Lovelace,ada@example.org,Care workers,,2024-01-02,CW1,active,yes,35-44\n"
        "Bo Diddley,,people-receiving-care,,02/03/2024,,,,\n"
        "Cy Twombly,cy@example.org,Family carers,,2023-12-31,FC9,lapsed,no,Prefer not to say\n"
    )
    report = _import(org, text)
    assert report.ok and report.committed, report.problems
    assert report.memberships_created == 3
    assert Membership.objects.filter(organisation=org).count() == 3
    cy = Membership.objects.get(person__email="cy@example.org")
    assert cy.status == "lapsed" and cy.voting_rights is False and cy.person.age_band == "prefer-not"
    assert MembershipRecord.objects.filter(membership=cy).count() == 2  # joined, then lapsed
    assert AuditEvent.objects.filter(action="membership.import", organisation=org).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Ada,ada@x.org,Care workers,,2024-13-45,,,,\n", [(2, "joined_on")]),
        ("Ada,ada@x.org,Gardeners,,2024-01-01,,,,\n", [(2, "stakeholder_class")]),
        (
            "Ada,ada@x.org,Care workers,,2024-01-01,,,,\nAda Again,ADA@x.org,Care workers,,2024-01-01,,,,\n",
            [(3, "email")],
        ),
        ("Ada,,Care workers,,2024-01-01,N1,,,\nBea,,Care workers,,2024-01-01,N1,,,\n", [(3, "member_number")]),
        ("Ada,not-an-email,Care workers,,2024-01-01,,,,\n", [(2, "email")]),
        ("Ada,,Care workers,,2024-01-01,,retired,,\n", [(2, "status")]),
        ("Ada,,Care workers,,2024-01-01,,,maybe,\n", [(2, "voting_rights")]),
        ("Ada,,Care workers,,2024-01-01,,,,ancient\n", [(2, "age_band")]),
        (",,Care workers,,2024-01-01,,,,\n", [(2, "full_name")]),
        ("Ada,,Care workers,,2024-01-01\n", [(2, None)]),
    ],
    ids=[
        "bad-date",
        "unknown-class",
        "duplicate-email-in-file",
        "duplicate-number-in-file",
        "bad-email",
        "bad-status",
        "bad-voting",
        "bad-demographic",
        "missing-name",
        "short-row",
    ],
)
def test_each_problem_is_reported_and_nothing_is_imported(org, body: str, expected) -> None:  # type: ignore[no-untyped-def]
    good = "Zed Good,zed@example.org,Care workers,,2024-01-01,,,,\n"
    report = _import(org, HEADER + good + body)
    assert not report.committed
    assert _problems(report) == [(r + 1 if r else r, c) for r, c in expected]
    assert Membership.objects.filter(organisation=org).count() == 0
    assert not Person.objects.filter(email="zed@example.org").exists()


@pytest.mark.django_db
def test_missing_column(org) -> None:  # type: ignore[no-untyped-def]
    report = _import(org, "full_name,email\nAda,ada@x.org\n")
    assert not report.committed
    assert {(p.row, p.column) for p in report.problems} == {(1, "stakeholder_class"), (1, "joined_on")}
    assert "missing column 'joined_on'" in str(report.problems[0]) + str(report.problems[1])


@pytest.mark.django_db
def test_wrong_encoding_names_the_line(org) -> None:  # type: ignore[no-untyped-def]
    data = (HEADER + "Ada,,Care workers,,2024-01-01,,,,\nZo\u00eb,,Care workers,,2024-01-01,,,,\n").encode("latin-1")
    report = _import(org, data)
    assert not report.committed
    [problem] = report.problems
    assert problem.row == 3 and "not UTF-8" in problem.message and "0xeb" in problem.message


@pytest.mark.django_db
def test_empty_and_header_only_files(org) -> None:  # type: ignore[no-untyped-def]
    assert "empty" in _import(org, "").problems[0].message
    assert "no members" in _import(org, HEADER).problems[0].message


@pytest.mark.django_db
def test_already_a_member_is_a_duplicate_and_other_orgs_people_are_reused(org) -> None:  # type: ignore[no-untyped-def]
    make_member(org, name="Ada", email="ada@example.org")
    other = make_org("Hilltop Care")
    report = _import(org, HEADER + "Ada,ada@example.org,Care workers,,2024-01-01,,,,\n")
    assert _problems(report) == [(2, "email")] and "already a member" in report.problems[0].message
    report = _import(other, HEADER + "Ada,ada@example.org,Care workers,,2024-01-01,,,,\n")
    assert report.committed and report.people_matched == 1 and report.people_created == 0
    assert Person.objects.filter(email="ada@example.org").count() == 1
    assert Person.objects.get(email="ada@example.org").memberships.count() == 2


@pytest.mark.django_db
def test_constituency_required_where_the_class_has_them() -> None:
    ft = make_org(
        "Moor NHS FT",
        kind="nhs-foundation-trust",
        legal_form="nhs-foundation-trust",
        ownership_model="public",
        sectors=["health"],
    )
    report = _import(
        ft,
        HEADER
        + "Ada,,Staff,,2024-01-01,,,,\nBea,,Staff,Porters,2024-01-01,,,,\nCy,,Staff,Clinical staff,2024-01-01,,,,\n",
    )
    assert _problems(report) == [(2, "constituency"), (3, "constituency")]
    report = _import(ft, HEADER + "Cy,,Staff,Clinical staff,2024-01-01,,,,\n")
    assert report.committed


@pytest.mark.django_db
def test_dry_run_writes_nothing_and_export_round_trips(org) -> None:  # type: ignore[no-untyped-def]
    text = HEADER + "Ada Lovelace,ada@example.org,Care workers,,2024-01-02,CW1,active,yes,35-44\n"
    report = register_csv.check_register_csv(org, text.encode())
    assert report.ok and not report.committed and Membership.objects.count() == 0
    _import(org, text)
    exported = "".join(register_csv.iter_register_csv(register_csv.export_queryset(org)))
    lines = exported.strip().splitlines()
    assert lines[0].startswith("member_number,full_name,email")
    assert lines[1].startswith("CW1,Ada Lovelace,ada@example.org,Care workers,,active,yes,2024-01-02")
    other = make_org("Copy Care")
    again = register_csv.do_import_register_csv(
        actor=None, organisation=other, data=exported.encode(), file_name="export.csv"
    )
    assert again.committed, again.problems


@pytest.mark.django_db
def test_future_join_date_refused(org) -> None:  # type: ignore[no-untyped-def]
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    report = _import(org, HEADER + f"Ada,,Care workers,,{tomorrow:%Y-%m-%d},,,,\n")
    assert _problems(report) == [(2, "joined_on")]
