from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.views import Login
from workspace.views import home

admin.site.site_header = "城乡公益性岗位管理系统"
admin.site.site_title = "城乡公益性岗位管理系统"
admin.site.index_title = "系统管理"

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

urlpatterns = [
    path("", home, name="home"),
    path("login/", Login.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("posts.urls")),
    path("people/", include("people.urls")),
    path("placements/", include("placements.urls")),
    path("subsidies/", include("subsidies.urls")),
    path("payments/", include("payments.urls")),
    path("assessment/", include("assessment.urls")),
    path("workspace/", include("workspace.urls")),
    path("audit/", include("audit.urls")),
    path("accounts/", include("accounts.urls")),
    path("townships/", include("townships.urls")),
    path("supervision/", include("supervision.urls")),
    path("api/v1/", include("api.urls")),  # the read-only data interface, by token (api/)
    path("admin/", admin.site.urls),
]
