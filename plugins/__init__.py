"""The plugins shipped with ticketwiki: each folder is one pluggy plugin."""
