"""Opening the files to read: images (PNG, JPEG, multi-page TIFF…) and PDF rasterised at 300 dpi.

Every problem becomes a :class:`~sandbox.data.DataError` whose French
message names the file (and the page): empty, truncated or corrupt file,
unsupported format, decompression bomb, encrypted PDF, too many pages.

Examples
--------
>>> import io
>>> from PIL import Image
>>> buffer = io.BytesIO(); Image.new("L", (40, 30), 255).save(buffer, "PNG")
>>> doc = load_document(buffer.getvalue(), "page.png")
>>> doc.page_count, doc.pages[0].size
(1, (40, 30))
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from sandbox.data import DataError, open_image
from sandbox.data.images import MAX_PIXELS
from sandbox.text import num

PDF_DPI = 300
MAX_PDF_PAGES = 100
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")
UPLOAD_TYPES = ["png", "jpg", "jpeg", "tif", "tiff", "pdf"]


@dataclass(frozen=True)
class Document:
    """The pages of one input file, as images ready for clean-up and OCR."""

    filename: str
    pages: tuple[Image.Image, ...]
    kind: str  # "image" or "pdf"

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def stem(self) -> str:
        """The file name without its extension (the name of the exports)."""
        return Path(self.filename).stem or "document"


def is_pdf(data: bytes) -> bool:
    """Does *data* start like a PDF file (``%PDF``, possibly after some junk bytes)?"""
    return b"%PDF-" in data[:1024]


def load_document(data: bytes, filename: str, *, max_pages: int = MAX_PDF_PAGES, dpi: int = PDF_DPI) -> Document:
    """Decode a file into page images: PDF pages rendered at *dpi*, image frames as they are.

    Raises
    ------
    DataError
        The file cannot be read; the message names it (and the page).
    """
    if not data:
        raise DataError("le fichier est vide (0 octet)", filename=filename)
    if is_pdf(data) or filename.lower().endswith(".pdf"):
        return Document(filename, tuple(render_pdf(data, filename, max_pages=max_pages, dpi=dpi)), "pdf")
    pages = open_image(data, filename, max_frames=max_pages)
    return Document(filename, tuple(pages), "image")


def render_pdf(data: bytes, filename: str, *, max_pages: int = MAX_PDF_PAGES, dpi: int = PDF_DPI) -> list[Image.Image]:
    """Rasterise every page of a PDF with PDFium at *dpi* (grayscale kept as colour where there is colour)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise DataError(
                "le PDF est protégé par un mot de passe (chiffré)",
                filename=filename,
                hint="Enregistrez-en une copie sans protection, ou exportez ses pages en images.",
            ) from None
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise DataError("le PDF utilise une protection non prise en charge", filename=filename) from None
        raise DataError(
            "ce PDF est illisible (fichier abîmé, tronqué ou qui n'est pas un PDF)",
            filename=filename,
            hint="Exportez-le à nouveau depuis le logiciel de numérisation.",
        ) from None
    try:
        count = len(pdf)
        if count == 0:
            raise DataError("le PDF ne contient aucune page", filename=filename)
        if count > max_pages:
            raise DataError(
                f"le PDF compte {num(count)} pages, au-delà de la limite de {num(max_pages)}",
                filename=filename,
                hint="Découpez-le en fichiers plus courts, ou lisez-le avec la commande « python -m sandbox ocr ».",
            )
        scale = dpi / 72
        pages = []
        for index in range(count):
            page = pdf[index]
            try:
                width, height = page.get_size()
                pixels = width * scale * height * scale
                if pixels > MAX_PIXELS:
                    raise DataError(
                        f"page {index + 1} : format démesuré ({num(width / 72 * 2.54, 0)} × "
                        f"{num(height / 72 * 2.54, 0)} cm), au-delà de {num(MAX_PIXELS / 1e6)} millions de pixels à {dpi} ppp",
                        filename=filename,
                    )
                image = page.render(scale=scale).to_pil()
            except pdfium.PdfiumError as exc:
                raise DataError(f"page {index + 1} : rendu impossible ({exc})", filename=filename) from None
            finally:
                page.close()
            pages.append(_flatten(image))
        return pages
    finally:
        pdf.close()


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    if image.mode not in ("RGB", "L"):
        return image.convert("RGB")
    return image


def count_pages(path: Path | str, *, max_pages: int = MAX_PDF_PAGES) -> int:
    """Number of pages of a file, reading only its header where possible.

    A file that cannot be opened raises the same :class:`DataError` as
    :func:`load_path` (which is then used to find the reason).

    >>> import tempfile, os
    >>> from PIL import Image
    >>> folder = tempfile.mkdtemp(); path = os.path.join(folder, "a.tif")
    >>> Image.new("L", (8, 8)).save(path, save_all=True, append_images=[Image.new("L", (8, 8))])
    >>> count_pages(path)
    2
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
        if is_pdf(head) or path.suffix.lower() == ".pdf":
            import pypdfium2 as pdfium

            pdf = pdfium.PdfDocument(str(path))
            try:
                count = len(pdf)
            finally:
                pdf.close()
        else:
            from sandbox.data.images import ALLOWED_FORMATS

            with Image.open(path, formats=ALLOWED_FORMATS) as image:
                count = getattr(image, "n_frames", 1)
                width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValueError("too large")
        if 0 < count <= max_pages:
            return count
    except Exception:
        pass
    return load_path(path, max_pages=max_pages).page_count  # raises the French reason (or counts the hard way)


def load_path(path: Path | str, **options) -> Document:
    """:func:`load_document` on a file of the disk (a missing file is a DataError too)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError("fichier introuvable", filename=str(path)) from None
    except IsADirectoryError:
        raise DataError("c'est un dossier, pas un fichier", filename=str(path)) from None
    except OSError as exc:
        raise DataError(f"lecture impossible ({exc.strerror})", filename=str(path)) from None
    return load_document(data, path.name, **options)
