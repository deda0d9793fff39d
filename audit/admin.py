"""django-auditlog registers its log with the admin, across all counties; the audit pages
(audit/views.py) are the log's interface, scoped by the gate like every other page."""

from django.contrib import admin

from .models import Entry

if admin.site.is_registered(Entry):
    admin.site.unregister(Entry)
