"""Usage: telecom-style services, balances in weighted buckets, top-ups, add-ons, alerts (see ``hooks``)."""
