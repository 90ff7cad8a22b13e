"""The GOV.UK form renderer and component partials, rendered server-side (no browser needed)."""

from __future__ import annotations

import datetime
import html as html_lib
import re

import pytest
from django import forms
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

from coopgov.web.forms import GovUKBoundField, GovUKDateField, GovUKFormRenderer, field_kind


class MemberForm(forms.Form):
    full_name = forms.CharField(label="Full name", help_text="As it appears on the register")
    email = forms.EmailField(label="Email address", required=False)
    sector = forms.ChoiceField(label="Sector", choices=[("", "Choose"), ("health", "Health")])
    member_class = forms.ChoiceField(
        label="Stakeholder class",
        choices=[("worker", "Worker"), ("community", "Community")],
        widget=forms.RadioSelect,
        help_text="One class at a time",
    )
    reports = forms.MultipleChoiceField(
        label="Reports",
        choices=[("age", "Age band"), ("sex", "Sex")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    consent = forms.BooleanField(label="I agree")
    joined = GovUKDateField(label="Date joined", help_text="For example, 27 3 2024")
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False, error_messages={"required": "x"})
    register = forms.FileField(label="Register file", required=False)
    secret = forms.CharField(label="Passphrase", error_messages={"required": "Enter the passphrase you were sent"})
    next = forms.CharField(widget=forms.HiddenInput, required=False)


def bound(data: dict[str, str] | None = None) -> MemberForm:
    form = MemberForm(data=data if data is not None else {})
    form.is_valid()
    return form


def test_settings_use_the_govuk_renderer():
    form = MemberForm()
    assert isinstance(form.renderer, GovUKFormRenderer)
    assert isinstance(form["full_name"], GovUKBoundField)


def test_kinds_of_control():
    form = MemberForm()
    kinds = {name: field_kind(field.widget) for name, field in form.fields.items()}
    assert kinds == {
        "full_name": "input",
        "email": "input",
        "sector": "select",
        "member_class": "radios",
        "reports": "checkboxes",  # CheckboxSelectMultiple subclasses RadioSelect: must not be "radios"
        "consent": "checkbox",
        "joined": "date",
        "notes": "textarea",
        "register": "file",
        "secret": "input",
        "next": "hidden",
    }


def test_text_input_with_hint_and_error_is_wired_up():
    html = bound()["full_name"].as_field_group()
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert '<label class="govuk-label " for="id_full_name">' in html
    assert '<div id="id_full_name-hint" class="govuk-hint">As it appears on the register</div>' in html
    assert 'id="id_full_name-error" class="govuk-error-message"' in html
    assert '<span class="govuk-visually-hidden">Error:</span> Enter full name' in html
    control = re.search(r"<input [^>]*id=\"id_full_name\"[^>]*>", html)
    assert control is not None
    assert 'class="govuk-input govuk-input--error"' in control.group()
    assert 'aria-describedby="id_full_name-hint id_full_name-error"' in control.group()
    assert 'aria-invalid="true"' in control.group()


def test_valid_field_has_no_error_markup_and_optional_is_labelled():
    html = bound({"email": "someone@example.org"})["email"].as_field_group()
    assert "govuk-form-group--error" not in html
    assert "Email address (optional)" in html
    assert 'class="govuk-input"' in html
    assert "aria-describedby" not in html


def test_radios_are_a_fieldset_described_by_hint_and_error():
    field = bound()["member_class"]
    html = field.as_field_group()
    assert '<fieldset class="govuk-fieldset" aria-describedby="id_member_class-hint id_member_class-error">' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">' in html
    assert html.count('class="govuk-radios__input"') == 2
    assert '<label class="govuk-label govuk-radios__label" for="id_member_class_1">Community</label>' in html
    assert "Select stakeholder class" in html
    assert field.anchor_id == "id_member_class_0"


def test_checkboxes_use_the_checkboxes_component():
    html = bound()["reports"].as_field_group()
    assert 'class="govuk-checkboxes ' in html
    assert html.count('class="govuk-checkboxes__input"') == 2
    assert "govuk-radios" not in html


def test_single_checkbox():
    html = bound()["consent"].as_field_group()
    assert '<div class="govuk-checkboxes__item">' in html
    assert "Select \u2018I agree\u2019 to continue" in html


def test_select_textarea_and_file_get_their_classes():
    form = bound()
    assert 'class="govuk-select govuk-select--error"' in str(form["sector"])
    assert "Select sector" in form["sector"].as_field_group()
    assert 'class="govuk-textarea"' in str(form["notes"])
    assert 'class="govuk-file-upload"' in str(form["register"])


def test_a_fields_own_required_message_is_kept():
    assert bound()["secret"].errors == ["Enter the passphrase you were sent"]


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("27", "3", "2024", datetime.date(2024, 3, 27)),
        (" 1", "12 ", "1999", datetime.date(1999, 12, 1)),
        ("31", "2", "2024", "Enter a real date"),
        ("3", "", "2024", "Date must include a month"),
        ("", "", "2024", "Date must include a day and month"),
        ("", "", "", "Enter a date"),
        ("x", "1", "2024", "Enter a real date"),
        ("1", "1", "24", "Year must include 4 numbers"),
    ],
)
def test_date_input(day, month, year, expected):
    form = bound({"joined_day": day, "joined_month": month, "joined_year": year})
    if isinstance(expected, datetime.date):
        assert form.cleaned_data["joined"] == expected
    else:
        assert form.errors["joined"] == [expected]


