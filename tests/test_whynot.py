""" "Why not this mentor?": every blocking reason, the allowed pair's components beside
the top suggestion's, agreement with the suggestions, and the committee's view."""

from __future__ import annotations

import collections
import contextlib
import random
import re

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from wagtail_mentoring.matching.lifecycle import (
    MatchingError,
    approve,
    complete,
    discard_many,
    propose,
    reject,
    restore,
)
from wagtail_mentoring.matching.pool import load_pools
from wagtail_mentoring.matching.suggest import score_pair, score_pools, suggest_mentors
from wagtail_mentoring.matching.whynot import REASONS, Reason, render_reason, why_not
from wagtail_mentoring.models import Application, ApplicationStatus, CareerStage, Match

STAGES = [value for value, _label in CareerStage.choices]


@pytest.fixture
def apply(make_user, open_cycle, topics):
    """``apply(role, topic_indexes, ...)``: an application of the open cycle (or ``cycle``)."""

    def make(role, topic_indexes=(0,), capacity=None, user=None, cycle=None, **fields):
        user = user or make_user()
        fields.setdefault("career_stage", "senior" if role == "mentor" else "student")
        fields.setdefault("sector", "public")
        fields.setdefault("region", "North")
        fields.setdefault("meeting_preference", "either")
        fields.setdefault("conference_attendance", "yes")
        fields.setdefault("goals", "Grow.")
        if role == "mentor" and capacity is None:
            capacity = 1
        application = Application.objects.create(
            user=user,
            cycle=cycle or open_cycle,
            role=role,
            contact_email=user.email,
            name=fields.pop("name", user.username),
            capacity=capacity,
            **fields,
        )
        application.topics.set([topics[i] for i in topic_indexes])
        return application

    return make


def codes(answer) -> list[str]:
    return [reason.code for reason in answer.blocked]


def fresh(application):
    """The application as the mentee view loads it."""
    return Application.objects.select_related("cycle").get(pk=application.pk)


# -- each reason -------------------------------------------------------------------------


def test_an_allowed_pair_has_no_reason_and_its_components(apply):
    mentee = apply("mentee", [0, 1], organisation="Eastvale")
    best = apply("mentor", [0, 1], name="Best", organisation="Westvale")
    half = apply("mentor", [1], name="Half")
    answer = why_not(mentee, half)
    assert answer.allowed and answer.blocked == []
    assert answer.components == score_pair(mentee, half).explanation
    assert answer.score == score_pair(mentee, half).score
    assert answer.suggested == suggest_mentors(mentee, limit=1)[0]
    assert answer.suggested.mentor_id == best.pk
    assert answer.suggested_components == score_pair(mentee, best).explanation
    assert [part["code"] for part in answer.components][:2] == ["topics", "stage"]
    assert answer.score < answer.suggested.score
    # The top mentor explained against itself.
    top = why_not(mentee, best.pk)
    assert top.allowed and top.suggested.mentor_id == best.pk
    assert top.components == top.suggested_components


def test_same_employer(apply, settings):
    mentee = apply("mentee", organisation="Eastvale Libraries")
    colleague = apply("mentor", organisation=" eastvale libraries")
    answer = why_not(mentee, colleague)
    assert answer.blocked == [Reason("same_employer", {"employer": "Eastvale Libraries"})]
    assert render_reason(answer.blocked[0]) == (
        "Both work for the same employer (Eastvale Libraries); colleagues are not paired."
    )
    settings.WAGTAIL_MENTORING_MATCH_SAME_EMPLOYER_ALLOWED = True
    assert why_not(mentee, colleague).allowed


def test_same_person(apply):
    mentee = apply("mentee")
    myself = apply("mentor", user=mentee.user)
    assert codes(why_not(mentee, myself)) == ["same_person"]
    assert render_reason(why_not(mentee, myself).blocked[0]) == (
        "The mentor and the mentee are the same member."
    )


def test_no_free_place_counts_the_matches_that_hold_one(apply):
    mentee = apply("mentee")
    mentor = apply("mentor", capacity=2)
    approve(propose(apply("mentee"), mentor))
    assert why_not(mentee, mentor).allowed
    propose(apply("mentee"), mentor)  # an open proposal holds a place on the mentee's page
    answer = why_not(mentee, mentor)
    assert answer.blocked == [Reason("no_capacity", {"capacity": 2, "taken": 2})]
    assert render_reason(answer.blocked[0]) == (
        "The mentor has no free place: 2 of 2 places are taken "
        "(approved matches, those awaiting consent, active ones and open proposals)."
    )
    nothing = apply("mentor", capacity=0)
    assert why_not(mentee, nothing).blocked == [Reason("no_capacity", {"capacity": 0, "taken": 0})]


