"""Synthetic archive pages for the OCR demo: four period documents, aged, with their exact text.

Each document is typeset from its text (which is the ground truth, line for
line), then aged the way real scans are: yellowed and textured paper,
bleed-through of the verso, faded ink, stains, uneven light, slight blur,
a skew of a few degrees, sensor noise, sometimes a dark scanner border,
and JPEG compression. Everything is seeded: the same seed gives the same
bytes.

The renderer is also used by the tests and the benchmark
(:func:`render_document` with ``aged=False`` gives the clean scan of the
same page; :func:`render_lines` typesets any text).

Fonts: DejaVu (``fonts-dejavu-core``) and Liberation (``fonts-liberation``);
PIL's built-in font is the fallback where they are absent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation"))
FONTS = {
    "serif": ("LiberationSerif-Regular.ttf", "DejaVuSerif.ttf"),
    "serif-bold": ("LiberationSerif-Bold.ttf", "DejaVuSerif-Bold.ttf"),
    "old": ("DejaVuSerif.ttf", "LiberationSerif-Regular.ttf"),
    "old-bold": ("DejaVuSerif-Bold.ttf", "LiberationSerif-Bold.ttf"),
    "mono": ("LiberationMono-Regular.ttf", "DejaVuSansMono.ttf"),
}
A4_MM = (210.0, 297.0)


def font(kind: str, size_px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A TrueType font of the given family and pixel size (PIL's built-in font as a fallback)."""
    for name in FONTS[kind]:
        for folder in FONT_DIRS:
            path = folder / name
            if path.is_file():
                return ImageFont.truetype(str(path), size_px)
    return ImageFont.load_default(size_px)


# ---------------------------------------------------------------- documents

@dataclass(frozen=True)
class Block:
    """A piece of a page: ``kind`` is title, para, line, right, blank or margin."""

    kind: str
    text: str = ""
    style: str = "body"  # body, bold, small, big
    indent: float = 0.0  # in em, first line of a paragraph


@dataclass(frozen=True)
class DocumentSpec:
    """What a sample page is: its blocks, its typeface and how it is aged."""

    name: str
    title: str
    family: str
    size_pt: float
    dpi: int
    blocks: tuple[Block, ...]
    margin_blocks: tuple[Block, ...] = ()
    typewriter: bool = False
    skew_deg: float = 2.0
    paper: tuple[int, int, int] = (236, 224, 190)
    ink: tuple[int, int, int] = (38, 30, 26)
    light_drop: float = 0.30
    noise: float = 7.0
    blur: float = 0.7
    stains: int = 3
    bleed: float = 0.16
    fade: float = 0.35
    border: tuple[str, ...] = ()
    quality: int = 80
    verso: str = ""
    extra: dict = field(default_factory=dict)


def _p(text: str, indent: float = 2.0) -> Block:
    return Block("para", " ".join(text.split()), indent=indent)


