"""Every GOV.UK partial and the form renderer, in a real browser, under the real CSP, checked by axe.

The page is served by a test-only URLconf (this module), so these tests do not depend on the
application's pages: they check the foundation (base.html, includes/, coopgov.web.forms, the static
pipeline) on its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path
from django.utils.html import format_html
from playwright.sync_api import expect

from coopgov.web.forms import GovUKDateField

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]

GALLERY = Path(__file__).with_name("gallery.html")


class GalleryForm(forms.Form):
    name = forms.CharField(label="Full name", help_text="As it appears on the register")
    email = forms.EmailField(label="Email address", required=False)
    sector = forms.ChoiceField(
        label="Sector",
        choices=[("", "Choose a sector"), ("health", "Health"), ("education", "Education")],
    )
    member_class = forms.ChoiceField(
        label="Stakeholder class",
        choices=[("worker", "Worker"), ("recipient", "Care recipient"), ("community", "Community")],
        widget=forms.RadioSelect,
        help_text="Members belong to one class at a time",
    )
    demographics = forms.MultipleChoiceField(
        label="What to report on",
        choices=[("age", "Age band"), ("sex", "Sex"), ("disability", "Disability")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    voting = forms.BooleanField(label="Has voting rights", help_text="Associate members do not")
    joined = GovUKDateField(label="Date joined", help_text="For example, 27 3 2024")
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    register = forms.FileField(label="Register file (CSV)", required=False)
    next = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        raise forms.ValidationError("The register could not be imported")


def render(request: HttpRequest, source: str, context: dict[str, Any]) -> HttpResponse:
    template = engines["django"].from_string(source)
    return HttpResponse(template.render(context, request))


def gallery(request: HttpRequest) -> HttpResponse:
    form = GalleryForm(data={"name": "", "joined_day": "31", "joined_month": "2", "joined_year": "2024"})
    form.is_valid()
    members = [(f"Member {i:03d}", "Worker", i * 3) for i in range(1, 101)]
    page_obj = Paginator(members, 10).get_page(request.GET.get("page", 5))
    rows = [
        [format_html('<a class="govuk-link" href="/m/{}">{}</a>', n, name), cls, votes]
        for n, (name, cls, votes) in enumerate(page_obj.object_list)
    ]
    context = {
        "form": form,
        "breadcrumbs": [{"text": "Home", "href": "/"}, {"text": "Gallery"}],
        "summary": [
            {"key": "Organisation", "value": "Riverside Home Care Co-operative"},
            {"key": "Class", "value": "Worker", "href": "/change"},
        ],
        "head": ["Name", "Class", "Votes cast"],
        "rows": rows,
        "numeric": [2],
        "page_obj": page_obj,
    }
    return render(request, GALLERY.read_text(), context)


def plain(request: HttpRequest) -> HttpResponse:
    source = (
        '{% extends "base.html" %}{% block title %}Home{% endblock %}{% block content %}'
        '<h1 class="govuk-heading-xl">Co-operative public services</h1>'
        '<p class="govuk-body">Find an organisation.</p>{% endblock %}'
    )
    return render(request, source, {})


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [
    path("", plain),
    path("gallery/", gallery),
    path("forbidden/", forbidden),
]


def test_plain_page_has_govuk_styles_and_passes_axe(live_server, page, axe_check, screenshot, page_problems):
    page.goto(live_server.url + "/")
    assert page.title() == "Home — coopgov"
    heading = page.locator("h1")
    assert heading.evaluate("e => getComputedStyle(e).fontWeight") == "700"
    assert heading.evaluate("e => getComputedStyle(e).fontSize") == "48px"
    assert heading.evaluate("e => getComputedStyle(e).fontFamily") == "arial, helvetica, sans-serif"
    # js-enabled.js ran (under the CSP, as an external file) and told GOV.UK Frontend it may start.
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    # No crown, no GOV.UK logotype: the service name is plain text.
    assert page.locator(".govuk-header__logotype, .govuk-logo, svg[aria-label='GOV.UK']").count() == 0
    assert "GOV.UK" not in page.locator("header").inner_text()
    assert page.locator(".govuk-service-navigation__service-name").inner_text().strip() == "coopgov"
    assert page.locator("html").get_attribute("lang") == "en-GB"
    axe_check(page)
    screenshot(page, "plain")
    assert page_problems(page) == []


def test_gallery_every_component_passes_axe(live_server, page, axe_check, screenshot, page_problems):
    page.goto(live_server.url + "/gallery/")
    assert page.title() == "Error: Component gallery — coopgov"
    # govuk-frontend's ES module started (init.js) and moved focus to the error summary.
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    summary_links = page.locator(".govuk-error-summary__list a")
    hrefs = summary_links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["#id_name", "#id_name", "#id_sector", "#id_member_class_0", "#id_voting", "#id_joined_0"]
    # Every summary link points at a control that exists and can take focus.
    for href in hrefs:
        assert page.locator(href).count() == 1, href
    summary_links.nth(4).click()
    assert page.evaluate("document.activeElement.id") == "id_voting"
    # Field errors are tied to their controls.
    assert page.locator("#id_name").get_attribute("aria-describedby") == "id_name-hint id_name-error"
    assert page.locator("#id_name").get_attribute("aria-invalid") == "true"
    fieldset = page.locator("fieldset:has(#id_joined_0)")
    assert fieldset.get_attribute("aria-describedby") == "id_joined-hint id_joined-error"
    assert "Enter a real date" in page.locator("#id_joined-error").inner_text()
    assert page.locator("#id_joined_0").input_value() == "31"
    # The error styles come from the GOV.UK stylesheet.
    border = page.locator("#id_name").evaluate("e => getComputedStyle(e).borderTopColor")
    assert border == "rgb(212, 53, 28)"
    # Pagination keeps the page in the query string and marks the current page.
    assert page.locator(".govuk-pagination__item--current").inner_text().strip() == "5"
    assert page.locator(".govuk-pagination [rel=next]").get_attribute("href") == "?page=6"
    axe_check(page)
    screenshot(page, "gallery")
    page.set_viewport_size({"width": 375, "height": 800})
    axe_check(page)
    screenshot(page, "gallery-375")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page_problems(page) == []


def test_gallery_without_javascript(browser, live_server, axe_check, page_problems):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/gallery/?page=2")
        # Without JavaScript the page is still styled, and the navigation is visible (no menu button).
        assert page.locator("h1").evaluate("e => getComputedStyle(e).fontWeight") == "700"
        assert page.locator("#navigation").is_visible() or page.locator("#navigation li").count() == 0
        assert page.locator(".govuk-pagination [rel=prev]").get_attribute("href") == "?page=1"
    finally:
        context.close()


def test_error_pages_use_the_layout(live_server, page, axe_check, screenshot, page_problems):
    response = page.goto(live_server.url + "/no-such-page/")
    assert response.status == 404
    assert page.title() == "Page not found — coopgov"
    assert page.locator("h1").inner_text() == "Page not found"
    assert page.locator("h1").evaluate("e => getComputedStyle(e).fontWeight") == "700"
    axe_check(page)
    screenshot(page, "404")
    response = page.goto(live_server.url + "/forbidden/")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "You cannot see this page"
    axe_check(page)
    # Only the expected 403/404 document responses failed; no asset did.
    assert [p for p in page_problems(page) if "status of 40" not in p] == []


def test_no_font_files_are_fetched(live_server, page):
    """GDS Transport is only for GOV.UK: coopgov.css swaps it for the local Arial/Helvetica."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    assert not [url for url in requested if "/fonts/" in url or url.endswith((".woff", ".woff2"))]
    assert any(url.endswith("/static/govuk/govuk-frontend.min.css") for url in requested)
    assert any(url.endswith("/static/coopgov/init.js") for url in requested)
    assert any(url.endswith("/static/govuk/govuk-frontend.min.js") for url in requested)


def test_keyboard_skip_link_and_visible_focus(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.locator(".govuk-skip-link")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["height"] > 0  # shown when focused (it is visually hidden otherwise)
    page.keyboard.press("Enter")
    # govuk-frontend's SkipLink moves focus to <main> itself, so the next Tab starts there.
    expect(page.locator("main#main-content")).to_be_focused()

    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    service_name = page.locator(".govuk-service-navigation__service-name a")
    expect(service_name).to_be_focused()
    # The GOV.UK focus state: black text on yellow.
    assert service_name.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 221, 0)"


def test_print_stylesheet_drops_the_navigation(live_server, page):
    page.goto(live_server.url + "/gallery/")
    page.emulate_media(media="print")
    expect(page.locator(".coopgov-header nav")).to_be_hidden()
    expect(page.locator(".govuk-footer")).to_be_hidden()
    expect(page.locator(".govuk-pagination")).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".govuk-service-navigation__service-name")).to_be_visible()
