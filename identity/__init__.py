"""People and access: signup and verification, logins, principals, members and invitations, API
keys, tenant switching, rate limits and mail. Imports nothing of the money modules."""
