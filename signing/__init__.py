"""Digital signatures on the PDFs quytrinh issues (PAdES, with pyHanko) and verification of any PDF.

Layer: processes → signing → documents → engine (setup.cfg). signing knows nothing of cases, users or the
database: it turns PDF bytes and a key into signed PDF bytes, and PDF bytes into a verdict per signature.
processes/signatures.py decides who must sign what (the `sign` step property) and checks the performer.

- keys.py: where the private key lives — a PKCS#12 file, a PKCS#11 token, a remote signing service
  (remote.py: the CSC API adapter interface; no provider ships with quytrinh).
- sign.py: PAdES baseline signature, certificate chain embedded, optional RFC 3161 timestamp.
- appearance.py: the visible signature block (bottom right, above the signer's name) or none.
- verify.py: valid / invalid / modified / expired / revoked / untrusted, with plain-Vietnamese labels.
- trust.py: which root certificates are trusted (configurable; the national root CA an agency installs).

This package is light to import (errors only): pyHanko takes most of a second to load, and processes
imports signing for every step completion, so the modules that need pyHanko are imported when used.
"""

from __future__ import annotations

import logging
import warnings

from .errors import SigningError

__all__ = ["SigningError"]

# pyHanko (0.38) still imports cryptography's DSA classes, deprecated there: a warning on every start that
# no user can act on. Only that message, only from pyHanko's modules.
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"pyhanko\.")

# pyHanko logs each failed path or broken signature with its traceback at WARNING; the verdict says it in
# words already. Without a handler of its own Python would print those to every CLI user's terminal; an
# application that configures logging still receives them through the root logger.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
