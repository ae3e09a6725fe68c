"""Oversight across the district's agencies (issue 17): the CCHC plan, its import and progress."""
