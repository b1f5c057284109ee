"""Fixtures of the attack tests (defined in ``attack_kit``)."""

from attack_kit import receiver, serve_with

__all__ = ["receiver", "serve_with"]
