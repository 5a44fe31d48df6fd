"""Everything SkillPath holds about the learner, as a page and as a JSON download (UK GDPR right of access)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from skillpath.auth.policy import learner_required
from skillpath.extensions import db
from skillpath.services import my_data
from skillpath.services.audit import record_event

bp = Blueprint("my_data", __name__, url_prefix="/learner/my-data")

DOWNLOAD_NAME = "skillpath-my-data.json"


@bp.route("")
@learner_required
def index() -> str:
    return render_template("my_data/index.html", data=my_data.collect(current_user))


@bp.route("/download")
@learner_required
def download() -> Response:
    document = my_data.as_json(my_data.collect(current_user))
    # A copy of the whole record leaving the service is worth a line in the log the learner can see.
    record_event("learner.data.downloaded", actor=current_user, subject=current_user, ip_address=request.remote_addr)
    db.session.commit()
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return Response(
        body.encode("utf-8"),
        content_type="application/json; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{DOWNLOAD_NAME}"',
            "Cache-Control": "no-store",
        },
    )
