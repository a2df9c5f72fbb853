"""The two install routes, pip (pyproject.toml) and conda (environment.yml), pin the same things."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)$")


def _pins(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for req in requirements:
        match = PIN.match(req.strip())
        assert match, f"{req!r} is not pinned as name==version"
        pins[match[1].lower()] = match[2]
    return pins


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return _pins(project["dependencies"] + project["optional-dependencies"]["dev"])


def environment_pins() -> dict[str, str]:
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = lines.index("  - pip:")
    items = [line.strip()[2:] for line in lines[start + 1 :] if line.startswith("      - ")]
    assert "-e ." in items, "environment.yml must install the helpers package (-e .)"
    return _pins([item for item in items if item != "-e ."])


def test_environment_yml_matches_pyproject():
    assert environment_pins() == pyproject_pins()


def test_torch_is_pinned_to_the_cpu_build_version():
    assert pyproject_pins()["torch"] == "2.13.0"


def test_environment_python_matches_requires_python():
    text = (ROOT / "environment.yml").read_text()
    assert "  - python=3.11" in text
    assert 'requires-python = ">=3.11"' in (ROOT / "pyproject.toml").read_text()
