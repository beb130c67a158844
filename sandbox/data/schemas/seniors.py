"""Schemas of the elderly-care targeting demo: territory indicators and a register of people.

Territory table: one row per commune (or finer area) with indicators where a
higher value means more need. Register: one row per person aged 60 or more,
with the features a CCAS knows and, for training, an outcome column.
"""

from sandbox.data.schema import Column, Schema

INCOME_BRACKETS = ("moins de 1 000 €", "1 000 à 1 499 €", "1 500 à 2 499 €", "2 500 € et plus")

TERRITORIES = Schema(
    name="indicateurs par territoire",
    description=(
        "Une ligne par commune (ou par quartier, IRIS) : des indicateurs publics sur les personnes âgées, "
        "en pourcentage ou en kilomètres, où **une valeur plus élevée signale plus de besoins**. "
        "Au moins deux indicateurs sont nécessaires ; les autres colonnes sont facultatives."
    ),
    columns=(
        Column(
            "code_insee",
            "id",
            "commune (code INSEE ou nom)",
            synonyms=("insee", "codgeo", "code commune", "depcom", "code geo", "commune", "nom commune", "libgeo"),
            description="Code INSEE à 5 chiffres, code IRIS à 9 chiffres ou nom de la commune.",
        ),
        Column("name", "text", "nom du territoire", required=False, synonyms=("commune", "nom", "libgeo", "libelle")),
        Column(
            "zone",
            "text",
            "zone infracommunale (quartier, IRIS)",
            required=False,
            synonyms=("iris", "code iris", "quartier", "libiris", "secteur"),
            description="Facultatif : quand plusieurs lignes décrivent des quartiers d'une même commune.",
        ),
        Column(
            "population_60plus",
            "number",
            "personnes de 60 ans et plus",
            required=False,
            unit="hab.",
            min=0,
            synonyms=("pop 60 plus", "population 60 ans et plus", "p60", "nb 60 plus"),
        ),
        Column(
            "share_75plus",
            "number",
            "part des 75 ans et plus",
            required=False,
            unit="%",
            min=0,
            max=100,
            synonyms=("part 75plus", "part 75 ans et plus", "pct 75 plus", "part des 75 ans"),
            description="Part des 75 ans et plus dans la population totale.",
        ),
        Column(
            "alone_60plus",
            "number",
            "part des 60 ans et plus vivant seuls",
            required=False,
            unit="%",
            min=0,
            max=100,
            synonyms=("part 60plus seuls", "seuls 60 plus", "personnes seules 60", "isolement", "vivant seuls"),
        ),
        Column(
            "poverty_60plus",
            "number",
            "taux de pauvreté des 60 ans et plus",
            required=False,
            unit="%",
            min=0,
            max=100,
            synonyms=("taux pauvrete 60plus", "pauvrete 60 plus", "tp60", "taux de pauvrete"),
        ),
        Column(
            "no_car_60plus",
            "number",
            "part des 60 ans et plus sans voiture",
            required=False,
            unit="%",
            min=0,
            max=100,
            synonyms=("part 60plus sans voiture", "sans voiture", "menages sans voiture"),
        ),
        Column(
            "no_lift_60plus",
            "number",
            "part des 60 ans et plus en étage sans ascenseur",
            required=False,
            unit="%",
            min=0,
            max=100,
            synonyms=("part 60plus sans ascenseur", "sans ascenseur", "etage sans ascenseur"),
        ),
        Column(
            "gp_distance_km",
            "number",
            "distance au médecin généraliste ou à la pharmacie",
            required=False,
            unit="km",
            min=0,
            synonyms=("distance medecin km", "distance medecin", "distance generaliste", "distance pharmacie"),
        ),
        Column(
            "apa_rate",
            "number",
            "bénéficiaires de l'APA pour 100 personnes de 60 ans et plus",
            required=False,
            unit="%",
            min=0,
            max=100,
            synonyms=("taux apa 60plus", "taux apa", "beneficiaires apa", "part apa"),
        ),
    ),
    unique=(),
)

