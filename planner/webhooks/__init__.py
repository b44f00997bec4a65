"""Webhooks: organisers' endpoints told of changes, signed, delivered through an outbox."""
