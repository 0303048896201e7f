"""Public event pages under the language prefix (namespace ``events``): the agenda and registration."""

urlpatterns: list = []
