"""The ISEF2 demonstration forum (``flask --app planner seed-demo``)."""