DELIBERATION = DocumentSpec(
    name="deliberation_1926",
    title="Délibération du conseil municipal (Vincennes, 1926)",
    family="serif",
    size_pt=11.5,
    dpi=300,
    skew_deg=-1.8,
    light_drop=0.35,
    stains=3,
    bleed=0.18,
    verso="arrete_1911",
    blocks=(
        Block("title", "VILLE DE VINCENNES", "big"),
        Block("title", "EXTRAIT DU REGISTRE DES DÉLIBÉRATIONS DU CONSEIL MUNICIPAL", "bold"),
        Block("title", "Séance du 14 mai 1926"),
        Block("blank"),
        _p(
            "L'an mil neuf cent vingt-six, le quatorze mai, à vingt heures trente, le Conseil municipal "
            "de la commune de Vincennes, légalement convoqué, s'est réuni au lieu ordinaire de ses séances, "
            "sous la présidence de M. Émile Lacombe, Maire."
        ),
        _p(
            "Présents : MM. Lacombe, Maire ; Girardin, Devaux, Adjoints ; Bourdon, Chevalier, Marchand, "
            "Roussel, Thibault, Vasseur, Conseillers municipaux."
        ),
        _p("Absent excusé : M. Fernand Delorme. M. Henri Chevalier a été désigné comme secrétaire."),
        Block("blank"),
        Block("line", "Objet : Acquisition d'un terrain pour l'agrandissement de l'école de garçons.", "bold"),
        Block("blank"),
        _p(
            "M. le Maire expose au Conseil que l'école de garçons de la rue de Fontenay ne suffit plus "
            "aux besoins de la population scolaire, qui s'est accrue de cent douze élèves depuis la "
            "rentrée d'octobre 1924. Le sieur Auguste Pellerin, propriétaire d'un terrain contigu d'une "
            "contenance de huit cent quarante mètres carrés, consent à le céder à la Ville moyennant le "
            "prix de soixante-quatre mille francs."
        ),
        _p(
            "Le Conseil, Vu la loi du 5 avril 1884 ; Vu le rapport de la Commission des travaux en date "
            "du 6 mai 1926 ; Vu l'avis favorable de M. l'Inspecteur primaire ; Considérant que "
            "l'acquisition projetée est d'utilité publique ; Après en avoir délibéré,"
        ),
        Block("title", "DÉCIDE :", "bold"),
        _p(
            "Article premier. — La Ville de Vincennes acquiert du sieur Auguste Pellerin le terrain "
            "désigné ci-dessus, au prix de 64 000 francs, payable sur les fonds de l'emprunt autorisé "
            "par le décret du 21 janvier 1925."
        ),
        _p(
            "Art. 2. — M. le Maire est autorisé à signer l'acte de vente et toutes pièces utiles. Les "
            "communes de Fontenay-sous-Bois et de Saint-Mandé seront informées des travaux prévus en "
            "bordure de leur territoire."
        ),
        Block("blank"),
        Block("line", "Ainsi fait et délibéré en séance, les jour, mois et an susdits."),
        Block("right", "Pour extrait conforme,"),
        Block("right", "Vincennes, le 17 mai 1926."),
        Block("right", "Le Maire, E. Lacombe."),
    ),
)

REGISTER = DocumentSpec(
    name="etat_civil_1890",
    title="Registre d'état civil, acte de naissance (Saint-Denis, 1890)",
    family="old",
    size_pt=10.5,
    dpi=300,
    skew_deg=2.6,
    paper=(232, 218, 178),
    ink=(52, 36, 28),
    light_drop=0.40,
    noise=9.0,
    blur=0.8,
    stains=4,
    bleed=0.20,
    fade=0.45,
    border=("left", "bottom"),
    verso="deliberation_1926",
    margin_blocks=(
        Block("line", "N° 247"),
        Block("line", "Naissance de"),
        Block("line", "Bernard"),
        Block("line", "Jeanne Marie"),
        Block("blank"),
        Block("blank"),
        Block("blank"),
        Block("blank"),
        Block("blank"),
        Block("blank"),
        Block("blank"),
        Block("blank"),
        Block("blank"),
        Block("blank"),
        Block("line", "N° 248"),
        Block("line", "Naissance de"),
        Block("line", "Morin"),
        Block("line", "Louis Eugène"),
    ),
    blocks=(
        _p(
            "L'an mil huit cent quatre-vingt-dix, le douze mars, à dix heures du matin, par-devant nous, "
            "Jean-Baptiste Morel, adjoint au Maire, officier de l'état civil de la commune de Saint-Denis, "
            "département de la Seine, est comparu le sieur Louis Auguste Bernard, âgé de trente-deux ans, "
            "chaudronnier, domicilié en cette ville, rue de la République, numéro quatorze, lequel nous a "
            "présenté un enfant du sexe féminin, né le dix mars courant, à quatre heures du soir, en son "
            "domicile, de lui déclarant et de dame Marie Joséphine Lefèvre, son épouse, sans profession, "
            "âgée de vingt-neuf ans, et auquel il a déclaré vouloir donner les prénoms de Jeanne Marie. "
            "Lesdites déclaration et présentation faites en présence des sieurs Victor Lemaire, "
            "quarante-cinq ans, marchand de vin, et Alphonse Garnier, trente ans, employé, domiciliés "
            "à Aubervilliers, et ont le déclarant et les témoins signé avec nous le présent acte, après "
            "lecture faite.",
            indent=0,
        ),
        Block("blank"),
        _p(
            "L'an mil huit cent quatre-vingt-dix, le treize mars, à trois heures du soir, par-devant nous, "
            "Jean-Baptiste Morel, adjoint au Maire, officier de l'état civil de la commune de Saint-Denis, "
            "est comparue la veuve Céline Morin, née Dubois, âgée de soixante ans, sage-femme, demeurant "
            "à Saint-Ouen, laquelle nous a présenté un enfant du sexe masculin, né le onze mars courant, "
            "à minuit, au domicile de sa mère, de Mlle Augustine Morin, âgée de vingt et un ans, "
            "blanchisseuse, et auquel elle a déclaré donner les prénoms de Louis Eugène. Présents les "
            "sieurs Pierre Leroux, cinquante ans, cordonnier, et François Lambert, trente-huit ans, "
            "charretier, domiciliés en cette ville.",
            indent=0,
        ),
    ),
)