def test_paired_before_in_an_earlier_cycle(apply, make_cycle):
    earlier = make_cycle(name="Earlier cycle", opens=-400, closes=-370)
    mentee = apply("mentee")
    mentor = apply("mentor", capacity=2)
    match = propose(
        apply("mentee", user=mentee.user, cycle=earlier),
        apply("mentor", user=mentor.user, cycle=earlier),
    )
    assert why_not(mentee, mentor).allowed  # a proposal is not "matched before"
    complete(approve(match))
    answer = why_not(mentee, mentor)
    assert answer.blocked == [Reason("paired_before", {"matched_before": True, "discarded": False})]
    assert render_reason(answer.blocked[0]) == "These two members were matched before."


def test_a_pair_rejected_or_discarded_in_this_cycle_until_restored(apply):
    mentee = apply("mentee")
    mentor = apply("mentor", capacity=2)
    discard_many([propose(mentee, mentor)])
    answer = why_not(mentee, mentor)
    assert answer.blocked == [Reason("paired_before", {"matched_before": False, "discarded": True})]
    assert "restore it to allow it again" in render_reason(answer.blocked[0])
    restore(answer_match := mentor.matches_as_mentor.get())
    assert answer_match.pk and why_not(mentee, mentor).allowed
    reject(propose(mentee, mentor))
    assert codes(why_not(mentee, mentor)) == ["paired_before"]


@pytest.mark.parametrize(
    "status", [ApplicationStatus.WITHDRAWN, ApplicationStatus.CLOSED, ApplicationStatus.COMPLETED]
)
def test_a_mentor_who_left(apply, status):
    mentee = apply("mentee")
    mentor = apply("mentor", status=status)
    answer = why_not(mentee, mentor)
    assert answer.blocked == [Reason("mentor_gone", {"status": status})]
    label = str(ApplicationStatus(status).label)
    assert render_reason(answer.blocked[0]) == (
        f"The mentor's application is {label}: it takes no part in matching."
    )


def test_a_mentee_not_in_the_pool(apply):
    mentee = apply("mentee")
    mentor = apply("mentor", capacity=3)
    other = apply("mentor", capacity=3)
    propose(mentee, other)
    answer = why_not(mentee, mentor)
    assert answer.blocked == [
        Reason("mentee_not_in_pool", {"status": ApplicationStatus.SUBMITTED, "held": True})
    ]
    assert "already have a proposed or approved match" in render_reason(answer.blocked[0])
    withdrawn = apply("mentee", status=ApplicationStatus.WITHDRAWN)
    answer = why_not(withdrawn, mentor)
    assert answer.blocked == [
        Reason("mentee_not_in_pool", {"status": ApplicationStatus.WITHDRAWN, "held": False})
    ]
    assert render_reason(answer.blocked[0]) == (
        "The mentee is not waiting in the pool: their application is Withdrawn."
    )


def test_below_the_minimum_score(apply, settings):
    mentee = apply("mentee", [0, 1])
    weak = apply("mentor", [2], career_stage="student", sector="school", region="South")
    score = score_pair(mentee, weak).score
    settings.WAGTAIL_MENTORING_MATCH_MIN_SCORE = score + 1
    answer = why_not(mentee, weak)
    assert answer.blocked == [Reason("below_min_score", {"score": score, "minimum": score + 1})]
    assert render_reason(answer.blocked[0]) == (
        f"The pair scores {score:.0f}, under the minimum score of {score + 1:.0f}."
    )


def test_not_a_mentor_of_this_cycle(apply, make_cycle):
    mentee = apply("mentee")
    elsewhere = apply("mentor", cycle=make_cycle(name="Other cycle"))
    another_mentee = apply("mentee")
    for mentor in (elsewhere, elsewhere.pk, another_mentee, mentee.pk, 0, 10**12, "1", None):
        answer = why_not(mentee, mentor)
        assert answer.blocked == [Reason("mentor_not_in_cycle")], mentor
        assert answer.components == [] and answer.suggested is None
    assert render_reason(Reason("mentor_not_in_cycle")) == (
        "This is not a mentor application of the mentee's cycle."
    )
    with pytest.raises(ValueError):
        why_not(elsewhere, mentee)


