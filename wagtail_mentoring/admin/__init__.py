"""The package's Wagtail admin: modeladmin classes, forms and views.

``wagtail_hooks.py`` registers what is defined here; nothing here registers itself.
"""
