"""Uzbek in Cyrillic: generated from the Latin catalogues, and served as a sixth language."""

from __future__ import annotations

import pytest
from django.test import Client

from tirek.accounts.roles import Role
from tirek.core import uz_cyrillic
from tirek.core.uz_cyrillic import to_cyrillic
from tirek.testing import World, logged_in_client


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Oʻzbekiston", "Ўзбекистон"),
        ("yoʻllanma yoʻq", "йўлланма йўқ"),
        ("Qirgʻiziston", "Қирғизистон"),
        ("shaxsga doir maʼlumotlar", "шахсга доир маълумотлар"),
        ("Reabilitatsiya", "Реабилитация"),
        ("agar u ketsa", "агар у кетса"),  # t + s of a verb, not ц
        ("Eksport, ehtiyoj, poeziya, Yetakchi", "Экспорт, эҳтиёж, поэзия, Етакчи"),
        ("Yoshi, yuz, yarim", "Ёши, юз, ярим"),
        ("AQSh va SHAXS", "АҚШ ва ШАХС"),
        ("Sentabrda, iyul, obyekt", "Сентябрда, июл, объект"),
        ("Majburiy to'ldiring, ma'lumot", "Мажбурий тўлдиринг, маълумот"),  # ASCII apostrophes
    ],
)
def test_it_transliterates_uzbek_latin_to_cyrillic(latin: str, cyrillic: str) -> None:
    assert to_cyrillic(latin) == cyrillic


def test_it_leaves_placeholders_markup_and_file_formats_alone() -> None:
    assert to_cyrillic("%(n)s ta holat, %d kun") == "%(n)s та ҳолат, %d кун"
    assert to_cyrillic("Kiring:\n{url}") == "Киринг:\n{url}"
    assert to_cyrillic('<a href="/work/">Mening ishim</a>') == '<a href="/work/">Менинг ишим</a>'
    assert to_cyrillic("![rasm](asset:12) [havola](https://tirek.example/a)") == (
        "![расм](asset:12) [ҳавола](https://tirek.example/a)"
    )
    assert to_cyrillic("PDF yoki XLSX, UTF-8") == "PDF ёки XLSX, UTF-8"


def test_the_committed_cyrillic_files_are_generated_from_the_latin_ones() -> None:
    files = uz_cyrillic.generated()
    assert len(files) >= 16
    assert uz_cyrillic.stale(files) == [], "run `tirek uz_cyrillic` after editing a uz file"


def test_the_cyrillic_catalogues_translate_every_message_the_latin_ones_do() -> None:
    import polib

    for source in sorted(uz_cyrillic.TIREK_DIR.glob("**/locale/uz/LC_MESSAGES/django.po")):
        target = source.parents[2] / "uz_Cyrl" / "LC_MESSAGES" / "django.po"
        latin = {(e.msgctxt, e.msgid) for e in polib.pofile(str(source)).translated_entries()}
        cyrillic = {(e.msgctxt, e.msgid) for e in polib.pofile(str(target)).translated_entries()}
        assert latin <= cyrillic, target


def test_it_serves_the_shell_in_uzbek_cyrillic(world: World) -> None:
    client = logged_in_client(world.staff(Role.CASE_MANAGER))
    client.cookies["tirek_language"] = "uz-cyrl"
    home = client.get("/").content.decode()
    assert '<html lang="uz-cyrl">' in home
    assert "<h1>Менинг ишим</h1>" in home
    assert "Mening ishim" not in home
    assert "<title>Вазифалар · Tirek</title>" in client.get("/work/tasks/").content.decode()


def test_it_offers_uzbek_cyrillic_in_the_language_list(db: None) -> None:
    html = Client().get("/accounts/login/").content.decode()
    assert 'value="uz-cyrl"' in html
    assert "ўзбек тили (кирилл)" in html
