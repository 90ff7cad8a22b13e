from __future__ import annotations

from typing import Any

from django import forms

from coopgov.apps.membership.models import Status
from coopgov.apps.orgs.models import Constituency, LegalForm, Organisation, OwnershipModel, Sector
from coopgov.web.forms import GovUKDateField


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label="Search by name or place", required=False, max_length=100)
    sector = forms.ChoiceField(label="Sector", required=False, choices=[("", "Any sector"), *Sector.choices])
    legal_form = forms.ChoiceField(
        label="Legal form", required=False, choices=[("", "Any legal form"), *LegalForm.choices]
    )
    ownership_model = forms.ChoiceField(
        label="Ownership model", required=False, choices=[("", "Any ownership model"), *OwnershipModel.choices]
    )


class ApplyForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200)
    stakeholder_class = forms.ChoiceField(label="Which of these describes you?", widget=forms.RadioSelect)
    constituency = forms.ChoiceField(
        label="Constituency", required=False, help_text="Only if the class you chose has constituencies"
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        classes = list(organisation.stakeholder_classes.all())
        _choice_field(self, "stakeholder_class").choices = [(str(c.pk), c.name) for c in classes]
        constituencies = Constituency.objects.filter(stakeholder_class__organisation=organisation).select_related(
            "stakeholder_class"
        )
        self.constituency_objects = {str(c.pk): c for c in constituencies}
        _choice_field(self, "constituency").choices = [("", "Not applicable")] + [
            (str(c.pk), f"{c.stakeholder_class.name}: {c.name}") for c in constituencies
        ]
        self.class_objects = {str(c.pk): c for c in classes}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        sc = self.class_objects.get(data.get("stakeholder_class", ""))
        c = self.constituency_objects.get(data.get("constituency") or "")
        if sc is not None:
            has_constituencies = any(k.stakeholder_class_id == sc.pk for k in self.constituency_objects.values())
            if has_constituencies and c is None:
                self.add_error("constituency", f"Choose your constituency within {sc.name}")
            elif c is not None and c.stakeholder_class_id != sc.pk:
                self.add_error("constituency", f"That constituency is not part of {sc.name}")
        data["class_obj"] = sc
        data["constituency_obj"] = c
        return data


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label="Search by name, email or member number", required=False, max_length=100)
    stakeholder_class = forms.ChoiceField(label="Stakeholder class", required=False)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Status.choices])

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "stakeholder_class").choices = [("", "Any class")] + [
            (c.slug, c.name) for c in organisation.stakeholder_classes.all()
        ]


class ImportForm(forms.Form):
    file = forms.FileField(label="Upload a CSV file", help_text="UTF-8 CSV with a header row")


class ChangeStatusForm(forms.Form):
    status = forms.ChoiceField(label="New status", choices=Status.choices, widget=forms.RadioSelect)
    effective_from = GovUKDateField(label="From", help_text="For example, 27 11 2026")
    reason = forms.CharField(label="Reason", required=False, max_length=300)
