"""Demo application pages and about forty realistic applications for the example site."""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from association.models import MemberProfile
from wagtail_mentoring.models import (
    Application,
    ApplicationStatus,
    CareerStage,
    ConferenceAttendance,
    MeetingPreference,
    MentoringApplicationPage,
    Role,
)

REGIONS = [
    ("north-coast", "North Coast"),
    ("capital", "Capital"),
    ("central-plains", "Central Plains"),
    ("southern-highlands", "Southern Highlands"),
    ("west", "The West"),
]

FIRST_NAMES = [
    "Adele",
    "Bashir",
    "Carmen",
    "Dmitri",
    "Elif",
    "Farah",
    "Gus",
    "Hana",
    "Iris",
    "Jonah",
    "Kiri",
    "Lachlan",
    "Marisol",
    "Nikhil",
    "Olwen",
    "Pita",
    "Quinn",
    "Rosa",
    "Saoirse",
    "Tuan",
    "Uma",
    "Vikram",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zara",
    "Ari",
    "Bronwyn",
    "Cai",
    "Dara",
    "Esme",
    "Felix",
    "Grace",
    "Hamish",
    "Ines",
    "Jarrah",
    "Keiko",
    "Liam",
    "Mei",
    "Noor",
]
LAST_NAMES = [
    "Abara",
    "Brennan",
    "Castellano",
    "Dimitriou",
    "Eriksen",
    "Fonoti",
    "Gallagher",
    "Huang",
    "Ilori",
    "Jovanovic",
    "Kowalczyk",
    "Lindgren",
    "Mahmoud",
    "Nguyen",
    "O'Sullivan",
    "Petrakis",
    "Quintero",
    "Rahman",
    "Svensson",
    "Tanaka",
]
EMPLOYERS = [
    "North Coast Regional Libraries",
    "Meridian State Library",
    "University of the Capital",
    "Central Plains Shire Council",
    "Highlands Grammar School",
    "Westfield Health Service",
    "Capital City Libraries",
    "Meridian Institute of Technology",
    "State Archives of Meridian",
    "Port Hallam City Council",
]
MENTOR_GOALS = [
    "Share what I have learned running a busy branch, and learn how newer colleagues work.",
    "Help someone prepare for their first management role.",
    "Give back to the profession; I had a great mentor early in my career.",
    "Pass on practical advice about budgets, boards and advocacy.",
    "Support a new professional moving into digital services.",
]
MENTEE_GOALS = [
    "Build confidence to apply for a team leader role within two years.",
    "Understand how academic libraries support research data management.",
    "Get advice on moving from a school library into a public library.",
    "Learn how to plan and evaluate community programmes.",
    "Find my feet in my first professional role after graduating.",
    "Develop skills in data literacy teaching for adult learners.",
]
MENTOR_KIND = [
    "Someone who has managed a team through change.",
    "A practitioner in digital services who enjoys explaining things.",
    "An experienced librarian outside my own workplace.",
    "Someone from a different sector who can widen my view.",
]

MENTOR_STAGES = [
    CareerStage.DIRECTOR,
    CareerStage.SENIOR,
    CareerStage.SENIOR,
    CareerStage.MID_CAREER,
]
MENTEE_STAGES = [
    CareerStage.STUDENT,
    CareerStage.NEW_PROFESSIONAL,
    CareerStage.NEW_PROFESSIONAL,
    CareerStage.MID_CAREER,
]
SECTORS = ["public", "academic", "school", "special", "government", "archives"]

MENTORS = 15
MENTEES = 25


def seed_application_pages(programme) -> dict[str, MentoringApplicationPage]:
    pages = {}
    for role, title, intro in [
        (
            Role.MENTOR,
            "Apply to be a mentor",
            "<p>Mentors meet their mentee about once a month for up to ten months. You do "
            "not need to be senior: if you know a topic well, someone wants to learn it.</p>",
        ),
        (
            Role.MENTEE,
            "Apply to be a mentee",
            "<p>Tell us what you want to work on and what kind of mentor would help. The "
            "more you tell us, the better the match.</p>",
        ),
    ]:
        page = MentoringApplicationPage.objects.child_of(programme).filter(role=role).first()
        if page is None:
            page = MentoringApplicationPage(title=title, slug=f"apply-{role}", role=role)
            programme.add_child(instance=page)
        page.intro = intro
        page.thank_you_text = "<p>Thank you for volunteering your time and your curiosity.</p>"
        page.save_revision().publish()
        pages[role] = page
    return pages


