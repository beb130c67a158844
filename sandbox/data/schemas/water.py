"""Schemas of the water demo: meter readings and the description of the households."""

from sandbox.data.schema import Column, Schema

METER_SYNONYMS = (
    "user key",
    "compteur",
    "id compteur",
    "numero compteur",
    "num compteur",
    "n compteur",
    "numero de compteur",
    "reference compteur",
    "ref compteur",
    "pds",
    "point de service",
    "point de livraison",
    "abonne",
    "abonnement",
    "contrat",
    "meter",
    "meter id",
    "meter number",
    "device",
    "device id",
    "serial",
)

READINGS = Schema(
    name="relevés de compteurs",
    description=(
        "Un relevé par ligne : le compteur, la date et l'heure du relevé, puis **soit** le volume consommé "
        "depuis le relevé précédent, **soit** l'index cumulé affiché par le compteur (litres ou m³, reconnus "
        "automatiquement). Relevés horaires, irréguliers ou journaliers ; dates françaises "
        "(JJ/MM/AAAA hh:mm:ss) ou ISO. La date d'un relevé marque la **fin** de l'intervalle qu'il mesure."
    ),
    columns=(
        Column(
            "meter",
            "id",
            "compteur",
            required=False,
            synonyms=METER_SYNONYMS,
            description="Identifiant du compteur ou de l'abonnement. Sans cette colonne, le fichier est lu "
            "comme les relevés d'un seul compteur.",
        ),
        Column(
            "datetime",
            "datetime",
            "date et heure",
            synonyms=("date heure", "date_heure", "horodatage", "horodate", "date releve", "date de releve",
                      "timestamp", "datetime", "date", "time", "heure releve"),
            description="Date et heure du relevé (JJ/MM/AAAA hh:mm:ss, JJ/MM/AAAA ou AAAA-MM-JJ hh:mm:ss).",
        ),
        Column(
            "volume",
            "number",
            "volume consommé",
            required=False,
            synonyms=("diff", "conso", "consommation", "volume l", "volume litres", "volume m3", "litres",
                      "consumption", "usage", "delta", "volume consomme"),
            description="Volume consommé pendant l'intervalle qui se termine à la date du relevé "
            "(litres ou m³, reconnus d'après les ordres de grandeur).",
        ),
        Column(
            "index",
            "number",
            "index du compteur",
            required=False,
            synonyms=("meter reading", "reading", "index", "index m3", "index litres", "valeur index",
                      "releve", "cumul", "index cumule", "totalisateur", "volume cumule"),
            description="Index cumulé lu sur le compteur ; converti en volumes par différence "
            "(le passage du compteur par zéro est reconnu).",
        ),
    ),
)

HOUSEHOLDS = Schema(
    name="logements",
    description=(
        "Une ligne par compteur : le nombre d'occupants et le type de logement servent à comparer chaque "
        "foyer à des foyers semblables ; jardin et piscine expliquent les consommations d'été."
    ),
    columns=(
        Column("meter", "id", "compteur", synonyms=METER_SYNONYMS, description="Le même identifiant que dans les relevés."),
        Column(
            "occupants",
            "integer",
            "nombre d'occupants",
            required=False,
            min=1,
            max=20,
            synonyms=("occupants", "personnes", "nb personnes", "nombre de personnes", "nb occupants",
                      "taille du foyer", "habitants", "persons", "household size"),
            description="Nombre de personnes qui vivent dans le logement.",
        ),
        Column(
            "housing",
            "category",
            "type de logement",
            required=False,
            choices=("appartement", "maison"),
            aliases={
                "appart": "appartement",
                "apt": "appartement",
                "collectif": "appartement",
                "logement collectif": "appartement",
                "flat": "appartement",
                "apartment": "appartement",
                "individuel": "maison",
                "logement individuel": "maison",
                "pavillon": "maison",
                "house": "maison",
            },
            synonyms=("logement", "type logement", "type de logement", "type habitat", "habitat", "housing"),
            description="Appartement ou maison.",
        ),
        Column("garden", "boolean", "jardin", required=False, synonyms=("jardin", "garden"),
               description="Le logement a un jardin (oui/non)."),
        Column("pool", "boolean", "piscine", required=False, synonyms=("piscine", "pool"),
               description="Le logement a une piscine (oui/non)."),
        Column("commune", "text", "commune", required=False, synonyms=("ville", "city"),
               description="Commune du logement (pour cibler une campagne)."),
    ),
    unique=("meter",),
)
