"""Supplier quality (issue 16): the monthly summary kept with the pieces (summary), the
pages' figures read from it (figures), the pieces behind a figure (pieces), the supplier's
quarterly scorecard (scorecard) and disputes on claims (disputes)."""
