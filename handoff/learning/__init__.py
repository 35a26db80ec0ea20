"""The learning loop: what agents teach, scrubbed of personal data, reviewed by trainers, shipped to the bot."""
