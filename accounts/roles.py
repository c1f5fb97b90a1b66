"""Who may do what: the two groups of DESIGN.md section 1, plus superusers."""


def group_names(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    # Cached on the user object: one query per request, however many checks a page makes.
    names = getattr(user, "_docket_groups", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._docket_groups = names
    return names


def is_moderator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or "Moderators" in group_names(user))


def is_steward(user) -> bool:
    return user.is_authenticated and (user.is_superuser or "Stewards" in group_names(user))
