from django.urls import path

from . import views

app_name = "placements"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("on-post/", views.placement_list, name="placement-list"),
    path("apply/", views.apply, name="apply"),
    path("review/", views.review, name="review"),
    path("publicity/new/", views.publicity_new, name="publicity-new"),
    path("approve/", views.approve_list, name="approve"),
    path("alerts/", views.alert_list, name="alerts"),
    path("existing/", views.migration_upload, name="migration-upload"),
    path("<int:pk>/", views.application_detail, name="application-detail"),
    path("<int:pk>/act/", views.application_act, name="application-act"),
    path("<int:pk>/objection/", views.objection, name="objection"),
    path("<int:pk>/placement/", views.placement_act, name="placement-act"),
    path("<int:pk>/agreements/<int:number>/print/", views.agreement_print, name="agreement-print"),
    path("<int:pk>/agreements/<int:number>/pdf/", views.agreement_pdf, name="agreement-pdf"),
    path("publicity/<int:pk>/print/", views.publicity_print, name="publicity-print"),
    path("publicity/<int:pk>/pdf/", views.publicity_pdf, name="publicity-pdf"),
]
