"""QR codes as PNG images (segno: pure Python, no imaging library needed)."""

from __future__ import annotations

import io

import segno


def qr_png(text: str, scale: int = 8) -> bytes:
    """A QR code for `text` (error correction M, quiet zone kept) as PNG bytes."""
    code = segno.make_qr(text, error="m")
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
