from django.contrib.auth import views as auth_views
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("anymail/", include("anymail.urls")),
    path("", include(wagtail_urls)),
]
