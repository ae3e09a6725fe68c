"""Document generation: statutory one-stop forms, the ISO procedure document and the master list.

Pure rendering (PDF via fpdf2, DOCX via python-docx, XLSX via openpyxl) from plain data. Nothing here
reads the database or imports processes/audits (an import-linter contract says so): processes gathers
a dossier's data (processes/document_data.py) and audits its report figures, then hand them over.
"""

from .data import DocumentItem, DossierData, StepRecord, lookup_url
from .forms import (
    DOSSIER_FORMS,
    build_form,
    build_tracking_book,
    render,
    render_form,
    render_tracking_book,
)
from .master_list import build_master_list, master_list_xlsx, render_master_list
from .procedure import build_procedure_document, render_procedure_document
from .templates import template_for, template_versions

__all__ = [
    "DOSSIER_FORMS", "DocumentItem", "DossierData", "StepRecord", "build_form", "build_master_list",
    "build_procedure_document", "build_tracking_book", "lookup_url", "master_list_xlsx", "render", "render_form",
    "render_master_list", "render_procedure_document", "render_tracking_book", "template_for",
    "template_versions",
]
