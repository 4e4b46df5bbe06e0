import pytest

pytestmark = pytest.mark.django_db

CHAIN = {
    "version": 1,
    "nodes": [
        {"id": "in", "type": "Input", "params": {"shape": [8]}},
        {"id": "out", "type": "Dense", "params": {"units": 3, "activation": "softmax"}},
    ],
    "edges": [{"source": "in", "target": "out"}],
}


@pytest.fixture
def project(alice_client):
    response = alice_client.post("/api/projects/", {"name": "mine", "graph": CHAIN}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_it_creates_a_project_with_its_graph_and_validation(project):
    assert project["name"] == "mine"
    assert project["graph"]["nodes"][1]["id"] == "out"
    assert project["validation"]["valid"] is True
    assert project["validation"]["params_total"] == 8 * 3 + 3


def test_it_creates_a_project_from_each_starter_template(alice_client):
    templates = alice_client.get("/api/projects/templates/").json()
    assert {t["key"] for t in templates} >= {"vgg16-transfer", "small-cnn", "mlp"}
    for template in templates:
        response = alice_client.post("/api/projects/", {"name": template["name"], "template": template["key"]},
                                     format="json")
        assert response.status_code == 201
        report = response.json()["validation"]
        if template["key"] == "blank":  # just an input: the person adds the rest
            assert [e["code"] for e in report["errors"]] == ["no_output"]
        else:
            assert report["valid"], (template["key"], report["errors"])


def test_the_vgg16_template_is_the_reference_transfer_network(alice_client):
    response = alice_client.post("/api/projects/", {"name": "veg", "template": "vgg16-transfer"}, format="json")
    graph = response.json()["graph"]
    assert [n["type"] for n in graph["nodes"]] == [
        "Input", "VGG16", "GlobalAveragePooling2D", "Dense", "Dropout", "Dense"]
    assert graph["nodes"][0]["params"]["shape"] == [224, 224, 3]
    report = response.json()["validation"]
    assert report["params_trainable"] == (512 * 256 + 256) + (256 * 3 + 3)  # only the head trains


def test_it_saves_an_unfinished_graph_and_reports_what_is_wrong(alice_client, project):
    broken = {**CHAIN, "edges": CHAIN["edges"] + [{"source": "out", "target": "in"}]}
    response = alice_client.put(f"/api/projects/{project['id']}/", {"name": "mine", "graph": broken}, format="json")
    assert response.status_code == 200
    assert response.json()["validation"]["valid"] is False
    assert alice_client.get(f"/api/projects/{project['id']}/").json()["graph"]["edges"] == broken["edges"]


def test_it_renames_duplicates_and_deletes(alice_client, project):
    url = f"/api/projects/{project['id']}/"
    assert alice_client.patch(url, {"name": "renamed"}, format="json").json()["name"] == "renamed"
    copy = alice_client.post(f"{url}duplicate/").json()
    assert copy["name"] == "renamed (copy)" and copy["graph"]["nodes"] == project["graph"]["nodes"]
    assert alice_client.delete(url).status_code == 204
    assert [p["id"] for p in alice_client.get("/api/projects/").json()] == [copy["id"]]


def test_it_exports_a_python_script(alice_client, project):
    response = alice_client.get(f"/api/projects/{project['id']}/code/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/x-python")
    assert "import keras" in response.content.decode()


def test_code_export_of_an_invalid_graph_is_a_400_with_the_errors(alice_client):
    bad = {"version": 1, "nodes": [{"id": "x", "type": "NoSuchLayer", "params": {}}], "edges": []}
    pid = alice_client.post("/api/projects/", {"name": "bad", "graph": bad}, format="json").json()["id"]
    response = alice_client.get(f"/api/projects/{pid}/code/")
    assert response.status_code == 400
    assert response.json()["errors"][0]["node"] == "x"


def test_another_user_cannot_list_read_change_or_delete_it(bob_client, alice_client, project):
    url = f"/api/projects/{project['id']}/"
    assert bob_client.get("/api/projects/").json() == []
    assert bob_client.get(url).status_code == 404
    assert bob_client.put(url, {"name": "x", "graph": CHAIN}, format="json").status_code == 404
    assert bob_client.patch(url, {"name": "x"}, format="json").status_code == 404
    assert bob_client.delete(url).status_code == 404
    assert bob_client.post(f"{url}duplicate/").status_code == 404
    assert bob_client.get(f"{url}code/").status_code == 404
    assert alice_client.get(url).json()["name"] == "mine"


@pytest.mark.parametrize("body, fragment", [
    ({"graph": CHAIN}, "name"),
    ({"name": "  ", "graph": CHAIN}, "name"),
    ({"name": "x", "graph": [1, 2]}, "JSON object"),
    ({"name": "x", "graph": {"nodes": "abc"}}, "nodes"),
    ({"name": "x", "template": "nope"}, "template"),
])
def test_bad_project_input_is_a_400_with_a_message(alice_client, body, fragment):
    response = alice_client.post("/api/projects/", body, format="json")
    assert response.status_code == 400
    assert fragment in response.json()["detail"]