def test_every_reason_at_once(apply, settings):
    settings.WAGTAIL_MENTORING_MATCH_MIN_SCORE = 95
    mentee = apply("mentee", organisation="Eastvale", region="South")
    myself = apply("mentor", user=mentee.user, organisation="EASTVALE", capacity=1)
    # propose() refuses a member as their own mentor: the row a rejection would leave.
    Match.objects.create(
        cycle=mentee.cycle, mentor=myself, mentee=mentee, status="rejected", discarded=True
    )
    Application.objects.filter(pk=myself.pk).update(capacity=0, status="withdrawn")
    propose(mentee, apply("mentor", capacity=1))
    answer = why_not(mentee, myself)
    assert codes(answer) == [
        "mentor_gone",
        "mentee_not_in_pool",
        "same_person",
        "same_employer",
        "no_capacity",
        "paired_before",
        "below_min_score",
    ]
    assert answer.components == [] and answer.suggested is None
    assert all(render_reason(reason) for reason in answer.blocked)


def test_render_reason_takes_stored_dicts_and_survives_bad_ones():
    reason = Reason("no_capacity", {"capacity": 1, "taken": 1})
    assert render_reason(reason.as_dict()) == render_reason(reason)
    assert "1 of 1 place is taken" in render_reason(reason)
    assert render_reason({"code": "nonsense"}) == ""
    assert render_reason({"code": "no_capacity", "params": {"capacity": "many"}}) == ""
    assert render_reason({"code": "below_min_score", "params": []})
    assert render_reason(None) == ""
    assert set(REASONS) >= {"same_employer", "no_capacity", "paired_before", "below_min_score"}


def test_reasons_render_in_the_active_language_when_shown(apply):
    """Stored as codes: the words come from gettext when rendered (the Spanish catalog
    of the new sentences comes with the translations; the status label already has one)."""
    mentee = apply("mentee")
    reason = why_not(mentee, apply("mentor", status=ApplicationStatus.WITHDRAWN)).blocked[0]
    english = render_reason(reason)
    with translation.override("es"):
        spanish_label = str(ApplicationStatus.WITHDRAWN.label)
        spanish = render_reason(reason)
    assert spanish_label != "Withdrawn" and spanish_label in spanish
    assert "Withdrawn" in english and english != spanish
    with translation.override("es"), mock_gettext() as seen:
        render_reason(Reason("same_person"))
    assert "The mentor and the mentee are the same member." in seen


@contextlib.contextmanager
def mock_gettext():
    from unittest import mock

    from wagtail_mentoring.matching import whynot

    seen = []
    real = whynot.gettext

    def spy(message):
        seen.append(message)
        return real(message)

    with mock.patch.object(whynot, "gettext", spy):
        yield seen


# -- agreement with the suggestions ------------------------------------------------------


def test_why_not_allows_exactly_the_pairs_the_suggestions_allow(
    apply, make_user, make_cycle, open_cycle
):
    """Random small cycles: "allowed" exactly for the mentors the mentee's suggestions
    (and the cycle's pools with the same rules) include, and a reason for every other.
    Over the seeds, every reason and allowed pairs turn up (else the test proves little)."""
    seen = collections.Counter()
    for seed in range(SEEDS):
        check_one_random_cycle(seed, seen, apply, make_user, make_cycle, open_cycle)
    expected = {*REASONS, "allowed", "held"} - {"mentor_not_in_cycle", "not_suggested"}
    assert expected <= set(seen), (expected - set(seen), seen)


SEEDS = 12


