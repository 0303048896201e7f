from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo network and ``manage.py load_demo``: the top of the import graph, used by no app."""

    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"
