"""Bringing a book in from a CRM export (`renubu import`) and taking it out (`renubu export`)."""
