"""Email sign-in with argon2 hashes, login throttling and password reset."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from .factories import make_user

LOGIN = "accounts:login"


@pytest.mark.django_db
def test_sign_in_with_email_case_insensitively(client) -> None:  # type: ignore[no-untyped-def]
    make_user("Ada@Example.org")
    response = client.post(reverse(LOGIN), {"username": "ADA@example.org", "password": "correct horse battery staple"})
    assert response.status_code == 302
    assert client.get(reverse("site:my-memberships")).status_code == 200


@pytest.mark.django_db
def test_wrong_password_shows_an_error_summary(client) -> None:  # type: ignore[no-untyped-def]
    make_user("bo@example.org")
    response = client.post(reverse(LOGIN), {"username": "bo@example.org", "password": "nope"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "Enter a correct email address and password" in page
    assert "<title>Error: " in page


def test_passwords_are_hashed_with_argon2() -> None:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"]):
        assert make_password("correct horse battery staple").startswith("argon2$argon2id$")


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 3
    make_user("cy@example.org")
    for _ in range(3):
        client.post(reverse(LOGIN), {"username": "cy@example.org", "password": "wrong"})
    response = client.post(reverse(LOGIN), {"username": "cy@example.org", "password": "correct horse battery staple"})
    assert response.status_code == 429
    assert client.get(reverse("site:my-memberships")).status_code == 302  # still signed out


@pytest.mark.django_db
def test_password_reset_sends_a_single_use_link(client) -> None:  # type: ignore[no-untyped-def]
    make_user("di@example.org")
    response = client.post(reverse("accounts:password_reset"), {"email": "di@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in page.content.decode()
    set_url = page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "a much better passphrase", "new_password2": "a much better passphrase"})
    assert done.status_code == 302
    signed_in = client.post(reverse(LOGIN), {"username": "di@example.org", "password": "a much better passphrase"})
    assert signed_in.status_code == 302
    # The link does not work twice.
    assert "This link has expired" in client.get(link.group(1), follow=True).content.decode()


@pytest.mark.django_db
def test_unknown_email_gets_the_same_answer_and_no_mail(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and len(mail.outbox) == 0
