"""After apply: stack outputs to env files, and post-deploy validation with boto3.

Like gates/, this package never imports the constructs or CDKTF: it reads Terraform's
outputs and asks AWS.
"""
