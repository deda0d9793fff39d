from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("counties/<str:county>/posts/", views.PostList.as_view(), name="post-list"),
    path("counties/<str:county>/people-on-post/", views.PeopleOnPostList.as_view(), name="people-on-post"),
    path(
        "counties/<str:county>/payroll/<str:month>/lines/",
        views.PayrollLineList.as_view(),
        name="payroll-lines",
    ),
    path(
        "counties/<str:county>/payroll/<str:month>/totals/",
        views.PayrollTotals.as_view(),
        name="payroll-totals",
    ),
]
