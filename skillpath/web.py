"""The request-side Flask extensions: sign-in, CSRF protection and rate limits, created here unbound and
initialised in create_app().

They are apart from skillpath.extensions (the database) so that pages and the API can use them while the
layer contract keeps every view away from the database.
"""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
