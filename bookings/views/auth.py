"""Logging in and out of the public site."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy


class LoginView(auth_views.LoginView):
    """Django's log-in (django-axes counts the failures through its authentication backend)."""

    template_name = "bookings/login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("bookings:mine")


class LogoutView(auth_views.LogoutView):
    """Log out with a POST (CSRF-protected), then back to the page given in ``next``."""

    template_name = "bookings/logged_out.html"
