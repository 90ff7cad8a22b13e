"""Organisations, the groupings they join, their stakeholder classes and constituencies, and the
roles people hold in them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify

from . import validators


class Sector(models.TextChoices):
    HEALTH = "health", "Health"
    SOCIAL_CARE = "social-care", "Social care"
    POLICING = "policing", "Policing and community safety"
    EDUCATION = "education", "Education and early years"
    OTHER = "other", "Other"


class LegalForm(models.TextChoices):
    COOPERATIVE_SOCIETY = "co-operative-society", "Co-operative society"
    COMMUNITY_BENEFIT_SOCIETY = "community-benefit-society", "Community benefit society"
    CIC = "cic", "Community interest company"
    CLG = "clg", "Company limited by guarantee"
    CLS = "cls", "Company limited by shares"
    CHARITY = "charity", "Charity or CIO"
    NHS_FOUNDATION_TRUST = "nhs-foundation-trust", "NHS foundation trust"
    NHS_TRUST = "nhs-trust", "NHS trust"
    LOCAL_AUTHORITY = "local-authority", "Local authority"
    ACADEMY_TRUST = "academy-trust", "Academy trust"
    MAINTAINED_SCHOOL = "maintained-school", "Maintained school"
    PARTNERSHIP = "partnership", "Partnership"
    UNINCORPORATED = "unincorporated-association", "Unincorporated association"
    INDIVIDUAL = "individual", "Individual"


class OwnershipModel(models.TextChoices):
    FOR_PROFIT = "for-profit", "For-profit"
    NOT_FOR_PROFIT = "not-for-profit", "Not-for-profit"
    COOPERATIVE = "co-operative", "Co-operative"
    MULTI_STAKEHOLDER = "multi-stakeholder-co-operative", "Multi-stakeholder co-operative"
    EMPLOYEE_OWNED = "employee-owned", "Employee-owned"
    PUBLIC = "public", "Public"


class AssetLock(models.TextChoices):
    NONE = "none", "None"
    CBS_STATUTORY = "cbs-statutory", "Statutory community benefit society lock"
    CIC = "cic", "CIC asset lock"
    RULES = "rules", "Lock in the rules"


class OrganisationKind(models.TextChoices):
    """What kind of organisation it is; selects the preset stakeholder classes."""

    CARE_COOPERATIVE = "care-co-operative", "Care co-operative"
    NHS_FOUNDATION_TRUST = "nhs-foundation-trust", "NHS foundation trust"
    COOPERATIVE_SCHOOL_TRUST = "co-operative-school-trust", "Co-operative school trust"
    COOPERATIVE_SCHOOL = "co-operative-school", "Co-operative school"
    COMMUNITY_MUTUAL = "community-mutual", "Community mutual (e.g. Sure Start)"
    SUPPLY_TEACHER_COOPERATIVE = "supply-teacher-co-operative", "Supply-teacher co-operative"
    COMMUNITY_SAFETY = "community-safety-partnership", "Community safety partnership"
    POLICE_PB_UNIT = "police-pb-unit", "Police participatory-budgeting unit"
    OTHER = "other", "Other"


IDENTIFIER_FIELDS = (
    "companies_house_number",
    "fca_society_number",
    "charity_number",
    "cqc_provider_id",
    "school_urn",
    "police_force_code",
)


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def search(self, text: str) -> OrganisationQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(models.Q(name__icontains=text) | models.Q(area__icontains=text))

    def in_sector(self, sector: str) -> OrganisationQuerySet:
        # sectors is a comma-wrapped list (",health,social-care,") so one LIKE works on every DB
        return self.filter(sectors__contains=f",{sector},")


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, choices=OrganisationKind.choices, default=OrganisationKind.OTHER)
    sectors = models.CharField(
        max_length=200,
        default=",",
        help_text="Comma-wrapped sector codes, e.g. ',health,social-care,'. Use set_sectors().",
    )
    legal_form = models.CharField(max_length=40, choices=LegalForm.choices)
    ownership_model = models.CharField(max_length=40, choices=OwnershipModel.choices)
    asset_lock = models.CharField(max_length=20, choices=AssetLock.choices, default=AssetLock.NONE)
    description = models.TextField(blank=True)
    area = models.CharField(max_length=200, blank=True, help_text="The place the organisation serves")
    website = models.URLField(blank=True)
    is_public = models.BooleanField(default=True, help_text="Listed in the public directory")
    open_to_applications = models.BooleanField(default=True)
    companies_house_number = models.CharField(
        max_length=10, blank=True, validators=[validators.validate_companies_house_number]
    )
    fca_society_number = models.CharField(
        max_length=10, blank=True, validators=[validators.validate_fca_society_number]
    )
    charity_number = models.CharField(max_length=10, blank=True, validators=[validators.validate_charity_number])
    cqc_provider_id = models.CharField(max_length=16, blank=True, validators=[validators.validate_cqc_provider_id])
    school_urn = models.CharField(max_length=6, blank=True, validators=[validators.validate_school_urn])
    police_force_code = models.CharField(max_length=2, blank=True, validators=[validators.validate_police_force_code])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["legal_form"]), models.Index(fields=["ownership_model"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:200]
        super().save(*args, **kwargs)

    @property
    def sector_list(self) -> list[str]:
        return [s for s in self.sectors.split(",") if s]

    def sector_labels(self) -> list[str]:
        labels = dict(Sector.choices)
        return [str(labels.get(s, s)) for s in self.sector_list]

    def set_sectors(self, sectors: list[str]) -> None:
        valid = {c for c, _ in Sector.choices}
        bad = [s for s in sectors if s not in valid]
        if bad:
            raise ValidationError({"sectors": f"Unknown sector: {', '.join(bad)}"})
        self.sectors = "," + ",".join(sorted(set(sectors))) + ","

    def clean(self) -> None:
        for name in IDENTIFIER_FIELDS:
            value = getattr(self, name)
            if value:
                setattr(self, name, validators.normalise_identifier(name, value))
        if self.asset_lock == AssetLock.CBS_STATUTORY and self.legal_form != LegalForm.COMMUNITY_BENEFIT_SOCIETY:
            raise ValidationError(
                {"asset_lock": "Only a community benefit society can have the statutory CBS asset lock."}
            )
        if self.asset_lock == AssetLock.CIC and self.legal_form != LegalForm.CIC:
            raise ValidationError({"asset_lock": "Only a community interest company has the CIC asset lock."})


class GroupingKind(models.TextChoices):
    FEDERATION = "federation", "Federation"
    CLUSTER = "cluster", "Cluster"
    PARTNERSHIP = "partnership", "Partnership"
    TRUST = "trust", "Trust of schools"
    POLICE_FORCE_AREA = "police-force-area", "Police force area"
    CARE_PARTNERSHIP = "care-partnership", "Local care partnership"


class Grouping(models.Model):
    """A federation, cluster or partnership that organisations join (e.g. a co-operative trust of
    schools, a local care partnership, a police force area)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=GroupingKind.choices)
    lead = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_groupings"
    )
    description = models.TextField(blank=True)
    members = models.ManyToManyField(Organisation, through="GroupingMember", related_name="groupings")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GroupingMember(models.Model):
    grouping = models.ForeignKey(Grouping, on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    role = models.CharField(max_length=100, help_text="e.g. member school, lead partner, funder")
    joined_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["grouping", "organisation"], name="unique_grouping_member")]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.grouping} ({self.role})"


