"""The personal-data detector on planted columns, its false friends, and keyed pseudonymisation."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest

from sandbox.data import read_table
from sandbox.data.communes import load_communes
from sandbox.privacy import (
    Pseudonymiser,
    apply_choices,
    is_phone,
    is_street_address,
    is_valid_nir,
    looks_like_person_name,
    new_key,
    nir_key,
    scan,
)

RNG = np.random.default_rng(2026)
N = 60


def make_nirs(n: int, *, valid: bool = True, corsica: bool = False) -> list[str]:
    """NIRs built field by field; the key is right, or deliberately off by one."""
    out = []
    for _ in range(n):
        sex = RNG.choice(["1", "2"])
        year = f"{RNG.integers(30, 99):02d}"
        month = f"{RNG.integers(1, 13):02d}"
        dept = RNG.choice(["2A", "2B"]) if corsica else f"{RNG.choice([75, 92, 93, 94]):02d}"
        commune = f"{RNG.integers(1, 400):03d}"
        order = f"{RNG.integers(1, 999):03d}"
        body = f"{sex}{year}{month}{dept}{commune}{order}"
        key = nir_key(body)
        if not valid:
            key = key % 97 + 1  # always a different key in 1..97
        out.append(f"{body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:13]} {key:02d}")
    return out


def kinds(df: pd.DataFrame) -> dict[str, str]:
    return {f.column: f.kind for f in scan(df).findings}


# --- value checks --------------------------------------------------------------------------------


def test_nir_key_is_checked_including_corsica():
    for value in make_nirs(20) + make_nirs(10, corsica=True):
        assert is_valid_nir(value), value
    for value in make_nirs(20, valid=False) + make_nirs(10, valid=False, corsica=True):
        assert not is_valid_nir(value), value
    # the published structure: 2 69 05 49 588 157, key 80
    assert nir_key("2690549588157") == 80
    assert is_valid_nir("269054958815780") and is_valid_nir(269054958815780.0)
    assert not is_valid_nir("369054958815780")  # sex digit 3 … with the wrong key for it
    assert not is_valid_nir("12345678901234")  # 14 digits: a SIRET, not a NIR


def test_phone_and_address_shapes():
    assert is_phone("06 12 34 56 78") and is_phone("+33 6 12 34 56 78") and is_phone("01.44.55.66.77")
    assert not is_phone("0012345678") and not is_phone("93048") and not is_phone("06 12 34")
    assert is_street_address("12 rue de la Paix") and is_street_address("3 bis, avenue Jean Jaurès")
    assert is_street_address("Mme Martin, 45 bd Voltaire, 75011 Paris")
    assert not is_street_address("Rue de la Paix") and not is_street_address("Lot 12, secteur nord")


def test_person_names_but_not_communes_streets_or_jobs():
    for name in ("Marie Dupont", "DUPONT Marie", "Mohamed Diallo", "Jean-Luc", "Nguyen Linh"):
        assert looks_like_person_name(name), name
    for other in ("Saint-Denis", "Paris", "Vincennes", "Saint-Maur-des-Fossés", "L'Haÿ-les-Roses",
                  "Rue Victor Hugo", "Agent d'entretien", "Mairie annexe", "Bac 1204"):
        assert not looks_like_person_name(other), other


# --- the scan on planted tables --------------------------------------------------------------------


def planted() -> pd.DataFrame:
    first = ["Marie", "Karim", "Léa", "Jean", "Fatou", "Thomas", "Chloé", "Moussa", "Inès", "Hugo"]
    last = ["DUPONT", "MARTIN", "DIALLO", "BERNARD", "NGUYEN", "PETIT", "LEROY", "TRAORE", "GARCIA", "ROUX"]
    idx = RNG.integers(0, 10, N)
    communes = load_communes()["nom"].tolist()
    return pd.DataFrame(
        {
            "NIR": make_nirs(N),
            "numéro à 15 chiffres": make_nirs(N, valid=False),
            "Prénom": [first[i] for i in idx],
            "NOM": [last[i] for i in idx],
            "Responsable": [f"{first[i]} {last[(i + 3) % 10].title()}" for i in idx],
            "Courriel": [f"{first[i].lower()}.{last[i].lower()}@exemple.fr" for i in idx],
            "Téléphone": [f"06 {RNG.integers(10, 99)} {RNG.integers(10, 99)} {RNG.integers(10, 99)} {RNG.integers(10, 99)}" for _ in range(N)],
            "Adresse": [f"{RNG.integers(1, 120)} rue {RNG.choice(['de la Paix', 'Victor Hugo', 'des Lilas'])}" for _ in range(N)],
            "Date de naissance": [f"{RNG.integers(1, 28):02d}/{RNG.integers(1, 13):02d}/{RNG.integers(1930, 1960)}" for _ in range(N)],
            # false friends and innocent columns
            "nom": [communes[i % len(communes)] for i in range(N)],
            "ville": [RNG.choice(["Saint-Denis", "Paris", "Paris 15e", "Le Blanc-Mesnil", "Saint-Maur-des-Fossés"]) for _ in range(N)],
            "voie": [RNG.choice(["Rue Victor Hugo", "Avenue Jean Jaurès", "Place de la Mairie"]) for _ in range(N)],
            "métier": [RNG.choice(["Agent d'entretien", "Jardinier", "Aide à domicile", "Cuisinier"]) for _ in range(N)],
            "compteur": [f"0{RNG.integers(100_000_000, 999_999_999)}" for _ in range(N)],
            "SIRET": [f"{RNG.integers(10**13, 10**14 - 1)}" for _ in range(N)],
            "code postal": [RNG.choice(["93200", "75015", "94100"]) for _ in range(N)],
            "date de relevé": [f"{RNG.integers(1, 28):02d}/{RNG.integers(1, 13):02d}/2024 06:00:00" for _ in range(N)],
            "volume (L)": RNG.uniform(0, 500, N).round(1),
        }
    )


EXPECTED = {
    "NIR": "nir",
    "Prénom": "name",
    "NOM": "name",
    "Responsable": "name",
    "Courriel": "email",
    "Téléphone": "phone",
    "Adresse": "address",
    "Date de naissance": "birth_date",
}


def test_planted_columns_are_flagged_and_the_others_are_not():
    assert kinds(planted()) == EXPECTED


def test_same_verdicts_after_a_french_csv_round_trip():
    """cp1252, semicolons: the scan sees what read_table makes of the file (numbers, dates)."""
    df = planted()
    df["NIR sans espaces"] = [v.replace(" ", "") for v in df["NIR"]]  # read back as numbers
    data = df.to_csv(sep=";", index=False, decimal=",").encode("cp1252")
    read = read_table(data, "export.csv")
    assert pd.api.types.is_numeric_dtype(read["NIR sans espaces"])
    assert kinds(read) == {**EXPECTED, "NIR sans espaces": "nir"}


def test_a_column_of_commune_names_is_not_person_names_even_under_a_name_header():
    communes = load_communes()
    df = pd.DataFrame({"nom": communes["nom"], "Nom de la commune": communes["nom"], "population": communes["population"]})
    assert scan(df).findings == ()


def test_corsican_nir_and_birth_dates_without_a_telling_header():
    born = pd.to_datetime("1930-01-01") + pd.to_timedelta(RNG.integers(0, 30 * 365, N), unit="D")
    read_at = pd.to_datetime("2024-01-01") + pd.to_timedelta(RNG.integers(0, 365 * 24, N), unit="h")
    df = pd.DataFrame({"identifiant": make_nirs(N, corsica=True), "d1": born, "d2": read_at})
    assert kinds(df) == {"identifiant": "nir", "d1": "birth_date"}


def test_emails_inside_free_text_are_found():
    comments = ["RAS"] * 40 + ["rappeler marie.dupont@exemple.fr demain"] * 10
    assert kinds(pd.DataFrame({"commentaire": comments})) == {"commentaire": "email"}


def test_findings_show_masked_examples_and_a_french_reason():
    report = scan(planted())
    phone = next(f for f in report.findings if f.kind == "phone")
    assert phone.share == 1.0 and phone.checked == N
    assert all("•" in e for e in phone.examples)
    assert not any(e in " ".join(planted()["Téléphone"]) for e in phone.examples)
    assert "numéros de téléphone" in phone.reason
    assert "Téléphone" in report.summary() and "données personnelles" in report.summary()


def test_large_tables_are_sampled():
    df = pd.DataFrame({"Courriel": [f"agent{i}@exemple.fr" for i in range(50_000)]})
    finding = scan(df).findings[0]
    assert finding.kind == "email" and finding.checked == 1000


# --- pseudonymisation ------------------------------------------------------------------------------


def test_pseudonyms_are_keyed_hmac_sha256():
    key = b"k" * 32
    expected = "ps_" + hmac.new(key, b"mariedupont", hashlib.sha256).hexdigest()[:16]
    assert Pseudonymiser(key).pseudonym("Marie Dupont") == expected


def test_pseudonymisation_is_stable_within_a_session_and_keeps_joins():
    key = new_key()
    pseudo = Pseudonymiser(key)
    readings = pd.DataFrame({"compteur": ["A1", "B2", "A1", "C3", None], "volume": [1, 2, 3, 4, 5]})
    households = pd.DataFrame({"compteur": ["C3", "A1", "B2"], "occupants": [1, 2, 3]})
    r = apply_choices(readings, {"compteur": "pseudonymise"}, pseudo)
    h = apply_choices(households, {"compteur": "pseudonymise"}, pseudo)
    assert r["compteur"].iloc[0] == r["compteur"].iloc[2] != r["compteur"].iloc[1]
    assert r["compteur"].iloc[4] is None  # an empty cell stays empty
    joined = r.merge(h, on="compteur")
    assert sorted(joined["volume"]) == [1, 2, 3, 4] and sorted(joined["occupants"]) == [1, 2, 2, 3]
    assert not set(r["compteur"].dropna()) & {"A1", "B2", "C3"}
    # each page run builds its pseudonymiser again from the session's key: the same codes
    again = apply_choices(readings, {"compteur": "pseudonymise"}, Pseudonymiser(key))
    assert again["compteur"].tolist() == r["compteur"].tolist()


def test_another_session_key_gives_other_pseudonyms():
    values = pd.Series(["Marie Dupont", "Karim Diallo"])
    a = Pseudonymiser(new_key()).transform(values)
    b = Pseudonymiser(new_key()).transform(values)
    assert not set(a) & set(b)


def test_pseudonyms_ignore_case_and_spaces_but_not_content():
    p = Pseudonymiser(b"s" * 32)
    assert p.pseudonym("06 12 34 56 78") == p.pseudonym("0612345678")
    assert p.pseudonym("DUPONT Marie") == p.pseudonym("dupont  marie")
    assert p.pseudonym("Dupont Marie") != p.pseudonym("Dupont Mario")
    assert p.pseudonym(269054958815780.0) == p.pseudonym("269054958815780")


def test_drop_keep_and_the_input_is_not_modified():
    df = planted()
    before = df.copy()
    df.attrs["filename"] = "export.csv"
    out = apply_choices(df, {"NIR": "drop", "Prénom": "pseudonymise", "Adresse": "keep"}, Pseudonymiser(new_key()))
    assert "NIR" not in out.columns and out["Adresse"].tolist() == before["Adresse"].tolist()
    assert out["Prénom"].str.startswith("ps_").all()
    assert out.attrs["filename"] == "export.csv"
    assert out.attrs["privacy"] == {"pseudonymised": ["Prénom"], "dropped": ["NIR"]}
    pd.testing.assert_frame_equal(df, before)
    assert kinds(out) == {k: v for k, v in EXPECTED.items() if k not in ("NIR", "Prénom")}


def test_bad_choices_and_keys_are_refused():
    with pytest.raises(ValueError):
        apply_choices(pd.DataFrame({"a": [1]}), {"a": "encrypt"})
    with pytest.raises(ValueError):
        apply_choices(pd.DataFrame({"a": [1]}), {"a": "pseudonymise"})
    with pytest.raises(ValueError):
        Pseudonymiser(b"short")
    assert "fingerprint" in repr(Pseudonymiser(b"x" * 32)) and "xxxx" not in repr(Pseudonymiser(b"x" * 32))


# --- the one pseudonymisation (issue 15) -------------------------------------------------------


def test_one_pseudonym_format_for_every_caller():
    from sandbox.privacy import PREFIX, correspondence_table, key_from_secret, pseudonym, pseudonymise

    key = b"k" * 32
    expected = "ps_" + hmac.new(key, b"r001", hashlib.sha256).hexdigest()[:16]
    assert PREFIX == "ps_"
    assert pseudonym("R001", key) == expected
    assert Pseudonymiser(key).pseudonym(" r 001 ") == expected  # same value after normalisation
    series = pseudonymise(pd.Series(["R001", None, "R002"], index=[10, 11, 12], name="id"), key)
    assert series.index.tolist() == [10, 11, 12] and series.name == "id"
    assert series.iloc[0] == expected and series.iloc[1] is None and series.iloc[2] != expected
    array = pseudonymise(["R001", "R001"], key)
    assert isinstance(array, np.ndarray) and array.tolist() == [expected, expected]
    table = correspondence_table(["R002", "R001", "R002", None], key)
    assert table.to_dict("list") == {"pseudonyme": [pseudonym("R002", key), expected], "identifiant": ["R002", "R001"]}
    # A secret phrase is derived to a 32-byte key, the same on every call.
    assert pseudonymise(["R001"], "phrase secrète")[0] == pseudonym("R001", key_from_secret("phrase secrète"))
    assert pseudonym("R001", key_from_secret("autre")) != pseudonym("R001", key_from_secret("phrase secrète"))


def test_bad_keys_are_refused():
    from sandbox.privacy import key_from_secret, pseudonymise

    with pytest.raises(ValueError, match="16 bytes"):
        pseudonymise(["a"], b"short")
    with pytest.raises(ValueError, match="empty"):
        key_from_secret("  ")


def test_privacy_package_has_no_streamlit_and_re_exports_the_old_names():
    import subprocess
    import sys

    import sandbox.privacy as privacy

    for name in ("keyed_hash", "CHOICE_LABELS", "CHOICES", "PrivacyReport", "Pseudonymiser", "apply_choices",
                 "new_key", "scan", "is_phone", "pseudonymise", "correspondence_table"):
        assert hasattr(privacy, name), name
    probe = "import sys, sandbox.privacy; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _guard_with_markdown_header():
    import pandas as pd
    import streamlit as st

    from sandbox.ui.privacy_guard import privacy_guard

    header = "![h](http://evil.example/x.png) Nom"
    df = pd.DataFrame({header: ["Marie Dupont", "Karim Diallo", "Léa Martin"], "volume": [1.0, 2.0, 3.0]})
    privacy_guard(df, key="collection.points.privacy", filename="[a](http://evil.example).csv")
    st.session_state["done"] = True


def test_privacy_warning_shows_a_markdown_header_as_text():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_guard_with_markdown_header)
    at.run()
    assert not at.exception
    shown = [w.value for w in at.warning] + [r.label for r in at.radio] + [r.help or "" for r in at.radio]
    assert shown and any("evil.example" in text for text in shown)
    for text in shown:
        assert "![h](" not in text and "[a](" not in text  # no image or link left for the browser to load
    assert "!\\[h\\](http\\://evil.example/x.png)" in at.warning[0].value
