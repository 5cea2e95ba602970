from django.contrib import admin

from .models import LetterDefaults


@admin.register(LetterDefaults)
class LetterDefaultsAdmin(admin.ModelAdmin):
    list_display = ("unit", "signer_name", "signer_title", "authority")
    search_fields = ("unit__name", "unit__code", "signer_name")
    raw_id_fields = ("unit",)
