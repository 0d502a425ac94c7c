"""Pages of spot checks, one module per topic (sweep, phases, checks, reports); urls.py routes them."""
