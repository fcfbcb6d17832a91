"""Settings shared by every environment of the example site."""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

INSTALLED_APPS = [
    "association",
    "wagtail_mentoring",
    "wagtail_modeladmin",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The visitor's language: the switcher's cookie, else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-au"
# The languages visitors can switch between (the header's switcher posts to Django's
# set_language view); applicants are written to in the language they applied in.
LANGUAGES = [("en-au", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "association" / "locale"]
TIME_ZONE = "Australia/Melbourne"
USE_I18N = True
USE_TZ = True

STATIC_ROOT = BASE_DIR / "static_collected"
STATIC_URL = "/static/"
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "/media/"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

WAGTAIL_SITE_NAME = "Meridian Library Association"
# The base of every absolute link in the programme's emails and in Wagtail's own
# notifications: dev.py and production.py set it.
WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]

# wagtail_mentoring: every setting is listed in docs/reference/settings.md.
WAGTAIL_MENTORING_BASE_TEMPLATE = "base.html"
WAGTAIL_MENTORING_DEFAULT_COMMITMENT_MONTHS = 10
# This association keeps membership expiry dates on a profile (association.MemberProfile).
WAGTAIL_MENTORING_MEMBERSHIP_BACKEND = {
    "BACKEND": "wagtail_mentoring.membership.AttributeMembershipBackend",
    "OPTIONS": {
        "ATTRIBUTE": "member_profile.membership_expires",
        "MEMBER_ID_ATTRIBUTE": "member_profile.member_number",
        "GRACE_DAYS": 14,
    },
}
# A library association's sectors and conference activities (the package's defaults
# are neutral ones for any association).
WAGTAIL_MENTORING_SECTORS = [
    ("public", _("Public libraries")),
    ("academic", _("Academic and research libraries")),
    ("school", _("School libraries")),
    ("special", _("Special, corporate and health libraries")),
    ("government", _("Government and state libraries")),
    ("archives", _("Archives and records")),
    ("education", _("Library education and students")),
    ("other", _("Other")),
]
WAGTAIL_MENTORING_CONFERENCE_ACTIVITIES = [
    ("speed_mentoring", _("Speed mentoring")),
    ("resume_review", _("Résumé review")),
    ("other", _("Other conference activities")),
]
WAGTAIL_MENTORING_REGIONS = [
    ("north-coast", "North Coast"),
    ("capital", "Capital"),
    ("central-plains", "Central Plains"),
    ("southern-highlands", "Southern Highlands"),
    ("west", "The West"),
]
