"""Every write of spot checks, one module per topic (import the module: ``from inspections.services import sweep``).

- sweep: the nightly sweep and on-demand checks (runs, batches, results, standings, freezing)
- phases: check phases and the random draw of their sample and reviewers
- checks: a reviewer's outcome, rectification, appeals and the sanction ladder
- reports: reports (举报) and their triage
"""
