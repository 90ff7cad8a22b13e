from __future__ import annotations

from django.urls import path

from . import views

app_name = "elections"

urlpatterns = [
    path("organisations/<slug:slug>/elections/", views.election_list, name="list"),
    path("organisations/<slug:slug>/elections/new/", views.election_create, name="create"),
    path("elections/<uuid:pk>/", views.election_detail, name="detail"),
    path("elections/<uuid:pk>/nominate/", views.nominate, name="nominate"),
    path("elections/<uuid:pk>/nominations/<int:nomination_id>/consent/", views.consent, name="consent"),
    path("elections/<uuid:pk>/nominations/<int:nomination_id>/withdraw/", views.withdraw, name="withdraw"),
    path("elections/<uuid:pk>/candidates/", views.candidates_page, name="candidates"),
    path("elections/<uuid:pk>/vote/", views.vote, name="vote"),
    path("elections/<uuid:pk>/vote/<str:token>/", views.vote_link, name="vote-link"),
    path("elections/<uuid:pk>/vote.json", views.vote_api, name="vote-api"),
    path("elections/<uuid:pk>/receipt/", views.receipt_check, name="receipt"),
    path("elections/<uuid:pk>/ballots/", views.ballot_list, name="ballots"),
    path("elections/<uuid:pk>/manage/", views.manage, name="manage"),
    path("elections/<uuid:pk>/audit/", views.election_audit, name="audit"),
    path("elections/<uuid:pk>/result/", views.result, name="result"),
    path("elections/<uuid:pk>/result.<str:fmt>", views.result_download, name="result-download"),
]