ARRETE = DocumentSpec(
    name="arrete_1911",
    title="Arrêté du maire (Montreuil, 1911)",
    family="old",
    size_pt=11.0,
    dpi=300,
    skew_deg=3.2,
    paper=(238, 228, 196),
    light_drop=0.50,
    noise=9.0,
    blur=0.9,
    stains=2,
    bleed=0.14,
    fade=0.30,
    border=("top",),
    verso="lettre_1947",
    blocks=(
        Block("title", "VILLE DE MONTREUIL", "big"),
        Block("title", "ARRÊTÉ DU MAIRE", "bold"),
        Block("title", "portant réglementation du stationnement des voitures sur la place de la Mairie"),
        Block("blank"),
        _p("Nous, Maire de la Ville de Montreuil, Chevalier de la Légion d'honneur,", indent=0),
        _p("Vu la loi du 5 avril 1884 sur l'organisation municipale, et notamment ses articles 91 et 97 ;", indent=0),
        _p("Vu l'arrêté préfectoral du 18 décembre 1908 relatif à la circulation dans le département de la Seine ;", indent=0),
        _p(
            "Considérant que le stationnement prolongé des voitures de place, charrettes et tombereaux sur la "
            "place de la Mairie gêne l'accès des administrés aux services municipaux les jours de marché ;",
            indent=0,
        ),
        Block("title", "ARRÊTONS :", "bold"),
        _p(
            "Article premier. — Le stationnement des voitures de toute nature est interdit sur la place de la "
            "Mairie, les mardis, jeudis et samedis, de six heures du matin à une heure de l'après-midi."
        ),
        _p(
            "Art. 2. — Les voitures des marchands forains venant de Bagnolet, de Rosny-sous-Bois ou de "
            "Vincennes stationneront rue de Paris, dans la partie comprise entre la rue Marceau et le "
            "boulevard de l'Hôtel-de-Ville."
        ),
        _p(
            "Art. 3. — Les contraventions au présent arrêté seront constatées par des procès-verbaux et "
            "poursuivies conformément aux lois. Le sieur Eugène Fouquet, commissaire de police, est chargé "
            "de son exécution."
        ),
        Block("blank"),
        Block("right", "Fait en l'Hôtel de Ville, le 3 juillet 1911."),
        Block("right", "Le Maire, A. Dufresne."),
    ),
)

