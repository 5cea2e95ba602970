from danvan.orgs import scoping


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {"my_units": scoping.home_units(user)}
