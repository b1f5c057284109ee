"""HTTP request and response bodies: msgspec structs separate from the core's domain types,
with explicit functions mapping one to the other."""
