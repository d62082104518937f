"""The referral form is no dead end without consent (issue #15): it says what consent
covers, links to recording consent, and refuses once, clearly."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from django.urls import reverse

from tirek.accounts.roles import Role
from tirek.referrals.models import Referral
from tirek.testing import logged_in_client

from .conftest import Scene

REFUSAL = 'data-testid="consent-missing"'


def _form_url(scene: Scene) -> str:
    return reverse("referrals:new", args=[scene.case.pk, scene.service.pk])


def _post(scene: Scene) -> dict[str, str]:
    return {
        "role": str(Role.SCHOOL_LIAISON),
        "reason": "Поддержка в учёбе",
        "urgency": "routine",
        "sections": ["education"],
        "to_user": str(scene.liaison.pk),
    }


def test_without_consent_it_says_so_and_links_to_recording_it(scene: Scene) -> None:
    page = logged_in_client(scene.cm).get(_form_url(scene))
    html = page.content.decode()
    assert page.status_code == 200
    assert REFUSAL in html
    covers = html[html.index('data-testid="consent-covers"') :]
    assert scene.world.school.name not in covers[: covers.index("</p>")]
    link = reverse("privacy:consent_new", args=[scene.case.person_id])
    assert link in html
    # The link comes back to this form once the consent is recorded.
    start = html.index(link)
    href = html[start : html.index('"', start)].replace("&amp;", "&")
    assert parse_qs(urlparse(href).query)["next"] == [_form_url(scene)]


def test_a_refused_referral_says_why_once_and_sends_nothing(scene: Scene) -> None:
    page = logged_in_client(scene.cm).post(_form_url(scene), _post(scene))
    html = page.content.decode()
    assert page.status_code in (200, 422)
    assert html.count(REFUSAL) == 1
    assert "nonfield" not in html  # not again in the service's wording above the form
    assert 'role="alert"' in html
    assert not Referral.objects.filter(case=scene.case).exists()


def test_with_consent_it_lists_the_agencies_covered_and_sends(scene: Scene) -> None:
    scene.consent()
    client = logged_in_client(scene.cm)
    html = client.get(_form_url(scene)).content.decode()
    covers = html[html.index('data-testid="consent-covers"') :]
    assert scene.world.school.name in covers[: covers.index("</ul>")]
    assert reverse("privacy:consent_new", args=[scene.case.person_id]) not in html
    page = client.post(_form_url(scene), _post(scene))
    assert page.status_code == 302
    assert Referral.objects.filter(case=scene.case).count() == 1
