"""Opening user images safely: an allow-list of formats and a pixel limit."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageSequence, UnidentifiedImageError

from sandbox.data.errors import DataError
from sandbox.text import num

ALLOWED_FORMATS = ("PNG", "JPEG", "TIFF", "BMP", "WEBP")
UPLOAD_TYPES = ["png", "jpg", "jpeg", "tif", "tiff", "bmp", "webp"]
MAX_PIXELS = 60_000_000  # an A3 page at 600 dpi is about 70 MP; an A4 at 400 dpi, 15 MP
MAX_FRAMES = 200


def open_image(
    data: bytes,
    filename: str,
    *,
    max_pixels: int = MAX_PIXELS,
    max_frames: int = MAX_FRAMES,
    frames: tuple[int, ...] | None = None,
) -> list[Image.Image]:
    """Decode an image file into its pages (one per frame of a multi-page TIFF).

    With *frames* (page numbers from 1), only those pages are decoded.

    Only the formats of ``ALLOWED_FORMATS`` are decoded. An image larger
    than *max_pixels* (a decompression bomb, or a scan at an absurd
    resolution) is refused before its pixels are decoded.

    Returns
    -------
    list of PIL.Image.Image
        Fully loaded copies, detached from the file.

    Raises
    ------
    DataError
        Empty, truncated or corrupt file, unsupported format, too many
        pixels or pages; the message names the file (and the page).
    """
    if not data:
        raise DataError("le fichier est vide (0 octet)", filename=filename)
    with warnings.catch_warnings():
        # Pillow's own guard warns above ~89 MP and refuses above ~179 MP; ours is
        # stricter and checked on the header's size, before any pixel is decoded.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_large(filename, None, max_pixels) from None
        except UnidentifiedImageError:
            raise DataError(
                "ce n'est pas une image lisible, ou son format n'est pas pris en charge",
                filename=filename,
                hint="Formats acceptés : PNG, JPEG, TIFF (plusieurs pages possibles), BMP, WEBP.",
            ) from None
        except Exception as exc:
            raise DataError(f"l'image n'a pas pu être ouverte ({exc})", filename=filename) from None

        pages: list[Image.Image] = []
        try:
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                if number > max_frames:
                    raise DataError(
                        f"l'image compte plus de {num(max_frames)} pages",
                        filename=filename,
                        hint="Découpez le fichier en plusieurs lots.",
                    )
                width, height = frame.size
                if width * height > max_pixels:
                    raise _too_large(filename, number if number > 1 else None, max_pixels, width, height)
                if frames is not None and number not in frames:
                    if number >= max(frames):
                        break
                    continue
                try:
                    frame.load()
                    pages.append(frame.copy())
                except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                    raise _too_large(filename, number, max_pixels) from None
                except (OSError, SyntaxError, ValueError) as exc:
                    where = f"page {number} : " if number > 1 else ""
                    raise DataError(
                        f"{where}image tronquée ou abîmée ({exc})",
                        filename=filename,
                        hint="Numérisez ou exportez à nouveau ce document.",
                    ) from None
        except DataError:
            raise
        except Exception as exc:
            raise DataError(f"l'image n'a pas pu être lue ({exc})", filename=filename) from None
        finally:
            image.close()
    if not pages:
        raise DataError("l'image ne contient aucune page", filename=filename)
    return pages


def image_sizes(data: bytes, filename: str, *, max_pixels: int = MAX_PIXELS, max_frames: int = MAX_FRAMES) -> list[tuple[int, int]]:
    """The size of every page of an image file, read from its headers (no pixel decoded), with the checks of :func:`open_image`.

    >>> buffer = io.BytesIO(); Image.new("L", (40, 30)).save(buffer, "TIFF", save_all=True, append_images=[Image.new("L", (20, 10))])
    >>> image_sizes(buffer.getvalue(), "scan.tif")
    [(40, 30), (20, 10)]
    """
    if not data:
        raise DataError("le fichier est vide (0 octet)", filename=filename)
    sizes: list[tuple[int, int]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_large(filename, None, max_pixels) from None
        except Exception:
            return [page.size for page in open_image(data, filename, max_pixels=max_pixels, max_frames=max_frames)]  # the French reason
        try:
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                if number > max_frames:
                    raise DataError(f"l'image compte plus de {num(max_frames)} pages", filename=filename,
                                    hint="Découpez le fichier en plusieurs lots.")
                width, height = frame.size
                if width * height > max_pixels:
                    raise _too_large(filename, number if number > 1 else None, max_pixels, width, height)
                sizes.append((width, height))
        except DataError:
            raise
        except Exception as exc:
            raise DataError(f"l'image n'a pas pu être lue ({exc})", filename=filename) from None
        finally:
            image.close()
    if not sizes:
        raise DataError("l'image ne contient aucune page", filename=filename)
    return sizes


def _too_large(filename: str, page: int | None, max_pixels: int, width: int = 0, height: int = 0) -> DataError:
    size = f" ({num(width)} × {num(height)} pixels)" if width else ""
    where = f"page {page} : " if page else ""
    return DataError(
        f"{where}image trop grande{size}, au-delà de {num(max_pixels / 1e6)} millions de pixels "
        "(possible « bombe de décompression »)",
        filename=filename,
        hint="Réduisez la résolution à 300 ppp, qui suffit pour l'OCR.",
    )
