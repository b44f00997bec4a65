"""Delegations of countries and international organisations, and the people in them."""
