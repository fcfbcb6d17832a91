from django.contrib.auth import views as auth_views
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from wagtail_mentoring.emails.webhooks import tracking_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    # The tracking webhooks of providers the test settings' WEBHOOK_SECRET authenticates
    # (tests/test_tracking.py mounts the others, and anymail's own URLs, itself; SendGrid's
    # view warns on every request that anymail no longer supports it).
    path(
        "anymail/",
        include(tracking_urls("amazon_ses", "brevo", "mailjet", "postmark", "sparkpost")),
    ),
    path("", include(wagtail_urls)),
]
