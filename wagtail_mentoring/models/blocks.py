"""StreamField blocks for the programme's pages.

Each block renders with a template under ``wagtail_mentoring/blocks/`` that a site
can override.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock

from ..i18n import in_locale_of


class FAQItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=255)
    answer = blocks.RichTextBlock(
        label=_("Answer"), features=["bold", "italic", "link", "ol", "ul"]
    )

    class Meta:
        icon = "help"
        label = _("Question")


class FAQBlock(blocks.StructBlock):
    """Questions and answers, shown as an accordion and published as FAQPage JSON-LD."""

    heading = blocks.CharBlock(
        label=_("Heading"), required=False, default=_("Frequently asked questions")
    )
    items = blocks.ListBlock(FAQItemBlock(), label=_("Questions"), min_num=1)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        # Unique per rendering, so two FAQ blocks on a page never share element ids.
        context["faq_id"] = f"mentoring-faq-{uuid.uuid4().hex[:8]}"
        return context

    class Meta:
        icon = "help"
        label = _("FAQ")
        template = "wagtail_mentoring/blocks/faq.html"


class TestimonialBlock(blocks.StructBlock):
    __test__ = False  # not a test case, whatever its name suggests to pytest

    quote = blocks.TextBlock(label=_("Quote"), max_length=1000)
    name = blocks.CharBlock(label=_("Name"), max_length=100)
    role = blocks.CharBlock(label=_("Role or organisation"), max_length=150, required=False)
    image = ImageChooserBlock(label=_("Photo"), required=False)

    class Meta:
        icon = "openquote"
        label = _("Testimonial")
        template = "wagtail_mentoring/blocks/testimonial.html"


class LinkTargetMixin:
    """Shared clean-up for blocks that link to a page or a URL, never both."""

    def _check_single_target(self, value, page_field="page", url_field="url"):
        page, url = value.get(page_field), value.get(url_field)
        if page and url:
            message = _("Link to a page or to a URL, not both.")
        elif not page and not url:
            message = _("Choose a page or enter a URL to link to.")
        else:
            return
        raise StructBlockValidationError(block_errors={url_field: ValidationError(message)})


class CallToActionValue(blocks.StructValue):
    #: the page whose body holds the block (set by the block's ``get_context``), so a
    #: link to a translated page follows the reader's locale
    context_page = None

    @cached_property
    def href(self) -> str:
        page = self.get("page")
        if page:
            return in_locale_of(page.specific, self.context_page).url or ""
        return self.get("url") or ""


class CallToActionBlock(LinkTargetMixin, blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False, max_length=500)
    link_text = blocks.CharBlock(label=_("Button text"), max_length=60)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(label=_("or URL"), required=False)

    def clean(self, value):
        value = super().clean(value)
        self._check_single_target(value)
        return value

    def get_context(self, value, parent_context=None):
        value.context_page = (parent_context or {}).get("page")
        return super().get_context(value, parent_context=parent_context)

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "wagtail_mentoring/blocks/call_to_action.html"
        value_class = CallToActionValue


class KeyFactBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Label"), max_length=60)
    value = blocks.CharBlock(label=_("Value"), max_length=120)

    class Meta:
        icon = "tick"
        label = _("Fact")


class KeyFactsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    facts = blocks.ListBlock(KeyFactBlock(), label=_("Facts"), min_num=1)

    class Meta:
        icon = "list-ul"
        label = _("Key facts")
        template = "wagtail_mentoring/blocks/key_facts.html"


class ApplyBlock(blocks.StructBlock):
    """Links to the application pages, with the current cycle's status.

    The status comes from the page the block sits on (its current cycle). Each link
    goes to the chosen page or, when none is chosen, to the programme's application
    page for that role. While applications are not open the links are left out.
    """

    heading = blocks.CharBlock(label=_("Heading"), max_length=120, default=_("Apply"))
    text = blocks.TextBlock(label=_("Text"), required=False, max_length=500)
    mentor_page = blocks.PageChooserBlock(label=_("Mentor application page"), required=False)
    mentor_link_text = blocks.CharBlock(
        label=_("Mentor link text"), max_length=60, default=_("Apply to be a mentor")
    )
    mentee_page = blocks.PageChooserBlock(label=_("Mentee application page"), required=False)
    mentee_link_text = blocks.CharBlock(
        label=_("Mentee link text"), max_length=60, default=_("Apply to be a mentee")
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        page = (parent_context or {}).get("page")
        cycle = getattr(page, "current_cycle", None)
        context["cycle"] = cycle
        context["applications_open"] = bool(cycle and cycle.is_open())
        links = []
        found = page.get_application_pages() if hasattr(page, "get_application_pages") else {}
        for role in ("mentor", "mentee"):
            # The chosen page (in the programme page's locale where it is translated),
            # else the programme's own application page for the role.
            target = in_locale_of(value.get(f"{role}_page"), page) or found.get(role)
            if target and target.live:
                links.append({"role": role, "url": target.url, "text": value[f"{role}_link_text"]})
        context["links"] = links
        return context

    class Meta:
        icon = "form"
        label = _("Apply")
        template = "wagtail_mentoring/blocks/apply.html"


class AlumniBlock(blocks.StructBlock):
    """The programme's alumni who agreed to be listed: name, role and cycle."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=120, default=_("Our alumni"))
    text = blocks.TextBlock(label=_("Text"), required=False, max_length=500)

    def get_context(self, value, parent_context=None):
        from .applications import Application
        from .matches import completed_a_pairing

        context = super().get_context(value, parent_context=parent_context)
        page = (parent_context or {}).get("page")
        alumni = Application.objects.none()
        if page is not None:
            alumni = (
                Application.objects.filter(
                    completed_a_pairing(),
                    cycle__program_page__translation_key=page.translation_key,
                    alumni_listing_consent=True,
                )
                .select_related("cycle")
                .order_by("-cycle__pairing_start", "name")
            )
        context["alumni"] = alumni
        return context

    class Meta:
        icon = "group"
        label = _("Alumni")
        template = "wagtail_mentoring/blocks/alumni.html"


class ProgramBodyBlock(blocks.StreamBlock):
    """The blocks available in a programme landing page's body."""

    rich_text = blocks.RichTextBlock(label=_("Text"), icon="pilcrow")
    faq = FAQBlock()
    testimonial = TestimonialBlock()
    call_to_action = CallToActionBlock()
    key_facts = KeyFactsBlock()
    apply = ApplyBlock()
    alumni = AlumniBlock()

    class Meta:
        label = _("Body")
