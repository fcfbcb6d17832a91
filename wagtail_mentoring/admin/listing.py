"""modeladmin's index view with its query string checked: a bad one answers 400, not 500.

modeladmin applies every query-string parameter that no list filter uses as a
database lookup (``?user__password__startswith=…`` included) and answers 500 when
the field does not exist; PostgreSQL refuses a NUL byte in a search. Here only the
parameters of the view itself and of its list filters are accepted, searches are
capped, and a NUL byte anywhere is refused, each with a page that says what to fix.
"""

from __future__ import annotations

from django.contrib.admin.options import IncorrectLookupParameters
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail_modeladmin.views import IndexView


class UnknownParameters(IncorrectLookupParameters):
    """Query-string parameters that are neither the view's nor a list filter's."""

    def __init__(self, names):
        super().__init__(names)
        self.names = sorted(names)


def bad_request_response(request, message: str, index_url: str = ""):
    """A 400 page that says what was wrong with the address, and a way back."""
    return TemplateResponse(
        request,
        "wagtail_mentoring/admin/bad_request.html",
        {"message": message, "index_url": index_url},
        status=400,
    )


class CheckedIndexView(IndexView):
    """The index view of every modeladmin class the package registers.

    ``max_search_length`` (default 200) caps the search box.
    """

    max_search_length = 200

    def dispatch(self, request, *args, **kwargs):
        index_url = self.url_helper.index_url
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return bad_request_response(
                    request,
                    _("The address contains a NUL character, which cannot be searched for."),
                    index_url,
                )
        if len(request.GET.get(self.SEARCH_VAR, "")) > self.max_search_length:
            return bad_request_response(
                request,
                _("Search for at most %(count)d characters.") % {"count": self.max_search_length},
                index_url,
            )
        try:
            return super().dispatch(request, *args, **kwargs)
        except UnknownParameters as error:
            return bad_request_response(
                request,
                _("This list cannot be filtered by %(names)s.") % {"names": ", ".join(error.names)},
                index_url,
            )
        except IncorrectLookupParameters:
            return bad_request_response(
                request,
                _("One of the filters in the address has a value it cannot take."),
                index_url,
            )

    def get_filters(self, request):
        specs, has_filters, remaining, use_distinct = super().get_filters(request)
        if remaining:
            # Parameters no list filter used would become database lookups.
            raise UnknownParameters(remaining)
        return specs, has_filters, remaining, use_distinct
