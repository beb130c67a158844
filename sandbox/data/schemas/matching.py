"""Schemas of the matching demo: job offers, candidates, and how to tell one file from the other."""

from __future__ import annotations

from collections.abc import Iterable

from sandbox.data.errors import DataError
from sandbox.data.mapping import normalise_name, suggest_mapping
from sandbox.data.schema import Column, Schema
from sandbox.text import q

OFFERS = Schema(
    name="offres d'emploi",
    description=(
        "Une ligne par offre : identifiant, intitulé du poste, description, compétences requises et souhaitées "
        "(liste séparée par des « ; » ou des virgules), commune ou coordonnées, type de contrat, heures par semaine, "
        "date de début. Seuls l'identifiant et l'intitulé sont obligatoires."
    ),
    columns=(
        Column("offer_id", "id", "identifiant de l'offre", synonyms=("id offre", "id_offre", "numero offre", "reference offre", "ref offre", "offre", "id", "identifiant", "ref", "reference"),
               description="Identifiant unique de chaque offre."),
        Column("title", "text", "intitulé du poste", synonyms=("intitule", "intitule du poste", "titre", "poste", "libelle", "metier", "matching"),
               description="Intitulé en texte libre : le métier ROME est reconnu automatiquement."),
        Column("description", "text", "description", required=False, synonyms=("descriptif", "missions", "description du poste", "texte", "profil"),
               description="Missions et profil recherché, en texte libre."),
        Column("skills_required", "text", "compétences requises", required=False,
               synonyms=("competences requises", "competences", "competences exigees", "savoir faire", "prerequis", "exigences"),
               description="Liste séparée par « ; », « , » ou « | » ; vide : lues dans la description."),
        Column("skills_desired", "text", "compétences souhaitées", required=False,
               synonyms=("competences souhaitees", "atouts", "apprecie", "competences appreciees", "plus"),
               description="Compétences appréciées, non exigées."),
        Column("commune", "text", "commune", required=False, synonyms=("ville", "lieu", "lieu de travail", "commune du poste", "localisation"),
               description="Nom ou code INSEE d'une commune de la métropole (sert au calcul de distance)."),
        Column("latitude", "latitude", "latitude", required=False, unit="°", description="Si connue, plus précise que la commune."),
        Column("longitude", "longitude", "longitude", required=False, unit="°"),
        Column("contract", "text", "type de contrat", required=False, synonyms=("contrat", "type contrat", "nature du contrat", "type de contrat"),
               description="CDI, CDD, intérim, alternance, contrat aidé, vacation, saisonnier ou titulaire."),
        Column("hours", "number", "heures par semaine", required=False, unit="h", min=0, max=60,
               synonyms=("heures", "heures hebdomadaires", "duree hebdomadaire", "temps de travail", "nb heures"),
               description="Durée hebdomadaire du poste."),
        Column("start_date", "text", "date de début", required=False, synonyms=("date debut", "debut", "prise de poste", "date de prise de poste", "date de debut"),
               description="JJ/MM/AAAA ; vide : dès que possible."),
        Column("rome_code", "text", "code ROME", required=False, synonyms=("rome", "code rome", "code metier"),
               description="S'il est connu ; sinon il est déduit de l'intitulé."),
    ),
    unique=("offer_id",),
)

CANDIDATES = Schema(
    name="candidats",
    description=(
        "Une ligne par personne : identifiant, métier recherché, compétences (liste séparée par des « ; » ou des "
        "virgules), texte d'expérience, commune, rayon de mobilité en km, disponibilité, contrats acceptés. "
        "Le nom, l'âge, le sexe, la nationalité et l'adresse ne servent jamais au score : n'exportez pas ces colonnes."
    ),
    columns=(
        Column("candidate_id", "id", "identifiant du candidat",
               synonyms=("id candidat", "id_candidat", "numero candidat", "identifiant candidat", "dossier", "numero de dossier", "candidat", "id", "identifiant", "ref", "reference"),
               description="Identifiant unique de chaque personne (numéro de dossier)."),
        Column("desired_job", "text", "métier recherché",
               synonyms=("metier recherche", "emploi recherche", "poste recherche", "metier souhaite", "projet professionnel", "metier vise"),
               description="En texte libre : le métier ROME est reconnu automatiquement."),
        Column("skills", "text", "compétences", required=False, synonyms=("competences", "savoir faire", "qualifications", "diplomes", "competences cles"),
               description="Liste séparée par « ; », « , » ou « | » ; vide : lues dans le texte d'expérience."),
        Column("experience", "text", "expérience", required=False, synonyms=("experience", "parcours", "cv", "presentation", "experiences", "resume du parcours"),
               description="Parcours en texte libre (les prénoms et marques de genre en sont retirés avant le score)."),
        Column("commune", "text", "commune", required=False, synonyms=("ville", "commune de residence", "lieu de residence", "localisation"),
               description="Nom ou code INSEE d'une commune de la métropole (sert seulement au calcul de distance)."),
        Column("latitude", "latitude", "latitude", required=False, unit="°"),
        Column("longitude", "longitude", "longitude", required=False, unit="°"),
        Column("mobility_km", "text", "rayon de mobilité", required=False, unit="km",
               synonyms=("rayon de mobilite", "mobilite", "rayon", "distance max", "mobilite km", "rayon mobilite km"),
               description="Distance maximale acceptée, en km ; vide ou illisible : valeur par défaut."),
        Column("availability", "text", "disponibilité", required=False, synonyms=("disponibilite", "date de disponibilite", "disponible le", "dispo"),
               description="« immédiate » ou une date JJ/MM/AAAA."),
        Column("contracts", "text", "contrats acceptés", required=False, synonyms=("contrats acceptes", "contrat souhaite", "contrats", "type de contrat souhaite"),
               description="Liste (CDI, CDD, intérim…) ; vide : tous."),
        Column("work_time", "text", "temps de travail souhaité", required=False, synonyms=("temps de travail souhaite", "temps de travail", "quotite"),
               description="« temps plein », « temps partiel » ou « indifférent »."),
        Column("name", "text", "nom (affichage)", required=False, synonyms=("nom", "name", "nom prenom", "nom et prenom", "nom complet"),
               description="Seulement affiché au conseiller ; jamais utilisé par le score, retiré des exports."),
        Column("placed_offers", "text", "offres obtenues (placements passés)", required=False,
               synonyms=("offres retenues", "placement", "placements", "offre obtenue", "offres obtenues", "verite terrain"),
               description="Identifiants des offres où la personne a été recrutée : sert seulement à mesurer la qualité du classement."),
    ),
    unique=("candidate_id",),
)

