from django.apps import AppConfig


class ToolsConfig(AppConfig):
    name = "danvan.tools"
    label = "tools"
    verbose_name = "Công cụ phát triển"
