"""The admin of spot checks, one module per topic."""

from inspections.admin import checks, phases, reports, sweep  # noqa: F401
