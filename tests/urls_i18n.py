"""The test site's URLs with Wagtail's pages under a language prefix (``/de/…``).

As Wagtail's and wagtail-localize's docs set a multilingual site up: the admin and the
webhooks outside the prefix, the pages inside ``i18n_patterns``.
"""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls

from .urls import urlpatterns as site_urlpatterns

# Every pattern of tests/urls.py but its last, the catch-all of Wagtail's pages.
assert str(site_urlpatterns[-1].pattern) == ""
urlpatterns = [*site_urlpatterns[:-1], *i18n_patterns(path("", include(wagtail_urls)))]
