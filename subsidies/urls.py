from django.urls import path

from . import views

app_name = "subsidies"
urlpatterns = [
    path("", views.run_list, name="run-list"),
    path("start/", views.run_start, name="run-start"),
    path("attendance/", views.attendance, name="attendance"),
    path("costs/", views.costs, name="costs"),
    path("costs/xlsx/", views.costs_download, name="costs-download"),
    path("<int:pk>/", views.run_detail, name="run-detail"),
    path("<int:pk>/lines/", views.run_lines, name="run-lines"),
    path("<int:pk>/progress/", views.run_progress, name="run-progress"),
    path("<int:pk>/decide/", views.run_decide, name="run-decide"),
    path("<int:pk>/xlsx/", views.run_download, name="run-download"),
    path("<int:pk>/sheet/", views.run_sheet, name="run-sheet"),
    path("<int:pk>/sheet/pdf/", views.run_sheet_pdf, name="run-sheet-pdf"),
]
