"""The outbox's producers: every write path that changes what peers mirror records a change here."""
