"""The workshop: each demo's profile (``<slug>.toml``: AI Act class, GDPR notes, gain rules, trainer notes) and the room's feedback store."""