def test_date_input_markup():
    field = bound({"joined_day": "31", "joined_month": "2", "joined_year": "2024"})["joined"]
    html = field.as_field_group()
    assert 'role="group" aria-describedby="id_joined-hint id_joined-error"' in html
    for n, (part, width) in enumerate([("day", 2), ("month", 2), ("year", 4)]):
        assert f'<label class="govuk-label govuk-date-input__label" for="id_joined_{n}">' in html
        box = re.search(rf"<input [^>]*name=\"joined_{part}\"[^>]*>", html)
        assert box is not None
        assert f"govuk-input--width-{width} govuk-input--error" in box.group()
        assert 'inputmode="numeric"' in box.group()
        assert "required" not in box.group()
    assert 'value="31"' in html
    assert field.anchor_id == "id_joined_0"


def test_date_input_shows_an_initial_date():
    class F(forms.Form):
        on = GovUKDateField(label="On")

    html = str(F(initial={"on": datetime.date(2024, 3, 7)})["on"])
    assert 'value="7"' in html and 'value="3"' in html and 'value="2024"' in html


def test_whole_form_renders_hidden_fields_and_every_group():
    html = str(bound())
    assert '<input type="hidden" name="next" id="id_next">' in html
    assert html.count('class="govuk-form-group') >= 10


def test_error_summary_links_every_error_to_its_control():
    class F(MemberForm):
        def clean(self):
            raise forms.ValidationError("The register could not be imported")

    form = F(data={"joined_day": "31", "joined_month": "2", "joined_year": "2024"})
    form.is_valid()
    html = render_to_string("includes/error_summary.html", {"form": form})
    links = re.findall(r'<a href="(#[^"]+)">([^<]+)</a>', html)
    assert links == [
        ("#id_full_name", "The register could not be imported"),
        ("#id_full_name", "Enter full name"),
        ("#id_sector", "Select sector"),
        ("#id_member_class_0", "Select stakeholder class"),
        ("#id_consent", "Select \u2018I agree\u2019 to continue"),
        ("#id_joined_0", "Enter a real date"),
        ("#id_secret", "Enter the passphrase you were sent"),
    ]
    assert 'data-module="govuk-error-summary"' in html


def test_all_optional_filter_form_has_no_optional_labels():
    class Filter(forms.Form):
        q = forms.CharField(label="Search", required=False)
        status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any")])

    html = str(Filter())
    assert "(optional)" not in html


def page_of(number: int, pages: int = 10) -> str:
    request = RequestFactory().get("/register/", {"q": "smith", "page": number})
    page_obj = Paginator(range(pages * 10), 10).get_page(number)
    return render_to_string("includes/pagination.html", {"page_obj": page_obj}, request=request)


