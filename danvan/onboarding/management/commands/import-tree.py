from danvan.onboarding import services

from ._importer import ImportCommand


class Command(ImportCommand):
    help = "Nhập cây đơn vị từ tệp Excel .xlsx hoặc CSV: `danvan import-tree TỆP [--dry-run] [--json]`."
    preview_fn = staticmethod(services.preview_tree)
    apply_fn = staticmethod(services.apply_tree)
