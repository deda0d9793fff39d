from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.home, name="home"),
    path("city/<str:code>/", views.city, name="city"),
    path("county/<str:code>/", views.county, name="county"),
]
