from django.contrib import admin

from .models import (
    Digest,
    Notification,
    RegistrationRound,
    Reminder,
    Submission,
    SubmissionEvent,
    SubmissionItem,
)


@admin.register(RegistrationRound)
class RoundAdmin(admin.ModelAdmin):
    list_display = ("title", "issuer", "year", "deadline", "parent_round")
    list_filter = ("year",)
    search_fields = ("title", "issuer__name", "issuer__code")
    raw_id_fields = ("issuer", "parent_round", "root", "created_by")


class ItemInline(admin.TabularInline):
    model = SubmissionItem
    fk_name = "submission"
    raw_id_fields = ("exemplar", "via", "added_by")
    extra = 0


class EventInline(admin.TabularInline):
    model = SubmissionEvent
    readonly_fields = ("action", "by", "at", "comment", "on_behalf")
    extra = 0
    can_delete = False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("unit", "round", "status", "n_total", "is_late", "submitted_at")
    list_filter = ("status", "is_late", "round__year")
    search_fields = ("unit__name", "unit__code", "round__title")
    raw_id_fields = ("round", "root", "unit", "submitted_by", "reviewed_by")
    # Status changes only through the workflow (pages, API, CLI), never by editing the field here.
    readonly_fields = ("status", "version", "unit_path")
    inlines = [ItemInline, EventInline]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("submission", "kind", "key", "sent_at", "sent_by")
    list_filter = ("kind",)
    raw_id_fields = ("submission", "sent_by")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "text", "created_at", "read_at", "email_status", "emailed_at")
    list_filter = ("kind", "email_status")
    search_fields = ("user__username", "text")
    raw_id_fields = ("user", "actor", "submission", "exemplar", "digest")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(user=request.user)


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ("user", "day", "email", "count", "status", "sent_at")
    list_filter = ("status",)
    search_fields = ("user__username", "email")
    raw_id_fields = ("user",)
