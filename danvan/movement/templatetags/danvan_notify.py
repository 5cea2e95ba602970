"""`{% unsent_mail exemplar=ex %}`: another app's page shows the e-mails of the user's hand-offs that failed."""

from django import template

from danvan.movement import notify

register = template.Library()


@register.inclusion_tag("movement/_unsent.html", takes_context=True)
def unsent_mail(context, **where):
    request = context["request"]
    return {"unsent": notify.failed_for(request.user, **where), "request": request, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("movement/_mail_settings.html", takes_context=True)
def mail_settings(context):
    """The profile page's e-mail section: at once or one digest a day, and the digests sent (or not)."""
    from danvan.movement.models import Digest, MailMode

    request = context["request"]
    user = request.user
    return {"request": request, "csrf_token": context.get("csrf_token"), "mode": notify.mail_mode(user),
            "modes": MailMode.choices, "digests": Digest.objects.filter(user_id=user.pk or 0)[:14],
            "unsent": notify.failed_for(user, user=user) if not user.is_superuser else []}
