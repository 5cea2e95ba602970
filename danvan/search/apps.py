from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "danvan.search"
    verbose_name = "Tìm kiếm"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (keeps the index in step with every exemplar save)
