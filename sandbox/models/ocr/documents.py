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

import hashlib
import math
import io
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from sandbox.data import DataError
from sandbox.data.images import MAX_PIXELS, image_sizes, open_image
from sandbox.text import num

PDF_DPI = 300
MAX_PDF_PAGES = 100
MAX_TOTAL_PIXELS = 300_000_000  # per file: about 34 A4 pages at 300 dpi
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")
UPLOAD_TYPES = ["png", "jpg", "jpeg", "tif", "tiff", "pdf"]


@dataclass(frozen=True)
class Document:
    """The pages of one input file, as images ready for clean-up and OCR.

    A document opened with :func:`open_document` keeps only the file's bytes
    (``data``) and its page sizes: each page is decoded (a PDF page rendered)
    when :meth:`page` asks for it, and dropped after use.
    """

    filename: str
    pages: tuple[Image.Image, ...]
    kind: str  # "image" or "pdf"
    data: bytes = field(default=b"", repr=False)
    sizes: tuple[tuple[int, int], ...] = ()

    @property
    def page_count(self) -> int:
        return len(self.pages) or len(self.sizes)

    @property
    def pixels(self) -> int:
        """Total pixels of the decoded pages (what the document costs in memory, one byte per pixel and channel)."""
        sizes = self.sizes or tuple(p.size for p in self.pages)
        return sum(w * h for w, h in sizes)

    @property
    def digest(self) -> str:
        """SHA-256 of the file's content (of the decoded pixels for a document built from images)."""
        h = hashlib.sha256(self.data)
        if not self.data:
            for page in self.pages:
                h.update(page.tobytes())
        return h.hexdigest()

    def page(self, number: int) -> Image.Image:
        """Page *number* (from 1), decoded now for a lazily opened document."""
        if self.pages:
            return self.pages[number - 1]
        if not 1 <= number <= len(self.sizes):
            raise IndexError(number)
        if self.kind == "pdf":
            return render_pdf(self.data, self.filename, first=number, last=number)[0]
        return open_image(self.data, self.filename, frames=(number,))[0]

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


def open_document(data: bytes, filename: str, *, max_pages: int = MAX_PDF_PAGES, dpi: int = PDF_DPI,
                  max_total_pixels: int = MAX_TOTAL_PIXELS) -> Document:
    """Check a file and count its pages without decoding them: pages are decoded one at a time by :meth:`Document.page`.

    Every check of :func:`load_document` is made on the file's headers
    (format, pages, pixels per page), plus a limit on the pixels of all its
    pages together, so a small file cannot expand into gigabytes.

    >>> buffer = io.BytesIO(); Image.new("L", (40, 30), 255).save(buffer, "PNG")
    >>> doc = open_document(buffer.getvalue(), "page.png")
    >>> doc.page_count, doc.pages, doc.page(1).size
    (1, (), (40, 30))

    Raises
    ------
    DataError
        As :func:`load_document`, and when the pages together exceed *max_total_pixels*.
    """
    if not data:
        raise DataError("le fichier est vide (0 octet)", filename=filename)
    if is_pdf(data) or filename.lower().endswith(".pdf"):
        kind, sizes = "pdf", _pdf_sizes(data, filename, max_pages=max_pages, dpi=dpi)
    else:
        kind, sizes = "image", tuple(image_sizes(data, filename, max_frames=max_pages))
    total = sum(w * h for w, h in sizes)
    if total > max_total_pixels:
        raise DataError(
            f"les {num(len(sizes))} pages totalisent {num(total / 1e6)} millions de pixels, au-delà de la limite de "
            f"{num(max_total_pixels / 1e6)} millions par fichier",
            filename=filename,
            hint="Découpez le document en plusieurs fichiers, ou numérisez-le à 300 ppp.",
        )
    return Document(filename, (), kind, data, sizes)


def _pdf_sizes(data: bytes, filename: str, *, max_pages: int, dpi: int) -> tuple[tuple[int, int], ...]:
    """The size in pixels at *dpi* of every page of a PDF (nothing rendered), with the checks of :func:`render_pdf`."""
    import pypdfium2 as pdfium

    pdf = _open_pdf(data, filename)
    try:
        count = len(pdf)
        _check_count(count, max_pages, filename)
        sizes = []
        for index in range(count):
            width, height = pdf.get_page_size(index)
            _check_page_pixels(width, height, dpi, index, filename)
            sizes.append((math.ceil(width * dpi / 72), math.ceil(height * dpi / 72)))  # as PDFium renders
        return tuple(sizes)
    except pdfium.PdfiumError as exc:
        raise DataError(f"taille des pages illisible ({exc})", filename=filename) from None
    finally:
        pdf.close()


def _open_pdf(data: bytes, filename: str):
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        return pdfium.PdfDocument(data)
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


def _check_count(count: int, max_pages: int, filename: str) -> None:
    if count == 0:
        raise DataError("le PDF ne contient aucune page", filename=filename)
    if count > max_pages:
        raise DataError(
            f"le PDF compte {num(count)} pages, au-delà de la limite de {num(max_pages)}",
            filename=filename,
            hint="Découpez-le en fichiers plus courts, ou lisez-le avec la commande « python -m sandbox ocr ».",
        )


def _check_page_pixels(width: float, height: float, dpi: int, index: int, filename: str) -> None:
    scale = dpi / 72
    if width * scale * height * scale > MAX_PIXELS:
        raise DataError(
            f"page {index + 1} : format démesuré ({num(width / 72 * 2.54, 0)} × "
            f"{num(height / 72 * 2.54, 0)} cm), au-delà de {num(MAX_PIXELS / 1e6)} millions de pixels à {dpi} ppp",
            filename=filename,
        )


def render_pdf(data: bytes, filename: str, *, max_pages: int = MAX_PDF_PAGES, dpi: int = PDF_DPI,
               first: int = 1, last: int | None = None) -> list[Image.Image]:
    """Rasterise the pages *first*–*last* (default: all) of a PDF with PDFium at *dpi*."""
    import pypdfium2 as pdfium

    pdf = _open_pdf(data, filename)
    try:
        count = len(pdf)
        _check_count(count, max_pages, filename)
        scale = dpi / 72
        pages = []
        for index in range(first - 1, min(count, last or count)):
            page = pdf[index]
            try:
                width, height = page.get_size()
                _check_page_pixels(width, height, dpi, index, filename)
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


def load_path(path: Path | str, *, lazy: bool = False, **options) -> Document:
    """:func:`load_document` (or :func:`open_document` if *lazy*) on a file of the disk (a missing file is a DataError too)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError("fichier introuvable", filename=str(path)) from None
    except IsADirectoryError:
        raise DataError("c'est un dossier, pas un fichier", filename=str(path)) from None
    except OSError as exc:
        raise DataError(f"lecture impossible ({exc.strerror})", filename=str(path)) from None
    return (open_document if lazy else load_document)(data, path.name, **options)
