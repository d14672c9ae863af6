# Checkov loads every module in this folder as custom checks (it requires this file).