def check_one_random_cycle(seed, seen, apply, make_user, make_cycle, open_cycle):
    rng = random.Random(seed)
    with transaction.atomic():
        earlier = make_cycle(name="Earlier", opens=-400, closes=-370)
        past = {}  # (user id, role): the application in the earlier cycle
        people = [make_user() for _ in range(7)]

        def fields():
            return {
                "career_stage": rng.choice(STAGES),
                "sector": rng.choice(["public", "school", "Public "]),
                "region": rng.choice(["North", "south", ""]),
                "organisation": rng.choice(["", "Eastvale", "Westvale", "EASTVALE "]),
                "meeting_preference": rng.choice(["in_person", "virtual", "either"]),
                "conference_attendance": rng.choice(["yes", "no", "unsure"]),
            }

        def some_topics():
            return [i for i in range(3) if rng.random() < 0.5]

        mentees = [
            apply(
                "mentee",
                some_topics(),
                user=person,
                status=rng.choice(["submitted", "in_pool", "in_pool", "withdrawn"]),
                **fields(),
            )
            for person in people[:4]
        ]
        mentors = [
            apply(
                "mentor",
                some_topics(),
                capacity=rng.randint(0, 2),
                user=person,
                status=rng.choice(
                    ["submitted", "in_pool", "matched", "withdrawn", "closed", "completed"]
                ),
                **fields(),
            )
            for person in people[2:] + [make_user() for _ in range(rng.randint(1, 3))]
        ]
        for _ in range(rng.randint(1, 5)):  # proposals, matches, discards, earlier pairs
            mentee, mentor = rng.choice(mentees), rng.choice(mentors)
            with contextlib.suppress(MatchingError):
                kind = rng.choice(["propose", "propose", "approve", "discard", "earlier"])
                if kind == "earlier":
                    if (mentee.user_id, "mentee") not in past:
                        past[mentee.user_id, "mentee"] = apply(
                            "mentee", user=mentee.user, cycle=earlier
                        )
                    if (mentor.user_id, "mentor") not in past:
                        past[mentor.user_id, "mentor"] = apply(
                            "mentor", user=mentor.user, cycle=earlier, capacity=5
                        )
                    approve(propose(past[mentee.user_id, "mentee"], past[mentor.user_id, "mentor"]))
                    continue
                match = propose(mentee, mentor)
                if kind == "approve":
                    approve(match)
                elif kind == "discard":
                    discard_many([match])
        overrides = {
            "WAGTAIL_MENTORING_MATCH_MIN_SCORE": rng.choice([0, 30, 60]),
            "WAGTAIL_MENTORING_MATCH_SAME_EMPLOYER_ALLOWED": rng.random() < 0.3,
        }
        with override_settings(**overrides):
            pools = load_pools(open_cycle, keep_proposals=True)
            scores = score_pools(pools)
            cycle_allowed = {
                (int(pools.mentees.ids[i]), int(pools.mentors.ids[j]))
                for i in range(len(pools.mentees))
                for j in range(len(pools.mentors))
                if scores.allowed[i, j]
            }
            for mentee in mentees:
                mentee = fresh(mentee)
                suggested = {s.mentor_id for s in suggest_mentors(mentee, limit=10_000)}
                for mentor in mentors:
                    answer = why_not(mentee, mentor)
                    pair = (mentee.pk, mentor.pk)
                    assert answer.allowed == (mentor.pk in suggested), (seed, codes(answer))
                    assert answer.allowed == (pair in cycle_allowed)
                    assert answer.allowed == (score_pair(mentee, mentor) is not None)
                    assert "not_suggested" not in codes(answer)
                    assert ("same_person" in codes(answer)) == (mentee.user_id == mentor.user_id)
                    assert ("mentor_gone" in codes(answer)) == (
                        mentor.status in ("withdrawn", "closed", "completed")
                    )
                    assert len(codes(answer)) == len(set(codes(answer)))
                    seen.update(codes(answer))
                    seen["allowed" if answer.allowed else "blocked"] += 1
                    if any(r.params.get("held") for r in answer.blocked):
                        seen["held"] += 1
        transaction.set_rollback(True)


# -- the view ----------------------------------------------------------------------------


@pytest.fixture
def committee_client(make_user):
    user = make_user(username="committee")
    user.groups.add(Group.objects.get(name="Mentoring committee"))
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def page_url(mentee, **query):
    url = reverse("wagtail_mentoring_matching_mentee", args=[mentee.pk])
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_view_lists_every_mentor_of_the_cycle_in_an_accessible_form(
    apply, committee_client, make_cycle
):
    mentee = apply("mentee", organisation="Eastvale")
    apply("mentor", name="Cora Colleague", organisation="Eastvale")
    apply("mentor", name="Walt Withdrawn", status="withdrawn")
    apply("mentor", name="Olga Othercycle", cycle=make_cycle(name="Other cycle"))
    response = committee_client.get(page_url(mentee))
    assert response.status_code == 200
    body = text(response)
    assert '<label for="mentoring-why-mentor">Mentor application</label>' in body
    assert '<select id="mentoring-why-mentor" name="why_mentor"' in body
    assert "Cora Colleague (Submitted)" in body and "Walt Withdrawn (Withdrawn)" in body
    assert "Olga Othercycle" not in body
    assert ">Explain</button>" in body
    assert "data-why-not-result" not in body


