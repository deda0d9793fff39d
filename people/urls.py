from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="person-list"),
    path("new/", views.person_create, name="person-create"),
    path("<int:pk>/", views.person_detail, name="person-detail"),
    path("<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("claims/<int:pk>/decide/", views.claim_decide, name="claim-decide"),
    path("bank-changes/<int:pk>/decide/", views.bank_change_decide, name="bank-change-decide"),
    path("import/", views.import_upload, name="import-upload"),
    path("import/template.xlsx", views.import_template, name="import-template"),
    path("import/<str:token>/", views.import_preview, name="import-preview"),
    path("import/<str:token>/confirm/", views.import_confirm, name="import-confirm"),
    path("import/<str:token>/errors.xlsx", views.import_errors, name="import-errors"),
    path("rosters/", views.roster_list, name="roster-list"),
]
