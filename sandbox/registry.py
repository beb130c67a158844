"""The app's pages: the five demos and the workshop pages, in one list.

A page appears in the navigation once its file exists: adding a demo is
adding its page file (and its entry here). The app (``app.py``), the home
page's cards and the tests all read this list.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox import PACKAGE_DIR


@dataclass(frozen=True)
class PageEntry:
    """A page of the app.

    Attributes
    ----------
    key : str
        English slug, used everywhere in code (widget keys, workshop profile,
        run summaries, model and page packages).
    url : str
        French URL path (the only place where the French name appears).
    path : str
        Script path relative to ``sandbox/`` (as ``st.Page`` expects).
    title : str
        French title in the navigation.
    icon : str
        Material icon (``:material/name:``).
    section : str
        Navigation group.
    """

    key: str
    url: str
    path: str
    title: str
    icon: str
    section: str

    @property
    def exists(self) -> bool:
        return (PACKAGE_DIR / self.path).is_file()


@dataclass(frozen=True)
class Demo(PageEntry):
    """A demo page, with what its card on the home page says."""

    problem: str = ""
    ai: str = ""
    data: str = ""
    users: str = ""


DEMO_SECTION = "Démonstrations"
WORKSHOP_SECTION = "Atelier"

HOME = PageEntry("home", "accueil", "pages/home.py", "Accueil", ":material/home:", "")

DEMOS: tuple[Demo, ...] = (
    Demo(
        key="ocr",
        url="ocr",
        path="pages/ocr/page.py",
        title="Archives : lire les documents numérisés",
        icon=":material/history_edu:",
        section=DEMO_SECTION,
        problem="Registres, délibérations et arrêtés numérisés restent des images : personne ne peut y chercher un nom ou une date.",
        ai="Nettoie les scans, lit le texte avec Tesseract (OCR), signale les mots incertains, repère dates, personnes et communes.",
        data="Images PNG, JPEG, TIFF ou PDF de documents imprimés ou dactylographiés.",
        users="Archivistes, service documentation, état civil.",
    ),
    Demo(
        key="collection",
        url="collecte",
        path="pages/collection/page.py",
        title="Collecte des déchets : tournées optimisées",
        icon=":material/local_shipping:",
        section=DEMO_SECTION,
        problem="Les tournées de collecte suivent des secteurs figés : des kilomètres, du carburant et des heures d'équipage en trop.",
        ai="Découpe le territoire en secteurs équilibrés, optimise l'ordre de passage des camions et prévoit le remplissage des bacs.",
        data="Points de collecte (coordonnées, volume), dépôt, flotte ; en option, historique des capteurs de remplissage.",
        users="Service propreté, régie de collecte, syndicat de traitement.",
    ),
    Demo(
        key="water",
        url="eau",
        path="pages/water/page.py",
        title="Eau : fuites et conseils personnalisés",
        icon=":material/water_drop:",
        section=DEMO_SECTION,
        problem="Une fuite après compteur coûte cher au foyer et se découvre à la facture ; les conseils génériques changent peu les habitudes.",
        ai="Contrôle la qualité des relevés, détecte les fuites et les consommations inhabituelles, compare chaque foyer à des foyers semblables.",
        data="Relevés de compteurs communicants (index ou volumes, horaires ou journaliers) ; en option, description des logements.",
        users="Régie ou délégataire de l'eau, service environnement, CCAS.",
    ),
    Demo(
        key="matching",
        url="emploi",
        path="pages/matching/page.py",
        title="Emploi : rapprocher offres et candidats",
        icon=":material/work:",
        section=DEMO_SECTION,
        problem="Les conseillers lisent des centaines d'offres et de profils en texte libre pour trouver les bons rapprochements.",
        ai="Normalise métiers (ROME) et compétences, classe les offres pour un candidat et les candidats pour une offre, explique chaque score.",
        data="Offres (intitulé, description, compétences, lieu) et candidats (métier recherché, compétences, commune, mobilité).",
        users="Maison de l'emploi, PLIE, mission locale, service RH.",
    ),
    Demo(
        key="seniors",
        url="seniors",
        path="pages/seniors/page.py",
        title="Seniors : repérer les besoins d'accompagnement",
        icon=":material/elderly:",
        section=DEMO_SECTION,
        problem="Le CCAS ne peut pas rendre visite à toutes les personnes âgées : il faut aller d'abord vers les plus fragiles, avant la crise.",
        ai="Construit un indice de besoins par commune et un score de risque par personne, propose une liste de visites dans la capacité disponible.",
        data="Indicateurs par commune (statistiques publiques) ; registre des personnes connues (âge, isolement, chutes…).",
        users="CCAS, service autonomie, coordination gérontologique.",
    ),
)

WORKSHOP_PAGES: tuple[PageEntry, ...] = (
    PageEntry("sheet", "fiche-projet", "pages/sheet/page.py", "Fiche projet", ":material/description:", WORKSHOP_SECTION),
    PageEntry("feedback", "atelier", "pages/feedback/page.py", "Retours de l'atelier", ":material/forum:", WORKSHOP_SECTION),
)


def available_demos() -> list[Demo]:
    """The demos whose page exists, in the order of ``DEMOS``."""
    return [d for d in DEMOS if d.exists]


def all_pages() -> list[PageEntry]:
    """Every page of the app, home first."""
    return [HOME, *available_demos(), *(p for p in WORKSHOP_PAGES if p.exists)]


def demo(key: str) -> Demo:
    """The demo with this key."""
    for d in DEMOS:
        if d.key == key:
            return d
    raise KeyError(key)