#: What matters most to some demo mentees (every third one; the others left the
#: questions as they were, "somewhat important"), cycled by the mentee's position.
DEMO_PRIORITIES = [
    {"topics": "very", "seniority": "somewhat", "region": "not", "conference": "somewhat"},
    {"topics": "somewhat", "seniority": "very", "region": "somewhat", "conference": "not"},
    {"topics": "not", "seniority": "somewhat", "region": "very", "conference": "very"},
]
#: The career stages of mentee some demo mentors would most like (every fourth one).
DEMO_MENTEE_STAGES = [
    [CareerStage.STUDENT, CareerStage.NEW_PROFESSIONAL],
    [CareerStage.MID_CAREER],
]


def seed_applications(cycle, pages, topics, password: str) -> int:
    """About forty applications, the same ones on every run (fixed seed)."""
    rng = random.Random(2027)
    User = get_user_model()
    members = Group.objects.get(name="Members")
    now = timezone.now()
    window_days = max(1, (now - cycle.applications_open).days)
    count = 0
    for index in range(MENTORS + MENTEES):
        role = Role.MENTOR if index < MENTORS else Role.MENTEE
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[(index * 7) % len(LAST_NAMES)]
        username = f"member{index + 1:02d}"
        user = User.objects.filter(username=username).first() or User(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@example.org"
        user.set_password(password)
        user.save()
        user.groups.add(members)
        MemberProfile.objects.update_or_create(
            user=user,
            defaults={
                "member_number": f"MLA-{2000 + index}",
                "membership_expires": timezone.localdate() + datetime.timedelta(days=300),
            },
        )
        # Reverse mentoring: a few new professionals mentor seniors in newer practices.
        if role == Role.MENTOR:
            stage = CareerStage.NEW_PROFESSIONAL if index % 5 == 4 else rng.choice(MENTOR_STAGES)
        else:
            stage = CareerStage.SENIOR if index % 9 == 0 else rng.choice(MENTEE_STAGES)
        chosen = rng.sample(topics, k=rng.randint(1, 3))
        fields = {
            "page": pages[role],
            "status": ApplicationStatus.IN_POOL if index % 3 else ApplicationStatus.SUBMITTED,
            "contact_email": user.email,
            "name": f"{first} {last}",
            "career_stage": stage,
            "sector": rng.choice(SECTORS),
            "region": rng.choice(REGIONS)[0],
            "organisation": rng.choice(EMPLOYERS),
            "meeting_preference": rng.choice(list(MeetingPreference)),
            "conference_attendance": rng.choice(list(ConferenceAttendance)),
            "goals": rng.choice(MENTOR_GOALS if role == Role.MENTOR else MENTEE_GOALS),
            "commitment_consent": True,
            "privacy_consent": True,
            "submitted_at": now
            - datetime.timedelta(days=rng.randint(0, window_days), hours=rng.randint(0, 23)),
            "capacity": rng.randint(1, 3) if role == Role.MENTOR else None,
            "years_experience": (
                (2 if stage == CareerStage.NEW_PROFESSIONAL else rng.randint(8, 30))
                if role == Role.MENTOR
                else None
            ),
            "conference_activities": (
                rng.sample(["speed_mentoring", "resume_review", "other"], k=rng.randint(0, 2))
                if role == Role.MENTOR
                else []
            ),
            "mentor_kind": rng.choice(MENTOR_KIND) if role == Role.MENTEE else "",
            "preferred_mentor_stage": (
                rng.choice(["", CareerStage.SENIOR, CareerStage.DIRECTOR])
                if role == Role.MENTEE
                else ""
            ),
            # Chosen by position, not by the random generator, so the other answers
            # stay those of earlier versions of the demo.
            "priorities": (
                DEMO_PRIORITIES[(index // 3) % len(DEMO_PRIORITIES)]
                if role == Role.MENTEE and index % 3 == 0
                else {}
            ),
            "preferred_mentee_stages": (
                [str(stage) for stage in DEMO_MENTEE_STAGES[(index // 4) % 2]]
                if role == Role.MENTOR and index % 4 == 1
                else []
            ),
        }
        # Enough people for the conference's speed-mentoring rotations: mentors who
        # attend offer it, and mentees who were not sure are coming.
        if fields["conference_attendance"] != ConferenceAttendance.NO:
            activities = fields["conference_activities"]
            if role == Role.MENTOR and "speed_mentoring" not in activities:
                fields["conference_activities"] = ["speed_mentoring", *activities]
            if role == Role.MENTEE:
                fields["conference_attendance"] = ConferenceAttendance.YES
        application, _ = Application.objects.update_or_create(
            user=user, cycle=cycle, role=role, defaults=fields
        )
        application.topics.set(chosen)
        count += 1
    return count
