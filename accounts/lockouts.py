"""The name django-axes counts failed log-ins under, whichever form sent them.

allauth authenticates with ``email=`` or ``username=`` (its form's field is ``login``); the token
API and the admins' log-in send ``username``. One callable gives axes the same name for all."""


def login_name(request, credentials) -> str | None:
    credentials = credentials or {}
    name = credentials.get("username") or credentials.get("email")
    if not name and request is not None and request.method == "POST":
        name = request.POST.get("login") or request.POST.get("username")
    return name.strip().lower() if isinstance(name, str) and name.strip() else None
