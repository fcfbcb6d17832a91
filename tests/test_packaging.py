import ast
import configparser
import importlib.metadata
import re
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import django.utils.deprecation
import pytest
import wagtail.utils.deprecation
from django.core.management import call_command

import wagtail_mentoring

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_models_and_migrations_do_not_drift():
    # Exits with status 1 (SystemExit) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    # Build from a copy, so that the build's scratch folders never land in the work
    # tree (and parallel tox environments never share them).
    source = tmp_path_factory.mktemp("source")
    for name in ("setup.cfg", "pyproject.toml", "MANIFEST.in", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, source / name)
    for folder in ("wagtail_mentoring", "tests"):  # tests sit beside it and stay out
        shutil.copytree(
            REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    out = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)]
    build = subprocess.run(
        [*command, str(source)], check=True, capture_output=True, text=True, timeout=300
    )
    (path,) = out.glob("wagtail_mentoring-*.whl")
    with zipfile.ZipFile(path) as archive:
        archive.build_output = build.stdout + build.stderr
        yield archive


def test_build_declares_every_folder_it_ships(wheel):
    # Template, static and locale folders left out of the package list make setuptools
    # print a "Package would be ignored" warning for each of them.
    assert "would be ignored" not in wheel.build_output
    assert "wagtail_mentoring/templates/wagtail_mentoring/pages" in "".join(wheel.namelist())


def test_wheel_is_named_for_the_one_version(wheel):
    assert f"wagtail_mentoring-{wagtail_mentoring.__version__}-" in Path(wheel.filename).name


def test_wheel_ships_templates_static_migrations_and_locale(wheel):
    names = set(wheel.namelist())
    package = REPO / "wagtail_mentoring"
    expected = {
        path.relative_to(REPO).as_posix()
        for folder in ("templates", "static", "locale", "migrations")
        for path in (package / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert expected  # the folders are not empty
    assert expected <= names, sorted(expected - names)
    assert "wagtail_mentoring/locale/en/LC_MESSAGES/django.mo" in names
    assert "wagtail_mentoring/migrations/0001_initial.py" in names


def test_wheel_holds_no_tests_or_example_site(wheel):
    tops = {name.split("/")[0] for name in wheel.namelist()}
    assert tops == {
        "wagtail_mentoring",
        f"wagtail_mentoring-{wagtail_mentoring.__version__}.dist-info",
    }
    assert not [
        name for name in wheel.namelist() if "/tests/" in name or name.endswith("conftest.py")
    ]


def test_wheel_metadata_declares_the_requirements(wheel):
    metadata = wheel.read(
        f"wagtail_mentoring-{wagtail_mentoring.__version__}.dist-info/METADATA"
    ).decode()
    for requirement in (
        "Requires-Dist: wagtail<9,>=7.4",
        "Requires-Dist: Django>=5.2",
        "Requires-Dist: wagtail-modeladmin>=2.5",
        "Requires-Dist: django-anymail>=15",
        "Requires-Dist: django-tasks>=0.9",
        "Requires-Dist: scipy>=1.11",
        "Requires-Dist: openpyxl>=3.1",
        'Requires-Dist: POT>=0.9.7; extra == "large"',
        "Provides-Extra: large",
        "Provides-Extra: test",
        "Provides-Extra: docs",
        "License: BSD-3-Clause",
    ):
        assert requirement in metadata


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", requirement).group()).lower()


def _setup_cfg():
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    return config


def _install_requires() -> set[str]:
    lines = _setup_cfg()["options"]["install_requires"].strip().splitlines()
    return {_name(line) for line in lines if line.strip()}


def _imported_top_levels() -> set[str]:
    found = set()
    for path in (REPO / "wagtail_mentoring").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"wagtail_mentoring", "__future__"}


def test_install_requires_declares_every_distribution_the_package_imports():
    distributions = importlib.metadata.packages_distributions()
    imported = _imported_top_levels()
    assert {"django_tasks", "openpyxl", "numpy", "scipy", "anymail"} <= imported
    needed = {
        _name(distributions[name][0]) for name in imported if name != "ot"
    }  # "ot" is imported only when installed: the `large` extra
    assert needed - _install_requires() == set()
    assert _install_requires() - needed == set()  # nothing declared that is not imported


def test_pot_is_the_large_extra_not_a_requirement():
    assert "ot" in _imported_top_levels()
    assert "pot" not in _install_requires()
    extras = _setup_cfg()["options.extras_require"]
    assert [_name(line) for line in extras["large"].split()] == ["pot"]
    assert "pot" in {_name(line) for line in extras["test"].split()}  # tests run both


def _next_release_warnings():
    classes = [
        cls
        for module in (django.utils.deprecation, wagtail.utils.deprecation)
        for name, cls in vars(module).items()
        if name.startswith(("RemovedInDjango", "RemovedInWagtail")) and isinstance(cls, type)
    ]
    return [*classes, DeprecationWarning, PendingDeprecationWarning]


@pytest.mark.parametrize("category", _next_release_warnings(), ids=lambda c: c.__name__)
def test_deprecation_warnings_fail_the_run(category):
    with pytest.raises(category):
        warnings.warn("scheduled for removal", category, stacklevel=1)
