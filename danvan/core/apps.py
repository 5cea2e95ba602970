from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "danvan.core"
    verbose_name = "Hệ thống"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .sharedcache import install

        connection_created.connect(install, dispatch_uid="danvan.sharedcache")
