"""sdkgen: a schema-driven SDK generator."""

__version__ = "0.1.0"
