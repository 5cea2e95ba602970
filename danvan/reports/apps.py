from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "danvan.reports"
    verbose_name = "Báo cáo"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (keeps the tally in step with every exemplar save and subtree move)
