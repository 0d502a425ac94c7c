app_name = "inspections"

urlpatterns = [
    # --- sweep (progress, on-demand checks, totals) ---
    # --- phases (phases, sample, estimates, the public page) ---
    # --- checks (reviewer queues, outcomes, rectification, appeals, the supplier's portal) ---
    # --- reports (举报: the form, follow-up, triage) ---
]
