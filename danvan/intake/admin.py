from django.contrib import admin

from .models import ImportBatch, ImportFile, ImportRow


class FileInline(admin.TabularInline):
    model = ImportFile
    fields = ("filename", "sha256", "size")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("unit", "year", "state", "created_by", "created_at", "confirmed_at")
    list_filter = ("state", "year")
    search_fields = ("unit__name", "unit__code")
    raw_id_fields = ("unit", "submission", "round", "created_by", "confirmed_by")
    inlines = [FileInline]


@admin.register(ImportRow)
class ImportRowAdmin(admin.ModelAdmin):
    list_display = ("__str__", "file", "position", "exemplar")
    raw_id_fields = ("file", "exemplar")
