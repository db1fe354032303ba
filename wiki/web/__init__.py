"""The web UI and the JSON API (Flask blueprints)."""
