from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("password/", views.PasswordChange.as_view(), name="password-change"),
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/load/", views.users_load, name="users-load"),
    path("users/load/template.xlsx", views.users_template, name="users-template"),
    path("users/<int:pk>/password/", views.user_password_reset, name="user-password-reset"),
    path("village-users/", views.village_users, name="village-users"),
    path("village-users/<int:pk>/stop/", views.village_user_stop, name="village-user-stop"),
]
