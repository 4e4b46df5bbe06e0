import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_it_signs_up_and_returns_a_token_that_authenticates():
    client = APIClient()
    response = client.post("/api/auth/signup/", {"username": "carol", "password": "a-long-passphrase-9"}, format="json")
    assert response.status_code == 201, response.content
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/auth/me/").json()["username"] == "carol"


def test_it_refuses_a_taken_username_with_a_message(alice):
    response = APIClient().post("/api/auth/signup/", {"username": "ALICE", "password": "another-passphrase-9"},
                                format="json")
    assert response.status_code == 400
    assert "taken" in response.json()["detail"]


def test_it_refuses_a_weak_password_and_says_why():
    response = APIClient().post("/api/auth/signup/", {"username": "dave", "password": "123"}, format="json")
    assert response.status_code == 400
    assert "too short" in response.json()["detail"]


def test_it_exchanges_a_password_for_a_token(alice):
    credentials = {"username": "alice", "password": "alice-password-1"}
    response = APIClient().post("/api/auth/token/", credentials, format="json")
    assert response.status_code == 200 and len(response.json()["token"]) == 40
    wrong = APIClient().post("/api/auth/token/", {"username": "alice", "password": "nope"}, format="json")
    assert wrong.status_code == 400 and "Wrong" in wrong.json()["detail"]


def test_the_api_refuses_anonymous_requests():
    response = APIClient().get("/api/projects/")
    assert response.status_code in (401, 403)
    assert "credentials" in response.json()["detail"]


def test_the_sign_up_page_creates_an_account_and_logs_in(client):
    response = client.post("/accounts/signup/", {"username": "erin", "password1": "erin-passphrase-77",
                                                 "password2": "erin-passphrase-77"})
    assert response.status_code == 302
    assert client.get("/api/auth/me/").json()["username"] == "erin"


def test_pages_send_anonymous_people_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/login/").status_code == 200
