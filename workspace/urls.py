from django.urls import path

from . import readiness_views, views

app_name = "workspace"
urlpatterns = [
    path("exports/new/", views.export_new, name="export-new"),
    path("jobs/", views.job_list, name="job-list"),
    path("readiness/", readiness_views.county_readiness, name="readiness"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job-progress"),
    path("jobs/<int:pk>/download/", views.job_download, name="job-download"),
]
