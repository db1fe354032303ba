"""The core's own features, each a plugin registered through the public hooks (see ``wiki.plugins``)."""
