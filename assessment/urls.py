from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.sheet_list, name="sheet-list"),
    path("sheets/<int:pk>/", views.sheet_detail, name="sheet-detail"),
    path("sheets/<int:pk>/upload/", views.sheet_upload, name="sheet-upload"),
    path("sheets/<int:pk>/publish/", views.sheet_publish_view, name="sheet-publish"),
    path("sheets/<int:pk>/reopen/", views.sheet_reopen_view, name="sheet-reopen"),
    path("sheets/<int:pk>/print/", views.sheet_print, name="sheet-print"),
    path("exits/", views.exit_list, name="exit-list"),
    path("bonus/", views.bonus_list, name="bonus-list"),
    path("bonus/<int:pk>/", views.bonus_detail, name="bonus-detail"),
]
