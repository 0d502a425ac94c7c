"""Every read of spot checks, one module per topic (sweep, phases, checks, reports)."""
