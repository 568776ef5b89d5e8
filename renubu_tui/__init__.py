"""renubu: the renewal workspace for customer-success managers, in the terminal."""

__version__ = "0.1.0"
