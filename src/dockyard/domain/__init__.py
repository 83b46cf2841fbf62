"""Pure domain model: typed resources, ARNs, ordered statuses and the one error hierarchy.

Imports nothing but the standard library and ``dockyard.infra``; no I/O, no clock, no randomness.
"""
