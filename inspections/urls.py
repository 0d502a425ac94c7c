from django.urls import path

from inspections.views import phases

app_name = "inspections"

urlpatterns = [
    # --- sweep (progress, on-demand checks, totals) ---
    # --- phases (phases, sample, estimates, the public page) ---
    path("ops/checks/phases/", phases.phase_list, name="phases"),
    path("ops/checks/phases/<int:pk>/", phases.phase_detail, name="phase"),
    path("ops/checks/phases/<int:pk>/do/", phases.phase_action, name="phase_action"),
    path("ops/checks/phases/<int:pk>/results.xlsx", phases.phase_export, name="phase_export"),
    path("checks/", phases.public_phases, name="public_phases"),
    path("checks/<int:pk>/", phases.public_phase, name="public_phase"),
    # --- checks (reviewer queues, outcomes, rectification, appeals, the supplier's portal) ---
    # --- reports (举报: the form, follow-up, triage) ---
]
