"""Gates run on synthesized Terraform JSON before anything is applied.

This package must not import `modules/` or any CDKTF package: it stays fast and
usable on any `cdk.tf.json`.
"""
