"""Staff: accounts, passwords, sessions and login, for agents, trainers and admins."""
