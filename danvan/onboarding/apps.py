from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "danvan.onboarding"
    verbose_name = "Đưa tỉnh vào hệ thống"
