"""Object-level permissions: what a user may do in one organisation.

Every view and API endpoint asks :func:`has_capability` (or :func:`require_capability`) with the
organisation in hand; nothing private of an organisation is shown to someone without a role in it.
Superusers may do everything.  Platform roles (commissioner, regulator, police) see cross-organisation
public reports, never private registers.
"""

from __future__ import annotations

import enum
from typing import Any

from django.core.exceptions import PermissionDenied

from .models import Organisation, OrganisationRole, Role


class Capability(enum.StrEnum):
    VIEW_REGISTER = "view-register"
    MANAGE_MEMBERS = "manage-members"
    VIEW_AUDIT = "view-audit"
    MANAGE_ROLES = "manage-roles"
    MANAGE_SETTINGS = "manage-settings"
    RUN_ELECTIONS = "run-elections"
    RUN_BUDGETS = "run-budgets"
    VIEW_ENGAGEMENT = "view-engagement"


_GRANTS: dict[str, frozenset[Capability]] = {
    Role.MEMBER: frozenset(),
    Role.MEMBERSHIP_SECRETARY: frozenset(
        {Capability.VIEW_REGISTER, Capability.MANAGE_MEMBERS, Capability.VIEW_AUDIT, Capability.VIEW_ENGAGEMENT}
    ),
    Role.RETURNING_OFFICER: frozenset(
        {Capability.VIEW_REGISTER, Capability.RUN_ELECTIONS, Capability.VIEW_AUDIT, Capability.VIEW_ENGAGEMENT}
    ),
    Role.BOARD_MEMBER: frozenset({Capability.VIEW_AUDIT, Capability.VIEW_ENGAGEMENT}),
    Role.ADMINISTRATOR: frozenset(Capability),
}


def roles_for(user: Any, organisation: Organisation | int) -> frozenset[str]:
    """The roles ``user`` holds in ``organisation`` (cached on the user object for the request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    cache: dict[int, frozenset[str]] | None = getattr(user, "_coopgov_roles", None)
    if cache is None:
        cache = {}
        user._coopgov_roles = cache
    if org_id not in cache:
        cache[org_id] = frozenset(
            OrganisationRole.objects.filter(user=user, organisation_id=org_id).values_list("role", flat=True)
        )
    return cache[org_id]


def capabilities_for(user: Any, organisation: Organisation | int) -> frozenset[Capability]:
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return frozenset(Capability)
    caps: set[Capability] = set()
    for role in roles_for(user, organisation):
        caps |= _GRANTS.get(role, frozenset())
    return frozenset(caps)


def has_capability(user: Any, organisation: Organisation | int, capability: Capability) -> bool:
    return capability in capabilities_for(user, organisation)


def require_capability(user: Any, organisation: Organisation | int, capability: Capability) -> None:
    if not has_capability(user, organisation, capability):
        raise PermissionDenied(f"You do not have permission to {capability.value.replace('-', ' ')} here.")


def officer_organisation_ids(user: Any) -> list[int]:
    """Organisations where ``user`` holds any officer role."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(
        OrganisationRole.objects.filter(user=user)
        .exclude(role=Role.MEMBER)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
