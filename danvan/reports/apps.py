from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "danvan.reports"
    verbose_name = "Báo cáo"

    def ready(self) -> None:
        from danvan.movement.models import RoundKind
        from danvan.movement.round_kinds import register_shortfall

        from . import signals  # noqa: F401  (keeps the tally in step with every exemplar save and subtree move)
        from .services import report_shortfall

        register_shortfall(RoundKind.REPORT, report_shortfall)
