from __future__ import annotations

from django.urls import path

from . import views

app_name = "budgets"

urlpatterns = [
    path("", views.process_list, name="list"),
    path("new/<slug:org_slug>/", views.process_create, name="create"),
    path("<slug:slug>/", views.process_detail, name="detail"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/codes/", views.codes, name="codes"),
    path("<slug:slug>/ideas/", views.idea_list, name="ideas"),
    path("<slug:slug>/ideas/new/", views.idea_create, name="idea-create"),
    path("<slug:slug>/ideas/<int:idea_id>/", views.idea_detail, name="idea"),
    path("<slug:slug>/ideas/<int:idea_id>/image", views.idea_image, name="idea-image"),
    path("<slug:slug>/ideas/<int:idea_id>/review/", views.idea_review, name="review"),
    path("<slug:slug>/ideas/<int:idea_id>/delivery/", views.delivery_edit, name="delivery-edit"),
    path("<slug:slug>/vote/", views.vote, name="vote"),
    path("<slug:slug>/vote/forget/", views.forget_code, name="forget-code"),
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/results/<slug:area>.pb", views.results_pb, name="results-pb"),
    path("<slug:slug>/results.json", views.results_json, name="results-json"),
    path("<slug:slug>/results.csv", views.results_csv, name="results-csv"),
    path("<slug:slug>/delivery/", views.delivery, name="delivery"),
]
