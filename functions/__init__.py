"""The HTTP edge: one module per deployed function, plus the routing table they share."""
