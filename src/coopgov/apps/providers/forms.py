from __future__ import annotations

from typing import Any

from django import forms

from coopgov.ownership import KEY_QUESTIONS

from .comparison import BREAKDOWNS
from .models import MODEL_CHOICES

RATING_FILTERS = [
    ("", "Any rating"),
    ("Outstanding", "Outstanding"),
    ("Good", "Good"),
    ("Requires improvement", "Requires improvement"),
    ("Inadequate", "Inadequate"),
    ("none", "Not yet rated"),
]


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class _WithChoices(forms.Form):
    def __init__(self, *args: Any, choices: dict[str, list[Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "service_type" in self.fields:
            _choice_field(self, "service_type").choices = [("", "Any service type")] + [
                (s, s) for s in choices["service_types"]
            ]
        if "region" in self.fields:
            _choice_field(self, "region").choices = [("", "Any region")] + [(r, r) for r in choices["regions"]]
        if "year" in self.fields:
            _choice_field(self, "year").choices = [("", "Any year")] + [(str(y), str(y)) for y in choices["years"]]


class DirectoryFilterForm(_WithChoices):
    q = forms.CharField(
        label="Search by name, place or postcode area",
        required=False,
        max_length=100,
        help_text="For example, a care home's or provider's name, a council area, or EX for Exeter postcodes",
    )
    model = forms.ChoiceField(
        label="Ownership model", required=False, choices=[("", "Any ownership model"), *MODEL_CHOICES]
    )
    service_type = forms.ChoiceField(label="Service type", required=False)
    region = forms.ChoiceField(label="Region", required=False)
    rating = forms.ChoiceField(label="Overall rating", required=False, choices=RATING_FILTERS)
    flag = forms.ChoiceField(
        label="Provider flags",
        required=False,
        choices=[
            ("", "Any provider"),
            ("chain", "Part of a chain"),
            ("private_equity", "Private-equity backed"),
            ("needs_review", "The registers disagree or show an issue"),
            ("overridden", "Classification changed by an officer"),
        ],
    )


class ComparisonFilterForm(_WithChoices):
    key_question = forms.ChoiceField(
        label="Rating to compare",
        choices=[(k, "Overall rating" if k == "Overall" else k) for k in KEY_QUESTIONS],
        required=False,
    )
    service_type = forms.ChoiceField(label="Service type", required=False)
    region = forms.ChoiceField(label="Region", required=False)
    year = forms.ChoiceField(label="Year of rating", required=False)
    by = forms.ChoiceField(label="Break down by", required=False, choices=list(BREAKDOWNS.items()))


class OverrideForm(forms.Form):
    model = forms.ChoiceField(
        label="Ownership model",
        choices=[("", "Use the automatic classification"), *MODEL_CHOICES],
        required=False,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason for the change",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=(
            "Say what evidence this rests on. The reason is published on the provider's page and kept in the audit log."
        ),
        error_messages={"required": "Give the reason for the change"},
    )


class ImportForm(forms.Form):
    """The files of one import; only the first is required. Each file's kind is read from its header."""

    directory = forms.FileField(
        label="CQC care directory with ratings",
        help_text="CSV or ODS as CQC publishes it, or CQC API location records (JSON or CSV)",
    )
    ratings = forms.FileField(label="CQC latest ratings (optional)", required=False)
    companies = forms.FileField(label="Companies House basic company data (optional)", required=False)
    mutuals = forms.FileField(label="FCA Mutuals Public Register extract (optional)", required=False)
    charities = forms.FileField(label="Charity Commission register extract (optional)", required=False)
    employee_owned = forms.FileField(label="Your list of employee-owned businesses (optional)", required=False)
