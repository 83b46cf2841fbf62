"""One repository per aggregate; each maps rows to domain values and back."""
