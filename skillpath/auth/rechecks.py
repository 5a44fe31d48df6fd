"""What the pages that ask for the password again (change password, close the account) share.

`accounts.recheck_password` caps the wrong passwords a signed-in session may type there; once it has ended the
session, the page signs the browser out and says why.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, session, url_for
from flask_login import logout_user
from werkzeug.wrappers import Response

from skillpath import transactions
from skillpath.i18n import _


def most_wrong() -> int:
    """PASSWORD_RECHECK_LIMIT: the wrong passwords a session may type before it is signed out."""
    return int(current_app.config["PASSWORD_RECHECK_LIMIT"])


def signed_out_for_wrong_passwords() -> Response:
    """The answer once `SignedOutForWrongPasswords` has ended this session: the browser signed out, told why."""
    transactions.keep_on_error()  # the ended session and its audit are kept
    logout_user()
    session.clear()
    flash(
        _(
            "You typed a wrong password too many times, so we signed you out to keep your account safe. "
            "Sign in again to carry on"
        ),
        "info",
    )
    return redirect(url_for("auth.sign_in"))
