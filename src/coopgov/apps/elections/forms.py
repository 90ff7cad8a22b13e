from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from coopgov.apps.governance.models import SeatRule
from coopgov.apps.orgs.models import Constituency, Organisation, StakeholderClass
from coopgov.web.forms import GovUKDateField

from .models import Method
from .services import STATEMENT_MAX_WORDS


class DateTimeLocalField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])
        kwargs.setdefault("help_text", "For example, 2026-03-01 09:00")
        super().__init__(**kwargs)


class TimetableForm(forms.Form):
    cutoff_date = GovUKDateField(label="Electorate cut-off date", help_text="Members eligible on this date can vote")
    notice_at = DateTimeLocalField(label="Notice of election")
    nominations_open = DateTimeLocalField(label="Nominations open")
    nominations_close = DateTimeLocalField(label="Nominations close")
    withdrawal_deadline = DateTimeLocalField(label="Withdrawal deadline")
    poll_open = DateTimeLocalField(label="Poll opens")
    poll_close = DateTimeLocalField(label="Poll closes")


class ElectionForm(TimetableForm):
    title = forms.CharField(max_length=200, label="Title", help_text="For example, Election of parent governors 2026")
    seat_rule = forms.ModelChoiceField(
        queryset=SeatRule.objects.none(),
        required=False,
        label="Seats being filled",
        help_text="Winners take these seats at the start of their term",
    )
    stakeholder_class = forms.ModelChoiceField(queryset=StakeholderClass.objects.none(), label="Who votes")
    constituency = forms.ModelChoiceField(queryset=Constituency.objects.none(), required=False, label="Constituency")
    seats = forms.IntegerField(min_value=1, max_value=50, initial=1, label="Number of seats")
    method = forms.ChoiceField(choices=Method.choices, label="Counting method")
    is_by_election = forms.BooleanField(required=False, label="This is a by-election to fill a casual vacancy")
    term_start = GovUKDateField(label="Term starts")
    term_end = GovUKDateField(
        label="Term ends", required=False, help_text="For a by-election, the end of the vacated term"
    )

    field_order = ["title", "seat_rule", "stakeholder_class", "constituency", "seats", "method", "is_by_election"]

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seat_rule"].queryset = SeatRule.objects.filter(body__organisation=organisation)  # type: ignore[attr-defined]
        self.fields["stakeholder_class"].queryset = organisation.stakeholder_classes.all()  # type: ignore[attr-defined]
        self.fields["constituency"].queryset = Constituency.objects.filter(  # type: ignore[attr-defined]
            stakeholder_class__organisation=organisation
        )


class NominateForm(forms.Form):
    nominee_email = forms.EmailField(
        required=False,
        label="Email address of the member you nominate",
        help_text="Leave empty to nominate yourself",
    )
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        label="Your candidate statement",
        help_text=f"Only if you nominate yourself. At most {STATEMENT_MAX_WORDS} words.",
    )
    interests = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Your declaration of interests",
        help_text="Only if you nominate yourself. Write 'None' if you have none.",
    )


class ConsentForm(forms.Form):
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        label="Candidate statement",
        help_text=f"At most {STATEMENT_MAX_WORDS} words. It is published with the statement of persons nominated.",
    )
    interests = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Declaration of interests",
        help_text="Write 'None' if you have none.",
    )
    consent = forms.BooleanField(label="I consent to stand for election and I am eligible to stand")

    def clean_statement(self) -> str:
        text: str = self.cleaned_data["statement"]
        words = len(text.split())
        if words > STATEMENT_MAX_WORDS:
            raise forms.ValidationError(
                f"The statement must be {STATEMENT_MAX_WORDS} words or fewer; it has {words} words."
            )
        return text


class PaperBatchForm(forms.Form):
    label = forms.CharField(max_length=120, label="Batch label", help_text="For example, Postal votes batch 1")
    declared_count = forms.IntegerField(min_value=1, label="Number of papers in the batch (subtotal)")
    ballots = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        label="Ballot papers",
        help_text="One paper per line: the marks next to each candidate in ballot-paper order, separated by commas "
        "(leave blank where there is no mark). Start a line with 3* for three identical papers.",
    )
    returned_by = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Member numbers of the voters (optional)",
        help_text="From the returned voting statements, one per line: they are marked as having voted.",
    )


class ReceiptForm(forms.Form):
    code = forms.CharField(max_length=20, label="Receipt code", help_text="For example, ABCD-EFGH-JKLM")


def default_timetable() -> dict[str, Any]:
    now = timezone.localtime().replace(second=0, microsecond=0)
    day = datetime.timedelta(days=1)
    return {
        "cutoff_date": (now + 20 * day).date(),
        "notice_at": now + day,
        "nominations_open": now + day,
        "nominations_close": now + 14 * day,
        "withdrawal_deadline": now + 16 * day,
        "poll_open": now + 21 * day,
        "poll_close": now + 35 * day,
        "term_start": (now + 40 * day).date(),
    }
