"""Classification of CQC providers by ownership model, with evidence and an ordered rule list.

CQC's ``Provider Ownership Type`` is only the legal form (Organisation, Individual, Partnership,
NHS Body), so the model is derived from the registers. The checks run **in this order**; the
first that applies decides. Every other check that applies is kept as a *finding*; a finding
that points to a different model is a *conflict*, recorded on the result and marking it for
review (``needs_review``) — except a legal-form finding consistent with the decided model (an
employee-owned company limited by shares or by guarantee; see ``_COMPATIBLE_FORMS``).

0. ``OVERRIDE`` — an officer's :class:`Override` (model, reason, who). The automatic result is
   kept beside it (``automatic``), so the change can be audited.
1. ``NHS_BODY`` — CQC ``Provider Ownership Type`` is "NHS Body" → public (NHS). CQC registers
   NHS trusts and foundation trusts under that type (Health and Social Care Act 2008 s.10;
   NHS Act 2006 s.25, s.30); it outranks Companies House, where a trust cannot appear.
2. ``LOCAL_AUTHORITY`` — the provider's name is a council's (``… Council``, ``London Borough of
   …``, ``Royal Borough of …``, ``City of London Corporation``, ``Council of the Isles of
   Scilly``) and names no company form (Ltd, plc, CIC, LLP) → public (local authority). Councils
   are bodies corporate under the Local Government Act 1972 s.2, not companies, so no register
   number confirms this; the evidence is the CQC name.
3. ``REGISTERED_SOCIETY`` — the provider's number is a society on the FCA Mutuals Public Register
   with status Registered → co-operative / community benefit society (Co-operative and Community
   Benefit Societies Act 2014 s.2: a *co-operative society* is "a bona fide co-operative
   society"; a *community benefit society* carries on business "for the benefit of the
   community"). If the user's list marks it multi-stakeholder → multi-stakeholder co-operative.
4. ``REGISTERED_CHARITY`` — a charity with status Registered on the Charity Commission register,
   found by the CQC charity number or by its company number → not-for-profit (Charities Act 2011
   s.1: established for charitable purposes only).
5. ``EMPLOYEE_OWNED_LIST`` — the company is on the user's list of employee-owned businesses →
   employee-owned (or multi-stakeholder co-operative when the list says so). The list is the
   user's evidence, so it ranks after the statutory registers above.
6. ``NOT_FOR_PROFIT_FORM`` — Companies House category is a community interest company (asset
   lock, Companies (Audit, Investigations and Community Enterprise) Act 2004 s.26, s.30), a
   company limited by guarantee without share capital, or a charitable incorporated
   organisation → not-for-profit; "Registered Society" / "Industrial and Provident Society"
   not found on the FCA extract → co-operative / community benefit society.
7. ``COMPANY_WITH_SHARES`` — any other live Companies House company (private or public limited
   by shares, unlimited, LLP, limited partnership, overseas company) → for-profit.
8. ``STATUTORY_NAME_ENDING`` — when no register entry decided, the provider's name ends as the
   law requires for its form: "community interest company" / "CIC" (Companies (Audit,
   Investigations and Community Enterprise) Act 2004 s.33) → not-for-profit; "public limited
   company" / "PLC" (Companies Act 2006 s.58) → for-profit. ("Limited" alone decides nothing:
   companies limited by shares and by guarantee both use it.)
9. ``SOLE_TRADER_OR_PARTNERSHIP`` — CQC ownership type Individual or Partnership → for-profit.
10. ``NO_EVIDENCE`` → unknown.

A company in liquidation, administration or receivership still decides by its form, with the
insolvency recorded as an issue (it matters to commissioners). Register records that are no
longer live do not decide: a **dissolved** company (CH status
Dissolved, Converted/Closed, Removed), a **deregistered** society or a **removed** charity is
recorded as an *issue* (CQC still lists a provider whose register entry has ended) and the
checks continue.

Flags on the result: ``chain`` when the provider or its brand runs at least
``chain_threshold`` locations (CQC's provider/brand group-size fields or the count of its
locations in the directory); ``private_equity`` when the provider or its brand is on a
caller-supplied list (CQC publishes no ownership-of-capital data, so this flag needs one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from coopgov.ownership._model import (
    CharityRecord,
    CompanyRecord,
    EmployeeOwnedRecord,
    Location,
    OwnershipModel,
    ProviderFacts,
    SocietyRecord,
    normalise_company_number,
)

RULE_ORDER: tuple[str, ...] = (
    "OVERRIDE",
    "NHS_BODY",
    "LOCAL_AUTHORITY",
    "REGISTERED_SOCIETY",
    "REGISTERED_CHARITY",
    "EMPLOYEE_OWNED_LIST",
    "NOT_FOR_PROFIT_FORM",
    "COMPANY_WITH_SHARES",
    "STATUTORY_NAME_ENDING",
    "SOLE_TRADER_OR_PARTNERSHIP",
    "NO_EVIDENCE",
)
"""The checks in the order they are applied (see the module text)."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """One fact from one register: which register, which field, which value, which record."""

    register: str
    field: str
    value: str
    record: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """A check that applied: the rule, the model it points to, and its evidence."""

    rule: str
    model: OwnershipModel
    evidence: tuple[Evidence, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Override:
    """An officer's classification with a reason (the platform audits who and when)."""

    provider_id: str
    model: OwnershipModel
    reason: str
    by: str
    at: datetime | None = None

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError(f"override of {self.provider_id}: a reason is required")
        if not self.by.strip():
            raise ValueError(f"override of {self.provider_id}: who made it is required")