PERSONS = Schema(
    name="personnes du registre",
    description=(
        "Une ligne par personne de 60 ans et plus connue du CCAS. Seuls l'identifiant et l'âge sont obligatoires ; "
        "chaque autre colonne améliore le repérage. Pour apprendre, une colonne **résultat** (oui/non) dit si "
        "la personne a connu l'événement à prévenir dans les 12 mois (hospitalisation non programmée, "
        "entrée en établissement…) ; les personnes dont le résultat est vide sont classées mais ne servent pas à apprendre."
    ),
    columns=(
        Column(
            "person_id",
            "id",
            "identifiant",
            synonyms=("id", "numero dossier", "n dossier", "num dossier", "matricule", "identifiant personne"),
        ),
        Column("last_name", "text", "nom", required=False, synonyms=("nom de famille", "nom usage", "nom naissance")),
        Column("first_name", "text", "prénom", required=False, synonyms=("prenom", "prenoms")),
        Column(
            "sex",
            "category",
            "sexe",
            required=False,
            choices=("F", "H"),
            aliases={
                "femme": "F", "feminin": "F", "mme": "F", "madame": "F", "2": "F",
                "homme": "H", "masculin": "H", "m": "H", "m.": "H", "monsieur": "H", "1": "H",
            },
        ),
        Column("age", "integer", "âge", unit="ans", min=0, max=120, synonyms=("age ans", "age annees")),
        Column(
            "commune",
            "text",
            "commune",
            required=False,
            synonyms=("code insee", "ville", "commune residence", "code commune"),
            description="Nom ou code INSEE de la commune de résidence (sert aux cartes et à l'équité).",
        ),
        Column(
            "lives_alone",
            "boolean",
            "vit seul·e",
            required=False,
            synonyms=("vit seul", "vit seule", "seul", "personne seule", "isole"),
        ),
        Column(
            "gir",
            "integer",
            "niveau GIR s'il est connu",
            required=False,
            synonyms=("gir", "niveau gir", "groupe iso ressources"),
            description="Le GIR évalué par l'équipe médico-sociale (1 à 6) ; vide s'il est inconnu. Il n'est jamais recalculé ici.",
        ),
        Column(
            "recent_hospital",
            "boolean",
            "hospitalisation récente",
            required=False,
            synonyms=("hospitalisation recente", "hospitalisation 12 mois", "sortie hopital"),
        ),
        Column("recent_fall", "boolean", "chute récente", required=False, synonyms=("chute recente", "chute", "chutes")),
        Column(
            "income_bracket",
            "category",
            "tranche de revenus mensuels",
            required=False,
            choices=INCOME_BRACKETS,
            aliases={
                "1": INCOME_BRACKETS[0], "2": INCOME_BRACKETS[1], "3": INCOME_BRACKETS[2], "4": INCOME_BRACKETS[3],
                "tres modeste": INCOME_BRACKETS[0], "modeste": INCOME_BRACKETS[1],
                "intermediaire": INCOME_BRACKETS[2], "aise": INCOME_BRACKETS[3],
                "< 1000": INCOME_BRACKETS[0], "1000-1499": INCOME_BRACKETS[1],
                "1500-2499": INCOME_BRACKETS[2], ">= 2500": INCOME_BRACKETS[3],
            },
            synonyms=("tranche revenus", "revenus", "ressources", "tranche de revenus"),
        ),
        Column(
            "months_no_contact",
            "number",
            "mois sans contact",
            required=False,
            unit="mois",
            min=0,
            synonyms=("mois sans contact", "sans contact mois", "dernier contact mois"),
            description="Nombre de mois depuis le dernier contact avec un proche ou un service.",
        ),
        Column(
            "no_lift",
            "boolean",
            "en étage sans ascenseur",
            required=False,
            synonyms=("etage sans ascenseur", "sans ascenseur"),
        ),
        Column(
            "outcome",
            "boolean",
            "résultat à prévoir (oui/non)",
            required=False,
            synonyms=("evenement 12m", "evenement 12 mois", "evenement", "resultat", "cible", "outcome", "hospitalise", "entree etablissement"),
            description="Oui si la personne a connu l'événement à prévenir dans les 12 mois (sert à apprendre et à mesurer).",
        ),
    ),
    unique=("person_id",),
)
