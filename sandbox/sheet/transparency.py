"""The public algorithmic transparency record of a project sheet, as a JSON-ready dict (French keys).

The record takes the sheet as it is built by
:func:`sandbox.sheet.sheet.build_sheet` (it reads its attributes only, and
does not import it).
"""

from __future__ import annotations

RECORD_FORMAT = "bac-a-sable-ia/fiche-transparence-algorithmique"
SOURCE_LABELS = {"exemple": "données d'exemple (synthétiques, aucune personne réelle)", "fichier": "fichier de la collectivité"}


def source_label(source: str) -> str:
    """« données d'exemple (…) » or « fichier de la collectivité ».

    >>> source_label("fichier")
    'fichier de la collectivité'
    """
    return SOURCE_LABELS.get(source, source)


def json_value(value: object) -> object:
    """A parameter value as JSON can hold it (other objects as their text).

    >>> json_value((1, "a", {2}))
    [1, 'a', '{2}']
    """
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return str(value)


def transparency_record(sheet, tool: str) -> dict:
    """The record of *sheet* (a :class:`~sandbox.sheet.sheet.ProjectSheet`) made with *tool*."""
    summary, profile = sheet.summary, sheet.profile
    d, t = summary.data, profile.transparency
    return {
        "format": RECORD_FORMAT,
        "version": 1,
        "langue": "fr",
        "nom": sheet.title,
        "finalite": t.purpose,
        "organisme_responsable": {"nom": sheet.organisation, "contact": sheet.contact, "commune": sheet.commune},
        "type_de_decision": t.decision,
        "controle_humain": t.human_oversight,
        "comment_contester": t.contest,
        "donnees": {
            "description": d.description,
            "source": source_label(d.source),
            "fichiers": list(d.files),
            "lignes": d.rows,
            "periode": d.period,
            "donnees_personnelles": sheet.gdpr.personal_data,
            "categories_particulieres": summary.special_category,
            "execution_sur_donnees_synthetiques": d.source == "exemple",
        },
        "methode": {
            "description": sheet.method,
            "parametres": {str(k): json_value(v) for k, v in summary.parameters.items()},
        },
        "performance": [
            {
                "cle": f.key,
                "indicateur": f.label,
                "valeur": f.value,
                "unite": f.unit,
                "reference": f.baseline,
                "ecart_relatif": None if f.change is None else round(f.change, 4),
                "plus_bas_est_mieux": f.lower_is_better,
            }
            for f in summary.figures
        ],
        "risques": {
            "ai_act": {
                "classe": sheet.ai_act.label,
                "niveau": sheet.ai_act.level,
                "perimetre": sheet.ai_act.scope or None,
                "motif": sheet.ai_act.reason,
                "references": sheet.ai_act.reference,
                "obligations": sheet.ai_act.obligations,
            },
            "rgpd": {
                "donnees_personnelles": sheet.gdpr.personal_data,
                "categories_particulieres": sheet.gdpr.special_category,
                "aipd": sheet.gdpr.dpia,
                "motif_aipd": sheet.gdpr.reason,
                "base_legale": sheet.gdpr.legal_basis,
            },
        },
        "calcul": {
            "secondes": round(sheet.frugality.compute_seconds, 3),
            "energie_wh": round(sheet.frugality.energy_wh, 6),
            "hypothese_puissance_w": sheet.frugality.power_w,
            "hypothese_carbone_g_par_kwh": sheet.frugality.carbon_g_per_kwh,
        },
        "date_execution": summary.created.isoformat(),
        "date_fiche": sheet.created.isoformat(),
        "outil": tool,
    }
