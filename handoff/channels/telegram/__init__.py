"""The Telegram channel, built on python-telegram-bot: polling by default, webhook optional."""
