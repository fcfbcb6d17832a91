"""Matching: scoring pairs (pure), solving a whole cycle (pure), and the services that save."""
