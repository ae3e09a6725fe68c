"""quytrinh processes layer."""
