"""quytrinh web layer."""
