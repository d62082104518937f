from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tirek.access.policy import Section, sections_for, visible_cases
from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.cases import services as case_services
from tirek.cases.models import Case, CaseTeamMember
from tirek.core.exceptions import Conflict, Refused
from tirek.referrals import services
from tirek.referrals.models import Provider, Referral, ReferralStatus, Service, ServiceCategory

from .conftest import Scene

S = Section


def test_it_refuses_a_referral_the_consent_does_not_cover(scene: Scene) -> None:
    with pytest.raises(Refused):
        scene.send()
    assert not Referral.objects.exists()


def test_it_refuses_when_the_consent_names_another_agency(scene: Scene) -> None:
    scene.consent(agency=scene.world.clinic)
    with pytest.raises(Refused):
        scene.send()
    assert not Referral.objects.exists()


def test_it_sends_when_the_consent_covers_the_agency(scene: Scene) -> None:
    scene.consent()
    referral = scene.send()
    assert referral.status == ReferralStatus.SENT
    assert referral.consent_covered is True
    assert referral.sections == [S.CORE, S.EDUCATION]
    assert referral.respond_by == timezone.localdate() + timedelta(days=10)


def test_it_refuses_a_case_managers_legal_basis(scene: Scene) -> None:
    with pytest.raises(Refused):
        scene.send(legal_basis="Закон о правах ребёнка, ст. 17")
    assert not Referral.objects.exists()


def test_it_lets_a_supervisor_record_the_legal_basis_and_audits_it(scene: Scene) -> None:
    referral = scene.send(by=scene.sup, legal_basis="Закон о правах ребёнка, ст. 17")
    assert referral.consent_covered is False
    assert referral.legal_basis_by == scene.sup
    override = AuditEntry.objects.get(
        action=Action.PERMISSION_CHANGE,
        object_type="referrals.referral",
        object_id=str(referral.pk),
    )
    assert override.detail["consent_override"] is True
    assert override.actor == scene.sup


def test_it_stores_the_reason_and_legal_basis_encrypted(scene: Scene) -> None:
    from django.db import connection

    referral = scene.send(by=scene.sup, legal_basis="Закон о правах ребёнка, ст. 17")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reason, legal_basis FROM referrals_referral WHERE id = %s", [referral.pk]
        )
        reason, basis = cursor.fetchone()
    assert reason.startswith("enc2:") and "чтение" not in reason  # the child's data key
    assert basis.startswith("enc2:")


@pytest.mark.parametrize(
    "sections, field",
    [
        (["return_history"], "sections"),  # protected case, school role
        (["security"], "sections"),  # never by a referral
        (["nonsense"], "sections"),
        (["psychological"], "sections"),  # the case manager does not see it
    ],
)
def test_it_refuses_sections_that_may_not_be_shared(
    scene: Scene, sections: list[str], field: str
) -> None:
    scene.consent()
    with pytest.raises(ValidationError) as error:
        scene.send(sections=sections)
    assert field in error.value.message_dict
    assert not Referral.objects.exists()


def test_it_refuses_a_receiver_who_does_not_work_at_the_provider(scene: Scene) -> None:
    scene.consent()
    stranger = scene.world.staff(Role.SCHOOL_LIAISON, agency=scene.world.clinic)
    with pytest.raises(ValidationError):
        scene.send(to_user=stranger)


@pytest.mark.parametrize("who", ["liaison", "outsider"])
def test_it_refuses_referrals_from_outside_the_case_team(scene: Scene, who: str) -> None:
    scene.consent()
    with pytest.raises(PermissionDenied):
        scene.send(by=getattr(scene, who))


