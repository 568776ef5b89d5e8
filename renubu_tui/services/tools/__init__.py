"""The assistant's tools (DOMAIN §11): knowledge search, confined database queries, charts."""
