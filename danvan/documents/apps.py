from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "danvan.documents"
    verbose_name = "Văn bản"
