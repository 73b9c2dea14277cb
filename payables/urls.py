from __future__ import annotations

from django.urls import path

from payables import views

app_name = "payables"

urlpatterns = [
    path("", views.home, name="home"),
]
