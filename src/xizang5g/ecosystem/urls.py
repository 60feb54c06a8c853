from django.urls import path

from xizang5g.ecosystem import views

app_name = "ecosystem"

urlpatterns = [
    path("", views.index, name="index"),
    # public: no login
    path("join/", views.signup, name="signup"),
    path("public/events/", views.public_events, name="public_events"),
    path("public/solutions/", views.public_solutions, name="public_solutions"),
    # demands and solutions
    path("demands/", views.demand_list, name="demands"),
    path("demands/new/", views.demand_create, name="demand_new"),
    path("demands/<int:pk>/", views.demand_detail, name="demand"),
    path("demands/<int:pk>/edit/", views.demand_edit, name="demand_edit"),
    path("demands/<int:pk>/submit/", views.demand_submit, name="demand_submit"),
    path("demands/<int:pk>/close/", views.demand_close, name="demand_close"),
    path("demands/<int:pk>/review/", views.demand_review, name="demand_review"),
    path("demands/<int:pk>/intent/", views.demand_intent, name="demand_intent"),
    path("solutions/", views.solution_list, name="solutions"),
    path("solutions/new/", views.solution_create, name="solution_new"),
    path("solutions/<int:pk>/", views.solution_detail, name="solution"),
    path("solutions/<int:pk>/edit/", views.solution_edit, name="solution_edit"),
    path("solutions/<int:pk>/submit/", views.solution_submit, name="solution_submit"),
    path("solutions/<int:pk>/close/", views.solution_close, name="solution_close"),
    path("solutions/<int:pk>/review/", views.solution_review, name="solution_review"),
    path("solutions/<int:pk>/intent/", views.solution_intent, name="solution_intent"),
    # intents
    path("intents/", views.intent_list, name="intents"),
    path("intents/<int:pk>/", views.intent_detail, name="intent"),
    path("intents/<int:pk>/action/", views.intent_action, name="intent_action"),
    # events
    path("events/", views.event_list, name="events"),
    path("events/new/", views.event_form, name="event_new"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/edit/", views.event_form, name="event_edit"),
    path("events/<int:pk>/register/", views.event_register, name="event_register"),
    # the plan office
    path("moderation/", views.moderation, name="moderation"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/review/", views.organisation_review, name="organisation_review"),
    path("statistics/", views.statistics, name="statistics"),
]
