from django.urls import path

from . import plan_urls, views

app_name = "townships"

urlpatterns = [
    path("organisation/", views.organisation_load, name="organisation-load"),
    path("calendar/", views.calendar_load, name="calendar-load"),
    path("organisation/template.xlsx", views.organisation_template, name="organisation-template"),
    path("calendar/template.xlsx", views.calendar_template, name="calendar-template"),
]
urlpatterns += plan_urls.urlpatterns  # the plan pages (docs/policy.md §2)
