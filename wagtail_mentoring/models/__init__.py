from .blocks import (
    ApplyBlock,
    CallToActionBlock,
    FAQBlock,
    KeyFactsBlock,
    ProgramBodyBlock,
    TestimonialBlock,
)
from .cycles import Cycle, CycleStatus
from .pages import AbstractMentoringProgramPage, MentoringPageMixin, MentoringProgramPage
from .topics import Topic

__all__ = [
    "AbstractMentoringProgramPage",
    "ApplyBlock",
    "CallToActionBlock",
    "Cycle",
    "CycleStatus",
    "FAQBlock",
    "KeyFactsBlock",
    "MentoringPageMixin",
    "MentoringProgramPage",
    "ProgramBodyBlock",
    "TestimonialBlock",
    "Topic",
]
