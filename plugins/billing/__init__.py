"""Billing: Stripe invoices, payments and cards (see ``hooks``)."""
