"""Use cases of the web layer. Services flush; the edge (request or CLI) commits once."""
