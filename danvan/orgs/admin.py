from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Level, Membership, OrgUnit, UnitKind


@admin.register(OrgUnit)
class OrgUnitAdmin(TreeAdmin):
    form = movenodeform_factory(OrgUnit)
    list_display = ("name", "code", "level", "kind", "doc_family")
    list_filter = ("level", "kind", "doc_family")
    search_fields = ("name", "code", "doc_suffix")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "role", "title")
    list_filter = ("role",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__name", "unit__code")
    autocomplete_fields = ("unit",)
    raw_id_fields = ("user",)


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "rank")
    search_fields = ("name", "code")


@admin.register(UnitKind)
class UnitKindAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
