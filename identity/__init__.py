"""People and access: signup and email verification (`registration`), logins, tokens and
sessions (`logins`), who is calling (`principals`), members and invitations (`members`), API
keys (`api_keys`), the dashboard's tenant switch (`tenancy`), rate limits, mail. Services over
the store port (`ledger.store.AbstractStore`) with their rules and messages; the documents they
keep are shaped in `records`, and the reads they share are in `directory`. Built on `auth/`'s
primitives; imports nothing of the money half."""
