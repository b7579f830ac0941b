"""Pydantic request/response models, split by capability so each function imports only its own."""
