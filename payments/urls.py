from django.urls import path

from . import bank_views, views

app_name = "payments"
urlpatterns = [
    path("", views.batch_list, name="batch-list"),
    path("make/", views.batch_make, name="batch-make"),
    path("<int:pk>/", views.batch_detail, name="batch-detail"),
    path("<int:pk>/approve/", views.batch_approve, name="batch-approve"),
    path("<int:pk>/file/<str:kind>/", views.batch_download, name="batch-download"),
    path("<int:pk>/return/", views.batch_return, name="batch-return"),
    path("recoveries/", views.recovery_list, name="recoveries"),
    path("recoveries/<int:pk>/repay/", views.recovery_repay, name="recovery-repay"),
    path("reconciliation/", views.reconciliation_page, name="reconciliation"),
    # the county's banks (docs/policy.md §9.11)
    path("banks/<str:county_code>/", bank_views.bank_list, name="bank-list"),
    path("banks/<str:county_code>/new/", bank_views.bank_new, name="bank-new"),
    path("banks/<str:county_code>/<int:pk>/", bank_views.bank_edit, name="bank-edit"),
    path("banks/<str:county_code>/import/", bank_views.bank_import, name="bank-import"),
    path(
        "banks/<str:county_code>/import/template.xlsx",
        bank_views.bank_import_template,
        name="bank-import-template",
    ),
]
