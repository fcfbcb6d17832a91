"""Every setting of wagtail_mentoring, with its default, read at call time.

Use ``from wagtail_mentoring.conf import app_settings`` and read attributes such as
``app_settings.BASE_TEMPLATE``. Nothing is read at import time, so
``override_settings`` works everywhere. The reference documentation
(``docs/reference/settings.md``) describes the same settings; a test keeps the two
in step.
"""

from __future__ import annotations

from django.conf import settings

PREFIX = "WAGTAIL_MENTORING_"


class AppSettings:
    """Lazy accessors for the ``WAGTAIL_MENTORING_*`` settings."""

    def _setting(self, name: str, default):
        return getattr(settings, PREFIX + name, default)

    @property
    def BASE_TEMPLATE(self) -> str:
        """Template that every public mentoring page extends.

        ``WAGTAIL_MENTORING_BASE_TEMPLATE``, default ``"base.html"``. The package's
        pages fill its ``extra_css``, ``content`` and ``extra_js`` blocks (the
        blocks that a site made by ``wagtail start`` has) and leave ``title`` to the
        site. A site whose base template names its blocks differently overrides
        ``wagtail_mentoring/base.html`` instead.
        """
        return self._setting("BASE_TEMPLATE", "base.html")

    @property
    def DEFAULT_COMMITMENT_MONTHS(self) -> int:
        """Commitment length, in months, given to a new cycle.

        ``WAGTAIL_MENTORING_DEFAULT_COMMITMENT_MONTHS``, default ``10``. Each cycle
        can change its own length; this is only the value a new cycle starts with.
        """
        return self._setting("DEFAULT_COMMITMENT_MONTHS", 10)

    @property
    def MAX_COMMITMENT_MONTHS(self) -> int:
        """Longest commitment, in months, that a cycle may ask for.

        ``WAGTAIL_MENTORING_MAX_COMMITMENT_MONTHS``, default ``24``.
        """
        return self._setting("MAX_COMMITMENT_MONTHS", 24)

    @classmethod
    def names(cls) -> list[str]:
        """The full names (with prefix) of every setting, in definition order."""
        return [
            PREFIX + name
            for name, value in vars(cls).items()
            if isinstance(value, property) and name.isupper()
        ]


app_settings = AppSettings()


def default_commitment_months() -> int:
    """Model default for ``Cycle.commitment_months`` (reads the setting at call time)."""
    return app_settings.DEFAULT_COMMITMENT_MONTHS
