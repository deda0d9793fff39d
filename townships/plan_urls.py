"""The plan pages' addresses (docs/policy.md §2), in the townships namespace (townships/urls.py)."""

from django.urls import path

from . import plan_views

urlpatterns = [
    path("plans/<str:county_code>/", plan_views.plan_list, name="plan-list"),
    path("plans/<str:county_code>/new/", plan_views.plan_new, name="plan-new"),
    path("plans/<str:county_code>/import/", plan_views.plan_import, name="plan-import"),
    path(
        "plans/<str:county_code>/import/template.xlsx",
        plan_views.plan_import_template,
        name="plan-import-template",
    ),
    path("plans/<str:county_code>/<int:year>/versions/", plan_views.plan_versions, name="plan-versions"),
    path("plans/<str:county_code>/<int:year>/adjust/", plan_views.plan_adjust, name="plan-adjust"),
    path(
        "plans/<str:county_code>/<int:year>/versions/<int:number>/print/",
        plan_views.plan_version_print,
        name="plan-version-print",
    ),
    path("plans/<str:county_code>/five-years/new/", plan_views.five_year_new, name="five-year-new"),
    path(
        "plans/<str:county_code>/five-years/<int:first_year>/",
        plan_views.five_year_detail,
        name="five-year-detail",
    ),
    path(
        "plans/<str:county_code>/five-years/<int:first_year>/xlsx/",
        plan_views.five_year_download,
        name="five-year-download",
    ),
]
