from django.http import HttpResponseBadRequest, JsonResponse

MESSAGE = "NUL characters are not allowed in addresses."


class RefuseNulCharacters:
    """A NUL character has no place in an address or a query, and PostgreSQL text cannot hold
    one: answer 400 before any view passes it to the database (in JSON for the API)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        values = [value for _, items in request.GET.lists() for value in items]
        if "\x00" in request.path or any("\x00" in value for value in values):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": MESSAGE}, status=400)
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain")
        return self.get_response(request)
