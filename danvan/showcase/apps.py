from django.apps import AppConfig


class ShowcaseConfig(AppConfig):
    name = "danvan.showcase"
    verbose_name = "Mô hình tiêu biểu (công khai)"