def numbers(html: str) -> list[str]:
    items = re.findall(r'<li class="govuk-pagination__item[^"]*">(.*?)</li>', html, re.S)
    return [html_lib.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in items]


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1, ["1", "2", "⋯", "10"]),
        (2, ["1", "2", "3", "⋯", "10"]),
        (5, ["1", "⋯", "4", "5", "6", "⋯", "10"]),
        (9, ["1", "⋯", "8", "9", "10"]),
        (10, ["1", "⋯", "9", "10"]),
    ],
)
def test_pagination_numbers(number, expected):
    assert numbers(page_of(number)) == expected


def test_pagination_keeps_the_query_and_marks_the_current_page():
    html = page_of(5)
    assert 'href="?q=smith&amp;page=6" rel="next"' in html
    assert 'href="?q=smith&amp;page=4" rel="prev"' in html
    assert 'aria-label="Page 5" aria-current="page"' in html
    assert page_of(1, pages=1).strip() == ""


def test_500_page_renders_without_a_request():
    html = render_to_string("500.html")
    assert "<title>Sorry, there is a problem with the service — coopgov</title>" in html
    assert 'lang="en-GB"' in html
    assert "GOV.UK</" not in html and "Crown copyright" not in html


def test_title_is_prefixed_when_the_form_has_errors():
    html = render_to_string("404.html", {"form": bound()})
    assert "<title>Error: Page not found — coopgov</title>" in html
    assert "govuk-error-summary" in html


def test_page_has_no_inline_script_or_style():
    html = render_to_string("404.html", {"form": bound()})
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert "style=" not in html and "<style" not in html


@pytest.mark.django_db
def test_admin_widgets_keep_their_own_classes(admin_client):
    from coopgov.apps.accounts.models import User

    response = admin_client.get(f"/admin/accounts/user/{User.objects.get().pk}/change/")
    assert response.status_code == 200
    assert b"vTextField" in response.content or b"vLargeTextField" in response.content


@pytest.mark.django_db
def test_sign_in_page_uses_govuk_markup(client):
    response = client.post("/accounts/sign-in/", {"username": "", "password": ""})
    html = response.content.decode()
    assert "<title>Error: Sign in — coopgov</title>" in html
    assert '<a href="#id_username">Enter email address</a>' in html
    assert '<a href="#id_password">Enter password</a>' in html
    assert 'class="govuk-input govuk-input--error"' in html


def test_password_field_is_the_govuk_password_input():
    class F(forms.Form):
        password = forms.CharField(label="Password", widget=forms.PasswordInput)

    html = F()["password"].as_field_group()
    assert 'class="govuk-form-group govuk-password-input" data-module="govuk-password-input"' in html
    control = re.search(r"<input [^>]*>", html).group()
    assert "govuk-js-password-input-input" in control
    assert 'spellcheck="false"' in control and 'autocomplete="current-password"' in control
    assert 'aria-controls="id_password"' in html and "hidden>Show</button>" in html


@pytest.mark.parametrize(
    ("template", "heading"),
    [
        ("400.html", "Sorry, there is a problem with your request"),
        ("403.html", "You cannot see this page"),
        ("403_csrf.html", "Sorry, your form could not be sent"),
        ("404.html", "Page not found"),
    ],
)
def test_error_pages(template, heading, rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/somewhere/")
    request.user = AnonymousUser()
    html = render_to_string(template, {}, request=request)
    assert f"<title>{heading} — coopgov</title>" in html
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html


@pytest.mark.django_db
def test_messages_render_as_banners_or_an_error_summary(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages import constants
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = rf.get("/")
    request.user = AnonymousUser()
    request.session = {}
    storage = FallbackStorage(request)
    storage.add(constants.SUCCESS, "Imported 4 members.")
    storage.add(constants.INFO, "Applications are closed.")
    storage.add(constants.ERROR, "That upload has expired.")
    request._messages = storage
    html = render_to_string("404.html", {}, request=request)
    assert "<title>Error: Page not found — coopgov</title>" in html
    assert "govuk-notification-banner--success" in html and "Imported 4 members." in html
    assert ">Important</h2>" in html and "Applications are closed." in html
    summary = html[html.index('class="govuk-error-summary"') :]
    assert '<p class="govuk-body">That upload has expired.</p>' in summary
    assert "<ul" not in summary.split("</div>")[0]
