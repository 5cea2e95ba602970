from django.apps import AppConfig


class ExemplarsConfig(AppConfig):
    name = "danvan.exemplars"
    verbose_name = "Mô hình, điển hình"
