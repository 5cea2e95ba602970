from django import forms
from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import Exemplar, Field, FieldCategory, Movement


class ExemplarAdminForm(forms.ModelForm):
    """Even a superuser's edit stores what the pages would: one-line names, sanitized content (the admin's
    form factory supplies the model and fields)."""

    def clean(self):
        super().clean()
        return services.clean_input(self.cleaned_data)


@admin.register(Exemplar)
class ExemplarAdmin(SimpleHistoryAdmin):
    form = ExemplarAdminForm
    list_display = ("name", "unit", "year", "field", "kind", "origin", "status", "deleted_at")
    list_filter = ("year", "kind", "origin", "status", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "unit__name", "unit__code", "address")
    raw_id_fields = ("unit", "source", "field")
    readonly_fields = ("created_at", "created_by", "updated_at", "updated_by", "deleted_at", "deleted_by", "version")
    actions = ["soft_delete", "restore"]

    def has_delete_permission(self, request, obj=None):
        # Hard delete is never offered: deletions stay recoverable.
        return False

    @admin.action(description="Xóa (có thể khôi phục) các mô hình đã chọn")
    def soft_delete(self, request, queryset):
        deleted = 0
        for ex in queryset:
            if reason := services.edit_lock(ex):
                messages.error(request, f"“{ex.name}”: {reason}")
                continue
            services.delete_exemplar(exemplar=ex, by=request.user)
            deleted += 1
        messages.success(request, f"Đã xóa {deleted} mô hình.")

    @admin.action(description="Khôi phục các mô hình đã chọn")
    def restore(self, request, queryset):
        for ex in queryset:
            services.restore_exemplar(exemplar=ex, by=request.user)
        messages.success(request, f"Đã khôi phục {queryset.count()} mô hình.")

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "category")
    list_filter = ("category",)
    search_fields = ("name", "owner__name")
    raw_id_fields = ("owner",)


@admin.register(FieldCategory)
class FieldCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "order")
    search_fields = ("name", "code")


@admin.register(Movement)
class MovementAdmin(admin.ModelAdmin):
    list_display = ("name", "period_start", "period_end")
    list_filter = ("period_start",)
    search_fields = ("name", "plans")
