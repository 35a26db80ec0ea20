"""The web chat: websocket and REST endpoints, signed customer tokens, the demo sign-in, and a client speaking the protocol."""
