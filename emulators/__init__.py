"""Local stand-ins for Stripe and Mailgun, for development and tests only."""
