"""Where customers reach us: the web chat and Telegram, each turning its own protocol into router calls."""
