"""Keeps `reports.tally` in step: every exemplar save and delete, every subtree move."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from treebeard.mp_tree import path_updated

from danvan.exemplars.models import Exemplar
from danvan.exemplars.services import created_in_bulk
from danvan.orgs.models import OrgUnit

from . import tally


@receiver(pre_save, sender=Exemplar, dispatch_uid="tally-before")
def _before(sender, instance: Exemplar, raw: bool = False, **kwargs) -> None:
    if not raw:
        instance._tally_old = tally.stored_key(instance.pk)  # type: ignore[attr-defined]


@receiver(post_save, sender=Exemplar, dispatch_uid="tally-after")
def _after(sender, instance: Exemplar, raw: bool = False, **kwargs) -> None:
    if not raw:
        tally.apply(getattr(instance, "_tally_old", None), tally.key_of(instance))


@receiver(created_in_bulk, sender=Exemplar, dispatch_uid="tally-bulk")
def _created_in_bulk(sender, exemplars: list[Exemplar], **kwargs) -> None:
    tally.add_new(exemplars)


@receiver(post_delete, sender=Exemplar, dispatch_uid="tally-delete")
def _deleted(sender, instance: Exemplar, **kwargs) -> None:
    # A hard delete (soft deletes are saves): its count goes; the unit may already be gone with it.
    tally.apply(tally.key_of(instance), None)


@receiver(path_updated, sender=OrgUnit, dispatch_uid="tally-moved")
def _moved(sender, old_path: str, new_path: str, **kwargs) -> None:
    tally.moved(old_path, new_path)
