from definition.models import is_steward


def roles(request):
    """Whether to show the stewards' link; asked lazily so anonymous pages pay nothing."""
    return {"is_steward": lambda: is_steward(request.user)}
