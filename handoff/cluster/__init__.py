"""What replicas share so any of them can serve any customer or agent (issue 16).

Each module has one job and an in-process twin for the single-process default (no ``REDIS_URL``,
SQLite): events to subscribers (``events``), agent presence (``presence``), per-conversation
ordering (``conversation_lock``) and leases such as the Telegram poller's (``lease``).
"""
