"""What the tests and the bench share: fakes of the ports the in-memory store does not cover,
Stripe event builders, the webhook path's test wiring, waiting helpers and process lookups."""
