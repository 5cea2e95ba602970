from danvan.orgs import scoping


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    from danvan.movement.models import Notification

    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    from danvan.onboarding.services import can_onboard

    from .audit import can_audit

    return {"my_units": scoping.home_units(user), "unread_notifications": unread, "can_audit": can_audit(user),
            "can_onboard": can_onboard(user)}
