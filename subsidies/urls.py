from django.urls import path

from . import attendance_views, policy_views, views

app_name = "subsidies"
urlpatterns = [
    path("", views.run_list, name="run-list"),
    path("start/", views.run_start, name="run-start"),
    path("attendance/", views.attendance, name="attendance"),
    path("attendance/villages/", attendance_views.attendance_villages, name="attendance-villages"),
    path("attendance/villages/<int:pk>/", attendance_views.attendance_grid, name="attendance-grid"),
    path("attendance/template/", attendance_views.attendance_template, name="attendance-template"),
    path("attendance/village/", attendance_views.village_home, name="village-home"),
    path("attendance/village/<int:pk>/", attendance_views.village_month_page, name="village-month"),
    path("costs/", views.costs, name="costs"),
    path("costs/xlsx/", views.costs_download, name="costs-download"),
    # the county's pay policies (docs/policy.md §8.1)
    path("policies/<str:county_code>/", policy_views.policy_list, name="policy-list"),
    path("policies/<str:county_code>/new/", policy_views.policy_new, name="policy-new"),
    path("policies/<str:county_code>/<int:pk>/", policy_views.policy_edit, name="policy-edit"),
    path("policies/<str:county_code>/import/", policy_views.policy_import, name="policy-import"),
    path(
        "policies/<str:county_code>/import/template.xlsx",
        policy_views.policy_import_template,
        name="policy-import-template",
    ),
    path("<int:pk>/", views.run_detail, name="run-detail"),
    path("<int:pk>/lines/", views.run_lines, name="run-lines"),
    path("<int:pk>/progress/", views.run_progress, name="run-progress"),
    path("<int:pk>/decide/", views.run_decide, name="run-decide"),
    path("<int:pk>/xlsx/", views.run_download, name="run-download"),
    path("<int:pk>/social/", views.run_social, name="run-social"),
    path("<int:pk>/social/xlsx/", views.run_social_download, name="run-social-download"),
    path("<int:pk>/sheet/", views.run_sheet, name="run-sheet"),
    path("<int:pk>/sheet/pdf/", views.run_sheet_pdf, name="run-sheet-pdf"),
]
