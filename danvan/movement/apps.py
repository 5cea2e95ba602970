from django.apps import AppConfig


class MovementConfig(AppConfig):
    name = "danvan.movement"
    verbose_name = "Đợt đăng ký"

    def ready(self) -> None:
        from danvan.exemplars import services

        from . import signals  # noqa: F401  (submissions' path copies follow their units when the tree moves)
        from .selectors import dossier_keeps, sent_dossier_lock

        services.EDIT_LOCKS.append(sent_dossier_lock)
        services.CHANGE_CHECKS.append(dossier_keeps)
