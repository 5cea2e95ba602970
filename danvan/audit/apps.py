from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit log: who changed what, when, in the admin's subtree (reads the other apps' history)."""

    name = "danvan.audit"
    verbose_name = "Nhật ký thay đổi"
