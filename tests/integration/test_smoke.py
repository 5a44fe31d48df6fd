from bs4 import BeautifulSoup


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sign-in")


def test_sign_in_page_has_one_heading_and_a_title(client):
    page = BeautifulSoup(client.get("/sign-in").text, "html.parser")
    assert [h.get_text(strip=True) for h in page.find_all("h1")] == ["Sign in to SkillPath"]
    assert page.title.get_text(strip=True) == "Sign in – SkillPath"


def test_each_role_lands_on_its_own_home(admin_client, mentor_client, learner_client):
    assert admin_client.get("/").headers["Location"].endswith("/admin/")
    assert mentor_client.get("/").headers["Location"].endswith("/mentor/")
    assert learner_client.get("/").headers["Location"].endswith("/learner/")
    expected = (
        (admin_client, "Establishments"),
        (mentor_client, "My cohorts"),
        # A learner who has not chosen a job yet is asked to choose one first.
        (learner_client, "What job would you like to work towards?"),
    )
    for client, heading in expected:
        page = BeautifulSoup(client.get("/", follow_redirects=True).text, "html.parser")
        assert page.h1.get_text(strip=True) == heading
