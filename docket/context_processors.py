from accounts.roles import is_moderator, is_steward


def roles(request):
    """Whether to show stewards' and moderators' links; asked lazily, so anonymous pages pay nothing."""
    return {
        "is_steward": lambda: is_steward(request.user),
        "is_moderator": lambda: is_moderator(request.user),
    }
