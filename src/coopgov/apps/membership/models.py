"""People and memberships.

A :class:`Membership` is a person's membership of one organisation.  Its current state (class,
constituency, status, voting rights) is kept on the row for fast listing, but the truth is the
append-only :class:`MembershipRecord` log: every change adds a record with the date it takes
effect, nothing is overwritten, and "who was an eligible voting member on date D" is answered from
the log (:func:`coopgov.apps.membership.eligibility.memberships_as_at`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from coopgov.apps.audit.models import AppendOnlyError


class AgeBand(models.TextChoices):
    UNDER_16 = "0-15", "Under 16"
    A16_17 = "16-17", "16 to 17"
    A18_24 = "18-24", "18 to 24"
    A25_34 = "25-34", "25 to 34"
    A35_44 = "35-44", "35 to 44"
    A45_54 = "45-54", "45 to 54"
    A55_64 = "55-64", "55 to 64"
    A65_74 = "65-74", "65 to 74"
    A75_PLUS = "75+", "75 and over"
    PREFER_NOT = "prefer-not", "Prefer not to say"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    PREFER_NOT = "prefer-not", "Prefer not to say"


class EthnicGroup(models.TextChoices):
    """Census 2021 (England and Wales) high-level ethnic groups."""

    ASIAN = "asian", "Asian, Asian British or Asian Welsh"
    BLACK = "black", "Black, Black British, Black Welsh, Caribbean or African"
    MIXED = "mixed", "Mixed or Multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"
    PREFER_NOT = "prefer-not", "Prefer not to say"


class Disability(models.TextChoices):
    """Census 2021 Equality Act disability question, collapsed."""

    YES = "yes", "Disabled under the Equality Act"
    NO = "no", "Not disabled under the Equality Act"
    PREFER_NOT = "prefer-not", "Prefer not to say"


class Person(models.Model):
    """Someone who is, was or wants to be a member.  Need not have an account."""

    full_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, db_index=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    date_of_birth = models.DateField(null=True, blank=True)
    # Self-declared, optional; blank means "not asked / not given".
    age_band = models.CharField(max_length=12, choices=AgeBand.choices, blank=True)
    sex = models.CharField(max_length=12, choices=Sex.choices, blank=True)
    ethnic_group = models.CharField(max_length=12, choices=EthnicGroup.choices, blank=True)
    disability = models.CharField(max_length=12, choices=Disability.choices, blank=True)
    postcode_district = models.CharField(max_length=5, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # Memberships keep the name case-folded for indexed sorting and search; keep them in step.
        Membership.objects.filter(person=self).exclude(sort_name=self.full_name.casefold()).update(
            sort_name=self.full_name.casefold()
        )


class Status(models.TextChoices):
    APPLIED = "applied", "Applied"
    ACTIVE = "active", "Active"
    LAPSED = "lapsed", "Lapsed"
    SUSPENDED = "suspended", "Suspended"
    ENDED = "ended", "Ended"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def search(self, text: str) -> MembershipQuerySet:
        """Name fragments (on the indexed, case-folded ``sort_name``), a member number or an email."""
        text = text.strip()
        if not text:
            return self
        if "@" in text:
            return self.filter(person__email=text.lower())
        # member_number uses the (organisation, member_number) unique index; names scan sort_name only
        q = models.Q(sort_name__contains=text.casefold()) | models.Q(member_number__in={text, text.upper()})
        return self.filter(q)

    def filter_register(self, *, q: str = "", stakeholder_class: str = "", status: str = "") -> MembershipQuerySet:
        """The register's search and filters (the officers' page and the API share them)."""
        qs = self.search(q)
        if stakeholder_class:
            qs = qs.filter(stakeholder_class__slug=stakeholder_class)
        if status:
            qs = qs.filter(status=status)
        return qs

    def register_ids(self) -> models.QuerySet[Membership, int]:
        """Ids in register order, on the (organisation, sort_name, id) index: slice this to page, so
        deep pages cost an index scan rather than a join over every skipped member."""
        return self.order_by("sort_name", "id").values_list("id", flat=True)


def register_rows(ids: list[int]) -> list[Membership]:
    """The memberships with these ids, in the given order, with what the register shows."""
    rows = Membership.objects.filter(id__in=ids).select_related("person", "stakeholder_class", "constituency")
    by_id = {m.pk: m for m in rows}
    return [by_id[i] for i in ids if i in by_id]


class Membership(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    member_number = models.CharField(max_length=40, blank=True)
    sort_name = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        help_text="The person's name, case-folded: lets the register sort and search without a join.",
    )
    stakeholder_class = models.ForeignKey("orgs.StakeholderClass", on_delete=models.PROTECT, related_name="memberships")
    constituency = models.ForeignKey(
        "orgs.Constituency", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.APPLIED)
    voting_rights = models.BooleanField(default=True)
    applied_on = models.DateField(null=True, blank=True)
    joined_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["sort_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "person"], name="one_membership_per_person_per_org"),
            models.UniqueConstraint(
                fields=["organisation", "member_number"],
                condition=~models.Q(member_number=""),
                name="unique_member_number",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["organisation", "stakeholder_class", "status"]),
            models.Index(fields=["organisation", "sort_name", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.organisation}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.sort_name and self.person_id is not None:
            self.sort_name = self.person.full_name.casefold()
        super().save(*args, **kwargs)


class MembershipRecord(models.Model):
    """One entry in the append-only membership log: the state from ``effective_from`` on."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="records")
    effective_from = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices)
    stakeholder_class = models.ForeignKey("orgs.StakeholderClass", on_delete=models.PROTECT, related_name="+")
    constituency = models.ForeignKey(
        "orgs.Constituency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voting_rights = models.BooleanField()
    reason = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["membership", "effective_from", "id"]
        indexes = [models.Index(fields=["membership", "-effective_from", "-id"])]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.status} from {self.effective_from}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("The membership log is append-only: add a new record instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The membership log is append-only: records cannot be deleted.")
