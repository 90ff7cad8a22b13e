from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from coopgov.apps.orgs.models import Organisation
from coopgov.web.forms import GovUKDateField

from .models import DecisionKind


class PeriodForm(forms.Form):
    """The dashboard's period and class filter (GET; every field optional)."""

    start = GovUKDateField(label="From", required=False)
    end = GovUKDateField(label="To", required=False)
    stakeholder_class = forms.ChoiceField(label="Class of members", required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.classes = {str(c.pk): c for c in organisation.stakeholder_classes.all()}
        field = self.fields["stakeholder_class"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "All members"), *[(k, c.name) for k, c in self.classes.items()]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        start = data.get("start") or datetime.date(today.year, 1, 1)
        end = data.get("end") or today
        if end > today:
            end = today
        if start > end:
            self.add_error("start", "The start of the period must be on or before its end")
        data["start"], data["end"] = start, end
        data["class_obj"] = self.classes.get(data.get("stakeholder_class") or "")
        return data


class PopulationForm(forms.Form):
    name = forms.CharField(label="Name of the table", max_length=200, help_text="For example, Census 2021, Devon")
    source = forms.CharField(label="Source", max_length=300, required=False)
    file = forms.FileField(
        label="Population table (CSV)",
        help_text="Columns: geography, dimension, category, count — one row per census cell",
    )


class DeprivationForm(forms.Form):
    file = forms.FileField(
        label="Deprivation deciles (CSV)", help_text="Columns: postcode_district, decile (1 = most deprived)"
    )


class DecisionForm(forms.Form):
    title = forms.CharField(label="What was put to members", max_length=200)
    kind = forms.ChoiceField(label="Kind of decision", choices=DecisionKind.choices, widget=forms.RadioSelect)
    held_on = GovUKDateField(label="Date decided", help_text="For example, 27 3 2026")
    eligible = forms.IntegerField(label="Members who could take part", min_value=1)
    participants = forms.IntegerField(label="Members who took part", min_value=0)
    outcome = forms.CharField(label="Outcome, and what changed because of it", widget=forms.Textarea, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        e, p = data.get("eligible"), data.get("participants")
        if e is not None and p is not None and p > e:
            self.add_error("participants", "The number who took part must not be more than the number who could")
        return data


class BenchmarkForm(forms.Form):
    share_benchmark = forms.BooleanField(
        label="Share our published figures with organisations of the same kind",
        required=False,
        help_text="Only suppressed headline figures are shared, and only with organisations that share theirs",
    )


class ReportForm(forms.Form):
    how_we_engaged = forms.CharField(
        label="How we engaged members in decision-making this year", widget=forms.Textarea, max_length=20000
    )
    what_changed = forms.CharField(label="What changed because of it", widget=forms.Textarea, max_length=20000)
