from __future__ import annotations

from django.contrib import admin

from .models import Membership, MembershipRecord, Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    search_fields = ["full_name", "email"]
    list_display = ["full_name", "email"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["person", "organisation", "stakeholder_class", "status", "voting_rights"]
    list_filter = ["status", "organisation"]
    raw_id_fields = ["person"]
    search_fields = ["person__full_name", "member_number"]


@admin.register(MembershipRecord)
class MembershipRecordAdmin(admin.ModelAdmin[MembershipRecord]):
    list_display = ["membership", "effective_from", "status", "voting_rights"]
    raw_id_fields = ["membership"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
