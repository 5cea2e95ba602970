from django.db.models.signals import post_save
from django.dispatch import receiver
from treebeard.mp_tree import path_updated

from danvan.exemplars.models import Exemplar
from danvan.exemplars.services import created_in_bulk, prepared_in_bulk
from danvan.orgs.models import OrgUnit

from .index import index_exemplar, index_new, moved, prepare_new


@receiver(post_save, sender=Exemplar, dispatch_uid="search-index-exemplar")
def _reindex(sender, instance: Exemplar, raw: bool = False, **kwargs) -> None:
    # Create, edit, import, soft delete and restore are all saves; deleted ones are filtered at query time.
    if not raw:
        index_exemplar(instance)


@receiver(prepared_in_bulk, sender=Exemplar, dispatch_uid="search-index-prepare")
def _prepare_bulk(sender, exemplars: list[Exemplar], **kwargs) -> None:
    prepare_new(exemplars)


@receiver(created_in_bulk, sender=Exemplar, dispatch_uid="search-index-bulk")
def _index_bulk(sender, exemplars: list[Exemplar], **kwargs) -> None:
    index_new(exemplars)


@receiver(path_updated, sender=OrgUnit, dispatch_uid="search-index-moved")
def _moved(sender, old_path: str, new_path: str, **kwargs) -> None:
    moved(old_path, new_path)