def test_accepting_gives_exactly_the_shared_sections(scene: Scene) -> None:
    scene.consent()
    referral = scene.send()
    assert sections_for(scene.liaison, scene.case) == frozenset()
    assert not visible_cases(scene.liaison).filter(pk=scene.case.pk).exists()
    services.referral_accept(by=scene.liaison, referral=referral, version=referral.version)
    assert sections_for(scene.liaison, scene.case) == {S.CORE, S.EDUCATION}
    assert visible_cases(scene.liaison).filter(pk=scene.case.pk).exists()
    membership = CaseTeamMember.objects.get(case=scene.case, user=scene.liaison)
    assert membership.role == Role.SCHOOL_LIAISON
    referral.refresh_from_db()
    assert referral.membership == membership


def test_accepting_a_narrow_referral_gives_nothing_beyond_it(scene: Scene) -> None:
    """A psychologist referred with only the basic information sees only that."""
    scene.consent(agency=scene.world.ngo)
    provider = Provider.objects.create(agency=scene.world.ngo, name="Психологическая помощь")
    counsellor = scene.world.staff(Role.PSYCHOLOGIST, agency=scene.world.ngo, unit=None)
    referral = scene.send(
        provider=provider, service=None, role=Role.PSYCHOLOGIST, to_user=counsellor, sections=[]
    )
    services.referral_accept(by=counsellor, referral=referral, version=referral.version)
    assert sections_for(counsellor, scene.case) == {S.CORE}


def test_any_colleague_in_the_role_may_accept_an_unnamed_referral(scene: Scene) -> None:
    scene.consent()
    referral = scene.send(to_user=None)
    accepted = services.referral_accept(
        by=scene.liaison2, referral=referral, version=referral.version
    )
    assert accepted.to_user == scene.liaison2
    # The other colleague no longer sees it once someone took it.
    from tirek.referrals.selectors import visible_referrals

    assert not visible_referrals(scene.liaison).filter(pk=referral.pk).exists()
    assert visible_referrals(scene.liaison2).filter(pk=referral.pk).exists()


def test_only_the_receiver_may_accept(scene: Scene) -> None:
    scene.consent()
    referral = scene.send()
    for user in (scene.liaison2, scene.cm, scene.outsider):
        with pytest.raises(PermissionDenied):
            services.referral_accept(by=user, referral=referral, version=referral.version)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_a_stale_version_is_a_conflict_and_a_wrong_state_a_refusal(scene: Scene) -> None:
    scene.consent()
    referral = scene.send()
    version = referral.version
    services.referral_accept(by=scene.liaison, referral=referral, version=version)
    with pytest.raises(Conflict):
        services.referral_decline(
            by=scene.liaison, referral=referral, version=version, reason="Нет мест"
        )
    referral.refresh_from_db()
    with pytest.raises(Refused):
        services.referral_decline(
            by=scene.liaison, referral=referral, version=referral.version, reason="Нет мест"
        )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


def test_withdrawing_takes_back_what_the_referral_gave(scene: Scene) -> None:
    scene.consent()
    referral = scene.send()
    referral = services.referral_accept(
        by=scene.liaison, referral=referral, version=referral.version
    )
    services.referral_withdraw(
        by=scene.cm, referral=referral, version=referral.version, reason="Семья переехала"
    )
    membership = CaseTeamMember.objects.get(case=scene.case, user=scene.liaison)
    assert membership.removed_at is not None
    assert sections_for(scene.liaison, scene.case) == frozenset()
    assert AuditEntry.objects.filter(
        action=Action.PERMISSION_CHANGE, detail__team_member_removed=scene.liaison.pk
    ).exists()


def test_withdrawing_removes_nothing_it_never_gave(scene: Scene) -> None:
    """The liaison was on the team before the referral; the referral gave nothing."""
    scene.consent()
    before = case_services.team_member_add(
        by=scene.cm, case=scene.case, user=scene.liaison, role=Role.SCHOOL_LIAISON
    )
    referral = scene.send()
    referral = services.referral_accept(
        by=scene.liaison, referral=referral, version=referral.version
    )
    assert referral.membership is None
    services.referral_withdraw(
        by=scene.cm, referral=referral, version=referral.version, reason="Не нужно"
    )
    before.refresh_from_db()
    assert before.removed_at is None
    assert sections_for(scene.liaison, scene.case) == {
        S.CORE,
        S.EDUCATION,
        S.INCIDENTS,
    }  # the school role's own sections


