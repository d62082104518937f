"""Plans and certificates print in Kazakh, Uzbek and Tajik with every letter of the language.

The PDF font must carry the letters Russian does not have (Kazakh ә ғ қ ң ө ұ ү һ і, Tajik
ғ ӣ қ ӯ ҳ ҷ, the Uzbek modifier letter ʻ of oʻ and gʻ); a missing glyph prints as a blank or
a box. pypdf reads the text back, which also proves the text stays searchable.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from tirek.accounts.roles import Role
from tirek.assessments.tests.factories import make_team
from tirek.plans.tests.test_plan import add_goal
from tirek.testing import World, logged_in_client
from tirek.training import pdf as certificate_pdf
from tirek.training import seed
from tirek.training.models import Certificate, Course

LETTERS = {
    "kk": "әғқңөұүһі",
    "tg": "ғӣқӯҳҷ",
    "uz": "ʻ",
}
# What a worker types in each language, using every letter above.
GOAL = {
    "kk": "Бала мектепке тұрақты барады: әріп, ғылым, қала, өңір, ұлт, үміт, қаһарман, ізгілік",
    "tg": "Кӯдак ба мактаб мунтазам меравад: ғамхорӣ, ҳуқуқ, ҷомеа, қонун",
    "uz": "Bola maktabga muntazam boradi: oʻqish, toʻgʻri, gʻamxoʻrlik",
}
HOLDER = {"kk": "Айгүл Сәрсенқызы", "tg": "Ҷамшед Қодирӣ", "uz": "Dilnoza Gʻulomova"}


@pytest.fixture
def instruments(db: None) -> None:
    from tirek.assessments.services import instruments_load

    instruments_load()


def _text(body: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return " ".join(text.split())


def _in(language: str, message: str) -> str:
    with translation.override(language):
        translated = gettext(message)
    assert translated != message, f"{message!r} is not translated into {language}"
    return translated


@pytest.mark.parametrize("language", list(LETTERS))
def test_the_plan_prints_in_the_language_with_its_letters(
    world: World, instruments: None, language: str
) -> None:
    team = make_team(world)
    add_goal(team, title=GOAL[language])
    client = logged_in_client(team.manager)
    client.cookies["tirek_language"] = language
    response = client.get(f"/cases/{team.case.pk}/plan/pdf/")
    assert response.status_code == 200
    text = _text(response.content)
    assert _in(language, "Individual rehabilitation and reintegration plan") in text
    assert _in(language, "Confidential: for the case team only") in text
    assert GOAL[language] in text
    assert set(LETTERS[language]) <= set(text)
    assert "Individual rehabilitation" not in text and "Индивидуальный план" not in text


@pytest.mark.parametrize("language", list(LETTERS))
def test_the_certificate_prints_in_the_language_with_its_letters(
    world: World, language: str
) -> None:
    seed.load()
    course = Course.objects.get(code="psychosocial-support")
    holder = world.staff(Role.CASE_MANAGER)
    certificate = Certificate.objects.create(
        kind=Certificate.Kind.PARTICIPANT,
        course=course,
        user=holder,
        holder_name=HOLDER[language],
        language=language,
        expires_at=timezone.now() + timedelta(days=365),
    )
    text = _text(certificate_pdf.render(certificate, "https://tirek.example/verify/code/"))
    assert _in(language, "Certificate of completion") in text
    assert _in(language, "has completed the course") in text
    assert HOLDER[language] in text
    title = course.translations.get(language=language).title  # from the seed overlay
    assert " ".join(title.split()) in text
    assert set(LETTERS[language]) & set(text)
    assert "Certificate of completion" not in text and "Сертификат об окончании" not in text
