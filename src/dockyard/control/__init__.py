"""Imperative shell: controllers that plan from a snapshot and apply in one transaction.

Arrives with the services issue."""
