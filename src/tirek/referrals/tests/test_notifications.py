from __future__ import annotations

from django.core import mail
from django.test import override_settings

from tirek.referrals.models import Notification, NotificationKind
from tirek.testing import api_client, logged_in_client

from .conftest import Scene


def test_a_referral_notifies_the_receiver_in_the_app_and_by_a_data_free_email(
    scene: Scene, django_capture_on_commit_callbacks
) -> None:
    scene.liaison.email = "svetlana@school17.example"
    scene.liaison.save()
    scene.consent()
    with django_capture_on_commit_callbacks(execute=True):
        referral = scene.send()
    note = Notification.objects.get(user=scene.liaison)
    assert note.kind == NotificationKind.REFERRAL_RECEIVED
    assert note.url == f"/referrals/{referral.pk}/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["svetlana@school17.example"]
    text = f"{message.subject}\n{message.body}"
    person = scene.case.person
    for secret in (
        person.given_name,
        person.family_name,
        person.initials,
        scene.case.number,
        referral.reason,
        scene.provider.name,
    ):
        assert secret not in text
    # The link goes to the notification list, not to the referral (whose id says nothing,
    # but the reader has to sign in either way).
    assert "/notifications/" in message.body
    assert "/referrals/" not in message.body


def test_no_email_is_sent_when_the_change_rolls_back(
    scene: Scene, django_capture_on_commit_callbacks
) -> None:
    from django.db import transaction

    scene.liaison.email = "svetlana@school17.example"
    scene.liaison.save()
    scene.consent()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                scene.send()
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert mail.outbox == []
    assert not Notification.objects.exists()


@override_settings(NOTIFICATION_EMAILS=False)
def test_email_can_be_switched_off(scene: Scene, django_capture_on_commit_callbacks) -> None:
    scene.liaison.email = "svetlana@school17.example"
    scene.liaison.save()
    scene.consent()
    with django_capture_on_commit_callbacks(execute=True):
        scene.send()
    assert mail.outbox == []
    assert Notification.objects.filter(user=scene.liaison).count() == 1


def test_the_notification_list_and_marking_read(scene: Scene) -> None:
    scene.consent()
    scene.send()
    client = api_client(scene.liaison)
    listing = client.get("/api/v1/notifications").json()
    assert listing["unread"] == 1
    assert listing["items"][0]["kind"] == NotificationKind.REFERRAL_RECEIVED
    # Someone else's notification cannot be marked.
    assert api_client(scene.cm).post(
        "/api/v1/notifications/read",
        data={"ids": [listing["items"][0]["id"]]},
        content_type="application/json",
    ).json() == {"marked": 0}
    marked = client.post("/api/v1/notifications/read", data={}, content_type="application/json")
    assert marked.json() == {"marked": 1}
    assert client.get("/api/v1/notifications", {"unread": True}).json()["count"] == 0


def test_opening_a_notification_marks_it_read_and_follows_the_link(scene: Scene) -> None:
    scene.consent()
    referral = scene.send()
    note = Notification.objects.get(user=scene.liaison)
    client = logged_in_client(scene.liaison)
    assert "Новое направление" in client.get("/notifications/").content.decode()
    response = client.post(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None
    # Another user's notification is a 404.
    assert logged_in_client(scene.cm).post(f"/notifications/{note.pk}/open/").status_code == 404
