from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "danvan.foundation"
    label = "core"  # the app label of its tables and migrations since the first release
    verbose_name = "Hệ thống"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.backends.signals import connection_created

        from .auth import forget_failures
        from .sharedcache import install

        connection_created.connect(install, dispatch_uid="danvan.sharedcache")
        user_logged_in.connect(forget_failures, dispatch_uid="danvan.forget_failures")
