"""`python -m cli`: the `quytrinh` command (run-all starts its children this way, with the same interpreter)."""

from cli.main import main

# Guarded: `quytrinh worker` starts its scheduler process with multiprocessing's "spawn", which imports the
# main module again (as __mp_main__) and must not run the command a second time.
if __name__ == "__main__":
    main()
