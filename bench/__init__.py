"""The benchmark: `python -m bench [--quick]` (`make bench`); see bench/README.md."""
