"""The ground floor: the error tree, the settings and the log format. Imports nothing of ours."""
