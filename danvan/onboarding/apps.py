from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "danvan.onboarding"
    verbose_name = "Đưa tỉnh vào hệ thống"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_save

        from .accounts import watch_user_rows

        pre_save.connect(watch_user_rows, sender=get_user_model(), dispatch_uid="onboarding-watch-user-rows")
