"""The person page: full name and the sections the viewer may see; the protected photo."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.people.models import PersonPhoto
from tirek.testing import World, logged_in_client

from .helpers import open_case, register

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def team(world: World) -> dict:
    manager = world.staff(Role.CASE_MANAGER)
    school = world.staff(Role.SCHOOL_LIAISON)
    person = register(
        manager,
        "Фатима",
        "Каримова",
        birth_date=date(2016, 1, 1),
        birth_date_precision="year",
        birth_date_estimated=True,
        birth_place="Хасака",
        birth_country="SY",
        no_documents=True,
        languages=["ar"],
        other_names=[("given", "فاطمة")],
    )
    open_case(manager, person, team=[(school, Role.SCHOOL_LIAISON)])
    return {"manager": manager, "school": school, "person": person}


def test_it_shows_the_whole_record_to_the_case_manager(team: dict) -> None:
    page = logged_in_client(team["manager"]).get(f"/people/{team['person'].pk}/").content.decode()
    for text in (
        "Каримова Фатима",
        "≈ 2016",
        "فاطمة",
        "арабский",
        "Хасака",
        "Сирия",
        "Документов, удостоверяющих личность, нет",
    ):
        assert text in page, text
    assert AuditEntry.objects.filter(action=Action.READ, object_type="people.person").exists()


def test_it_hides_origin_documents_and_family_from_the_school(team: dict) -> None:
    page = logged_in_client(team["school"]).get(f"/people/{team['person'].pk}/").content.decode()
    # The core: who the child is and which language she speaks.
    assert "Каримова Фатима" in page and "арабский" in page
    for hidden in (
        "Хасака",
        "Сирия",
        "Документы и гражданство",
        'data-section="family"',
        f'href="/people/{team["person"].pk}/edit/"',
    ):
        assert hidden not in page, hidden
    assert (
        logged_in_client(team["school"]).get(f"/people/{team['person'].pk}/edit/").status_code
        == 403
    )


def test_it_answers_404_to_staff_outside_the_case(world: World, team: dict) -> None:
    for role in (Role.CASE_MANAGER, Role.SUPERVISOR, Role.PSYCHOLOGIST, Role.ADMIN):
        outsider = world.staff(role, agency=world.centre_almaty)
        client = logged_in_client(outsider)
        for url in ("", "edit/", "family/", "photo/", "documents/new/", "household/", "merge/"):
            assert client.get(f"/people/{team['person'].pk}/{url}").status_code == 404, (
                role,
                url,
            )
    assert logged_in_client(team["manager"]).get("/people/999999/").status_code == 404


def test_it_keeps_the_photo_encrypted_and_serves_it_only_to_the_team(
    world: World, team: dict
) -> None:
    client = logged_in_client(team["manager"])
    url = f"/people/{team['person'].pk}/photo/"
    upload = client.post(f"{url}upload/", {"photo": SimpleUploadedFile("x.png", PNG, "image/png")})
    assert upload.status_code == 302
    stored = PersonPhoto.objects.get()
    assert PNG not in bytes(stored.data) and stored.content_type == "image/png"
    shown = client.get(url)
    assert shown.status_code == 200 and shown.content == PNG
    assert shown["Content-Type"] == "image/png" and "no-store" in shown["Cache-Control"]
    assert logged_in_client(team["school"]).get(url).status_code == 200
    outsider = logged_in_client(world.staff(Role.CASE_MANAGER, agency=world.centre_almaty))
    assert outsider.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
        ("x.jpg", b"GIF89a......"),
        ("x.png", b""),
        ("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (4 * 1024 * 1024)),
    ],
)
def test_it_refuses_files_that_are_not_small_images(team: dict, name: str, content: bytes) -> None:
    client = logged_in_client(team["manager"])
    client.post(
        f"/people/{team['person'].pk}/photo/upload/", {"photo": SimpleUploadedFile(name, content)}
    )
    assert not PersonPhoto.objects.exists()


def test_it_refuses_a_stale_edit_on_the_form(team: dict) -> None:
    client = logged_in_client(team["manager"])
    person = team["person"]
    form = {
        "version": 1,
        "family_name": "Каримова",
        "given_name": "Fatima",
        "sex": "female",
        "birth_date": "2016-01-01",
        "birth_date_precision": "year",
        "birth_date_estimated": "on",
        "citizenship_status": "pending",
        "languages": ["ar"],
    }
    assert client.post(f"/people/{person.pk}/edit/", form).status_code == 302
    stale = client.post(f"/people/{person.pk}/edit/", {**form, "given_name": "Fotima"})
    assert stale.status_code == 200
    assert "Запись изменил кто-то другой" in stale.content.decode()
    person.refresh_from_db()
    assert (person.given_name, person.version) == ("Fatima", 2)


def test_it_adds_and_removes_other_spellings(team: dict) -> None:
    client = logged_in_client(team["manager"])
    person = team["person"]
    client.post(f"/people/{person.pk}/names/", {"kind": "given", "value": "Fotima"})
    assert person.names.filter(value="Fotima").exists()
    found = client.get("/people/", {"q": "Fotima"}).content.decode()
    assert f"/people/{person.pk}/" in found
    name = person.names.get(value="Fotima")
    client.post(f"/people/{person.pk}/names/{name.pk}/remove/")
    assert not person.names.filter(value="Fotima").exists()
    school = logged_in_client(team["school"])
    school.post(f"/people/{person.pk}/names/", {"kind": "given", "value": "Patima"})
    assert not person.names.filter(value="Patima").exists()


def test_it_links_the_record_from_the_case_page(team: dict) -> None:
    from tirek.cases.models import Case

    case = Case.objects.get(person=team["person"])
    page = logged_in_client(team["manager"]).get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/people/{team["person"].pk}/"' in page


def test_it_re_encrypts_photos_when_the_key_is_rotated(team: dict, settings) -> None:
    from cryptography.fernet import Fernet, InvalidToken
    from django.core.exceptions import ImproperlyConfigured

    from tirek.core import crypto
    from tirek.people import services

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    # The person's data key (made with the development key) is first wrapped with ``old``.
    settings.ENCRYPTION_KEYS = [old, crypto._development_key().decode()]
    crypto.rewrap_person_keys()
    settings.ENCRYPTION_KEYS = [old]
    services.photo_set(by=team["manager"], person=team["person"], data=PNG)
    stored = bytes(PersonPhoto.objects.get().data)
    assert stored.startswith(crypto.FILE_PREFIX)  # under the person's own data key
    settings.ENCRYPTION_KEYS = [new, old]
    crypto.rewrap_person_keys()  # what ``tirek keys rotate`` does first
    assert services.photos_rotate() == 1
    settings.ENCRYPTION_KEYS = [new]
    crypto.forget_keys()
    assert crypto.decrypt_bytes(bytes(PersonPhoto.objects.get().data)) == PNG
    settings.ENCRYPTION_KEYS = [old]
    crypto.forget_keys()
    with pytest.raises(ImproperlyConfigured):
        crypto.decrypt_bytes(bytes(PersonPhoto.objects.get().data))
    with pytest.raises(InvalidToken):
        Fernet(old.encode()).decrypt(stored.split(b":", 2)[2])
