from django.urls import path

from . import views

app_name = "posts"

urlpatterns = [
    path("plans/<str:county_code>/<int:year>/", views.plan_detail, name="plan-detail"),
    path("plans/<str:county_code>/<int:year>/xlsx/", views.plan_download, name="plan-download"),
    path("posts/", views.post_list, name="post-list"),
    path("posts/open/", views.post_open, name="post-open"),
    path("announcements/", views.announcement_list, name="announcement-list"),
    path("announcements/<int:pk>/", views.announcement_detail, name="announcement-detail"),
    path("announcements/<int:pk>/pdf/", views.announcement_pdf, name="announcement-pdf"),
]
