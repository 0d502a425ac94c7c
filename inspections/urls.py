from django.urls import path

from inspections.views import reports

app_name = "inspections"

urlpatterns = [
    # --- sweep (progress, on-demand checks, totals) ---
    # --- phases (phases, sample, estimates, the public page) ---
    # --- checks (reviewer queues, outcomes, rectification, appeals, the supplier's portal) ---
    # --- reports (举报: the form, follow-up, triage) ---
    path("reports/new/", reports.report_new, name="report_new"),
    path("reports/<uuid:code>/", reports.report_track, name="report_track"),
    path("buyers/reports/", reports.my_reports, name="my_reports"),
    path("ops/reports/", reports.ops_reports, name="ops_reports"),
    path("ops/reports/<int:pk>/", reports.ops_report, name="ops_report"),
    path("ops/reports/<int:pk>/decide/", reports.ops_report_decide, name="ops_report_decide"),
    path("ops/reports/<int:pk>/photos/<int:photo_id>/", reports.ops_report_photo, name="ops_report_photo"),
]
