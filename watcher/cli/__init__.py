"""The command-line interface: argument parsing, one module per command group, rendering."""
