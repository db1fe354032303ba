"""Accounts, roles and security: sign-in protection, second factors, emailed tokens, the
audit log, groups and namespace-rights overrides, notification preferences and rate limits.

Services live in one module per job and take the acting ``Actor`` explicitly; ``views``
holds the ``Special:`` pages and ``hooks`` plugs it all in as a built-in plugin.
"""
