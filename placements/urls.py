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
    # a step for a ticked list at once (docs/policy.md §5.10), and their agreements printed together
    path("agree/", views.batch_agree, name="batch-agree"),
    path("train/", views.batch_train, name="batch-train"),
    path("place/", views.batch_place, name="batch-place"),
    path("agreements/print/", views.agreements_print, name="agreements-print"),
    path("agreements/pdf/", views.agreements_pdf, name="agreements-pdf"),
    path("alerts/", views.alert_list, name="alerts"),
    path("existing/", views.migration_upload, name="migration-upload"),
    path("<int:pk>/", views.application_detail, name="application-detail"),
    # one address per action of the application page
    path("<int:pk>/approve/", views.application_approve, name="application-approve"),
    path("<int:pk>/agree/", views.application_agree, name="application-agree"),
    path("<int:pk>/train/", views.application_train, name="application-train"),
    path("<int:pk>/place/", views.application_place, name="application-place"),
    path("<int:pk>/close/", views.application_close, name="application-close"),
    path("<int:pk>/objection/", views.objection_record, name="objection"),
    path("<int:pk>/objection/resolve/", views.objection_resolve, name="objection-resolve"),
    path("<int:pk>/exit/", views.placement_exit, name="placement-exit"),
    path("<int:pk>/renew/", views.placement_renew, name="placement-renew"),
    path("<int:pk>/extend/", views.placement_extend, name="placement-extend"),
    path("<int:pk>/agreements/<int:number>/print/", views.agreement_print, name="agreement-print"),
    path("<int:pk>/agreements/<int:number>/pdf/", views.agreement_pdf, name="agreement-pdf"),
    path("publicity/<int:pk>/print/", views.publicity_print, name="publicity-print"),
    path("publicity/<int:pk>/pdf/", views.publicity_pdf, name="publicity-pdf"),
]
