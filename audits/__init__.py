"""quytrinh audits layer."""
