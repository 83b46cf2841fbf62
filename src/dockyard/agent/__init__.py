"""The per-host agent: task state machine, Docker adapter, control-plane client (later issues)."""
