"""quytrinh engine layer."""
