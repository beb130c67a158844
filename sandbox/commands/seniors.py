"""``python -m sandbox target`` (whom to visit first) and ``python -m sandbox needs-index`` (where the needs are)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sandbox.commands._common import add_table_options, output_dir, read_validated
from sandbox.data import DataError, parse_mapping_options
from sandbox.data.communes import load_outlines
from sandbox.data.schemas.seniors import PERSONS, TERRITORIES
from sandbox.sheet.report import Stopwatch
from sandbox.models.seniors import (
    DECISION_SUPPORT_LABEL,
    INDICATORS,
    METHODS,
    MODEL_LABELS,
    compare_models,
    csv_bytes,
    index_robustness,
    indicator_label,
    needs_index,
    new_key,
    parse_weights,
    plan_visits,
    prepare_persons,
    prepare_territories,
)
from sandbox.text import num, pct, plain


def register(subparsers: argparse._SubParsersAction) -> None:
    target = subparsers.add_parser(
        "target",
        help="seniors : proposer les personnes à visiter d'abord dans une capacité donnée",
        description=(
            "Apprend un modèle de risque sur le registre (régression logistique et gradient boosting comparés, "
            "probabilités calibrées), propose exactement N personnes à visiter et une liste de réserve, et mesure "
            "sur des personnes mises de côté combien de personnes ayant besoin d'aide la liste atteint, face au hasard "
            "et à la règle « 85 ans et plus vivant seul ». Aide à la décision : un agent valide la liste."
        ),
    )
    target.add_argument("file", metavar="PERSONNES", help="registre : CSV, XLSX, ODS ou Parquet")
    target.add_argument("--outcome", required=True, metavar="COLONNE", help="colonne du résultat à prévoir (oui/non)")
    target.add_argument("--capacity", required=True, type=int, metavar="N", help="nombre de visites possibles")
    target.add_argument("--reserve", type=int, default=None, metavar="R", help="taille de la liste de réserve (20 %% de N par défaut)")
    target.add_argument(
        "--model", choices=["auto", *MODEL_LABELS], default="auto", help="modèle (auto : choisi par validation croisée)"
    )
    target.add_argument(
        "--calibration", choices=["sigmoid", "isotonic", "none"], default="sigmoid", help="recalibrage des probabilités"
    )
    target.add_argument(
        "--min-share", type=float, default=None, metavar="PCT", help="part minimale des visites garantie à chaque commune, en %%"
    )
    target.add_argument("--seed", type=int, default=42, help="graine (découpage, tirage au sort des ex æquo)")
    target.add_argument(
        "--key-file",
        type=Path,
        default=None,
        metavar="FICHIER",
        help="clé de pseudonymisation à réutiliser (créée si absente) ; par défaut une clé nouvelle à chaque fois",
    )
    target.add_argument("--out", type=Path, default=None, metavar="DOSSIER", help="dossier où écrire les résultats")
    add_table_options(target)
    target.set_defaults(func=run_target)

    index = subparsers.add_parser(
        "needs-index",
        help="seniors : indice composite des besoins par commune et robustesse du classement",
        description=(
            "Calcule un indice de besoins des personnes âgées par territoire à partir d'indicateurs agrégés "
            "(une valeur haute = plus de besoins), puis la stabilité du top 10 quand les pondérations varient."
        ),
    )
    index.add_argument("file", metavar="TERRITOIRES", help="indicateurs par commune : CSV, XLSX, ODS ou Parquet")
    index.add_argument(
        "--weights",
        default=None,
        metavar="NOM=POIDS,…",
        help="pondérations, par exemple poverty_60plus=2,alone_60plus=1 (1 par défaut, 0 pour ignorer) ; indicateurs : "
        + ", ".join(INDICATORS),
    )
    index.add_argument("--method", choices=sorted(METHODS), default="zscore", help="normalisation et agrégation")
    index.add_argument("--top", type=int, default=10, help="taille du haut de classement étudié")
    index.add_argument("--draws", type=int, default=500, help="tirages de l'analyse de robustesse")
    index.add_argument("--spread", type=float, default=50.0, metavar="PCT", help="variation des poids, en %% (±)")
    index.add_argument("--seed", type=int, default=42)
    index.add_argument("--out", type=Path, default=None, metavar="DOSSIER", help="dossier où écrire les résultats")
    add_table_options(index)
    index.set_defaults(func=run_needs_index)


def _say(text: str = "", **kwargs) -> None:
    """Print with plain spaces (a redirected console may not encode the French no-break spaces)."""
    print(plain(text), **kwargs)


def _warn(lines) -> None:
    for line in lines:
        _say(f"Attention : {plain(line)}", file=sys.stderr)


def _key(path: Path | None) -> bytes:
    if path is None:
        return new_key()
    if path.is_file():
        text = path.read_text(encoding="ascii", errors="replace").strip()
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) < 16:
            raise DataError("clé de pseudonymisation illisible", filename=str(path), hint="Le fichier doit contenir la clé en hexadécimal (créée par cette commande).")
        return key
    key = new_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key.hex() + "\n", encoding="ascii")
    return key


def run_target(args: argparse.Namespace) -> int:
    mapping = parse_mapping_options(args.col)
    mapping["outcome"] = args.outcome
    validated = read_validated(args.file, PERSONS, args, mapping=mapping, errors="drop")
    filename = Path(args.file).name
    min_share = None if args.min_share is None else args.min_share / 100.0
    with Stopwatch() as watch:
        table = prepare_persons(validated.frame, filename=filename)
        _warn(table.warnings)
        comparison = compare_models(table, calibration=args.calibration, seed=args.seed)
        method = None if args.model == "auto" else args.model
        plan = plan_visits(table, comparison, args.capacity, method=method, reserve=args.reserve, min_share=min_share, seed=args.seed)
    _warn(plan.notes)
    _say(f"{num(len(table.frame))} personnes classées ; {num(int(table.labelled.sum()))} avec un résultat connu ({args.outcome}).")
    _say("\nModèles comparés sur les personnes mises de côté :")
    for m in comparison.metrics:
        chosen = " ← utilisé" if m.method == plan.method else ""
        _say(
            f"  {m.label:<42} AUC {num(m.auc, 3)} (validation croisée {num(m.oof_auc, 3)}), "
            f"Brier {num(m.brier, 4)}, erreur de calibration {num(m.ece, 3)}{chosen}"
        )
    ev = plan.evaluation
    _say("\n" + plain(ev.summary_fr()))
    _say(f"  modèle : {num(ev.model_reached)} ; règle simple : {num(ev.rule_reached)} ; hasard : {num(ev.random_expected, 1)}")
    _say("\nÉquité (personnes mises de côté) : " + plain(plan.fairness.summary_fr()))
    _say(f"\n{plain(DECISION_SUPPORT_LABEL)}")
    listing = plan.to_frame()
    shown = listing[listing["statut"] == "visite"].head(10)
    _say(f"Les {min(10, len(shown))} premières des {num(plan.selection.capacity)} visites proposées :")
    for _, row in shown.iterrows():
        _say(
            f"  {row['rang']:>4}. {row['identifiant']}  {row['commune']:<24} risque {num(row['risque estimé (%)'], 1)} %"
            f"  — {plain(row['facteurs principaux'])}"
        )
    _say(f"Calcul : {num(watch.seconds, 1)} s.")
    if args.out:
        out = output_dir(args.out)
        key = _key(args.key_file)
        export, correspondence = plan.export(key)
        files = {
            "visites_pseudonymisees.csv": export,
            "correspondance_pseudonymes.csv": correspondence,
            "comparaison_modeles.csv": comparison.to_frame(),
            "calibration.csv": comparison.calibration_frame(),
            "equite.csv": plan.fairness.to_frame(),
            "capacite_vs_reference.csv": ev.to_frame(),
        }
        for name, frame in files.items():
            (out / name).write_bytes(csv_bytes(frame))
        _say(f"\nRésultats écrits dans {out} : {', '.join(files)}.")
        _say(
            "La liste exportée est pseudonymisée (ni nom ni identifiant) ; « correspondance_pseudonymes.csv » permet de "
            "retrouver les personnes : gardez-le à part, au CCAS, et ne le transmettez pas avec la liste."
        )
    return 0


def run_needs_index(args: argparse.Namespace) -> int:
    validated = read_validated(args.file, TERRITORIES, args)
    filename = Path(args.file).name
    table = prepare_territories(validated.frame, filename=filename)
    _warn(table.warnings)
    columns = {actual: expected for expected, actual in validated.mapping.items() if actual}
    weights = parse_weights(args.weights, table.indicators, columns)
    if not 0 <= args.spread < 100:
        raise DataError(f"variation des poids hors de 0 à 100 % : {num(args.spread)}")
    with Stopwatch() as watch:
        index = needs_index(table, weights, method=args.method)
        robustness = index_robustness(table, weights, method=args.method, top=args.top, draws=args.draws, spread=args.spread / 100, seed=args.seed)
    _warn(index.warnings)
    _say(f"Indice des besoins ({METHODS[args.method]}) sur {num(len(index.table))} territoires, données {filename}.")
    _say("Pondérations effectives : " + ", ".join(f"{indicator_label(i)} {pct(w, 0)}" for i, w in index.weights.items()))
    if index.explained_variance is not None:
        _say(f"Part de variance expliquée par la première composante : {pct(index.explained_variance, 0)}")
    frequency = robustness.table["top_frequency"]
    _say(f"\nLes {args.top} territoires aux besoins les plus élevés :")
    for key, row in index.top(args.top).iterrows():
        _say(f"  {row['rank']:>3}. {row['label']:<32} indice {num(row['index'], 2):>7}   dans le top {robustness.top} : {pct(frequency[key], 0)} des tirages")
    _say("\n" + plain(robustness.summary_fr()))
    _say(f"Calcul : {num(watch.seconds, 2)} s.")
    if args.out:
        import json

        out = output_dir(args.out)
        (out / "indice_besoins.csv").write_bytes(csv_bytes(index.to_frame()))
        (out / "robustesse.csv").write_bytes(csv_bytes(robustness.to_frame()))
        written = ["indice_besoins.csv", "robustesse.csv"]
        outlines = load_outlines()
        if outlines is not None:
            (out / "indice_besoins.geojson").write_text(json.dumps(index.to_geojson(outlines), ensure_ascii=False), encoding="utf-8")
            written.append("indice_besoins.geojson")
        _say(f"Résultats écrits dans {out} : {', '.join(written)}.")
    return 0
