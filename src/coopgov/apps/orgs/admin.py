from __future__ import annotations

from django.contrib import admin

from .models import (
    Constituency,
    Grouping,
    GroupingMember,
    Organisation,
    OrganisationRole,
    StakeholderClass,
)


class StakeholderClassInline(admin.TabularInline[StakeholderClass, Organisation]):
    model = StakeholderClass
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "kind", "legal_form", "ownership_model"]
    list_filter = ["kind", "legal_form", "ownership_model"]
    search_fields = ["name", "area"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StakeholderClassInline]


admin.site.register(Constituency)
admin.site.register(Grouping)
admin.site.register(GroupingMember)
admin.site.register(OrganisationRole)
