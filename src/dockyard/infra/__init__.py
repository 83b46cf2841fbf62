"""Lowest layer: settings, clock, randomness and identifiers. Imports nothing from Dockyard."""
