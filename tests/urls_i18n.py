"""The test URLs with the pages under a language prefix (/en/…, /es/…), as a site with
Django's i18n_patterns has them (tests/test_spanish.py)."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls

from tests.urls import urlpatterns as plain_urlpatterns

urlpatterns = [
    *[pattern for pattern in plain_urlpatterns if str(pattern.pattern) != ""],
    *i18n_patterns(path("", include(wagtail_urls))),
]
