"""gunicorn settings for planner: ``gunicorn -c docs/deployment/gunicorn.conf.py wsgi:app``.

Threaded workers: a client that sends its request slowly holds one thread of a worker while
the worker's other threads go on serving, where a sync worker would be held whole for up to
``timeout`` seconds. The reverse proxy in front (docs/deployment/nginx.conf) reads every
request body in full before passing it on, so slow bodies never reach gunicorn at all.
Command-line options win over these (for example ``--workers 2``).
"""

import multiprocessing
import os

bind = os.environ.get("PLANNER_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("PLANNER_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("PLANNER_THREADS", 8))
# A request that takes longer than this is ended (the database's own timeouts come first).
timeout = 30
graceful_timeout = 30
keepalive = 5
# Headers larger than this are refused before planner sees them.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# The proxy's address is the one that may say the client's (X-Forwarded-*); planner's
# PLANNER_PROXY_COUNT decides which of those headers it believes.
forwarded_allow_ips = os.environ.get("PLANNER_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
