"""Reads about people, by concern: ``personal_data`` (what the account page exports, and what
erasing would do), ``tokens`` (a named API token and its owner, on every API call). Re-exported
here: callers write ``from accounts import selectors; selectors.personal_data(...)``.
"""

from accounts.selectors.personal_data import TABLES, erasure_preview, personal_data
from accounts.selectors.tokens import token_with_owner

__all__ = ["TABLES", "erasure_preview", "personal_data", "token_with_owner"]
