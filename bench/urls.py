"""The site's URLs plus the benchmark's baseline page. Used by `manage.py bench` only: the
baseline is never served by the site itself."""

from django.urls import path

from docket.urls import urlpatterns as site_urlpatterns

from . import views

urlpatterns = [path("__bench__/baseline/", views.baseline, name="bench_baseline"), *site_urlpatterns]
