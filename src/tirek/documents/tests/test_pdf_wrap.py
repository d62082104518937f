"""The summary's own line breaking: every line fits, nothing is lost, long words are cut."""

from __future__ import annotations

from tirek.documents.pdf import FONTS, _Summary, wrap


def _pdf() -> _Summary:
    pdf = _Summary(orientation="P", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.set_font("DejaVu", "", 10)
    return pdf


def test_lines_fit_and_keep_every_word() -> None:
    pdf = _pdf()
    text = "Семья переехала к родственникам в Караганде. " * 30 + "\nВторой абзац.\n\nКонец"
    lines = wrap(pdf, text, 100)
    assert all(pdf.get_string_width(line) <= 100 for line in lines)
    assert " ".join(" ".join(lines).split()) == " ".join(text.split())
    assert lines[-3:] == ["Второй абзац.", "", "Конец"]


def test_a_word_longer_than_a_line_is_cut() -> None:
    pdf = _pdf()
    lines = wrap(pdf, "start " + "ж" * 300 + " end", 50)
    assert all(pdf.get_string_width(line) <= 50 for line in lines)
    assert "".join(lines).replace(" ", "") == "start" + "ж" * 300 + "end"
    assert wrap(pdf, "", 50) == [""]
