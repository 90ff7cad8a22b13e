"""Domain actions on organisations.  Each ``do_…`` function validates, writes, and audits."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify

from coopgov.apps.audit.services import model_snapshot, record_event

from .models import (
    Constituency,
    Grouping,
    GroupingMember,
    Organisation,
    OrganisationRole,
    Role,
    StakeholderClass,
)
from .presets import PRESETS

ORG_AUDIT_FIELDS = [
    "name",
    "kind",
    "sectors",
    "legal_form",
    "ownership_model",
    "asset_lock",
    "description",
    "area",
    "website",
    "is_public",
    "open_to_applications",
    "companies_house_number",
    "fca_society_number",
    "charity_number",
    "cqc_provider_id",
    "school_urn",
    "police_force_code",
]


@transaction.atomic
def do_create_organisation(
    *,
    actor: Any,
    name: str,
    kind: str,
    legal_form: str,
    ownership_model: str,
    sectors: list[str],
    apply_preset: bool = True,
    **fields: Any,
) -> Organisation:
    org = Organisation(name=name, kind=kind, legal_form=legal_form, ownership_model=ownership_model, **fields)
    org.set_sectors(sectors)
    base = slugify(name)[:190] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    org.slug = slug
    org.full_clean()
    org.save()
    if apply_preset:
        do_apply_class_preset(actor=actor, organisation=org, kind=kind, audit=False)
    record_event(
        actor=actor,
        action="organisation.create",
        organisation=org,
        obj=org,
        summary=f"Created organisation {org.name}",
        after=model_snapshot(org, ORG_AUDIT_FIELDS),
    )
    return org


@transaction.atomic
def do_update_organisation(*, actor: Any, organisation: Organisation, **changes: Any) -> Organisation:
    before = model_snapshot(organisation, ORG_AUDIT_FIELDS)
    sectors = changes.pop("sectors", None)
    for key, value in changes.items():
        setattr(organisation, key, value)
    if sectors is not None:
        organisation.set_sectors(list(sectors))
    organisation.full_clean()
    organisation.save()
    after = model_snapshot(organisation, ORG_AUDIT_FIELDS)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    record_event(
        actor=actor,
        action="organisation.update",
        organisation=organisation,
        obj=organisation,
        summary=f"Changed settings of {organisation.name}: {', '.join(changed) or 'no change'}",
        before={k: before[k] for k in changed},
        after=changed,
    )
    return organisation


def do_apply_class_preset(
    *, actor: Any, organisation: Organisation, kind: str, audit: bool = True
) -> list[StakeholderClass]:
    created: list[StakeholderClass] = []
    for position, preset in enumerate(PRESETS.get(kind, PRESETS["other"])):
        sc, was_created = StakeholderClass.objects.get_or_create(
            organisation=organisation,
            slug=slugify(preset.name),
            defaults={
                "name": preset.name,
                "description": preset.description,
                "voting_by_default": preset.voting,
                "minimum_age": preset.minimum_age,
                "position": position,
            },
        )
        if was_created:
            created.append(sc)
        for cpos, cname in enumerate(preset.constituencies):
            Constituency.objects.get_or_create(
                stakeholder_class=sc, slug=slugify(cname), defaults={"name": cname, "position": cpos}
            )
    if audit and created:
        record_event(
            actor=actor,
            action="classes.preset",
            organisation=organisation,
            obj=organisation,
            summary=f"Added preset classes: {', '.join(c.name for c in created)}",
        )
    return created


def do_add_stakeholder_class(
    *, actor: Any, organisation: Organisation, name: str, description: str = "", voting: bool = True
) -> StakeholderClass:
    sc = StakeholderClass(
        organisation=organisation,
        name=name,
        slug=slugify(name),
        description=description,
        voting_by_default=voting,
        position=organisation.stakeholder_classes.count(),
    )
    sc.full_clean()
    sc.save()
    record_event(
        actor=actor,
        action="classes.add",
        organisation=organisation,
        obj=sc,
        summary=f"Added stakeholder class {name}",
        after={"name": name, "voting": voting},
    )
    return sc


def do_add_constituency(
    *,
    actor: Any,
    stakeholder_class: StakeholderClass,
    name: str,
    postcode_districts: str = "",
    area_description: str = "",
) -> Constituency:
    c = Constituency(
        stakeholder_class=stakeholder_class,
        name=name,
        slug=slugify(name),
        postcode_districts=postcode_districts,
        area_description=area_description,
        position=stakeholder_class.constituencies.count(),
    )
    c.full_clean()
    c.save()
    record_event(
        actor=actor,
        action="constituency.add",
        organisation=stakeholder_class.organisation,
        obj=c,
        summary=f"Added constituency {name} to {stakeholder_class.name}",
        after={"name": name, "postcode_districts": postcode_districts},
    )
    return c


def do_grant_role(*, actor: Any, organisation: Organisation, user: Any, role: str) -> OrganisationRole:
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}")
    obj, created = OrganisationRole.objects.get_or_create(user=user, organisation=organisation, role=role)
    if created:
        record_event(
            actor=actor,
            action="role.grant",
            organisation=organisation,
            obj=obj,
            summary=f"Granted {obj.get_role_display()} to {user.email}",
            after={"user": user.email, "role": role},
        )
    return obj


def do_revoke_role(*, actor: Any, organisation: Organisation, user: Any, role: str) -> None:
    deleted, _ = OrganisationRole.objects.filter(user=user, organisation=organisation, role=role).delete()
    if deleted:
        record_event(
            actor=actor,
            action="role.revoke",
            organisation=organisation,
            summary=f"Revoked {role} from {user.email}",
            before={"user": user.email, "role": role},
        )


def do_create_grouping(
    *, actor: Any, name: str, kind: str, lead: Organisation | None = None, description: str = ""
) -> Grouping:
    g = Grouping(name=name, slug=slugify(name)[:200], kind=kind, lead=lead, description=description)
    g.full_clean()
    g.save()
    record_event(actor=actor, action="grouping.create", organisation=lead, obj=g, summary=f"Created {kind} {name}")
    return g


def do_join_grouping(*, actor: Any, grouping: Grouping, organisation: Organisation, role: str) -> GroupingMember:
    gm, _ = GroupingMember.objects.update_or_create(
        grouping=grouping, organisation=organisation, defaults={"role": role}
    )
    record_event(
        actor=actor,
        action="grouping.join",
        organisation=organisation,
        obj=gm,
        summary=f"{organisation.name} joined {grouping.name} as {role}",
    )
    return gm