def test_the_view_shows_every_reason(apply, committee_client):
    mentee = apply("mentee", organisation="Eastvale")
    colleague = apply("mentor", name="Cora Colleague", organisation="eastvale", capacity=0)
    response = committee_client.get(page_url(mentee, why_mentor=colleague.pk))
    assert response.status_code == 200
    body = text(response)
    assert "Why Cora Colleague is not suggested" in body
    assert (
        '<li data-reason="same_employer">Both work for the same employer (Eastvale); '
        "colleagues are not paired.</li>" in body
    )
    assert '<li data-reason="no_capacity">' in body
    assert f'<option value="{colleague.pk}" selected>' in body
    assert "data-why-not-components" not in body


def test_the_view_shows_an_allowed_pair_beside_the_top_suggestion(apply, committee_client):
    mentee = apply("mentee", [0, 1])
    apply("mentor", [0, 1], name="Olu Bestfit")
    partial = apply("mentor", [1], name="Pat Partial", region="South")
    response = committee_client.get(page_url(mentee, why_mentor=partial.pk))
    body = text(response)
    assert "Pat Partial may be suggested" in body
    assert "The top suggestion, Olu Bestfit, scores 100." in body
    assert '<th scope="col">Pat Partial</th>' in body
    assert '<th scope="col">Olu Bestfit (top suggestion)</th>' in body
    rows = re.findall(r'<tr> <th scope="row">([^<]+)</th> <td>(.*?)</td> <td>(.*?)</td>', body)
    assert [label for label, _mine, _top in rows] == [
        "topics",
        "career stage",
        "sector",
        "region",
        "meeting",
        "conference",
        "Total",
    ]
    topics_row, region_row = rows[0], rows[3]
    assert "offers 1 of 2 wanted topics" in topics_row[1]
    assert "offers 2 of 2 wanted topics" in topics_row[2]
    assert "different regions" in region_row[1] and "same region" in region_row[2]
    score = score_pair(mentee, partial).score
    assert f"<strong>{score:.0f}</strong>" in rows[-1][1]


@pytest.mark.parametrize("value", ["", "abc", "1.5", "-1", "²", "1\x00", "9" * 30, "0"])
def test_bad_input_gives_a_message_not_an_error(apply, committee_client, value):
    mentee = apply("mentee")
    apply("mentor", name="Cora Colleague")
    response = committee_client.get(page_url(mentee, why_mentor=value))
    assert response.status_code == 200
    body = text(response)
    assert "Choose one of this cycle&#x27;s mentor applications in the list." in body
    assert 'role="alert"' in body and 'aria-invalid="true"' in body
    assert "data-why-not-result" not in body


def test_another_cycles_application_or_a_mentee_shows_nothing_of_it(
    apply, committee_client, make_cycle
):
    mentee = apply("mentee")
    other_cycle = make_cycle(name="Other cycle")
    elsewhere = apply(
        "mentor", name="Olga Othercycle", cycle=other_cycle, organisation="Secret Archive"
    )
    other_mentee = apply("mentee", name="Milo Mentee", organisation="Hidden Place")
    for application in (elsewhere, other_mentee, mentee):
        response = committee_client.get(page_url(mentee, why_mentor=application.pk))
        assert response.status_code == 200
        body = text(response)
        assert "Choose one of this cycle&#x27;s mentor applications in the list." in body
        for secret in ("Olga Othercycle", "Secret Archive", "Milo Mentee", "Hidden Place"):
            assert secret not in body
    # A list of values: the last counts, and is checked the same way.
    response = committee_client.get(page_url(mentee) + f"?why_mentor={elsewhere.pk}&why_mentor=abc")
    assert response.status_code == 200 and "Olga Othercycle" not in text(response)


def test_outside_the_committee_the_question_is_refused(apply, make_user, client):
    mentee = apply("mentee")
    mentor = apply("mentor", name="Cora Colleague", organisation="x")
    client.force_login(make_user(username="plain"))
    response = client.get(page_url(mentee, why_mentor=mentor.pk))
    assert response.status_code in (302, 403, 404)
    assert "Cora Colleague" not in response.content.decode()


def test_the_view_reads_a_bounded_number_of_queries(apply, committee_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mentee = apply("mentee")
    mentor = apply("mentor")
    with CaptureQueriesContext(connection) as few:
        committee_client.get(page_url(mentee, why_mentor=mentor.pk))
    for _ in range(10):
        apply("mentor")
        approve(propose(apply("mentee"), apply("mentor", capacity=2)))
    with CaptureQueriesContext(connection) as many:
        committee_client.get(page_url(mentee, why_mentor=mentor.pk))
    assert len(many) <= len(few) + 2
