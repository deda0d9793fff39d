from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.county_log, name="county-log"),
    path("<slug:kind>/<int:pk>/", views.object_log, name="object-log"),
]
