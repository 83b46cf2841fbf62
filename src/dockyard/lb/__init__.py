"""Load-balancer data plane: pure HAProxy renderer and runtime adapters (later issues)."""
