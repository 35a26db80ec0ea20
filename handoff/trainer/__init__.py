"""The trainer console: review what the bot should learn, edit the knowledge base, retrain and ship models."""
