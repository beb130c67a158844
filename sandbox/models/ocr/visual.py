"""Pictures of what OCR did: word boxes over the page, coloured by confidence.

Plain PIL drawing (no Streamlit), so the page, the command line and a
notebook draw the same thing.

Examples
--------
>>> from PIL import Image
>>> from sandbox.models.ocr.engine import OcrPage, Word
>>> page = OcrPage("p.png", 1, 100, 40, (Word("sûr", 95, 5, 5, 30, 12), Word("d0ute", 30, 50, 5, 40, 12)))
>>> picture = draw_word_boxes(Image.new("L", (100, 40), 255), page)
>>> picture.size
(100, 40)
>>> r, g, b = picture.getpixel((6, 6)); b > r  # blue: a confident word
True
>>> r, g, b = picture.getpixel((51, 6)); r > b  # red: a doubtful one
True
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from sandbox.models.ocr.engine import LOW_CONFIDENCE, OcrPage

# colour-blind-safe pair (blue / orange) with a red for the worst words
SURE = (0, 114, 178)
DOUBT = (230, 159, 0)
BAD = (213, 45, 0)


def confidence_colour(conf: float, threshold: float = LOW_CONFIDENCE) -> tuple[int, int, int]:
    """Blue for a word at or above *threshold*, orange below it, red below half of it."""
    if conf >= threshold:
        return SURE
    if conf >= threshold / 2:
        return DOUBT
    return BAD


def draw_word_boxes(
    image: Image.Image,
    page: OcrPage,
    *,
    threshold: float = LOW_CONFIDENCE,
    max_size: int | None = 1400,
    fill: bool = True,
) -> Image.Image:
    """The page with each word's box drawn in its confidence colour (semi-transparent fill, solid edge).

    The picture is reduced to at most *max_size* pixels (None: full size).
    """
    base = image.convert("RGB")
    scale = 1.0
    if max_size and max(base.size) > max_size:
        scale = max_size / max(base.size)
        base = base.resize((round(base.width * scale), round(base.height * scale)), Image.Resampling.LANCZOS)
    sx = base.width / max(1, page.width) if page.width else scale
    sy = base.height / max(1, page.height) if page.height else scale
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    width = max(1, round(2 * min(sx, sy) * 2))
    for word in page.words:
        colour = confidence_colour(word.conf, threshold)
        x0, y0, x1, y1 = word.box
        box = (x0 * sx, y0 * sy, max(x0 * sx + 1, x1 * sx), max(y0 * sy + 1, y1 * sy))
        draw.rectangle(box, fill=(*colour, 60) if fill else None, outline=(*colour, 230), width=width)
    return Image.alpha_composite(base.convert("RGBA"), overlay).convert("RGB")
