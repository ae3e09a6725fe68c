"""The font of the visible signature block: the documents' serif TTF, with its widths scaled to 1/1000 em.

pyHanko's GlyphAccumulator (0.38) writes glyph widths and kerning adjustments in the font's own units,
while PDF wants thousandths of an em. For fonts of 1000 units per em (pyHanko's test fonts) that is the
same; Liberation Serif and DejaVu Serif, which print Vietnamese in documents/, have 2048, and every glyph
came out twice as wide. Here HarfBuzz shapes at a scale of 1000 and the widths are converted once.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory

# fontTools reports every OpenType table it leaves out of the subset ("FFTM NOT subset"): noise to a user.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)


class _ThousandthGlyphs(GlyphAccumulator):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._per_mille = 1000 / self.units_per_em
        self.hb_font.scale = (1000, 1000)  # HarfBuzz advances now in 1/1000 em, like the widths below
        self.units_per_em = 1000

    def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
        known = self._glyphs.get(glyph_id)
        if known is not None:
            return known
        cid, width = super()._get_cid_and_width(glyph_id)
        self._glyphs[glyph_id] = scaled = (cid, round(width * self._per_mille))
        return scaled


class ThousandthGlyphsFactory(GlyphAccumulatorFactory):
    """GlyphAccumulatorFactory whose engines give PDF widths in 1/1000 em whatever the font's units."""

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        with open(self.font_file, "rb") as handle:  # fontTools reads the whole font at once
            data = handle.read()
        return _ThousandthGlyphs(writer=writer, font_handle=io.BytesIO(data), font_size=self.font_size,
                                 ot_script_tag=self.ot_script_tag, ot_language_tag=self.ot_language_tag,
                                 writing_direction=self.writing_direction, bcp47_lang_code=self.bcp47_lang_code,
                                 obj_stream=obj_stream)
