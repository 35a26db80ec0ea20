"""The agent console: server-rendered pages, a JSON API and a live websocket, all under /console."""
