"""Preset stakeholder classes and constituencies for each kind of organisation.

The presets follow the examples in the programme: a home-care co-operative has worker,
care-recipient, family-carer and community members; an NHS foundation trust has public (by area),
patient and staff constituencies (NHS Act 2006, Sch. 7 para 3); a co-operative school trust has
parents, staff, pupils and community organisations; a Sure Start community mutual has parents and
local residents; a supply-teacher co-operative has teacher members and client schools.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import OrganisationKind


@dataclass(frozen=True)
class ClassPreset:
    name: str
    description: str = ""
    voting: bool = True
    minimum_age: int | None = None
    constituencies: tuple[str, ...] = field(default_factory=tuple)


PRESETS: dict[str, tuple[ClassPreset, ...]] = {
    OrganisationKind.CARE_COOPERATIVE: (
        ClassPreset("Care workers", "People employed by the co-operative to provide care"),
        ClassPreset("People receiving care", "People who receive care from the co-operative"),
        ClassPreset("Family carers", "Family members and unpaid carers of people receiving care"),
        ClassPreset("Community members", "People and organisations in the area the co-operative serves"),
    ),
    OrganisationKind.NHS_FOUNDATION_TRUST: (
        ClassPreset("Public", "People living in the trust's area", minimum_age=16, constituencies=("Area 1",)),
        ClassPreset("Patients and carers", "People who have used the trust's services, and their carers"),
        ClassPreset("Staff", "People employed by the trust", constituencies=("Clinical staff", "Non-clinical staff")),
    ),
    OrganisationKind.COOPERATIVE_SCHOOL_TRUST: (
        ClassPreset("Parents and carers", "Parents and carers of pupils"),
        ClassPreset("Staff", "Teaching and support staff"),
        ClassPreset("Pupils", "Pupils of the trust's schools", voting=False),
        ClassPreset("Community organisations", "Local organisations partnered with the trust"),
    ),
    OrganisationKind.COOPERATIVE_SCHOOL: (
        ClassPreset("Parents and carers"),
        ClassPreset("Staff"),
        ClassPreset("Pupils", voting=False),
        ClassPreset("Community organisations"),
    ),
    OrganisationKind.COMMUNITY_MUTUAL: (
        ClassPreset("Parents", "Parents and carers using the centre"),
        ClassPreset("Local residents", "People living in the centre's area"),
        ClassPreset("Staff"),
    ),
    OrganisationKind.SUPPLY_TEACHER_COOPERATIVE: (
        ClassPreset("Teacher members", "Supply teachers who own the co-operative"),
        ClassPreset("Client schools", "Schools that book through the co-operative"),
    ),
    OrganisationKind.COMMUNITY_SAFETY: (
        ClassPreset("Residents", "People living in the partnership's area", minimum_age=16),
        ClassPreset("Businesses", "Businesses in the area"),
        ClassPreset("Partner organisations", "Police, council, fire service and voluntary partners"),
    ),
    OrganisationKind.POLICE_PB_UNIT: (
        ClassPreset("Residents", "People living in the force area", minimum_age=16),
        ClassPreset("Community groups"),
    ),
    OrganisationKind.OTHER: (ClassPreset("Members"),),
}
