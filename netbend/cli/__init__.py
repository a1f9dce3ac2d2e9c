"""Command-line interface; see ``netbend.cli.main``."""
