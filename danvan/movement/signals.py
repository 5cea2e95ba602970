"""Keeps `Submission.unit_path` (the copy completeness scans by prefix) on its unit's path."""

from django.db.models import OuterRef, Subquery
from django.dispatch import receiver
from treebeard.mp_tree import path_updated

from danvan.orgs.models import OrgUnit

from .models import Submission


def unit_path() -> Subquery:
    """The unit's path as it is now, for an UPDATE of submissions."""
    return Subquery(OrgUnit.objects.filter(pk=OuterRef("unit_id")).values("path")[:1])


@receiver(path_updated, sender=OrgUnit, dispatch_uid="submission-path-moved")
def _moved(sender, old_path: str, new_path: str, using: str = "default", **kwargs) -> None:
    # treebeard has rewritten the subtree at `old_path` (in the mover's transaction): its submissions take their
    # units' new paths there too, or a unit created in the freed place would inherit them with its scope.
    Submission.objects.using(using).filter(unit__path__startswith=new_path).update(unit_path=unit_path())