LETTER = DocumentSpec(
    name="lettre_1947",
    title="Lettre dactylographiée (Pantin, 1947)",
    family="mono",
    size_pt=11.0,
    dpi=300,
    typewriter=True,
    skew_deg=-1.2,
    paper=(240, 234, 214),
    ink=(30, 30, 40),
    light_drop=0.42,
    noise=9.0,
    blur=0.8,
    stains=2,
    bleed=0.16,
    fade=0.45,
    border=("right",),
    verso="etat_civil_1890",
    blocks=(
        Block("line", "MAIRIE DE PANTIN"),
        Block("line", "Service de l'État civil"),
        Block("line", "Réf. : EC/47/312"),
        Block("blank"),
        Block("right", "Pantin, le 12 février 1947."),
        Block("blank"),
        Block("line", "Le Maire de Pantin"),
        Block("line", "à Madame veuve Rigaud,"),
        Block("line", "12, rue Hoche, à Pantin."),
        Block("blank"),
        Block("line", "Objet : demande de copie d'acte de naissance."),
        Block("blank"),
        Block("line", "Madame,"),
        Block("blank"),
        _p(
            "En réponse à votre lettre du 3 février 1947, j'ai l'honneur de vous faire connaître que "
            "l'acte de naissance de votre mari, M. Marcel Rigaud, né le 27/08/1901 à Bobigny, ne figure "
            "pas dans les registres de notre commune.",
            indent=5,
        ),
        _p(
            "Je vous invite à vous adresser à la mairie de Bobigny, qui vous en délivrera copie sur simple "
            "demande. Les registres de l'année 1901 ont été microfilmés et restent consultables en salle "
            "de lecture, le mardi et le vendredi.",
            indent=5,
        ),
        _p(
            "Veuillez agréer, Madame, l'assurance de ma considération distinguée.",
            indent=5,
        ),
        Block("blank"),
        Block("right", "Pour le Maire et par délégation,"),
        Block("right", "le Secrétaire général,"),
        Block("right", "P. Castaing."),
    ),
)

DOCUMENTS: dict[str, DocumentSpec] = {d.name: d for d in (DELIBERATION, REGISTER, ARRETE, LETTER)}


# ---------------------------------------------------------------- typesetting

@dataclass
class _Layout:
    lines: list[str]
    mask: Image.Image  # L: 255 where ink


def _style_font(spec: DocumentSpec, style: str, px: int):
    family = spec.family
    if style == "bold" and not spec.typewriter:
        return font(f"{family}-bold" if f"{family}-bold" in FONTS else family, px)
    if style == "big" and not spec.typewriter:
        return font(f"{family}-bold" if f"{family}-bold" in FONTS else family, round(px * 1.3))
    return font(family, px)


def _wrap(text: str, fnt, width: float, first_indent: float) -> list[tuple[str, float]]:
    words = text.split()
    lines: list[tuple[str, float]] = []
    current: list[str] = []
    indent = first_indent
    for word in words:
        trial = " ".join([*current, word])
        if current and fnt.getlength(trial) + indent > width:
            lines.append((" ".join(current), indent))
            current, indent = [word], 0.0
        else:
            current.append(word)
    if current:
        lines.append((" ".join(current), indent))
    return lines


def _draw_text(draw: ImageDraw.ImageDraw, xy, text: str, fnt, rng: np.random.Generator | None) -> None:
    """Draw *text*; with *rng*, strike each character like a typewriter (jitter, uneven pressure)."""
    if rng is None:
        draw.text(xy, text, font=fnt, fill=255)
        return
    x, y = xy
    for char in text:
        if char != " ":
            dy = rng.normal(0, 1.2)
            dx = rng.normal(0, 0.6)
            pressure = int(np.clip(rng.normal(235, 18), 150, 255))
            draw.text((x + dx, y + dy), char, font=fnt, fill=pressure)
        x += fnt.getlength(char)


