"""Environment files to resolved configuration; see loader.py."""

from modules.config.environment import EnvironmentConfig, StateSettings
from modules.config.loader import load_environment, load_environments
from modules.config.problems import ConfigError, Problem

__all__ = ["ConfigError", "EnvironmentConfig", "Problem", "StateSettings", "load_environment", "load_environments"]
