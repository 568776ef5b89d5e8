"""The assistant's tools (domain.md §11): knowledge search, confined database queries, charts."""
