"""One web worker for tests/web/test_shared_state.py: the app on 127.0.0.1, configured from QUYTRINH_* variables.

Prints the port it listens on, then serves until killed (the test kills it; it also stops by itself after
QUYTRINH_PEER_SECONDS, 120 by default, so a crashed test leaves nothing behind).
"""

from __future__ import annotations

import os
import threading

from werkzeug.serving import make_server

from web import create_app


def main() -> None:
    server = make_server("127.0.0.1", 0, create_app(), threaded=True)
    print(server.server_port, flush=True)
    threading.Timer(float(os.environ.get("QUYTRINH_PEER_SECONDS", "120")), server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
