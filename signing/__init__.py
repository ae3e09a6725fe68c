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
"""

from __future__ import annotations

import logging

from .errors import SigningError
from .trust import Trust

__all__ = ["SigningError", "Trust"]

# pyHanko logs each failed path or broken signature with its traceback at WARNING; the verdict says it in
# words already. Without a handler of its own Python would print those to every CLI user's terminal; an
# application that configures logging still receives them through the root logger.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
