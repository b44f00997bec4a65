"""The JSON API under /api/v1: public reads, personal access tokens and authenticated calls."""
