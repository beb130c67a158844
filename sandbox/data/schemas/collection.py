"""Schemas of the waste-collection demo: collection points, sensor history, sites."""

from sandbox.data.schema import Column, Schema

POINTS = Schema(
    name="points de collecte",
    description=(
        "Un point de collecte par ligne : identifiant, coordonnées WGS 84 (degrés), flux de déchets et "
        "volume à collecter — donné directement, ou calculé à partir de la contenance du bac et de son "
        "taux de remplissage. En option : temps de service, créneau horaire (hh:mm) et secteur actuel."
    ),
    columns=(
        Column("id", "id", "identifiant", synonyms=("id point", "code point", "numero bac", "id bac", "point")),
        Column("latitude", "latitude", "latitude", unit="°", description="Degrés décimaux WGS 84 (vers 48,86 à Montreuil)."),
        Column("longitude", "longitude", "longitude", unit="°", description="Degrés décimaux WGS 84 (vers 2,44 à Montreuil)."),
        Column(
            "stream", "text", "flux", required=False, synonyms=("flux dechets", "type dechet", "filiere", "dechet"),
            description="Ordures ménagères, emballages, verre… Un camion ne collecte qu'un flux à la fois.",
        ),
        Column(
            "volume_l", "number", "volume à collecter", unit="L", required=False, min=0, max=1_000_000,
            synonyms=("volume", "volume collecte", "quantite", "demande"),
            description="Volume de déchets à enlever au point. À défaut : contenance × taux de remplissage.",
        ),
        Column(
            "fill_pct", "number", "taux de remplissage", unit="%", required=False, min=0, max=150,
            synonyms=("remplissage", "taux remplissage", "niveau", "fill"),
            description="Niveau du bac le jour de la collecte (100 = plein).",
        ),
        Column(
            "container_l", "number", "contenance du bac", unit="L", required=False, min=0, max=1_000_000,
            synonyms=("contenance", "capacite bac", "taille bac", "volume bac", "contenance l"),
            description="Volume du bac ou de la borne ; sans taux de remplissage, le bac est supposé plein.",
        ),
        Column(
            "service_min", "number", "temps de service", unit="min", required=False, min=0, max=120,
            synonyms=("temps service", "duree arret", "temps arret", "temps service min"),
            description="Minutes passées au point (manutention du bac).",
        ),
        Column(
            "tw_start", "text", "début du créneau", required=False,
            synonyms=("debut creneau", "heure debut", "ouverture", "debut"),
            description="Pas de passage avant cette heure (hh:mm).",
        ),
        Column(
            "tw_end", "text", "fin du créneau", required=False,
            synonyms=("fin creneau", "heure fin", "fermeture", "fin"),
            description="Passage au plus tard à cette heure (hh:mm).",
        ),
        Column(
            "sector", "text", "secteur actuel", required=False, synonyms=("secteur", "tournee", "circuit"),
            description="Secteur ou circuit de la tournée actuelle (sert de référence).",
        ),
        Column("address", "text", "adresse", required=False, synonyms=("adresse", "voie", "rue")),
    ),
    unique=("id",),
)

HISTORY = Schema(
    name="relevés des capteurs de remplissage",
    description=(
        "Un relevé par point et par jour : identifiant du point, date, taux de remplissage (%) mesuré le matin "
        "avant la collecte ; en option, si le bac a été vidé ce jour-là."
    ),
    columns=(
        Column("id", "id", "identifiant du point", synonyms=("identifiant", "id point", "point", "capteur")),
        Column("date", "date", "date du relevé", synonyms=("date releve", "jour")),
        Column(
            "fill_pct", "number", "taux de remplissage", unit="%", min=0, max=150,
            synonyms=("remplissage", "taux remplissage", "niveau", "remplissage pct"),
        ),
        Column(
            "emptied", "boolean", "vidé ce jour", required=False, synonyms=("vide", "vidage", "collecte", "collecte ce jour"),
            description="Oui si le bac a été vidé après le relevé ; sinon déduit des baisses de niveau.",
        ),
    ),
)

SITES = Schema(
    name="sites (dépôt, exutoire)",
    description="Le dépôt des camions et, en option, l'exutoire (centre de tri, de transfert ou d'incinération).",
    columns=(
        Column(
            "role", "category", "rôle", choices=("dépôt", "exutoire"),
            aliases={
                "depot": "dépôt", "garage": "dépôt", "centre technique": "dépôt",
                "exutoire": "exutoire", "centre de traitement": "exutoire", "incinerateur": "exutoire",
                "centre de tri": "exutoire", "quai de transfert": "exutoire", "centre de transfert": "exutoire",
            },
            synonyms=("type", "role site"),
        ),
        Column("name", "text", "nom", required=False, synonyms=("nom", "libelle", "site")),
        Column("latitude", "latitude", "latitude", unit="°"),
        Column("longitude", "longitude", "longitude", unit="°"),
    ),
)
