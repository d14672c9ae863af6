"""Policy data and rules: suppressions, custom Checkov checks, AWS constraints."""
