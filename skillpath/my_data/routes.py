"""Everything SkillPath holds about the learner, as a page and as two JSON downloads (UK GDPR right of access).

The full download is the whole record; the download to share leaves out everything that shows custody.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from skillpath.auth.policy import learner_required
from skillpath.services.exports import my_data

bp = Blueprint("my_data", __name__, url_prefix="/learner/my-data")

DOWNLOAD_NAME = "skillpath-my-data.json"
DOWNLOAD_TO_SHARE_NAME = "skillpath-my-data-to-share.json"


@bp.route("")
@learner_required
def index() -> str:
    return render_template("my_data/index.html", data=my_data.collect(current_user))


@bp.route("/download")
@learner_required
def download() -> Response:
    document = my_data.download_my_data(current_user, ip_address=request.remote_addr)
    return _json_download(document, DOWNLOAD_NAME)


@bp.route("/download-to-share")
@learner_required
def download_to_share() -> Response:
    document = my_data.download_my_data(current_user, to_share=True, ip_address=request.remote_addr)
    return _json_download(document, DOWNLOAD_TO_SHARE_NAME)


def _json_download(document: dict[str, Any], filename: str) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return Response(
        body.encode("utf-8"),
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