def test_declining_removes_nothing(scene: Scene) -> None:
    scene.consent()
    before = case_services.team_member_add(
        by=scene.cm, case=scene.case, user=scene.liaison, role=Role.SCHOOL_LIAISON
    )
    referral = scene.send()
    declined = services.referral_decline(
        by=scene.liaison, referral=referral, version=referral.version, reason="Нет мест"
    )
    assert declined.status == ReferralStatus.DECLINED
    assert declined.decline_reason == "Нет мест"
    before.refresh_from_db()
    assert before.removed_at is None
    assert CaseTeamMember.objects.filter(case=scene.case, user=scene.liaison).count() == 1


def test_declining_needs_a_reason(scene: Scene) -> None:
    scene.consent()
    referral = scene.send()
    with pytest.raises(ValidationError):
        services.referral_decline(
            by=scene.liaison, referral=referral, version=referral.version, reason="  "
        )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_a_second_referral_keeps_the_access_when_the_first_is_withdrawn(scene: Scene) -> None:
    scene.consent()
    first = scene.send()
    first = services.referral_accept(by=scene.liaison, referral=first, version=first.version)
    second = scene.send(reason="Кружок рисования")
    second = services.referral_accept(by=scene.liaison, referral=second, version=second.version)
    assert second.membership is None
    services.referral_withdraw(by=scene.cm, referral=first, version=first.version, reason="Дубль")
    assert sections_for(scene.liaison, scene.case) == {S.CORE, S.EDUCATION}
    second.refresh_from_db()
    assert second.membership == first.membership
    services.referral_withdraw(
        by=scene.cm, referral=second, version=second.version, reason="Завершено"
    )
    assert sections_for(scene.liaison, scene.case) == frozenset()


def test_the_full_journey_to_completion(scene: Scene) -> None:
    scene.consent()
    referral = scene.send(urgency="urgent")
    assert referral.respond_by == timezone.localdate() + timedelta(days=1)
    referral = services.referral_accept(
        by=scene.liaison, referral=referral, version=referral.version
    )
    referral = services.referral_start(
        by=scene.liaison, referral=referral, version=referral.version
    )
    assert referral.status == ReferralStatus.IN_PROGRESS
    referral = services.referral_complete(
        by=scene.liaison,
        referral=referral,
        version=referral.version,
        outcome="Зачислена во 2 класс, посещает",
    )
    assert referral.status == ReferralStatus.COMPLETED
    assert list(referral.events.values_list("status", flat=True)) == [
        "sent",
        "accepted",
        "in_progress",
        "completed",
    ]
    with pytest.raises(Refused):
        services.referral_withdraw(
            by=scene.cm, referral=referral, version=referral.version, reason="x"
        )


def test_it_refuses_a_referral_for_a_closed_case(scene: Scene) -> None:
    scene.consent()
    # Closed through the plans app's closure (checklist and supervisor approval).
    Case.objects.filter(pk=scene.case.pk).update(status="closed")
    scene.case.refresh_from_db()
    with pytest.raises(Refused):
        scene.send()


def test_it_refuses_an_inactive_service(scene: Scene) -> None:
    scene.consent()
    other = Service.objects.create(
        provider=Provider.objects.create(agency=scene.world.clinic, name="Поликлиника"),
        category=ServiceCategory.MEDICAL,
        name="Осмотр",
    )
    with pytest.raises(ValidationError):
        scene.send(service=other)  # belongs to another provider
    Service.objects.filter(pk=scene.service.pk).update(is_active=False)
    scene.service.refresh_from_db()
    with pytest.raises(ValidationError):
        scene.send()