class StakeholderClass(models.Model):
    """A class of members (workers, people receiving care, public, staff, parents, …)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="stakeholder_classes")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    description = models.TextField(blank=True)
    voting_by_default = models.BooleanField(default=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["organisation", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="unique_class_slug")]
        verbose_name_plural = "stakeholder classes"

    def __str__(self) -> str:
        return self.name


class Constituency(models.Model):
    """A part of a class, e.g. a public constituency by area."""

    stakeholder_class = models.ForeignKey(StakeholderClass, on_delete=models.CASCADE, related_name="constituencies")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    area_description = models.CharField(max_length=300, blank=True)
    postcode_districts = models.CharField(
        max_length=500, blank=True, help_text="Comma-separated postcode districts, e.g. EX1,EX2"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["stakeholder_class", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["stakeholder_class", "slug"], name="unique_constituency_slug")]
        verbose_name_plural = "constituencies"

    def __str__(self) -> str:
        return f"{self.stakeholder_class.name}: {self.name}"


class Role(models.TextChoices):
    MEMBER = "member", "Member"
    MEMBERSHIP_SECRETARY = "membership-secretary", "Membership secretary"
    RETURNING_OFFICER = "returning-officer", "Returning officer"
    BOARD_MEMBER = "board-member", "Board member"
    ADMINISTRATOR = "administrator", "Administrator"


class OrganisationRole(models.Model):
    """A role a user holds in one organisation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_roles")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=30, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_org_role")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.organisation}"
