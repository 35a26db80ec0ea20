"""Rasa custom actions, one module per topic. Served by `rasa run actions --actions actions`."""
