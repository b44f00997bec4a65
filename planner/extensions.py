"""Flask extensions, created unbound so that every app from ``create_app`` shares them."""

from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from planner.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
# Storage comes from RATELIMIT_STORAGE_URI (PLANNER_RATELIMIT_STORAGE_URI): memory:// or redis://.
limiter = Limiter(key_func=get_remote_address)
# Rendered programme fragments, keyed on Forum.schedule_version (CACHE_TYPE: SimpleCache
# per process by default, RedisCache to share between processes).
cache = Cache()
