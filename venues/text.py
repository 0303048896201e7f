"""Text folding for search: the same answer on SQLite and PostgreSQL, with or without accents."""

import unicodedata


def normalise(text: str) -> str:
    """Lower case, no accents, single spaces, hyphens as spaces: 'Saint-Étienne' → 'saint etienne'."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("-", " ").replace("'", " ").replace("’", " ").split())
