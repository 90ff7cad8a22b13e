from __future__ import annotations

import pytest

from coopgov.apps.providers.demo import load_demo_providers
from coopgov.apps.providers.models import Location, Provider

pytestmark = pytest.mark.django_db


def test_demo_register_covers_every_model_and_reloads():
    first = load_demo_providers()
    assert first.locations > 250 and not any(r.problems for r in first.reports)
    assert set(first.models) == {
        "for_profit",
        "not_for_profit",
        "cooperative",
        "multi_stakeholder_coop",
        "employee_owned",
        "local_authority",
        "nhs",
    }
    again = load_demo_providers()
    assert again.models == first.models
    assert Location.objects.count() == again.locations and Provider.objects.count() == again.providers
