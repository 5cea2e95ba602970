from django.apps import AppConfig


class MovementConfig(AppConfig):
    name = "danvan.movement"
    verbose_name = "Đợt đăng ký"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (submissions' path copies follow their units when the tree moves)
