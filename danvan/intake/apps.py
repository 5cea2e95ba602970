from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "danvan.intake"
    verbose_name = "Nhập biểu mẫu"
