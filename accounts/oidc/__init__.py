"""Log-in with ProConnect and the OpenID Connect providers a node configures (sites/settings.py).

allauth's ``openid_connect`` provider, with what ProConnect needs and allauth 65 lacks: a nonce
checked against the ID token, and a user-info answer that may be a signed JWT (``application/jwt``).
``SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"]`` swaps the class in; allauth then
takes this package's ``urls``."""
