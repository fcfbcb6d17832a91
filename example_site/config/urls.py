from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from wagtail_mentoring.emails.webhooks import tracking_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switcher in the header (Django's set_language view).
    path("i18n/", include("django.conf.urls.i18n")),
]

# The email provider's delivery events (see docs/howto/email.md): its tracking webhook
# only, and only when its posts are authenticated (the production settings name the
# provider only when ANYMAIL_WEBHOOK_SECRET is set).
_provider = getattr(settings, "MENTORING_TRACKING_PROVIDER", "postmark")
_tracking = tracking_urls(_provider, only_authenticated=True) if _provider else ([], "")
if _tracking[0]:
    urlpatterns.append(path("anymail/", include(_tracking)))

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
