from django.contrib.admin.apps import AdminConfig


class DanvanAdminConfig(AdminConfig):
    """django.contrib.admin with the superuser-only site (danvan/core/admin_site.py)."""

    default_site = "danvan.core.admin_site.DanvanAdminSite"
