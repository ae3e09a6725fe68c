"""Issue 13 item 13: installing prints no setuptools warnings.

setuptools warns ("Package 'audits.rules.objectives' is absent from the packages configuration") for
every folder under our packages that Python could import but the `packages` option leaves out — the data
folders (templates, rules, translations). The check below is the one setuptools makes, without a build.
"""

from __future__ import annotations

import configparser
from pathlib import Path

from setuptools.discovery import PEP420PackageFinder

ROOT = Path(__file__).resolve().parent.parent


def _configured_packages() -> set[str]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    assert cfg["options"]["packages"].strip() == "find_namespace:", "data folders need namespace discovery"
    find = cfg["options.packages.find"]
    include = [line.strip() for line in find["include"].splitlines() if line.strip()]
    exclude = [line.strip() for line in find.get("exclude", "").splitlines() if line.strip()]
    return set(PEP420PackageFinder.find(str(ROOT), include=include, exclude=exclude))


def test_every_importable_folder_with_files_is_a_configured_package() -> None:
    packages = _configured_packages()
    roots = {name.split(".")[0] for name in packages}
    missing: list[str] = []
    for root in sorted(roots):
        for folder in (ROOT / root).rglob("*"):
            if not folder.is_dir() or folder.name == "__pycache__":
                continue
            parts = folder.relative_to(ROOT).parts
            if not all(part.isidentifier() for part in parts):
                continue  # setuptools does not call "bpmn-js" or "dist-2" a package either
            if "__pycache__" in parts or not any(child.is_file() for child in folder.iterdir()):
                continue
            name = ".".join(parts)
            if name not in packages:
                missing.append(name)
    assert missing == [], f"setuptools would warn about: {missing[:10]}"
    assert not any("__pycache__" in name for name in packages)
