from django.urls import path

from . import apply_views, batch_views, followup_views, insurance_views, step_views, views

app_name = "placements"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("on-post/", views.placement_list, name="placement-list"),
    path("apply/", views.apply, name="apply"),
    # several people picked by name, applied at once (docs/policy.md §5.3)
    path("apply/pick/", apply_views.apply_pick, name="apply-pick"),
    path("review/", views.review, name="review"),
    path("publicity/new/", views.publicity_new, name="publicity-new"),
    path("approve/", batch_views.approve_list, name="approve"),
    # a step for a ticked list at once (docs/policy.md §5.10), and their agreements printed together
    path("agree/", batch_views.batch_agree, name="batch-agree"),
    path("train/", batch_views.batch_train, name="batch-train"),
    path("place/", batch_views.batch_place, name="batch-place"),
    path("agreements/print/", batch_views.agreements_print, name="agreements-print"),
    path("agreements/pdf/", batch_views.agreements_pdf, name="agreements-pdf"),
    path("alerts/", views.alert_list, name="alerts"),
    path("existing/", views.migration_upload, name="migration-upload"),
    path("<int:pk>/", views.application_detail, name="application-detail"),
    # one address per action of the application page
    path("<int:pk>/approve/", step_views.application_approve, name="application-approve"),
    path("<int:pk>/agree/", step_views.application_agree, name="application-agree"),
    path("<int:pk>/train/", step_views.application_train, name="application-train"),
    path("<int:pk>/place/", step_views.application_place, name="application-place"),
    path("<int:pk>/close/", step_views.application_close, name="application-close"),
    path("<int:pk>/objection/", step_views.objection_record, name="objection"),
    path("<int:pk>/objection/resolve/", step_views.objection_resolve, name="objection-resolve"),
    path("<int:pk>/exit/", step_views.placement_exit, name="placement-exit"),
    path("<int:pk>/renew/", step_views.placement_renew, name="placement-renew"),
    path("<int:pk>/extend/", step_views.placement_extend, name="placement-extend"),
    path("<int:pk>/agreements/<int:number>/print/", views.agreement_print, name="agreement-print"),
    path("<int:pk>/agreements/<int:number>/pdf/", views.agreement_pdf, name="agreement-pdf"),
    path("publicity/<int:pk>/print/", views.publicity_print, name="publicity-print"),
    path("publicity/<int:pk>/pdf/", views.publicity_pdf, name="publicity-pdf"),
    # accident insurance: policies, the roster, accidents and their claims (docs/policy.md §7.9)
    path("insurance/", insurance_views.policy_list, name="insurance-list"),
    path("insurance/<int:pk>/", insurance_views.policy_detail, name="insurance-detail"),
    path("insurance/roster/", insurance_views.roster, name="insurance-roster"),
    path("accidents/", insurance_views.accident_list, name="accident-list"),
    path("accidents/new/<int:pk>/", insurance_views.accident_new, name="accident-new"),
    path("accidents/<int:pk>/", insurance_views.accident_detail, name="accident-detail"),
    path("accidents/<int:pk>/claim/", insurance_views.accident_claim, name="accident-claim"),
    # follow-up after exit (docs/policy.md §7.10); pk: the leaver's placement
    path("followup/", followup_views.followup_list, name="followup-list"),
    path("followup/<int:pk>/", followup_views.followup_detail, name="followup-detail"),
    path("followup/<int:pk>/referral/", followup_views.referral_add, name="followup-referral"),
    path("followup/<int:pk>/entry/", followup_views.followup_record, name="followup-entry"),
]
