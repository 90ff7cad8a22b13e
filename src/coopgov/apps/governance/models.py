"""Governing bodies, the seats their rules establish, and who holds office when.

History is kept: an office holder row is never deleted, a term ends by setting ``end_date``; the
current body is derived from dates (:meth:`OfficeHolderQuerySet.current_on`).
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q

from . import rules


class BodyKind(models.TextChoices):
    BOARD = "board-of-directors", "Board of directors"
    COUNCIL_OF_GOVERNORS = "council-of-governors", "Council of governors"
    SCHOOL_GOVERNING_BODY = "school-governing-body", "School governing body"
    MANAGEMENT_COMMITTEE = "management-committee", "Management committee"
    STUDENT_COUNCIL = "student-council", "Student council"
    PTA_COMMITTEE = "pta-committee", "PTA committee"


class SeatMethod(models.TextChoices):
    ELECTED = "elected", "Elected"
    APPOINTED = "appointed", "Appointed"
    CO_OPTED = "co-opted", "Co-opted"
    EX_OFFICIO = "ex-officio", "Ex officio"


CATEGORY_CHOICES = list(rules.CATEGORIES.items())


class GoverningBody(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="governing_bodies")
    kind = models.CharField(max_length=30, choices=BodyKind.choices)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    description = models.TextField(blank=True)
    counting_method = models.CharField(
        max_length=30, default="scottish-stv", help_text="The counting method the body's rules name for its elections"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="unique_body_slug")]
        verbose_name_plural = "governing bodies"

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class SeatRule(models.Model):
    """``seats`` seats filled one way (elected by a class or constituency, appointed by a named
    body, co-opted, or ex officio), with a term length, staggering and a term limit."""

    body = models.ForeignKey(GoverningBody, on_delete=models.CASCADE, related_name="seat_rules")
    name = models.CharField(max_length=200, help_text="e.g. 'Parent governors', 'Public governors: Area 1'")
    category = models.CharField(max_length=20, choices=CATEGORY_CHOICES)
    method = models.CharField(max_length=12, choices=SeatMethod.choices)
    seats = models.PositiveSmallIntegerField(default=1)
    stakeholder_class = models.ForeignKey(
        "orgs.StakeholderClass", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    constituency = models.ForeignKey(
        "orgs.Constituency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appointed_by = models.CharField(
        max_length=120, blank=True, help_text="Slug of the appointing body, e.g. 'pta', 'local-authority'"
    )
    term_months = models.PositiveSmallIntegerField(default=36)
    cohorts = models.PositiveSmallIntegerField(
        default=1, help_text="Staggered terms: the seats retire in this many cohorts (e.g. 3: a third each year)"
    )
    max_consecutive_terms = models.PositiveSmallIntegerField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["body", "position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def electorate_slug(self) -> str:
        return self.stakeholder_class.slug if self.stakeholder_class_id and self.stakeholder_class else ""


class OfficeHolderQuerySet(models.QuerySet["OfficeHolder"]):
    def current_on(self, day: datetime.date) -> OfficeHolderQuerySet:
        return self.filter(Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gt=day)))


class OfficeHolder(models.Model):
    """Someone holding one seat from ``start_date`` until (not including) ``end_date``."""

    seat_rule = models.ForeignKey(SeatRule, on_delete=models.PROTECT, related_name="holders")
    person = models.ForeignKey("membership.Person", on_delete=models.PROTECT, related_name="offices")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    how = models.CharField(max_length=40, help_text="elected, appointed by …, co-opted, ex officio, by-election")
    source = models.CharField(max_length=200, blank=True, help_text="e.g. the election that filled the seat")
    ended_reason = models.CharField(max_length=200, blank=True)

    objects = OfficeHolderQuerySet.as_manager()

    class Meta:
        ordering = ["seat_rule", "start_date", "id"]
        indexes = [models.Index(fields=["seat_rule", "start_date"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.seat_rule} from {self.start_date}"


class RuleKind(models.TextChoices):
    PRESET = "preset", "Preset"
    MIN_SEATS = "min-seats", "At least N seats for a category"
    MAX_SHARE = "max-share", "A category at most a share of the body"
    MIN_SHARE = "min-share", "A category at least a share of the body"


class CompositionRule(models.Model):
    body = models.ForeignKey(GoverningBody, on_delete=models.CASCADE, related_name="composition_rules")
    kind = models.CharField(max_length=20, choices=RuleKind.choices)
    preset = models.CharField(max_length=40, blank=True)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["body", "id"]

    def __str__(self) -> str:
        return self.preset or self.kind
