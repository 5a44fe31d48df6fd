from tests.helpers import post_form, page
def test_x(admin_client, app):
    app.config["PROPAGATE_EXCEPTIONS"] = True
    import skillpath.errors as e
    r = admin_client.get("/admin/staff/new")
