"""Node-to-node endpoints: node info (public) and the signed federation API (``/federation/v1/``)."""
