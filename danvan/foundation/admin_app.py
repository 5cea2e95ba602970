from django.contrib.admin.apps import AdminConfig


class DanvanAdminConfig(AdminConfig):
    """django.contrib.admin with the superuser-only site (danvan/foundation/admin_site.py)."""

    default_site = "danvan.foundation.admin_site.DanvanAdminSite"
