from django.db.models.signals import post_save
from django.dispatch import receiver
from treebeard.mp_tree import path_updated

from danvan.exemplars.models import Exemplar
from danvan.orgs.models import OrgUnit

from .index import index_exemplar, moved


@receiver(post_save, sender=Exemplar, dispatch_uid="search-index-exemplar")
def _reindex(sender, instance: Exemplar, raw: bool = False, **kwargs) -> None:
    # Create, edit, import, soft delete and restore are all saves; deleted ones are filtered at query time.
    if not raw:
        index_exemplar(instance)


@receiver(path_updated, sender=OrgUnit, dispatch_uid="search-index-moved")
def _moved(sender, old_path: str, new_path: str, **kwargs) -> None:
    moved(old_path, new_path)
