"""Pure reconcile planners for services and deployments (later issues)."""
