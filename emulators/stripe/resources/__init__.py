"""Stripe API resources, one module per group; each exports `ROUTES`."""
