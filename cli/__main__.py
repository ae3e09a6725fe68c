"""`python -m cli`: the `quytrinh` command (run-all starts its children this way, with the same interpreter)."""

from .main import main

main()
