"""Badges and check-in: printed badges with a signed QR code, zones, the scanner and arrivals."""
