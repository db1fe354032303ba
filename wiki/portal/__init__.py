"""The customer self-care portal (``/portal/``): the account with its contacts and sites,
and the account's activity log.  Staff manage accounts on ``Special:Accounts``."""
