"""The command line: help lists the subcommands; a DataError prints French and exits 2, no traceback."""

from __future__ import annotations

import subprocess
import sys

from sandbox.cli import build_parser, main
from sandbox.text import plain


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sandbox", *args], capture_output=True, text=True, cwd=cwd)


def test_help_lists_every_subcommand():
    done = run("--help")
    assert done.returncode == 0
    names = sorted(build_parser()._subparsers._group_actions[0].choices)
    assert "check" in names
    for name in names:
        assert name in done.stdout


def test_help_from_the_source_matches_the_registered_commands():
    """The quick listing (read from the modules' source) says what the modules themselves register."""

    def commands(parser):
        action = parser._subparsers._group_actions[0]
        return [(choice.dest, choice.help) for choice in action._choices_actions]

    assert commands(build_parser(["--help"])) == commands(build_parser())


def test_help_imports_no_command_module_and_no_model():
    code = (
        "import sys\n"
        "from sandbox.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('sandbox.commands.', 'sandbox.models', 'sklearn', 'pandas', 'pyvrp'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_running_a_command_imports_only_its_module(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("INSEE;Commune\n93048;Montreuil\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from sandbox.cli import main\n"
        f"main(['check', {str(path)!r}, '--schema', 'reference.COMMUNES', '--col', 'code_insee=INSEE', '--col', 'nom=Commune'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('sandbox.commands.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "['sandbox.commands._common', 'sandbox.commands.check']"


def test_check_reads_maps_and_reports(tmp_path, capsys):
    path = tmp_path / "communes.csv"
    path.write_bytes("INSEE;Commune;Pop;Lat;Lon\n93048;Montreuil;111 367;48,8638;2,4485\n".encode("cp1252"))
    assert main(["check", str(path), "--schema", "reference.COMMUNES", "--col", "code_insee=INSEE", "--col", "nom=Commune"]) == 0
    out = plain(capsys.readouterr().out)
    assert "communes : 1 ligne valide sur 1" in out  # singular: French counts 0 and 1 as one
    assert "population (hab.)" in out and "« Pop »" in out


def test_check_counts_in_the_plural_from_two(tmp_path, capsys):
    path = tmp_path / "communes.csv"
    path.write_text(
        "INSEE;Commune;Pop;Lat;Lon\n93048;Montreuil;111 367;48,8638;2,4485\n93066;Saint-Denis;113 942;48,9362;2,3574\n",
        encoding="utf-8",
    )
    assert main(["check", str(path), "--schema", "reference.COMMUNES", "--col", "code_insee=INSEE", "--col", "nom=Commune"]) == 0
    assert "communes : 2 lignes valides sur 2" in plain(capsys.readouterr().out)


def test_data_error_is_french_exit_2_and_no_traceback(tmp_path):
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")
    done = run("check", str(path), "--schema", "reference.COMMUNES")
    assert done.returncode == 2
    assert plain(done.stderr).startswith("Erreur : Fichier « vide.csv » : le fichier est vide.")
    assert "Traceback" not in done.stderr


def test_bad_col_option_and_unknown_column(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b"a;b\n1;2\n")
    done = run("check", str(path), "--schema", "reference.COMMUNES", "--col", "population")
    assert done.returncode == 2 and "--col COLONNE_ATTENDUE=COLONNE_DU_FICHIER" in done.stderr
    done = run("check", str(path), "--schema", "reference.COMMUNES", "--col", "nom=Nom officiel")
    assert done.returncode == 2 and "n'existe pas dans le fichier" in done.stderr and "Traceback" not in done.stderr