@dataclass(frozen=True, slots=True)
class Classification:
    provider_id: str
    provider_name: str
    model: OwnershipModel
    rule: str
    """The rule that decided (one of :data:`RULE_ORDER`)."""
    evidence: tuple[Evidence, ...]
    """The deciding rule's evidence."""
    findings: tuple[Finding, ...]
    """Every check that applied, in rule order (the deciding one first)."""
    conflicts: tuple[Finding, ...]
    """Findings that point to a different model from the one decided."""
    issues: tuple[str, ...]
    flags: frozenset[str]
    flag_evidence: tuple[Evidence, ...]
    override: Override | None = None
    automatic: Classification | None = None
    """Before an override: the automatic result."""
    rule_order: tuple[str, ...] = RULE_ORDER

    @property
    def needs_review(self) -> bool:
        return bool(self.conflicts or self.issues)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description: model, rule, evidence, findings, conflicts, issues, flags,
        override (with the automatic result it replaced)."""

        def ev(items: tuple[Evidence, ...]) -> list[dict[str, str]]:
            return [{"register": e.register, "field": e.field, "value": e.value, "record": e.record} for e in items]

        def fd(items: tuple[Finding, ...]) -> list[dict[str, Any]]:
            return [{"rule": f.rule, "model": f.model.value, "evidence": ev(f.evidence), "note": f.note} for f in items]

        out: dict[str, Any] = {
            "provider_id": self.provider_id,
            "provider_name": self.provider_name,
            "model": self.model.value,
            "model_label": self.model.label,
            "rule": self.rule,
            "evidence": ev(self.evidence),
            "findings": fd(self.findings),
            "conflicts": fd(self.conflicts),
            "issues": list(self.issues),
            "flags": sorted(self.flags),
            "flag_evidence": ev(self.flag_evidence),
            "needs_review": self.needs_review,
            "rule_order": list(self.rule_order),
            "explanation": self.explain(),
        }
        if self.override is not None:
            o = self.override
            out["override"] = {
                "model": o.model.value,
                "reason": o.reason,
                "by": o.by,
                "at": o.at.isoformat() if o.at else None,
            }
            out["automatic"] = self.automatic.to_dict() if self.automatic is not None else None
        return out

    def explain(self) -> str:
        """One paragraph: the model, the rule, and the evidence, for a provider page."""
        ev = "; ".join(f"{e.register} {e.field} = {e.value!r}" for e in self.evidence) or "none"
        text = f"{self.model.label} by rule {self.rule} (evidence: {ev})"
        if self.override is not None:
            text += f"; overridden by {self.override.by}: {self.override.reason}"
        if self.conflicts:
            text += "; conflicting: " + "; ".join(f"{c.rule} says {c.model.label}" for c in self.conflicts)
        if self.issues:
            text += "; issues: " + "; ".join(self.issues)
        return text


_INSOLVENT = re.compile(r"liquidation|administration|receiver|insolven|voluntary arrangement", re.IGNORECASE)
_DEAD_COMPANY = {"dissolved", "converted/closed", "removed", "closed"}
_SHARE_FORMS = re.compile(
    r"private limited company|public limited company|unlimited|limited liability partnership|"
    r"limited partnership|overseas|european public limited|investment company",
    re.IGNORECASE,
)
_GUARANTEE_NSC = re.compile(r"(ltd by guar|lbg).*nsc|guarantee.*no share capital", re.IGNORECASE)
_LA_NAME = re.compile(
    r"\b(council|london borough of|royal borough of|city of london corporation|"
    r"metropolitan borough)\b",
    re.IGNORECASE,
)
_COMPANY_WORDS = re.compile(r"\b(ltd|limited|plc|cic|llp|c\.i\.c\.)\b", re.IGNORECASE)
_CIC_NAME = re.compile(r"\b(community interest company|c\.?i\.?c\.?)\s*$", re.IGNORECASE)
_PLC_NAME = re.compile(r"\b(public limited company|p\.?l\.?c\.?)\s*$", re.IGNORECASE)
_SOCIETY_NUMBER = re.compile(r"^(IP|RS|SP|NP|NI)?0*(\d+)(R|RS|S)?$")
_BAND_LOWER = re.compile(r"(\d+)")


def society_key(number: str) -> str | None:
    """Key joining an FCA society number (``"8812R"``, ``"2345RS"``) with the Companies House form
    (``"RS008812"``, ``"IP008812"``, ``"SP002345"``). ``None`` when not a society number."""
    t = re.sub(r"\s+", "", number).upper()
    m = _SOCIETY_NUMBER.match(t)
    if not m or (m.group(1) is None and m.group(3) is None):
        return None
    scottish = m.group(1) == "SP" or m.group(3) == "RS"
    ni = m.group(1) in ("NP", "NI")
    return ("S" if scottish else "N" if ni else "E") + m.group(2)


@dataclass(slots=True)
class Registers:
    """The registers a classification consults, indexed for joining."""

    companies: dict[str, CompanyRecord] = field(default_factory=dict)
    societies: dict[str, SocietyRecord] = field(default_factory=dict)
    charities: dict[str, CharityRecord] = field(default_factory=dict)
    charities_by_company: dict[str, CharityRecord] = field(default_factory=dict)
    employee_owned: dict[str, EmployeeOwnedRecord] = field(default_factory=dict)
    private_equity: dict[str, str] = field(default_factory=dict)
    """Provider ID, provider name or brand name (case-folded) → source of the PE-backing fact."""

    @classmethod
    def build(
        cls,
        companies: Iterable[CompanyRecord] = (),
        societies: Iterable[SocietyRecord] = (),
        charities: Iterable[CharityRecord] = (),
        employee_owned: Iterable[EmployeeOwnedRecord] = (),
        private_equity: Mapping[str, str] | None = None,
    ) -> Registers:
        reg = cls()
        for c in companies:
            reg.companies[c.number] = c
        for s in societies:
            key = society_key(s.number)
            if key is not None:
                reg.societies[key] = s
        for ch in charities:
            reg.charities[ch.number] = ch
            if ch.company_number:
                reg.charities_by_company[ch.company_number] = ch
        for e in employee_owned:
            reg.employee_owned[e.company_number] = e
        reg.private_equity = {k.casefold(): v for k, v in (private_equity or {}).items()}
        return reg


@dataclass(slots=True)
class _ProviderAcc:
    name: str = ""
    cqc_type: str = ""
    number: str = ""
    charity: str = ""
    band: str = ""
    brands: set[str] = field(default_factory=set)
    seen: int = 0
    stated: int = 0


def providers_from_locations(locations: Iterable[Location]) -> dict[str, ProviderFacts]:
    """Gather what the CQC directory says about each provider from its locations (the first
    non-blank value of each field; brands united; the number of locations is the larger of the
    count seen and CQC's own "number of locations")."""
    acc: dict[str, _ProviderAcc] = {}
    for loc in locations:
        if not loc.provider_id:
            continue
        a = acc.get(loc.provider_id)
        if a is None:
            a = acc[loc.provider_id] = _ProviderAcc()
        a.name = a.name or loc.provider_name
        a.cqc_type = a.cqc_type or loc.provider_ownership_type
        a.number = a.number or loc.companies_house_number
        a.charity = a.charity or loc.charity_number
        a.band = a.band or loc.provider_group_size
        if loc.brand_name:
            a.brands.add(loc.brand_name)
        a.seen += 1
        if loc.provider_locations is not None:
            a.stated = max(a.stated, loc.provider_locations)
    return {
        pid: ProviderFacts(
            provider_id=pid,
            name=a.name,
            cqc_ownership_type=a.cqc_type,
            companies_house_number=a.number,
            charity_number=a.charity,
            brand_names=frozenset(a.brands),
            group_size=a.band,
            number_of_locations=max(a.seen, a.stated),
        )
        for pid, a in acc.items()
    }


def merge_facts(a: ProviderFacts, b: ProviderFacts) -> ProviderFacts:
    """Fill ``a``'s blanks from ``b`` (e.g. directory facts completed by an API provider record)."""
    return replace(
        a,
        name=a.name or b.name,
        cqc_ownership_type=a.cqc_ownership_type or b.cqc_ownership_type,
        companies_house_number=a.companies_house_number or b.companies_house_number,
        charity_number=a.charity_number or b.charity_number,
        brand_names=a.brand_names | b.brand_names,
        group_size=a.group_size or b.group_size,
        number_of_locations=max(a.number_of_locations, b.number_of_locations),
    )


def _rec(r: CompanyRecord | SocietyRecord | CharityRecord | EmployeeOwnedRecord) -> str:
    return f"{r.source}:{r.line}" if r.source else ""


def _findings(p: ProviderFacts, reg: Registers, issues: list[str]) -> list[Finding]:
    found: list[Finding] = []
    cqc_type = p.cqc_ownership_type.strip()
    cqc_ev = Evidence("CQC", "Provider Ownership Type", cqc_type, p.provider_id)
    number = normalise_company_number(p.companies_house_number) if p.companies_house_number else ""
    company = reg.companies.get(number) if number else None
    company_live = company is not None and company.status.casefold() not in _DEAD_COMPANY
    if company is not None and not company_live:
        when = f" on {company.dissolution_date}" if company.dissolution_date else ""
        issues.append(
            f"Companies House lists company {company.number} as {company.status}{when}, "
            "but CQC still registers the provider"
        )
    if company is not None and company_live and _INSOLVENT.search(company.status):
        issues.append(f"Companies House lists company {company.number} as {company.status}")
    eo = reg.employee_owned.get(number) if number else None

    # 1. NHS body
    if cqc_type.casefold() == "nhs body":
        found.append(Finding("NHS_BODY", OwnershipModel.NHS, (cqc_ev,)))
    # 2. local authority
    if _LA_NAME.search(p.name) and not _COMPANY_WORDS.search(p.name) and not number:
        found.append(
            Finding(
                "LOCAL_AUTHORITY",
                OwnershipModel.LOCAL_AUTHORITY,
                (Evidence("CQC", "Provider Name", p.name, p.provider_id),),
            )
        )
    # 3. registered society
    skey = society_key(number) if number else None
    society = reg.societies.get(skey) if skey else None
    if society is not None:
        ev: tuple[Evidence, ...] = (
            Evidence("FCA Mutuals Public Register", "Society Type", society.society_type, _rec(society)),
            Evidence("FCA Mutuals Public Register", "Society Status", society.status, _rec(society)),
        )
        if society.status.casefold() != "registered":
            issues.append(f"FCA lists society {society.number} as {society.status}")
        else:
            model = OwnershipModel.COOPERATIVE
            note = (
                "community benefit society"
                if "benefit" in society.society_type.casefold()
                else ("co-operative society")
            )
            if eo is not None and eo.model is OwnershipModel.MULTI_STAKEHOLDER_COOP:
                model = OwnershipModel.MULTI_STAKEHOLDER_COOP
                ev = (*ev, Evidence("user list", "model", eo.model.label, _rec(eo)))
                note = "multi-stakeholder co-operative society"
            found.append(Finding("REGISTERED_SOCIETY", model, ev, note))
    # 4. registered charity
    charity = reg.charities.get(p.charity_number) if p.charity_number else None
    via = "registered_charity_number"
    if charity is None and number:
        charity = reg.charities_by_company.get(number)
        via = "charity_company_registration_number"
    if charity is not None:
        if charity.status.casefold() != "registered":
            issues.append(f"Charity Commission lists charity {charity.number} as {charity.status}")
        else:
            found.append(
                Finding(
                    "REGISTERED_CHARITY",
                    OwnershipModel.NOT_FOR_PROFIT,
                    (
                        Evidence(
                            "Charity Commission",
                            via,
                            charity.number if via.startswith("reg") else number,
                            _rec(charity),
                        ),
                        Evidence("Charity Commission", "charity_registration_status", charity.status, _rec(charity)),
                    ),
                )
            )
    # 5. employee-owned list
    if eo is not None:
        found.append(
            Finding(
                "EMPLOYEE_OWNED_LIST",
                eo.model,
                (Evidence("user list", "company_number", eo.company_number, _rec(eo)),),
                eo.source_note,
            )
        )
    # 6, 7. Companies House form
    if company is not None and company_live:
        cat = company.category
        ev1 = (Evidence("Companies House", "CompanyCategory", cat, _rec(company)),)
        low = cat.casefold()
        if "community interest" in low or _GUARANTEE_NSC.search(cat) or "charitable incorporated" in low:
            found.append(Finding("NOT_FOR_PROFIT_FORM", OwnershipModel.NOT_FOR_PROFIT, ev1))
        elif "registered society" in low or "industrial and provident" in low:
            found.append(
                Finding("NOT_FOR_PROFIT_FORM", OwnershipModel.COOPERATIVE, ev1, "society form, not on the FCA extract")
            )
        elif _SHARE_FORMS.search(cat):
            found.append(Finding("COMPANY_WITH_SHARES", OwnershipModel.FOR_PROFIT, ev1))
        else:
            issues.append(f"Companies House category {cat!r} is not one coopgov classifies")
    elif (
        number
        and company is None
        and reg.companies
        and not any(f.rule in ("REGISTERED_SOCIETY", "REGISTERED_CHARITY") for f in found)
    ):
        issues.append(f"company number {number} not found in the Companies House data supplied")
    # 8. statutory name endings
    name_ev = (Evidence("CQC", "Provider Name", p.name, p.provider_id),)
    if _CIC_NAME.search(p.name):
        found.append(Finding("STATUTORY_NAME_ENDING", OwnershipModel.NOT_FOR_PROFIT, name_ev, "name ends CIC"))
    elif _PLC_NAME.search(p.name):
        found.append(Finding("STATUTORY_NAME_ENDING", OwnershipModel.FOR_PROFIT, name_ev, "name ends PLC"))
    # 9. individual / partnership
    if cqc_type.casefold() in ("individual", "partnership"):
        found.append(Finding("SOLE_TRADER_OR_PARTNERSHIP", OwnershipModel.FOR_PROFIT, (cqc_ev,)))
    return found


_COMPATIBLE_FORMS: dict[OwnershipModel, frozenset[str]] = {
    OwnershipModel.EMPLOYEE_OWNED: frozenset(
        {"COMPANY_WITH_SHARES", "NOT_FOR_PROFIT_FORM", "SOLE_TRADER_OR_PARTNERSHIP", "STATUTORY_NAME_ENDING"}
    ),
    OwnershipModel.MULTI_STAKEHOLDER_COOP: frozenset(
        {"COMPANY_WITH_SHARES", "NOT_FOR_PROFIT_FORM", "STATUTORY_NAME_ENDING"}
    ),
}
"""Legal-form findings consistent with a model decided by an earlier check, hence not conflicts:
an employee-owned business is usually a company with shares held by an employee ownership trust
(Taxation of Chargeable Gains Act 1992 s.236H–236U, inserted by Finance Act 2014 Sch. 37) or by
employees directly, or a company limited by guarantee (public-service mutuals); a
multi-stakeholder co-operative may be a company."""


def _conflicts_with(finding: Finding, model: OwnershipModel) -> bool:
    if finding.model is model:
        return False
    return finding.rule not in _COMPATIBLE_FORMS.get(model, frozenset())


def _band_lower(text: str) -> int | None:
    m = _BAND_LOWER.search(text)
    return int(m.group(1)) if m else None


def _flags(
    p: ProviderFacts, reg: Registers, chain_threshold: int, brand_sizes: Mapping[str, int]
) -> tuple[frozenset[str], tuple[Evidence, ...]]:
    flags: set[str] = set()
    ev: list[Evidence] = []
    band = _band_lower(p.group_size) if p.group_size else None
    if band is not None and (band >= chain_threshold or p.group_size.casefold().startswith("more than")):
        flags.add("chain")
        ev.append(Evidence("CQC", "Provider characteristic - national group size", p.group_size, p.provider_id))
    elif p.number_of_locations >= chain_threshold:
        flags.add("chain")
        ev.append(Evidence("CQC", "locations of the provider", str(p.number_of_locations), p.provider_id))
    for brand in sorted(p.brand_names):
        if brand_sizes.get(brand, 0) >= chain_threshold and "chain" not in flags:
            flags.add("chain")
            ev.append(Evidence("CQC", "Brand Name (locations)", f"{brand} ({brand_sizes[brand]})", p.provider_id))
    for key in (p.provider_id, p.name, *sorted(p.brand_names)):
        src = reg.private_equity.get(key.casefold()) if key else None
        if src is not None:
            flags.add("private_equity")
            ev.append(Evidence("private-equity list", "provider or brand", key, src))
            break
    return frozenset(flags), tuple(ev)


def classify_provider(
    provider: ProviderFacts,
    registers: Registers,
    *,
    override: Override | None = None,
    chain_threshold: int = 10,
    brand_sizes: Mapping[str, int] | None = None,
) -> Classification:
    """Classify one provider (see the module text for the order of checks)."""
    issues: list[str] = []
    found = _findings(provider, registers, issues)
    flags, flag_ev = _flags(provider, registers, chain_threshold, brand_sizes or {})
    if found:
        decided = found[0]
        model, rule, evidence = decided.model, decided.rule, decided.evidence
    else:
        model, rule, evidence = OwnershipModel.UNKNOWN, "NO_EVIDENCE", ()
    conflicts = tuple(f for f in found[1:] if _conflicts_with(f, model))
    result = Classification(
        provider_id=provider.provider_id,
        provider_name=provider.name,
        model=model,
        rule=rule,
        evidence=evidence,
        findings=tuple(found),
        conflicts=conflicts,
        issues=tuple(issues),
        flags=flags,
        flag_evidence=flag_ev,
    )
    if override is None:
        return result
    if override.provider_id != provider.provider_id:
        raise ValueError(f"override is for provider {override.provider_id}, not {provider.provider_id}")
    ov_ev = Evidence("override", "reason", override.reason, override.by)
    return replace(
        result,
        model=override.model,
        rule="OVERRIDE",
        evidence=(ov_ev,),
        conflicts=tuple(f for f in found if _conflicts_with(f, override.model)),
        override=override,
        automatic=result,
    )


def classify_providers(
    providers: Mapping[str, ProviderFacts] | Iterable[ProviderFacts],
    registers: Registers,
    overrides: Iterable[Override] = (),
    *,
    chain_threshold: int = 10,
) -> dict[str, Classification]:
    """Classify many providers; ``overrides`` are matched by provider ID (the last one wins)."""
    items = list(providers.values()) if isinstance(providers, Mapping) else list(providers)
    by_id = {o.provider_id: o for o in overrides}
    unknown = set(by_id) - {p.provider_id for p in items}
    if unknown:
        raise ValueError(f"override for unknown provider(s): {', '.join(sorted(unknown))}")
    brand_sizes: dict[str, int] = {}
    for p in items:
        for b in p.brand_names:
            brand_sizes[b] = brand_sizes.get(b, 0) + p.number_of_locations
    return {
        p.provider_id: classify_provider(
            p,
            registers,
            override=by_id.get(p.provider_id),
            chain_threshold=chain_threshold,
            brand_sizes=brand_sizes,
        )
        for p in items
    }
