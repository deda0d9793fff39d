from django.urls import path

from . import views

app_name = "placements"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("alerts/", views.alert_list, name="alerts"),
    path("<int:pk>/", views.application_detail, name="application-detail"),
    path("<int:pk>/act/", views.application_act, name="application-act"),
    path("<int:pk>/agreements/<int:number>/print/", views.agreement_print, name="agreement-print"),
    path("publicity/<int:pk>/print/", views.publicity_print, name="publicity-print"),
]
