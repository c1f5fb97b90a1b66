from django.urls import path, register_converter

from . import views
from .models import RESERVED_WORDS


class LabelConverter:
    # Never a reserved path word (DESIGN.md section 3), so /<def>/compare/ and the like can
    # never be taken for a version, whatever order the patterns are listed in.
    regex = r"(?!(?:" + "|".join(sorted(RESERVED_WORDS)) + r")/)[0-9A-Za-z.-]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class CompareConverter:
    regex = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*\.\.\.[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"

    def to_python(self, value):
        return tuple(value.split("...", 1))

    def to_url(self, value):
        # Accepts ("0.1", "0.2") from views and "0.1...0.2" from templates.
        return value if isinstance(value, str) else "...".join(value)


register_converter(LabelConverter, "label")
register_converter(CompareConverter, "pair")

app_name = "definition"
urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/", views.latest_version, name="latest"),
    path("<slug:slug>/compare/", views.compare_form, name="compare_form"),
    path("<slug:slug>/compare/<pair:labels>/", views.compare, name="compare"),
    path("<slug:slug>/history/<slug:key>/", views.clause_history, name="clause_history"),
    path("<slug:slug>/latest/<slug:key>/", views.latest_clause, name="latest_clause"),
    path("<slug:slug>/<label:label>/", views.version_detail, name="version"),
    path("<slug:slug>/<label:label>/<slug:key>/", views.clause_detail, name="clause"),
]
