"""Marks the folder as a package for the import rules (make lint); not packaged."""
