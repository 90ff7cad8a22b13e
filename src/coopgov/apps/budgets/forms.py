"""Forms.  All work without JavaScript; the ballot form is built from the shortlist."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms

from coopgov.apps.orgs.models import Organisation, StakeholderClass
from coopgov.web.forms import GovUKDateField

from .models import Area, BallotType, DeliveryStatus, Idea, IdeaStatus, Process, RingFence, Rule
from .services import money

_AREA_LINE = re.compile(r"^\s*(?P<name>[^:=]+?)\s*[:=]\s*£?\s*(?P<amount>[\d,]+)\s*$")


class ProcessForm(forms.Form):
    title = forms.CharField(label="Name of the process", max_length=200)
    description = forms.CharField(label="What it is for", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    partnership = forms.CharField(label="Partnership (if run for one)", max_length=200, required=False)
    pot = forms.IntegerField(label="The pot, in pounds", min_value=1, help_text="Whole pounds, for example 50000")
    funding_source = forms.CharField(
        label="Where the money comes from",
        max_length=200,
        required=False,
        help_text="For example, share of the police precept",
    )
    ring_fence = forms.ChoiceField(
        label="Is the pot ring-fenced?", choices=RingFence.choices, widget=forms.RadioSelect, initial=RingFence.NONE
    )
    areas = forms.CharField(
        label="Ring-fenced districts or categories",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One per line, name then amount, for example: Northfield: 20000",
    )
    ballot_type = forms.ChoiceField(
        label="Ballot", choices=BallotType.choices, widget=forms.RadioSelect, initial=BallotType.APPROVAL
    )
    min_choices = forms.IntegerField(label="Fewest projects a voter must choose", min_value=0, initial=1)
    max_choices = forms.IntegerField(label="Most projects a voter may choose", min_value=1, required=False)
    total_points = forms.IntegerField(
        label="Points each voter shares out (points ballots)", min_value=1, required=False
    )
    limit_to_budget = forms.BooleanField(
        label="Refuse ballots that choose more than the budget", required=False, initial=True
    )
    rule = forms.ChoiceField(
        label="How the winners are chosen", choices=Rule.choices, widget=forms.RadioSelect, initial=Rule.MES
    )
    completion = forms.ChoiceField(
        label="Completion (Method of Equal Shares)",
        choices=[("add1", "Add1 (as Wieliczka and Świecie)"), ("utilitarian", "Greedy top-up"), ("", "None")],
        initial="add1",
        required=False,
    )
    voter_classes = forms.ModelMultipleChoiceField(
        label="Members who vote",
        queryset=StakeholderClass.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    proposer_classes = forms.ModelMultipleChoiceField(
        label="Members who may suggest ideas",
        queryset=StakeholderClass.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave empty to let anyone signed in suggest ideas",
    )
    code_postcode_districts = forms.CharField(
        label="Postcode districts of residents voting with a code",
        max_length=500,
        required=False,
        help_text="Comma-separated, for example EX1,EX2",
    )
    minimum_age = forms.IntegerField(label="Minimum age to vote", min_value=0, max_value=120, required=False)
    ideas_open = GovUKDateField(label="Ideas open", required=False)
    voting_open = GovUKDateField(label="Voting opens", required=False)
    voting_close = GovUKDateField(label="Voting closes", required=False)
    results_date = GovUKDateField(label="Results announced", required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = StakeholderClass.objects.filter(organisation=organisation)
        self.fields["voter_classes"].queryset = qs  # type: ignore[attr-defined]
        self.fields["proposer_classes"].queryset = qs  # type: ignore[attr-defined]

    def clean_areas(self) -> list[tuple[str, int]]:
        out: list[tuple[str, int]] = []
        for n, line in enumerate(str(self.cleaned_data.get("areas", "")).splitlines(), 1):
            if not line.strip():
                continue
            m = _AREA_LINE.match(line)
            if m is None:
                raise forms.ValidationError(f"Line {n} should be a name then an amount, for example: Northfield: 20000")
            out.append((m["name"], int(m["amount"].replace(",", ""))))
        return out


class IdeaForm(forms.Form):
    title = forms.CharField(label="Name of your idea", max_length=200)
    description = forms.CharField(label="Describe your idea", widget=forms.Textarea(attrs={"rows": 5}))
    area = forms.ModelChoiceField(
        label="District", queryset=Area.objects.none(), required=False, widget=forms.RadioSelect, empty_label=None
    )
    location = forms.CharField(label="Where (street, park or building)", max_length=200, required=False)
    category = forms.CharField(
        label="Category", max_length=80, required=False, help_text="For example: youth, safety, green spaces"
    )
    estimated_cost = forms.IntegerField(label="Estimated cost, in pounds", min_value=1)
    image = forms.FileField(label="A picture (optional)", required=False, help_text="JPEG or PNG, up to 5MB")
    image_alt = forms.CharField(label="What the picture shows", max_length=200, required=False)

    def __init__(self, *args: Any, process: Process, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if process.ring_fence == RingFence.NONE:
            del self.fields["area"]
        else:
            self.fields["area"].queryset = process.areas.all()  # type: ignore[attr-defined]
            self.fields["area"].required = True
            self.fields["area"].label = "District" if process.ring_fence == RingFence.DISTRICT else "Category"

    def clean_image(self) -> Any:
        f = self.cleaned_data.get("image")
        if f and f.size > 5 * 1024 * 1024:
            raise forms.ValidationError("The picture must be smaller than 5MB")
        if f and not str(f.name).lower().endswith((".jpg", ".jpeg", ".png", ".webp")):
            raise forms.ValidationError("The picture must be a JPEG, PNG or WebP file")
        return f

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("image") and not data.get("image_alt"):
            self.add_error("image_alt", "Say what the picture shows, for people who cannot see it")
        return data


class CommentForm(forms.Form):
    text = forms.CharField(label="Add a comment", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            (IdeaStatus.SHORTLISTED, "Put it on the ballot"),
            (IdeaStatus.REJECTED, "Not feasible"),
            (IdeaStatus.MERGED, "Merge into another idea"),
        ],
        widget=forms.RadioSelect,
    )
    cost = forms.IntegerField(
        label="Reviewed cost, in pounds", min_value=1, required=False, help_text="Leave empty to keep the estimate"
    )
    merge_into = forms.ModelChoiceField(label="Merge into", queryset=Idea.objects.none(), required=False)
    reason = forms.CharField(label="Public reason", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, idea: Idea, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["merge_into"].queryset = idea.process.ideas.exclude(pk=idea.pk).exclude(  # type: ignore[attr-defined]
            status__in=[IdeaStatus.MERGED, IdeaStatus.REJECTED]
        )


class RuleForm(forms.Form):
    rule = forms.ChoiceField(label="How the winners are chosen", choices=Rule.choices, widget=forms.RadioSelect)
    completion = forms.ChoiceField(
        label="Completion",
        choices=[("add1", "Add1"), ("utilitarian", "Greedy top-up"), ("", "None")],
        required=False,
    )


class CodesForm(forms.Form):
    count = forms.IntegerField(label="How many codes", min_value=1, max_value=100_000)
    postcode_district = forms.CharField(
        label="Postcode district (printed on the letters)", max_length=5, required=False
    )
    output = forms.ChoiceField(
        label="What you want",
        choices=[("sheet", "A printable sheet"), ("csv", "A CSV file for a mail merge")],
        widget=forms.RadioSelect,
        initial="sheet",
    )


class CodeEntryForm(forms.Form):
    code = forms.CharField(
        label="Your voting code", max_length=40, help_text="It is on your letter, for example ABCD-EFGH-JKLM"
    )


class DeliveryForm(forms.Form):
    delivery_status = forms.ChoiceField(label="Status", choices=DeliveryStatus.choices)
    spend = forms.IntegerField(label="Spent so far, in pounds", min_value=0)


class MilestoneForm(forms.Form):
    title = forms.CharField(label="Milestone", max_length=200)
    due = GovUKDateField(label="Due", required=False)
    done_on = GovUKDateField(label="Done on", required=False)


def ballot_form(process: Process, ideas: Sequence[Idea], data: Any = None, initial: Any = None) -> forms.Form:
    """The ballot as a Django form: for approval/knapsack one checkbox group per area; for points a
    number per project; for ranked one drop-down per preference."""
    form = forms.Form(data=data, initial=initial)
    fenced = process.ring_fence != RingFence.NONE

    def label(i: Idea) -> str:
        return f"{i.title} — {money(i.ballot_cost, process.currency)}"

    bt = process.ballot_type
    if bt in (BallotType.APPROVAL, BallotType.KNAPSACK):
        groups: dict[str, tuple[str, int, list[Idea]]] = {}
        for i in ideas:
            slug = i.area.slug if fenced and i.area is not None else ""
            name = i.area.name if fenced and i.area is not None else ""
            budget = i.area.budget if fenced and i.area is not None else process.pot
            groups.setdefault(slug, (name, budget, []))[2].append(i)
        for slug, (name, budget, items) in groups.items():
            field = forms.TypedMultipleChoiceField(
                label=f"Projects in {name}" if name else "Projects",
                choices=[(i.pk, label(i)) for i in items],
                coerce=int,
                widget=forms.CheckboxSelectMultiple(attrs={"data-cost-budget": budget}),
                required=False,
                help_text=f"Budget: {money(budget, process.currency)}",
            )
            form.fields[f"area_{slug}" if slug else "choices"] = field
    elif bt == BallotType.POINTS:
        for i in ideas:
            form.fields[f"points_{i.pk}"] = forms.IntegerField(
                label=label(i),
                min_value=0,
                max_value=process.total_points,
                required=False,
                widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
            )
    else:
        n = process.max_choices or len(ideas)
        choices = [("", "No choice")] + [(str(i.pk), label(i)) for i in ideas]
        for k in range(1, min(n, len(ideas)) + 1):
            form.fields[f"rank_{k}"] = forms.ChoiceField(label=f"Choice {k}", choices=choices, required=False)
    if process.minimum_age:
        form.fields["age_ok"] = forms.BooleanField(label=f"I am {process.minimum_age} or over", required=True)
    return form


def ballot_choices(process: Process, form: forms.Form) -> Any:
    """The ``Ballot.choices`` value from a valid ballot form."""
    d = form.cleaned_data
    bt = process.ballot_type
    if bt in (BallotType.APPROVAL, BallotType.KNAPSACK):
        out: list[int] = []
        for name, value in d.items():
            if name == "choices" or name.startswith("area_"):
                out.extend(int(v) for v in value)
        return sorted(out)
    if bt == BallotType.POINTS:
        return [[int(name[7:]), int(v)] for name, v in d.items() if name.startswith("points_") and v]
    ranked = [int(d[f"rank_{k}"]) for k in range(1, 1000) if d.get(f"rank_{k}")]
    return ranked


def ballot_initial(process: Process, choices: Any) -> dict[str, Any]:
    """Form initial values from a stored ballot (to show the voter what they chose)."""
    if choices is None:
        return {}
    bt = process.ballot_type
    if bt == BallotType.POINTS:
        return {f"points_{i}": p for i, p in choices}
    if bt == BallotType.RANKED:
        return {f"rank_{k}": str(i) for k, i in enumerate(choices, 1)}
    ideas = {i.pk: i for i in process.ideas.select_related("area")}
    out: dict[str, list[int]] = {}
    for i in choices:
        idea = ideas.get(int(i))
        if idea is None:
            continue
        key = f"area_{idea.area.slug}" if process.ring_fence != RingFence.NONE and idea.area else "choices"
        out.setdefault(key, []).append(int(i))
    return out
