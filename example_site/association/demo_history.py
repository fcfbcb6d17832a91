"""Last year's cycle for the demo: pairs at every stage, surveys and their answers.

So that the schedule, the surveys and the board report have something to show:
eight pairs whose matches started between ten months (ending today) and one month
ago, a "Pairing fit" survey one month after the start and a final survey at the end,
answers from most of the pairs (one saying the pairing is not a good fit), and the
invitations recorded as sent. Running ``manage.py mentoring_run_schedule`` afterwards sends the
check-ins, reminders and completions that are due, and asks the newest pair (started a
month ago) "Have you met yet?".
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone

from association.models import MemberProfile
from wagtail_mentoring.dates import add_months
from wagtail_mentoring.emails.kinds import MATCH_INTRODUCTION
from wagtail_mentoring.matching import lifecycle
from wagtail_mentoring.models import (
    Application,
    ApplicationStatus,
    Cycle,
    EmailStatus,
    FlagCause,
    Match,
    MatchStatus,
    Role,
    SentEmail,
    SurveyFormField,
    SurveyPage,
    SurveyResponse,
    SurveyRound,
)

PAIRS = [
    # (mentor, mentee, months since the start)
    ("Helen Park", "Tomás Reyes", 10),  # reaches its end: the schedule completes it
    ("Graham Osei", "Lucy Brennan", 8),
    ("Ingrid Sørensen", "Sam Whitfield", 6),
    ("Daniel Kowalski", "Aisha Rahman", 5),
    ("Margaret Lloyd", "Kenji Watanabe", 4),
    ("Oliver Grant", "Fatima Haddad", 3),
    ("Rosa Delgado", "Ethan Clarke", 2),
    ("Samuel Adeyemi", "Chloé Martin", 1),
]

QUESTIONS = [
    ("How satisfied are you with your mentoring so far?", "rating", "", ""),
    ("How useful have your conversations been?", "rating", "", ""),
    ("Is this pairing a good fit?", "radio", "Yes\nNot sure\nNo", "No"),
    ("Anything the committee should know?", "multiline", "", ""),
]


def seed_history(programme, password: str) -> Cycle:
    rng = random.Random(2026)
    now = timezone.now()
    today = timezone.localdate()
    cycle, _ = Cycle.objects.update_or_create(
        program_page=programme,
        name=f"{today.year - 1} cycle",
        defaults={
            "applications_open": now - datetime.timedelta(days=400),
            "applications_close": now - datetime.timedelta(days=340),
            "matching_deadline": today - datetime.timedelta(days=300),
            "pairing_start": add_months(today, -9),
            "pairing_end": add_months(today, 1),
            "commitment_months": 10,
            "conference_date": add_months(today, -3),
        },
    )
    pairing_fit = seed_survey(programme, "Pairing fit", "pairing-fit")
    final = seed_survey(programme, "End of mentoring", "end-of-mentoring")
    fit_round, _ = SurveyRound.objects.get_or_create(
        cycle=cycle, name="Pairing fit", defaults={"page": pairing_fit, "months_after_start": 1}
    )
    SurveyRound.objects.get_or_create(
        cycle=cycle, name="End of mentoring", defaults={"page": final, "months_after_start": None}
    )
    remove_legacy_people(cycle)
    members = Group.objects.get(name="Members")
    for index, (mentor_name, mentee_name, months) in enumerate(PAIRS):
        mentor = application(cycle, Role.MENTOR, mentor_name, index, members, password, rng)
        mentee = application(cycle, Role.MENTEE, mentee_name, index, members, password, rng)
        start = add_months(today, -months)
        match, created = Match.objects.get_or_create(
            mentor=mentor,
            mentee=mentee,
            defaults={
                "cycle": cycle,
                "status": MatchStatus.ACTIVE,
                "score": 60 + rng.randint(0, 30),
                "approved_at": now - datetime.timedelta(days=months * 30 + 7),
                "start_date": start,
                "end_date": add_months(start, cycle.commitment_months),
            },
        )
        if not created:
            continue
        # The introductions of last year's pairs, delivered when they were approved: every
        # approved or active match has them (mentoring_send_emails reports any without).
        introduced = now - datetime.timedelta(days=months * 30 + 7)
        for role, person in (("mentor", mentor), ("mentee", mentee)):
            SentEmail.objects.get_or_create(
                idempotency_key=MATCH_INTRODUCTION.key(match, role),
                defaults={
                    "kind": MATCH_INTRODUCTION.name,
                    "to": person.contact_email,
                    "match": match,
                    "recipient_user": person.user,
                    "context": {"role": role},
                    "status": EmailStatus.DELIVERED,
                    "created_at": introduced,
                    "sent_at": introduced,
                },
            )
        if months < 1:
            continue
        for role, person in (("mentor", mentor), ("mentee", mentee)):
            SentEmail.objects.get_or_create(
                idempotency_key=f"match-{match.pk}-survey-{fit_round.pk}-{role}",
                defaults={
                    "kind": "survey_invitation",
                    "to": person.contact_email,
                    "match": match,
                    "recipient_user": person.user,
                    "context": {"role": role, "round": fit_round.pk},
                    "status": EmailStatus.DELIVERED,
                    "created_at": now - datetime.timedelta(days=(months - 1) * 30),
                    "sent_at": now - datetime.timedelta(days=(months - 1) * 30),
                },
            )
            if index % 4 == 3 and role == "mentor":
                continue  # some never answer: the report's response rate shows it
            fit = rng.choice(["Yes", "Yes", "Not sure"])
            if index == 5 and role == "mentee":
                fit = "No"
            SurveyResponse.objects.get_or_create(
                match=match,
                round=fit_round,
                role=role,
                defaults={
                    "respondent": person.user,
                    "answers": answers(pairing_fit, rng, fit),
                    # Three days after the invitation, never later than now.
                    "submitted_at": min(now, now - datetime.timedelta(days=(months - 1) * 30 - 3)),
                },
            )
            if fit == "No":
                lifecycle.flag(
                    match,
                    cause=FlagCause.SURVEY,
                    role=role,
                    answers="Is this pairing a good fit?: No",
                )
    return cycle


#: Accounts that seeds before two people per pair made: "pastme01" held both the mentor's
#: and the mentee's application of a pair, so each such pair was one person twice.
LEGACY_USERNAME = r"^pastme\d{2}$"


def remove_legacy_people(cycle) -> None:
    """Remove the single-account pairs an older seed left in a demo database."""
    User = get_user_model()
    legacy = User.objects.filter(username__regex=LEGACY_USERNAME)
    applications = Application.objects.filter(user__in=legacy)
    Match.objects.filter(
        models.Q(mentor__in=applications) | models.Q(mentee__in=applications)
    ).delete()
    applications.delete()
    legacy.delete()


SURVEY_INTRO = "<p>A few questions from the mentoring committee about your pairing.</p>"
OLD_SURVEY_INTRO = (
    "<p>A few questions from the mentoring committee. Your answers stay with the committee.</p>"
)


def seed_survey(programme, title: str, slug: str) -> SurveyPage:
    page = SurveyPage.objects.child_of(programme).filter(slug=slug).first()
    if page is None:
        page = SurveyPage(
            title=title,
            slug=slug,
            intro=SURVEY_INTRO,
        )
        programme.add_child(instance=page)
        for order, (label, field_type, choices, flag) in enumerate(QUESTIONS):
            SurveyFormField.objects.create(
                page=page,
                sort_order=order,
                label=label,
                field_type=field_type,
                choices=choices,
                required=field_type != "multiline",
                flag_answer=flag,
            )
        page.save_revision().publish()
    elif page.intro == OLD_SURVEY_INTRO:
        # The survey page itself says who reads the answers: say it once.
        page.intro = SURVEY_INTRO
        page.save_revision().publish()
    return page


def answers(page, rng, fit: str) -> dict:
    values = {}
    for field in page.get_form_fields():
        if field.field_type == "rating":
            value = rng.choice([3, 4, 4, 5, 5])
        elif field.field_type == "radio":
            value = fit
        else:
            value = rng.choice(["", "Going well.", "We meet every three weeks."])
        values[field.clean_name] = {"label": field.label, "type": field.field_type, "value": value}
    return values


def application(cycle, role, name, index, members, password, rng) -> Application:
    User = get_user_model()
    username = f"past{role}{index + 1:02d}"  # pastmentor01, pastmentee01: two people
    first, last = name.split(" ", 1)
    user = User.objects.filter(username=username).first() or User(username=username)
    user.first_name, user.last_name, user.email = first, last, f"{username}@example.org"
    user.set_password(password)
    user.save()
    user.groups.add(members)
    MemberProfile.objects.update_or_create(
        user=user,
        defaults={
            "member_number": f"MLA-P{index + 1:02d}{'M' if role == Role.MENTOR else 'E'}",
            "membership_expires": timezone.localdate() + datetime.timedelta(days=200),
        },
    )
    found, _ = Application.objects.update_or_create(
        user=user,
        cycle=cycle,
        role=role,
        defaults={
            "status": ApplicationStatus.MATCHED,
            "contact_email": user.email,
            "name": name,
            "career_stage": "senior" if role == Role.MENTOR else "new_professional",
            "sector": "public",
            "region": "capital",
            "meeting_preference": "either",
            "conference_attendance": "yes",
            "goals": "Grow as a librarian." if role == Role.MENTEE else "Give back.",
            "commitment_consent": True,
            "privacy_consent": True,
            "capacity": 1 if role == Role.MENTOR else None,
            # The pair that completes on the first schedule run agreed to be listed.
            "alumni_listing_consent": index == 0,
            "submitted_at": timezone.now() - datetime.timedelta(days=380 - rng.randint(0, 40)),
        },
    )
    return found
