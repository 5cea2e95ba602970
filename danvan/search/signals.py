from django.db.models.signals import post_save
from django.dispatch import receiver

from danvan.exemplars.models import Exemplar

from .index import index_exemplar


@receiver(post_save, sender=Exemplar, dispatch_uid="search-index-exemplar")
def _reindex(sender, instance: Exemplar, raw: bool = False, **kwargs) -> None:
    # Create, edit, import, soft delete and restore are all saves; deleted ones are filtered at query time.
    if not raw:
        index_exemplar(instance)
