"""The public register of care providers by ownership model (issue 7).

A :class:`Provider` keeps the *automatic* classification from :mod:`coopgov.ownership` (model, rule,
evidence JSON) and, separately, an officer's override; ``model`` is the effective one (the
override when there is one), denormalised so the directory and comparison can filter on an index.
Every override (and its removal) is a row of :class:`ProviderOverride` as well as an audit event.
A :class:`Location` is a CQC-registered location with its latest ratings; each import replaces
all locations (they are CQC's data), while providers are kept (with their override history) and
marked ``current=False`` when they drop out of the register.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from coopgov.ownership import OwnershipModel

MODEL_CHOICES = [(m.value, m.label) for m in OwnershipModel if m is not OwnershipModel.THIRD_SECTOR]

RATING_CHOICES = [
    ("Outstanding", "Outstanding"),
    ("Good", "Good"),
    ("Requires improvement", "Requires improvement"),
    ("Inadequate", "Inadequate"),
    ("Not rated", "Not rated"),
    ("Inspected but not rated", "Inspected but not rated"),
    ("Insufficient evidence to rate", "Insufficient evidence to rate"),
]

RATING_FIELDS: dict[str, str] = {
    "Overall": "rating_overall",
    "Safe": "rating_safe",
    "Effective": "rating_effective",
    "Caring": "rating_caring",
    "Responsive": "rating_responsive",
    "Well-led": "rating_well_led",
}
"""CQC key question → the :class:`Location` field holding its latest rating."""


class ProviderImport(models.Model):
    """One run of the import: what was read, what could not be, by whom. Its id versions the data."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    files = models.JSONField(default=list)
    """[{"path", "kind", "rows_read", "records", "problems"}] per file."""
    problems = models.JSONField(default=list)
    """The first rows that could not be read, as one-line messages (the full count is in ``files``)."""
    providers = models.PositiveIntegerField(default=0)
    locations = models.PositiveIntegerField(default=0)
    models_summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.locations} locations)"


class Provider(models.Model):
    cqc_provider_id = models.CharField("CQC provider ID", max_length=32, unique=True)
    name = models.CharField(max_length=300)
    cqc_ownership_type = models.CharField(
        "CQC provider ownership type", max_length=60, blank=True, help_text="The legal form as CQC gives it."
    )
    companies_house_number = models.CharField(max_length=16, blank=True)
    charity_number = models.CharField(max_length=16, blank=True)
    fca_number = models.CharField("FCA society number", max_length=16, blank=True)
    number_of_locations = models.PositiveIntegerField(default=0)
    current = models.BooleanField(default=True, help_text="In the latest import.")

    automatic_model = models.CharField(max_length=32, choices=MODEL_CHOICES)
    automatic_rule = models.CharField(max_length=40)
    classification = models.JSONField(default=dict)
    """The automatic :meth:`coopgov.ownership.Classification.to_dict` (evidence, findings, conflicts)."""
    needs_review = models.BooleanField(default=False)
    private_equity = models.BooleanField(default=False)
    chain = models.BooleanField(default=False)

    override_model = models.CharField(max_length=32, choices=MODEL_CHOICES, blank=True)
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    model = models.CharField(
        "ownership model", max_length=32, choices=MODEL_CHOICES, help_text="Effective: the override if any."
    )
    last_import = models.ForeignKey(ProviderImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["model", "name"]),
            models.Index(fields=["name"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def model_enum(self) -> OwnershipModel:
        return OwnershipModel(self.model)

    @property
    def model_label(self) -> str:
        return OwnershipModel(self.model).label

    @property
    def automatic_label(self) -> str:
        return OwnershipModel(self.automatic_model).label

    @property
    def is_overridden(self) -> bool:
        return bool(self.override_model)


class ProviderOverride(models.Model):
    """One officer decision on a provider's model (``model`` blank: the override was removed)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="overrides")
    model = models.CharField(max_length=32, choices=MODEL_CHOICES, blank=True)
    previous_model = models.CharField(max_length=32, choices=MODEL_CHOICES)
    automatic_model = models.CharField(max_length=32, choices=MODEL_CHOICES)
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_label = models.CharField(max_length=254)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.provider_id}: {self.previous_model} -> {self.model or '(automatic)'}"

    @property
    def model_label(self) -> str:
        return OwnershipModel(self.model).label if self.model else "Automatic classification restored"

    @property
    def previous_label(self) -> str:
        return OwnershipModel(self.previous_model).label


class Location(models.Model):
    cqc_location_id = models.CharField("CQC location ID", max_length=32, unique=True)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=300)
    postcode = models.CharField(max_length=10, blank=True)
    postcode_area = models.CharField(max_length=4, blank=True, help_text="Leading letters: 'EX' for EX1 2QE.")
    region = models.CharField(max_length=80, blank=True)
    local_authority = models.CharField(max_length=120, blank=True)
    service_types = models.JSONField(default=list)
    primary_service_type = models.CharField(max_length=120, blank=True)
    """The type the comparison files the location under (:func:`coopgov.ownership.compare.primary_service_type`)."""
    care_home = models.BooleanField(null=True)
    beds = models.PositiveIntegerField(null=True, blank=True)
    rating_overall = models.CharField(max_length=40, choices=RATING_CHOICES, blank=True)
    rating_safe = models.CharField(max_length=40, choices=RATING_CHOICES, blank=True)
    rating_effective = models.CharField(max_length=40, choices=RATING_CHOICES, blank=True)
    rating_caring = models.CharField(max_length=40, choices=RATING_CHOICES, blank=True)
    rating_responsive = models.CharField(max_length=40, choices=RATING_CHOICES, blank=True)
    rating_well_led = models.CharField(max_length=40, choices=RATING_CHOICES, blank=True)
    publication_date = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["name", "id"]),
            models.Index(fields=["region", "name"]),
            models.Index(fields=["primary_service_type", "name"]),
            models.Index(fields=["rating_overall", "name"]),
            models.Index(fields=["postcode_area", "name"]),
        ]

    def __str__(self) -> str:
        return self.name

    def ratings(self) -> list[tuple[str, str]]:
        return [(kq, getattr(self, f)) for kq, f in RATING_FIELDS.items()]

    def as_dict(self) -> dict[str, Any]:
        return {
            "cqc_location_id": self.cqc_location_id,
            "name": self.name,
            "postcode": self.postcode,
            "region": self.region,
            "local_authority": self.local_authority,
            "service_types": self.service_types,
            "beds": self.beds,
            **{kq: getattr(self, f) for kq, f in RATING_FIELDS.items()},
            "publication_date": self.publication_date.isoformat() if self.publication_date else "",
        }
