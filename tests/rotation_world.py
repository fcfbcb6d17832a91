"""A seeded cycle for the speed-mentoring rotations: volunteers, participants, pairs
that may not meet. Used by tests/test_rotation_views.py and the browser test."""

from __future__ import annotations

import dataclasses
import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from wagtail_mentoring.matching.lifecycle import approve, complete, propose
from wagtail_mentoring.models import Application, Cycle, Topic

TOPICS = ["Leadership", "Digital services", "Data literacy", "Cataloguing", "Outreach"]
EMPLOYERS = ["Riverside Library", "State Archive", "City Libraries", "University Library"]


@dataclasses.dataclass
class RotationWorld:
    cycle: Cycle
    other_cycle: Cycle
    committee: object
    volunteers: list[Application]  # offered speed mentoring
    not_volunteering: Application  # a mentor who did not
    participants: list[Application]  # attending the conference
    not_attending: list[Application]
    matched: tuple[Application, Application]  # (mentor, mentee), approved in the cycle
    completed: tuple[Application, Application]  # completed last cycle, same people now
    colleagues: tuple[Application, Application]  # (mentor, mentee) with the same employer
    other_cycle_mentee: Application


def build_rotation_world(program_page, *, seed: int = 7) -> RotationWorld:
    rng = random.Random(seed)
    users = get_user_model()
    members = Group.objects.get_or_create(name="Members")[0]
    topics = [Topic.objects.get_or_create(name=name)[0] for name in TOPICS]
    now = timezone.now()
    cycle = Cycle.objects.create(
        program_page=program_page,
        name="2027 cycle",
        applications_open=now - datetime.timedelta(days=2),
        applications_close=now + datetime.timedelta(days=20),
        pairing_start=(now + datetime.timedelta(days=80)).date(),
        conference_date=datetime.date(2027, 5, 14),
    )
    other = Cycle.objects.create(
        program_page=program_page,
        name="2026 cycle",
        applications_open=now - datetime.timedelta(days=400),
        applications_close=now - datetime.timedelta(days=380),
        pairing_start=(now - datetime.timedelta(days=360)).date(),
        consent="off",  # introduced on approval, so that the pair can complete
    )
    counter = iter(range(1, 1000))

    def person(name):
        number = next(counter)
        user = users.objects.create_user(f"rot{number}", f"rot{number}@example.org", "pw")
        user.first_name, user.last_name = name.split(" ", 1)
        user.save()
        user.groups.add(members)
        return user

    def apply(user, role, in_cycle=None, *, organisation="", wanted=(), **fields):
        fields.setdefault("conference_attendance", "yes")
        application = Application.objects.create(
            user=user,
            cycle=in_cycle or cycle,
            role=role,
            contact_email=user.email,
            name=user.get_full_name(),
            career_stage="senior" if role == "mentor" else "student",
            sector="public",
            region="North",
            meeting_preference="either",
            goals="Grow.",
            organisation=organisation,
            capacity=3 if role == "mentor" else None,
            **fields,
        )
        application.topics.set(
            [topics[i] for i in wanted] or rng.sample(topics, k=rng.randint(1, 2))
        )
        return application

    mentor_names = ["Ada Host", "Bea Host", "Cy Host", "Dee Host", "Eli Host", "Fay Host"]
    volunteers = [
        apply(
            person(name),
            "mentor",
            organisation=EMPLOYERS[i % len(EMPLOYERS)],
            conference_activities=["speed_mentoring"] + (["resume_review"] if i % 2 else []),
        )
        for i, name in enumerate(mentor_names)
    ]
    not_volunteering = apply(person("Gus Busy"), "mentor", conference_activities=["other"])
    mentee_names = [f"{first} Guest" for first in
                    ("Ian", "Jo", "Kim", "Lou", "Max", "Ned", "Oda", "Pia", "Quin", "Rae", "Sam",
                     "Tia")]  # fmt: skip
    participants = [
        apply(person(name), "mentee", organisation=f"Small Library {i}")
        for i, name in enumerate(mentee_names)
    ]
    not_attending = [
        apply(person(name), "mentee", conference_attendance=value)
        for name, value in (("Uma Away", "no"), ("Val Maybe", "unsure"))
    ]
    # Matched in this cycle (approved, awaiting the mentor's consent, which holds the
    # place): they may not sit together.
    matched = (volunteers[0], participants[0])
    approve(propose(participants[0], volunteers[0]))
    # The same two people completed a pairing last cycle (other applications).
    earlier_mentor = apply(volunteers[1].user, "mentor", other)
    earlier_mentee = apply(participants[1].user, "mentee", other)
    complete(approve(propose(earlier_mentee, earlier_mentor)))
    completed = (volunteers[1], participants[1])
    # Colleagues: the same employer, written differently.
    participants[2].organisation = "  " + volunteers[2].organisation.upper() + " "
    participants[2].save()
    colleagues = (volunteers[2], participants[2])
    other_cycle_mentee = apply(person("Zed Elsewhere"), "mentee", other)

    committee = users.objects.create_user("chair", "chair@example.org", "pw")
    group = Group.objects.get_or_create(name="Mentoring committee")[0]
    group.permissions.add(
        Permission.objects.get(codename="manage_mentoring"),
        Permission.objects.get(codename="access_admin"),
    )
    committee.groups.add(group)
    return RotationWorld(
        cycle=cycle,
        other_cycle=other,
        committee=committee,
        volunteers=volunteers,
        not_volunteering=not_volunteering,
        participants=participants,
        not_attending=not_attending,
        matched=matched,
        completed=completed,
        colleagues=colleagues,
        other_cycle_mentee=other_cycle_mentee,
    )


def plan_query(world: RotationWorld, **overrides) -> dict:
    """A valid query for the rotations page: every volunteer and participant."""
    query = {
        "v": [a.pk for a in world.volunteers],
        "p": [a.pk for a in world.participants],
        "tables": 3,
        "rounds": 4,
        "minutes": 12,
        "day": "2027-05-14",
        "start": "10:30",
    }
    query.update(overrides)
    return query
