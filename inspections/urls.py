from django.urls import path

from inspections.views import sweep

app_name = "inspections"

urlpatterns = [
    # --- sweep (progress, on-demand checks, totals) ---
    path("ops/checks/sweeps/", sweep.sweeps, name="sweeps"),
    path("ops/checks/sweeps/progress/", sweep.sweep_progress, name="sweep_progress"),
    path("ops/checks/sweeps/start/", sweep.sweep_start, name="sweep_start"),
    path("ops/checks/sweeps/check/", sweep.check_now, name="check_now"),
    # --- phases (phases, sample, estimates, the public page) ---
    # --- checks (reviewer queues, outcomes, rectification, appeals, the supplier's portal) ---
    # --- reports (举报: the form, follow-up, triage) ---
]
