from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The pages every persona starts from: home, the tree, the error pages, the navigation."""

    name = "danvan.pages"
    verbose_name = "Trang chung"