# Columns that only one of the two files has: used to recognise a file put in the wrong place.
_DISTINCTIVE = {
    "offres": ("offer_id", "title", "description", "skills_required", "skills_desired", "hours", "start_date", "rome_code"),
    "candidats": ("candidate_id", "desired_job", "experience", "mobility_km", "availability", "contracts", "work_time", "placed_offers"),
}
SCHEMAS = {"offres": OFFERS, "candidats": CANDIDATES}


def _exact(column: str, spec: Column) -> bool:
    """True when the column's name is the schema column's name, label or one of its synonyms (normalised)."""
    name = normalise_name(column)
    return name in {normalise_name(spec.name), normalise_name(spec.label), *(normalise_name(s) for s in spec.synonyms)}


def table_kind(columns: Iterable[object]) -> str | None:
    """« offres », « candidats » or None: which of the two files these columns look like.

    >>> table_kind(["id_offre", "intitulé", "description", "compétences requises", "type de contrat"])
    'offres'
    >>> table_kind(["id_candidat", "métier recherché", "expérience", "rayon de mobilité (km)"])
    'candidats'
    >>> table_kind(["identifiant", "métier recherché", "compétences", "commune", "expérience"])
    'candidats'
    """
    columns = [str(c) for c in columns]
    mappings = {kind: suggest_mapping(columns, schema) for kind, schema in SCHEMAS.items()}
    fits = {}
    for kind, schema in SCHEMAS.items():
        other = "candidats" if kind == "offres" else "offres"
        used_by_other = {v for v in mappings[other].values() if v is not None}
        fits[kind] = 0
        for name in _DISTINCTIVE[kind]:
            column = mappings[kind][name]
            if column is None:
                continue
            # A column both schemas could read (« identifiant », « compétences ») counts only where its name is exact.
            if column in used_by_other:
                theirs = [n for n, v in mappings[other].items() if v == column]
                if not _exact(column, schema[name]) or any(_exact(column, SCHEMAS[other][n]) for n in theirs):
                    continue
            fits[kind] += 1
    best = max(fits, key=fits.get)
    other = "candidats" if best == "offres" else "offres"
    if fits[best] >= 2 and fits[best] > fits[other]:
        return best
    return None


def check_kind(columns: Iterable[object], expected: str, filename: str | None = None) -> None:
    """Raise a French DataError if the file looks like the other table of the demo.

    Examples
    --------
    >>> from sandbox.text import plain
    >>> try:
    ...     check_kind(["id_offre", "intitulé", "description", "compétences requises"], "candidats", "offres.csv")
    ... except DataError as exc:
    ...     print(plain(str(exc))[:99])
    Fichier « offres.csv » : ce fichier ressemble à un fichier d'offres d'emploi (colonnes « id_offre »
    """
    columns = [str(c) for c in columns]
    kind = table_kind(columns)
    if kind is None or kind == expected:
        return
    schema, wrong = SCHEMAS[expected], SCHEMAS[kind]
    mapping = suggest_mapping(columns, wrong)
    seen = [mapping[n] for n in _DISTINCTIVE[kind] if mapping[n] is not None][:4]
    what = "un fichier d'offres d'emploi" if kind == "offres" else "un fichier de candidats"
    expected_what = "un fichier de candidats" if expected == "candidats" else "un fichier d'offres d'emploi"
    zone = "Offres d'emploi" if kind == "offres" else "Candidats"
    needed = " et ".join(q(c.label) for c in schema.required)
    line = "une ligne par personne" if expected == "candidats" else "une ligne par offre"
    raise DataError(
        f"ce fichier ressemble à {what} (colonnes {', '.join(q(c) for c in seen)}), pas à {expected_what}",
        filename=filename,
        hint=f"Déposez-le dans la zone « {zone} » et, ici, le fichier des {schema.name} : {line} avec au moins {needed}.",
    )
