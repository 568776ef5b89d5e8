"""Modal screens, imported when first opened."""
