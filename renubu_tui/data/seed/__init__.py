"""Seeding: the shipped configuration, core workflows and demo data, and synthetic scale data."""
