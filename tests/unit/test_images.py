"""open_image: allow-listed formats, multi-page TIFF, and every bad image as a French DataError."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from sandbox.data import DataError, open_image
from sandbox.text import plain


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def message(data: bytes, name: str, **kw) -> str:
    with pytest.raises(DataError) as info:
        open_image(data, name, **kw)
    text = plain(str(info.value))
    assert name in text
    return text


def test_png_and_jpeg_open_as_one_page():
    page = Image.new("L", (120, 80), 200)
    assert [p.size for p in open_image(encode(page, "PNG"), "scan.png")] == [(120, 80)]
    assert open_image(encode(page, "JPEG"), "scan.jpg")[0].size == (120, 80)


def test_multipage_tiff_gives_each_page():
    pages = [Image.new("L", (50, 40), v) for v in (0, 128, 255)]
    data = encode(pages[0], "TIFF", save_all=True, append_images=pages[1:])
    opened = open_image(data, "registre.tif")
    assert [p.getpixel((0, 0)) for p in opened] == [0, 128, 255]


def test_empty_file():
    assert "le fichier est vide (0 octet)" in message(b"", "vide.png")


def test_corrupt_bytes_and_unsupported_format():
    assert "pas une image lisible" in message(b"ceci n'est pas une image", "faux.png")
    gif = encode(Image.new("P", (10, 10)), "GIF")
    assert "format n'est pas pris en charge" in message(gif, "anim.gif")


def test_truncated_image():
    data = encode(Image.effect_noise((300, 300), 64).convert("L"), "PNG")
    assert "image tronquée ou abîmée" in message(data[: len(data) // 2], "coupe.png")


def test_decompression_bomb_is_refused_before_decoding():
    bomb = encode(Image.new("1", (12_000, 12_000)), "PNG")  # 144 MP, a few kB on disk
    assert len(bomb) < 100_000
    text = message(bomb, "bombe.png")
    assert "image trop grande (12 000 × 12 000 pixels)" in text and "bombe de décompression" in text


def test_pixel_limit_per_page_names_the_page():
    pages = [Image.new("L", (10, 10)), Image.new("L", (100, 100))]
    data = encode(pages[0], "TIFF", save_all=True, append_images=pages[1:])
    assert "page 2 : image trop grande" in message(data, "lot.tif", max_pixels=1_000)
