"""allauth's sign-up form as Essaim uses it (``ACCOUNT_FORMS["signup"]``).

Its own module: allauth's forms module imports ``accounts.forms.SignupForm`` (the fields mixed in)
while it loads, so a subclass of its ``SignupForm`` cannot live there."""

from allauth.account import forms as allauth_forms
from django.contrib.auth.hashers import make_password


class AccountSignupForm(allauth_forms.SignupForm):
    """allauth's sign-up form (with ``SignupForm``'s fields mixed in), answering a known address in
    the time a new one takes: allauth skips the new account's password hashing there, about 400 ms
    of PBKDF2 that told anyone timing the answer that the address has an account
    (``tests/benchmarks/bench_account_answers.py``)."""

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)
