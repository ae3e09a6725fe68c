"""Finding a Unicode serif TrueType font with Vietnamese coverage to embed in PDFs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Liberation Serif has the metrics of Times New Roman, the font Nghị định 30/2020/NĐ-CP asks for;
# DejaVu Serif is the fallback. Both cover Vietnamese (Latin Extended Additional).
_FAMILIES = (
    ("Liberation Serif", ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation"),
     {"": "LiberationSerif-Regular.ttf", "B": "LiberationSerif-Bold.ttf",
      "I": "LiberationSerif-Italic.ttf", "BI": "LiberationSerif-BoldItalic.ttf"}),
    ("DejaVu Serif", ("/usr/share/fonts/truetype/dejavu",),
     {"": "DejaVuSerif.ttf", "B": "DejaVuSerif-Bold.ttf",
      "I": "DejaVuSerif-Italic.ttf", "BI": "DejaVuSerif-BoldItalic.ttf"}),
)
INSTALL_HINT = "install a Vietnamese-capable font: apt-get install fonts-liberation2 (or fonts-dejavu-core)"


class FontMissing(RuntimeError):
    """No usable TrueType font was found on this machine."""


@dataclass(frozen=True)
class FontSet:
    """A font family's four styles as TTF paths ('' regular, B, I, BI)."""

    family: str
    paths: dict[str, Path]


def _candidates() -> list[tuple[str, tuple[str, ...], dict[str, str]]]:
    extra = os.environ.get("QUYTRINH_FONT_DIR")
    if not extra:
        return list(_FAMILIES)
    return [(name, (extra, *dirs), files) for name, dirs, files in _FAMILIES]


@lru_cache(maxsize=1)
def serif_fonts() -> FontSet:
    """The first complete serif family found (Liberation Serif, else DejaVu Serif)."""
    for family, dirs, files in _candidates():
        for folder in dirs:
            paths = {style: Path(folder) / name for style, name in files.items()}
            if all(p.is_file() for p in paths.values()):
                return FontSet(family, paths)
    raise FontMissing(f"no Liberation Serif or DejaVu Serif TTF found; {INSTALL_HINT}")
