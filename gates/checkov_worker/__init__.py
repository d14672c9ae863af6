"""What runs inside Checkov's own venv, never imported by the gate: the Checkov server
(`checkov_server.py`, started by gates/checkov_prestart.py) and its libyaml reading of
Terraform JSON (`checkov_json_loader.py`). The server is run as a script, so this folder
holds nothing whose name could stand in for a module Checkov imports."""
