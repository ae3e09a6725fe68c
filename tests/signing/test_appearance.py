"""The visible signature block: in the gap between the signer's title and name, readable Vietnamese."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.appearance import Appearance, find_box
from signing.errors import SigningError
from signing.sign import sign_pdf

from .conftest import need
from .test_agreement import VICE_CHAIR


def words(pdf: bytes, folder: Path) -> list[tuple[str, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax) of page 1, y from the top, as pdftotext -bbox gives them."""
    need("pdftotext", "poppler-utils")
    path = folder / "page.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    found = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)
    return [(w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in found]


def widget_rect(pdf: bytes) -> tuple[float, ...]:
    reader = PdfFileReader(io.BytesIO(pdf))
    [field] = [f.get_object() for f in reader.root["/AcroForm"]["/Fields"]]
    return tuple(float(v) for v in field["/Rect"])


def test_block_sits_between_title_and_name(apology, p12_key, trust, tmp_path):
    before = words(apology, tmp_path)
    height = 841.89  # A4: pdftotext measures from the top, PDF from the bottom
    name = [w for w in before if w[0] == "Khôi"][-1]
    note = [w for w in before if w[0] == "(Ký,"][-1]
    signed = sign_pdf(apology, p12_key, trust, appearance=VICE_CHAIR)
    x1, y1, x2, y2 = widget_rect(signed)
    assert height - y1 <= name[2] and height - y2 >= note[4]  # below the note, above the name
    assert x1 < name[1] and x2 > name[3]  # over the name, horizontally
    text = " ".join(w[0] for w in words(signed, tmp_path))
    assert "Ký số bởi: Đỗ Minh Khôi KT. CHỦ TỊCH PHÓ CHỦ TỊCH Thời gian ký:" in text


def test_block_text_is_not_stretched(apology, p12_key, trust, tmp_path):
    # pyHanko wrote 2048-unit TrueType widths as thousandths of an em: every letter twice as wide.
    signed = sign_pdf(apology, p12_key, trust, appearance=VICE_CHAIR)
    [line] = [w for w in words(signed, tmp_path) if w[0] == "Ký số bởi: Đỗ Minh Khôi"]
    # about 100 pt at 7 pt; stretched it filled the whole 175 pt block; scaled twice it would be half
    assert 75 < line[3] - line[1] < 130


def test_invisible_without_appearance(receipt, p12_key, trust):
    x1, y1, x2, y2 = widget_rect(sign_pdf(receipt, p12_key, trust))
    assert x1 == x2 and y1 == y2


def test_bottom_right_corner_when_no_name_is_found():
    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.text(60, 100, "Only text on the left")
    placement = find_box(bytes(pdf.output()))
    x1, y1, x2, y2 = placement.box
    assert placement.page == -1 and x2 > 595 * 0.7 and y2 < 200


def test_seal_image_drawn_behind(apology, p12_key, trust):
    png = io.BytesIO()
    Image.new("RGBA", (120, 120), (200, 0, 0, 255)).save(png, "PNG")
    seal = Appearance(VICE_CHAIR.title, VICE_CHAIR.name, seal=png.getvalue())
    assert b"/Subtype /Image" in sign_pdf(apology, p12_key, trust, appearance=seal)
    with pytest.raises(SigningError) as caught:
        sign_pdf(apology, p12_key, trust, appearance=Appearance("X", "Y", seal=b"not an image"))
    assert caught.value.code == "seal_unreadable"


@pytest.mark.parametrize("form", ["receipt", "supplement_request", "refusal", "apology", "stop_notice"])
def test_block_between_title_and_name_on_every_signed_form(form, p12_key, trust, tmp_path):
    import datetime as dt

    from documents.forms import render_form
    from tests.documents.sample import sample_dossier

    pdf = render_form(form, sample_dossier(), on_date=dt.date(2026, 1, 5))
    media = PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/MediaBox"]
    width, height = float(media[2]), float(media[3])
    right = [w for w in words(pdf, tmp_path) if w[1] >= width * 0.45 and w[4] < height - 30]
    name_top = max(w[2] for w in right)  # the lowest line of the right column: the signer's name
    above = max(w[4] for w in right if w[4] < name_top)  # the bottom of the line above it
    signed = sign_pdf(pdf, p12_key, trust, appearance=Appearance("NGƯỜI KÝ", "Đỗ Minh Khôi"))
    x1, y1, x2, y2 = widget_rect(signed)
    assert above <= height - y2 and height - y1 <= name_top, (form, above, name_top, height - y2, height - y1)
