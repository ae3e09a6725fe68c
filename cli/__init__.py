"""quytrinh cli layer."""
