from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "danvan.orgs"
    verbose_name = "Tổ chức và người dùng"

    def ready(self) -> None:
        from django.core import checks

        from . import codes

        checks.register(codes.check_codes, checks.Tags.database)
