from danvan.onboarding import tree_import

from ._importer import ImportCommand


class Command(ImportCommand):
    help = "Nhập cây đơn vị từ tệp Excel .xlsx hoặc CSV: `danvan import-tree TỆP [--dry-run] [--json]`."
    preview_fn = staticmethod(tree_import.preview_tree)
    apply_fn = staticmethod(tree_import.apply_tree)
