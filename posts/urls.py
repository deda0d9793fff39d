from django.urls import path

from . import views

app_name = "posts"

urlpatterns = [
    path("plans/<str:county_code>/<int:year>/", views.plan_detail, name="plan-detail"),
    path("plans/<str:county_code>/<int:year>/xlsx/", views.plan_download, name="plan-download"),
]
