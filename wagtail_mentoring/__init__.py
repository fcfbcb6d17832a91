"""Run a professional association's member mentoring programme on a Wagtail site."""

__version__ = "0.1.0"
