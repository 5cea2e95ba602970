from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "danvan.api"
    verbose_name = "API"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from danvan.onboarding.accounts import deactivated

        from .tokens import revoke_on_deactivation, revoke_on_new_password

        post_save.connect(revoke_on_new_password, sender=get_user_model(), dispatch_uid="api-revoke-on-password")
        deactivated.connect(revoke_on_deactivation, dispatch_uid="api-revoke-on-deactivation")
