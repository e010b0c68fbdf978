"""Identity and access: JWT, API keys, passwords, sessions, roles."""
