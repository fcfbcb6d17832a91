from .application_page import ApplicationFormField, MentoringApplicationPage
from .applications import (
    COMMITTEE_GROUP,
    COMMITTEE_PERMISSION,
    Application,
    ApplicationAction,
    ApplicationEvent,
    ApplicationStatus,
    CareerStage,
    ConferenceAttendance,
    MeetingPreference,
    Role,
)
from .blocks import (
    ApplyBlock,
    CallToActionBlock,
    FAQBlock,
    KeyFactsBlock,
    ProgramBodyBlock,
    TestimonialBlock,
)
from .cycles import ConsentMode, Cycle, CycleStatus
from .email_wording import EmailWording
from .emails import EmailEvent, EmailStatus, SentEmail
from .matches import (
    AfterEnd,
    ConsentAnswer,
    FlagCause,
    Match,
    MatchAction,
    MatchEvent,
    MatchStatus,
)
from .pages import AbstractMentoringProgramPage, MentoringPageMixin, MentoringProgramPage
from .site_settings import MentoringSettings
from .surveys import SurveyFormField, SurveyPage, SurveyResponse, SurveyRound
from .topics import Topic

__all__ = [
    "COMMITTEE_GROUP",
    "COMMITTEE_PERMISSION",
    "AbstractMentoringProgramPage",
    "AfterEnd",
    "Application",
    "ApplicationAction",
    "ApplicationEvent",
    "ApplicationFormField",
    "ApplicationStatus",
    "ApplyBlock",
    "CallToActionBlock",
    "CareerStage",
    "ConferenceAttendance",
    "ConsentAnswer",
    "ConsentMode",
    "Cycle",
    "CycleStatus",
    "EmailEvent",
    "EmailStatus",
    "EmailWording",
    "FAQBlock",
    "FlagCause",
    "KeyFactsBlock",
    "Match",
    "MatchAction",
    "MatchEvent",
    "MatchStatus",
    "MeetingPreference",
    "MentoringApplicationPage",
    "MentoringPageMixin",
    "MentoringProgramPage",
    "MentoringSettings",
    "ProgramBodyBlock",
    "Role",
    "SentEmail",
    "SurveyFormField",
    "SurveyPage",
    "SurveyResponse",
    "SurveyRound",
    "TestimonialBlock",
    "Topic",
]
