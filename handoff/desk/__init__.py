"""The help desk: the escalation policy, the conversation state machine and the ticket queue."""
