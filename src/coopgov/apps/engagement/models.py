"""What the engagement metrics need beyond the register, elections and budgets:

* :class:`PopulationTable` / :class:`PopulationCount` — the population an organisation serves, uploaded
  by an officer as a census-shaped CSV (``geography,dimension,category,count``), one row per cell.
* :class:`DeprivationDecile` — an officer-uploaded lookup of IMD decile per postcode district (we
  cannot fetch ONS data), used to place members in deprivation deciles.
* :class:`Decision` — a decision put to members (consultation, vote, AGM resolution) with how many
  could take part and how many did.
* :class:`EngagementSettings` — whether the organisation shares its figures with peers for the
  benchmark.
* :class:`EngagementReport` — the annual report's narrative and publication state.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Dimension(models.TextChoices):
    AGE_BAND = "age_band", "Age band"
    SEX = "sex", "Sex"
    ETHNIC_GROUP = "ethnic_group", "Ethnic group"
    DISABILITY = "disability", "Disability"
    DEPRIVATION = "deprivation_decile", "Deprivation decile"


class PopulationTable(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="population_tables")
    name = models.CharField(max_length=200, help_text="e.g. 'Census 2021, Devon'")
    source = models.CharField(max_length=300, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["organisation", "-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.name


class PopulationCount(models.Model):
    table = models.ForeignKey(PopulationTable, on_delete=models.CASCADE, related_name="counts")
    geography = models.CharField(max_length=120)
    dimension = models.CharField(max_length=24, choices=Dimension.choices)
    category = models.CharField(max_length=24)
    count = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["table", "dimension", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "geography", "dimension", "category"], name="unique_population_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.geography} {self.dimension} {self.category}: {self.count}"


class DeprivationDecile(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="deprivation_deciles")
    postcode_district = models.CharField(max_length=5)
    decile = models.PositiveSmallIntegerField(help_text="1 = most deprived tenth of areas, 10 = least deprived")

    class Meta:
        ordering = ["organisation", "postcode_district"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "postcode_district"], name="unique_deprivation_district")
        ]

    def __str__(self) -> str:
        return f"{self.postcode_district}: decile {self.decile}"


class DecisionKind(models.TextChoices):
    CONSULTATION = "consultation", "Consultation"
    MEMBER_VOTE = "member-vote", "Members' vote"
    AGM_RESOLUTION = "agm-resolution", "AGM or general meeting resolution"
    OTHER = "other", "Other"


class Decision(models.Model):
    """A decision put to members, with how many could take part and how many did."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="decisions")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=DecisionKind.choices)
    stakeholder_class = models.ForeignKey(
        "orgs.StakeholderClass", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField()
    eligible = models.PositiveIntegerField()
    participants = models.PositiveIntegerField()
    outcome = models.TextField(blank=True, help_text="What was decided, and what changed because of it")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "-held_on", "-id"]
        indexes = [models.Index(fields=["organisation", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(participants__lte=models.F("eligible")), name="decision_participants_le_eligible"
            )
        ]

    def __str__(self) -> str:
        return self.title


class EngagementSettings(models.Model):
    organisation = models.OneToOneField(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="engagement_settings"
    )
    share_benchmark = models.BooleanField(
        default=False, help_text="Share our (suppressed) headline figures with organisations of the same kind"
    )

    def __str__(self) -> str:
        return f"engagement settings of {self.organisation_id}"


class EngagementReport(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="engagement_reports")
    year = models.PositiveSmallIntegerField(help_text="The calendar year the report covers")
    how_we_engaged = models.TextField(blank=True)
    what_changed = models.TextField(blank=True)
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(
        null=True, blank=True, help_text="The suppressed figures as published (frozen when the report is published)"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "-year"]
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="one_report_per_year")]

    def __str__(self) -> str:
        return f"Engagement report {self.year}"


class Snapshot(models.Model):
    """Computed dashboard figures for one organisation, period and class, kept so the dashboard
    renders from one row; refreshed in the background when older than the snapshot lifetime."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    start = models.DateField(null=True, blank=True, help_text="Empty: from 1 January of the current year")
    end = models.DateField(null=True, blank=True, help_text="Empty: to today")
    stakeholder_class = models.ForeignKey(
        "orgs.StakeholderClass", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    data = models.JSONField()
    computed_at = models.DateTimeField()
    refresh_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="unique_engagement_snapshot")]

    def __str__(self) -> str:
        return f"snapshot {self.key} of {self.organisation_id}"
