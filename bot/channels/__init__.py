"""Rasa input channels of our own."""
