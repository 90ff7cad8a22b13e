from __future__ import annotations

from typing import Any

from django import forms

from coopgov.apps.elections.models import Method
from coopgov.apps.orgs.models import Constituency, Organisation, StakeholderClass
from coopgov.web.forms import GovUKDateField

from . import rules
from .models import BodyKind, RuleKind, SeatMethod


class BodyForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name", help_text="For example, Board of directors")
    kind = forms.ChoiceField(choices=BodyKind.choices, label="Kind of body")
    counting_method = forms.ChoiceField(
        choices=Method.choices, label="Counting method its rules name", initial=Method.SCOTTISH_STV
    )
    presets = forms.MultipleChoiceField(
        choices=[(k, v[0]) for k, v in rules.PRESETS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Composition rules to check",
    )


class SeatForm(forms.Form):
    name = forms.CharField(max_length=200, label="Seat name", help_text="For example, Parent governors")
    category = forms.ChoiceField(choices=list(rules.CATEGORIES.items()), label="Category")
    method = forms.ChoiceField(choices=SeatMethod.choices, label="How the seats are filled")
    seats = forms.IntegerField(min_value=1, max_value=100, initial=1, label="Number of seats")
    stakeholder_class = forms.ModelChoiceField(
        queryset=StakeholderClass.objects.none(), required=False, label="Elected by (stakeholder class)"
    )
    constituency = forms.ModelChoiceField(queryset=Constituency.objects.none(), required=False, label="Constituency")
    appointed_by = forms.CharField(
        max_length=120, required=False, label="Appointed by", help_text="For example, PTA or local authority"
    )
    term_months = forms.IntegerField(min_value=1, max_value=120, initial=36, label="Term length in months")
    cohorts = forms.IntegerField(min_value=1, max_value=100, initial=1, label="Staggered in how many cohorts")
    max_consecutive_terms = forms.IntegerField(
        min_value=1, max_value=20, required=False, label="Most consecutive terms"
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stakeholder_class"].queryset = organisation.stakeholder_classes.all()  # type: ignore[attr-defined]
        self.fields["constituency"].queryset = Constituency.objects.filter(  # type: ignore[attr-defined]
            stakeholder_class__organisation=organisation
        )


class AppointForm(forms.Form):
    seat = forms.ChoiceField(label="Seat")
    person_email = forms.EmailField(label="Email address of the person taking office")
    start_date = GovUKDateField(label="Term starts")

    def __init__(self, *args: Any, seats: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seat"].choices = seats  # type: ignore[attr-defined]


class RuleForm(forms.Form):
    kind = forms.ChoiceField(choices=RuleKind.choices, label="Kind of rule")
    preset = forms.ChoiceField(
        choices=[("", "Not a preset"), *((k, v[0]) for k, v in rules.PRESETS.items())],
        required=False,
        label="Preset",
    )
    category = forms.ChoiceField(
        choices=[("", "Not needed for a preset"), *rules.CATEGORIES.items()], required=False, label="Seat category"
    )
    n = forms.IntegerField(min_value=1, required=False, label="Minimum number of seats")
    numerator = forms.IntegerField(min_value=1, required=False, label="Share: numerator", help_text="1 for one third")
    denominator = forms.IntegerField(
        min_value=1, required=False, label="Share: denominator", help_text="3 for one third"
    )
