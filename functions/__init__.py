"""The HTTP edge: one module per deployed function (`functions/routes.py` is the one routing
table), the dashboard's pages (`functions/dashboard/`), and the wrapper every function shares
(`_http.py`: logs, limits, the error mapping). A view parses the request into a command,
authenticates (`_auth.require`), calls one handler and answers; it knows Flask, and nothing
below it does."""
