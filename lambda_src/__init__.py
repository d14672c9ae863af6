"""Lambda handlers: plain Python and boto3; see README.md. Marks the folder for the import rules."""