def typeset(spec: DocumentSpec, *, dpi: int | None = None, seed: int = 0) -> _Layout:
    """Lay out *spec* on an A4 page: returns its text lines (the ground truth) and an ink mask."""
    dpi = dpi or spec.dpi
    width, height = (round(mm / 25.4 * dpi) for mm in A4_MM)
    px = round(spec.size_pt / 72 * dpi)
    leading = round(px * 1.45)
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    rng = np.random.default_rng(seed) if spec.typewriter else None
    left = round(width * 0.11)
    right = width - round(width * 0.10)
    if spec.margin_blocks:
        margin_left, body_left = left, left + round(width * 0.20)
    else:
        margin_left, body_left = left, left
    top = round(height * 0.08)
    lines: list[str] = []

    def place(blocks, x0, collect):
        y = top
        for block in blocks:
            fnt = _style_font(spec, block.style, px)
            if block.kind == "blank":
                y += leading // 2 if not spec.typewriter else leading
                continue
            if block.kind == "para":
                for text, indent in _wrap(block.text, fnt, right - x0, block.indent * px * 0.6):
                    _draw_text(draw, (x0 + indent, y), text, fnt, rng)
                    collect.append(text)
                    y += leading
                continue
            text = block.text
            length = fnt.getlength(text)
            if block.kind == "title":
                x = x0 + (right - x0 - length) / 2
            elif block.kind == "right":
                x = right - length - px
            else:
                x = x0
            _draw_text(draw, (x, y), text, fnt, rng)
            collect.append(text)
            y += round(leading * (1.3 if block.style == "big" else 1.0))
        return y

    margin_lines: list[str] = []
    if spec.margin_blocks:
        place(spec.margin_blocks, margin_left, margin_lines)
        # the register's ruled margin
        draw.line([(body_left - px, top - px), (body_left - px, height - top)], fill=200, width=max(2, dpi // 100))
    place(spec.blocks, body_left, lines)
    return _Layout(margin_lines + lines, mask)


def ground_truth(spec: DocumentSpec) -> str:
    """The exact text of the page, one line per printed line, ending with a newline."""
    return "\n".join(typeset(spec).lines) + "\n"


# ---------------------------------------------------------------- ageing

def _smooth_field(rng: np.random.Generator, shape: tuple[int, int], scale: int) -> np.ndarray:
    """Low-frequency noise in [0, 1] (bilinear upsampling of a coarse random grid)."""
    h, w = shape
    coarse = rng.random((max(2, h // scale + 2), max(2, w // scale + 2))).astype(np.float32)
    image = Image.fromarray((coarse * 255).astype(np.uint8)).resize((w, h), Image.Resampling.BICUBIC)
    return np.asarray(image, dtype=np.float32) / 255.0


def age(mask: Image.Image, spec: DocumentSpec, *, seed: int, verso_mask: Image.Image | None = None) -> Image.Image:
    """Turn an ink mask into an aged colour scan of that page."""
    rng = np.random.default_rng(seed)
    h, w = mask.size[1], mask.size[0]
    dpi_scale = w / 2480

    paper = np.empty((h, w, 3), np.float32)
    texture = 0.94 + 0.06 * _smooth_field(rng, (h, w), max(8, round(60 * dpi_scale)))
    fibres = 0.985 + 0.015 * _smooth_field(rng, (h, w), 3)
    for c in range(3):
        paper[..., c] = spec.paper[c] * texture * fibres

    # foxing and stains: soft brownish blobs with a darker rim
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    for _ in range(spec.stains):
        cx, cy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h
        rx, ry = rng.uniform(0.03, 0.10) * w, rng.uniform(0.03, 0.08) * h
        d = np.sqrt(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2)
        body = np.clip(1.2 - d, 0, 1) * rng.uniform(0.08, 0.18)
        rim = np.exp(-((d - 1.0) ** 2) / 0.004) * rng.uniform(0.05, 0.12)
        darkening = (body + rim)[..., None] * np.array([0.7, 0.95, 1.4], np.float32)
        paper *= 1 - darkening

    # bleed-through of the verso: mirrored, blurred, faint
    if verso_mask is not None and spec.bleed > 0:
        verso = verso_mask.transpose(Image.Transpose.FLIP_LEFT_RIGHT).filter(ImageFilter.GaussianBlur(2.2 * dpi_scale))
        v = np.asarray(verso, np.float32)[..., None] / 255.0 * spec.bleed
        paper = paper * (1 - v) + np.array(spec.ink, np.float32) * v

    # ink: faded unevenly over the page
    ink_mask = mask.filter(ImageFilter.GaussianBlur(0.5 * dpi_scale))
    m = np.asarray(ink_mask, np.float32)[..., None] / 255.0
    strength = 1 - spec.fade * _smooth_field(rng, (h, w), max(8, round(300 * dpi_scale)))[..., None]
    page = paper * (1 - m * strength) + np.array(spec.ink, np.float32) * (m * strength)

    # uneven light: a slanted gradient and a vignette
    angle = rng.uniform(0, 2 * math.pi)
    ramp = (np.cos(angle) * (xx / w - 0.5) + np.sin(angle) * (yy / h - 0.5)) + 0.5
    vignette = ((xx / w - 0.5) ** 2 + (yy / h - 0.5) ** 2) * 2
    light = 1 - spec.light_drop * np.clip(0.7 * ramp + 0.5 * vignette, 0, 1)
    page *= light[..., None]
    del xx, yy

    image = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8), "RGB")
    image = image.filter(ImageFilter.GaussianBlur(spec.blur * dpi_scale))
    background = tuple(int(c * (1 - spec.light_drop * 0.5)) for c in spec.paper)
    image = image.rotate(spec.skew_deg, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=background)

    page = np.asarray(image, np.float32).copy()
    for side in spec.border:  # the dark bed of the scanner, with a ragged edge
        size = round(rng.uniform(0.015, 0.03) * (w if side in ("left", "right") else h))
        if side in ("left", "right"):
            edge = (size + np.cumsum(rng.normal(0, 0.8, h))).clip(size // 2, size * 2).astype(int)
            for y in range(h):
                if side == "left":
                    page[y, : edge[y]] = rng.uniform(18, 30)
                else:
                    page[y, w - edge[y]:] = rng.uniform(18, 30)
        else:
            edge = (size + np.cumsum(rng.normal(0, 0.8, w))).clip(size // 2, size * 2).astype(int)
            for x in range(w):
                if side == "top":
                    page[: edge[x], x] = rng.uniform(18, 30)
                else:
                    page[h - edge[x]:, x] = rng.uniform(18, 30)
    page += rng.normal(0, spec.noise, page.shape).astype(np.float32)
    specks = rng.random((h, w)) < 0.0004
    page[specks] = rng.uniform(20, 90, (int(specks.sum()), 1))
    return Image.fromarray(np.clip(page, 0, 255).astype(np.uint8), "RGB")


def render_document(name: str, *, seed: int = 2026, aged: bool = True, dpi: int | None = None) -> tuple[Image.Image, str]:
    """Render a sample page: ``(image, ground truth text)``.

    ``aged=False`` gives the clean scan (white paper, black ink, straight);
    *dpi* overrides the document's resolution (tests use a lower one).
    """
    spec = DOCUMENTS[name]
    layout = typeset(spec, dpi=dpi, seed=seed)
    text = "\n".join(layout.lines) + "\n"
    if not aged:
        clean = Image.eval(layout.mask, lambda v: 255 - v)
        return clean, text
    verso = typeset(DOCUMENTS[spec.verso], dpi=dpi, seed=seed + 1).mask if spec.verso else None
    return age(layout.mask, spec, seed=seed + sum(map(ord, name)), verso_mask=verso), text


def render_lines(
    lines: list[str],
    *,
    size: tuple[int, int] = (1240, 900),
    font_px: int = 34,
    family: str = "serif",
    margin: int = 80,
    leading: float = 1.5,
) -> Image.Image:
    """Typeset *lines* in black on a white grayscale image (for tests of the clean-up steps)."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    fnt = font(family, font_px)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * font_px * leading), line, font=fnt, fill=0)
    return image


TYPESCRIPT_LINES = (
    "MAIRIE DE MONTREUIL",
    "Service de l'état civil",
    "Le Maire de la commune certifie que le registre des",
    "naissances de l'année mil neuf cent cinquante-deux a été",
    "clos et arrêté le trente et un décembre par ses soins.",
    "Les actes portent les numéros un à deux cent douze.",
    "Une copie est adressée au greffe du tribunal civil de la",
    "Seine, conformément aux dispositions de la loi.",
    "Fait en mairie, le deux janvier mil neuf cent cinquante-trois.",
    "Le Maire,",
)


def render_typescript(lines=TYPESCRIPT_LINES, *, size: tuple[int, int] = (1564, 2000), seed: int = 7,
                      faded: bool = False) -> tuple[Image.Image, str]:
    """A typewritten page as a clean RGB scan at 300 dpi (or *faded*: pale ink on yellowed, uneven paper).

    Black typewriter-style text (monospace, with slight strike variations) on
    a light cream paper with a fine texture; returns the image and its exact
    text. The faded version has grey ink at a fifth of the contrast and a
    strong light gradient: what an old carbon copy looks like.

    >>> image, text = render_typescript()
    >>> image.mode, image.size, text.splitlines()[0]
    ('RGB', (1564, 2000), 'MAIRIE DE MONTREUIL')
    """
    rng = np.random.default_rng(seed)
    width, height = size
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    fnt = font("mono", 40)
    y = 220
    for line in lines:
        x = 170
        for char in line:  # a typewriter strikes each letter with its own strength and a little offset
            draw.text((x, y + int(rng.integers(-1, 2))), char, font=fnt, fill=int(rng.integers(200, 256)))
            x += fnt.getlength("M")
        y += 64 if line else 40
    ink = np.asarray(mask, np.float32) / 255.0
    grain = rng.normal(0, 3.0, (height, width)).astype(np.float32)
    paper = np.stack([np.full((height, width), v, np.float32) for v in (238, 232, 214)], axis=-1) + grain[..., None]
    if faded:
        gradient = np.linspace(0, 60, width, dtype=np.float32)[None, :] + np.linspace(0, 30, height, dtype=np.float32)[:, None]
        paper = paper - gradient[..., None] * np.array([0.6, 0.7, 1.0], np.float32)
        ink_colour, strength = np.array([150, 140, 130], np.float32), 0.55
    else:
        ink_colour, strength = np.array([25, 25, 30], np.float32), 1.0
    alpha = (ink * strength)[..., None]
    pixels = paper * (1 - alpha) + ink_colour * alpha
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    return image, "\n".join(lines) + "\n"


# ---------------------------------------------------------------- files

def generate(out_dir: Path, seed: int) -> list[Path]:
    """Write ``ocr/<name>.jpg`` (aged scan) and ``ocr/<name>.txt`` (exact text) for each document."""
    folder = Path(out_dir) / "ocr"
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for offset, spec in enumerate(DOCUMENTS.values()):
        image, text = render_document(spec.name, seed=seed + offset)
        image_path = folder / f"{spec.name}.jpg"
        image.save(image_path, "JPEG", quality=spec.quality, dpi=(spec.dpi, spec.dpi), optimize=True)
        text_path = folder / f"{spec.name}.txt"
        text_path.write_bytes(text.encode("utf-8"))
        written += [image_path, text_path]
    return written
