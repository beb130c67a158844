"""Reading order: the paragraphs of a single-column page top to bottom, columns left in Tesseract's order."""

from __future__ import annotations

from sandbox.models.ocr.engine import OcrPage, Word
from sandbox.models.ocr.layout import top_to_bottom


def _line(text: str, top: int, *, block: int, par: int = 1, line: int = 1, left: int = 100, width: int = 1000) -> list[Word]:
    words = text.split()
    step = width // len(words)
    return [Word(w, 90, left + i * step, top, step - 10, 30, block=block, par=par, line=line) for i, w in enumerate(words)]


def _text(words) -> str:
    return " ".join(OcrPage("p", 1, 1200, 1600, tuple(words)).text.split())


def test_a_paragraph_tesseract_put_at_the_end_goes_back_to_its_place():
    # as on a real 1902 page: one line set apart by an indent was read after the rest of the page
    words = (_line("Le conseil municipal réuni", 100, block=1) + _line("en séance ordinaire a", 140, block=1, line=2)
             + _line("entendu le rapport du maire", 260, block=1, par=2) + _line("sur les chemins vicinaux", 180, block=2, left=160))
    assert _text(top_to_bottom(words)) == ("Le conseil municipal réuni en séance ordinaire a sur les chemins vicinaux "
                                           "entendu le rapport du maire")
    assert sorted(top_to_bottom(words), key=id) == sorted(words, key=id)  # the same words, only moved


def test_two_columns_keep_tesseract_order():
    left = [w for row in range(12) for w in _line(f"gauche ligne {row}", 100 + 40 * row, block=1, line=row + 1, width=450)]
    right = [w for row in range(12) for w in _line(f"droite ligne {row}", 100 + 40 * row, block=2, line=row + 1, left=650, width=450)]
    words = left + right
    assert top_to_bottom(words) == words  # sorting by height would mix the two columns line by line
    title_last = words + _line("Titre", 40, block=3, width=300, left=400)
    assert top_to_bottom(title_last) == title_last


def test_specks_in_a_clipped_margin_are_not_a_column():
    body = [w for row in range(10) for w in _line(f"texte de la ligne {row}", 100 + 40 * row, block=1, line=row + 1)]
    specks = [Word("»", 40, 20, 100 + 40 * row, 15, 25, block=10 + row) for row in range(0, 10, 2)]
    stray = _line("ligne égarée", 520, block=30)
    ordered = top_to_bottom(stray + body + specks)
    assert ordered[-len(stray):] == stray  # moved after the body it follows (specks do not block the reordering)
    assert [w.text for w in ordered[:3]] == ["»", "texte", "de"]  # at the same height, left to right


def test_nothing_to_order():
    assert top_to_bottom([]) == []
    one = _line("une seule ligne", 100, block=1)
    assert top_to_bottom(one) == one
