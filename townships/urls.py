from django.urls import path

from . import views

app_name = "townships"

urlpatterns = [
    path("organisation/", views.organisation_load, name="organisation-load"),
    path("calendar/", views.calendar_load, name="calendar-load"),
    path("organisation/template.xlsx", views.organisation_template, name="organisation-template"),
    path("calendar/template.xlsx", views.calendar_template, name="calendar-template"),
]
