from django.urls import path

from inspections.views import checks, phases, reports, supplier_checks, sweep

app_name = "inspections"

urlpatterns = [
    # --- sweep (progress, on-demand checks, totals) ---
    path("ops/checks/sweeps/", sweep.sweeps, name="sweeps"),
    path("ops/checks/sweeps/progress/", sweep.sweep_progress, name="sweep_progress"),
    path("ops/checks/sweeps/start/", sweep.sweep_start, name="sweep_start"),
    path("ops/checks/sweeps/check/", sweep.check_now, name="check_now"),
    # --- phases (phases, sample, estimates, the public page) ---
    path("ops/checks/phases/", phases.phase_list, name="phases"),
    path("ops/checks/phases/<int:pk>/", phases.phase_detail, name="phase"),
    path("ops/checks/phases/<int:pk>/do/", phases.phase_action, name="phase_action"),
    path("ops/checks/phases/<int:pk>/results.xlsx", phases.phase_export, name="phase_export"),
    path("checks/", phases.public_phases, name="public_phases"),
    path("checks/<int:pk>/", phases.public_phase, name="public_phase"),
    # --- checks (reviewer queues, outcomes, rectification, appeals, the supplier's portal) ---
    path("ops/checks/", checks.my_checks, name="my_checks"),
    path("ops/checks/rectifications/", checks.rectifications, name="rectifications"),
    path("ops/checks/appeals/", checks.appeals, name="appeals"),
    path("ops/checks/<int:pk>/", checks.check_detail, name="check"),
    path("ops/checks/<int:pk>/decide/", checks.check_decide, name="check_decide"),
    path("ops/checks/<int:pk>/appeal/", checks.appeal_decide, name="appeal_decide"),
    path("ops/checks/<int:pk>/reassign/", checks.check_reassign, name="check_reassign"),
    path("ops/checks/evidence/<int:pk>/", checks.evidence_file, name="evidence_file"),
    path("supplier/checks/", supplier_checks.supplier_checks, name="supplier_checks"),
    path("supplier/checks/<int:pk>/", supplier_checks.supplier_check, name="supplier_check"),
    path("supplier/checks/<int:pk>/respond/", supplier_checks.supplier_respond, name="supplier_respond"),
    path("supplier/checks/<int:pk>/appeal/", supplier_checks.supplier_appeal, name="supplier_appeal"),
    path(
        "supplier/checks/<int:pk>/evidence/<int:evidence_id>/",
        supplier_checks.supplier_evidence,
        name="supplier_evidence",
    ),
    # --- reports (举报: the form, follow-up, triage) ---
    path("reports/new/", reports.report_new, name="report_new"),
    path("reports/<uuid:code>/", reports.report_track, name="report_track"),
    path("buyers/reports/", reports.my_reports, name="my_reports"),
    path("ops/reports/", reports.ops_reports, name="ops_reports"),
    path("ops/reports/<int:pk>/", reports.ops_report, name="ops_report"),
    path("ops/reports/<int:pk>/decide/", reports.ops_report_decide, name="ops_report_decide"),
    path("ops/reports/<int:pk>/photos/<int:photo_id>/", reports.ops_report_photo, name="ops_report_photo"),
]
