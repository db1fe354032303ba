"""Hook implementations of the webphone plugin.

The plugin is registered so that its place in the plugin list and Special:Version is fixed;
its features arrive with its own issue and plug in here.
"""
