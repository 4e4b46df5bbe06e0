"""Training in a real browser: the Hyper-parameters form and its pre-flight check, a run trained by a real
worker and followed live (charts grow, a reload mid-run shows the same history), and two runs compared.

A tiny project (Input 32x32x3 -> Conv2D -> GlobalAveragePooling2D -> Dense softmax) and a tiny dataset
(2 classes x 6 images, a zip built here with Pillow) are created through the API; the `train_worker`
fixture runs `manage.py trainworker` against the studio's database and data folder.
"""
import io
import json
import re
import time
import zipfile

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

COLORS = {"red": (200, 40, 40), "blue": (40, 60, 200)}
# Long enough (tens of seconds on a laptop CPU) that the page can be reloaded while the run trains.
EPOCHS = 150


def tiny_graph(units: int = 2) -> dict:
    return {
        "version": 1,
        "nodes": [
            {"id": "in", "type": "Input", "params": {"shape": [32, 32, 3]}},
            {"id": "conv", "type": "Conv2D", "params": {"filters": 4, "kernel_size": 3, "activation": "relu"}},
            {"id": "gap", "type": "GlobalAveragePooling2D", "params": {}},
            {"id": "out", "type": "Dense", "params": {"units": units, "activation": "softmax"}},
        ],
        "edges": [{"source": "in", "target": "conv"}, {"source": "conv", "target": "gap"},
                  {"source": "gap", "target": "out"}],
    }


def tiny_zip(per_class: int = 6) -> bytes:
    rng = np.random.default_rng(0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for label, color in COLORS.items():
            for i in range(per_class):
                pixels = np.clip(np.array(color) + rng.normal(0, 25, (32, 32, 3)), 0, 255).astype(np.uint8)
                buf = io.BytesIO()
                Image.fromarray(pixels).save(buf, "PNG")
                z.writestr(f"colors/{label}/{i}.png", buf.getvalue())
    return out.getvalue()


def _csrf(page) -> dict:
    token = next((c["value"] for c in page.context.cookies() if c["name"] == "csrftoken"), "")
    return {"X-CSRFToken": token}


def make_dataset(page, name: str) -> dict:
    r = page.request.post(
        "/api/datasets/",
        multipart={"name": name, "file": {"name": f"{name}.zip", "mimeType": "application/zip", "buffer": tiny_zip()}},
        headers=_csrf(page),
    )
    assert r.status == 201, r.text()
    dataset = r.json()
    assert dataset["status"] == "ready" and dataset["image_count"] == 12
    return dataset


def api(page, method: str, url: str, body: dict | None = None):
    headers = {**_csrf(page), "Content-Type": "application/json"}
    r = page.request.fetch(url, method=method, headers=headers, data=json.dumps(body) if body is not None else None)
    assert r.ok, f"{method} {url}: {r.status} {r.text()}"
    return r.json()


def choose_settings(page, project_id: int, dataset: dict, *, epochs: int, batch: int = 2, **form) -> None:
    """Remember the dataset and hyper-parameters for a project the way the tabs do (this browser's storage)."""
    page.evaluate(
        """([pid, did, epochs, batch, extra]) => {
            localStorage.setItem(`keras-studio:project-dataset:${pid}`, JSON.stringify({dataset: did}));
            localStorage.setItem(`keras-studio:project-hyperparameters:${pid}`,
              JSON.stringify({epochs, batch_size: batch, fixed_seed: true, seed: 3, ...extra}));
        }""",
        [project_id, dataset["id"], epochs, batch, form],
    )


def lossy_sockets(page, *, drop_every: int = 7, close_after: int = 12) -> tuple[list[str], list[str]]:
    """Route the run sockets through a lossy link: every `drop_every`-th message (by seq) is lost, as a
    channel layer may lose them, and the connection drops once after `close_after` messages, as when the
    server restarts. Returns the socket URLs opened and the metrics URLs fetched (filled in as they happen)."""
    sockets: list[str] = []
    fetched: list[str] = []
    state = {"sent": 0, "dropped_connection": False}

    def route(ws):
        sockets.append(ws.url)
        server = ws.connect_to_server()
        # The drop happens on the page's second connection (the one opened after the reload): a drop on
        # the first could be cut short by the reload itself, before the page reconnects.
        drops_here = len(sockets) == 2
        received = {"n": 0}

        def from_server(message):
            seq = json.loads(message).get("seq", 0)
            state["sent"] += 1
            received["n"] += 1
            if seq % drop_every == 3:
                return
            ws.send(message)
            if drops_here and not state["dropped_connection"] and received["n"] >= close_after:
                state["dropped_connection"] = True
                server.close()
                ws.close(code=1012, reason="server restarting")

        server.on_message(from_server)

    page.route_web_socket(re.compile(r"/ws/runs/\d+/"), route)
    page.on("request", lambda r: "/metrics/?after=" in r.url and fetched.append(r.url))
    return sockets, fetched


def epochs_in_table(page) -> list[int]:
    return [int(x) for x in page.locator('[data-testid="epoch-table"] tbody tr').evaluate_all(
        "rows => rows.map(r => r.dataset.epoch)")]


def chart_points(page, test_id: str) -> int:
    value = page.get_by_test_id(test_id).get_attribute("data-points")
    return int(value or 0)


def wait_for_status(page, status: str, timeout: float = 180_000) -> None:
    expect(page.get_by_test_id("run-view").get_by_test_id("run-status")).to_have_attribute(
        "data-status", status, timeout=timeout)


def test_hyperparameters_form_remembers_settings_and_checks_them_with_the_server(page, studio_api, screenshot):
    project = studio_api.create_project("hp form", graph=tiny_graph(units=3))
    dataset = make_dataset(page, "hp colors")
    page.goto(f"/projects/{project['id']}/hyperparameters/")
    expect(page.get_by_role("heading", name="Hyper-parameters", exact=True)).to_be_visible()

    page.get_by_label("Dataset", exact=True).select_option(label="hp colors")
    # The output has 3 units, the dataset 2 classes: the loss field says so before any check.
    expect(page.locator(".hp-field", has=page.get_by_label("Loss", exact=True))).to_contain_text(
        "The output has 3 units but the dataset has 2 classes.")

    epochs = page.get_by_label("Epochs", exact=True)
    epochs.fill("0")
    expect(epochs).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Use a whole number from 1 to 1000.")).to_be_visible()
    epochs.fill("4")
    expect(epochs).not_to_have_attribute("aria-invalid", "true")

    page.get_by_label("Optimizer", exact=True).select_option(label="SGD with momentum")
    expect(page.get_by_label("Learning rate", exact=True)).to_have_value("0.01")
    expect(page.get_by_label("Momentum", exact=True)).to_have_value("0.9")
    page.get_by_label("Learning-rate schedule").select_option(label="Step decay")
    expect(page.get_by_label("Every (epochs)")).to_be_visible()
    page.get_by_label("Stop early when the watched metric stops improving").check()
    page.get_by_label("Patience (epochs)").fill("2")
    page.get_by_label("Flip", exact=True).select_option(label="Left–right")
    page.get_by_label("Rotation", exact=True).fill("0.1")
    expect(page.get_by_text("up to ±36°")).to_be_visible()

    page.get_by_role("button", name="Check", exact=True).click()
    result = page.get_by_test_id("preflight")
    expect(result).to_contain_text("1 problem to fix")
    expect(result).to_contain_text("The output layer has 3 units but the dataset has 2 classes: set units to 2.")
    expect(result.get_by_role("link", name="Open the Model tab")).to_be_visible()
    screenshot("hyperparameters-check-error")

    # Fix the model; the settings were kept in this browser.
    api(page, "PATCH", f"/api/projects/{project['id']}/", {"graph": tiny_graph(units=2)})
    page.reload()
    expect(page.get_by_label("Optimizer", exact=True)).to_have_value("sgd")
    expect(page.get_by_label("Epochs", exact=True)).to_have_value("4")
    expect(page.get_by_label("Dataset", exact=True)).to_have_value(str(dataset["id"]))
    expect(page.get_by_label("Rotation", exact=True)).to_have_value("0.1")
    expect(page.get_by_test_id("loss-resolution")).to_contain_text("Auto picks sparse categorical cross-entropy")

    page.get_by_role("button", name="Check", exact=True).click()
    expect(result).to_contain_text("Ready to train")
    # 32 images a batch but only a handful of training images: the check offers a batch size that fits.
    expect(result).to_contain_text("is larger than the")
    use = result.get_by_role("button", name=re.compile(r"^Use batch size \d+$"))
    suggested = use.inner_text().rsplit(" ", 1)[1]
    use.click()
    expect(page.get_by_label("Batch size", exact=True)).to_have_value(suggested)
    expect(result).not_to_contain_text("is larger than the")
    expect(result).to_contain_text("Parameters")
    expect(result).to_contain_text("sparse categorical cross-entropy")
    page.evaluate("() => document.querySelector('.tr-page').scrollTo(0, 0)")
    screenshot("hyperparameters")
    page.get_by_role("heading", name="Augmentation").scroll_into_view_if_needed()
    screenshot("hyperparameters-augmentation")


def test_a_run_trains_live_survives_a_reload_and_succeeds(page, studio_api, train_worker, screenshot):
    project = studio_api.create_project("live training", graph=tiny_graph())
    dataset = make_dataset(page, "live colors")
    sockets, fetched = lossy_sockets(page)
    page.goto(f"/projects/{project['id']}/training/")
    choose_settings(page, project["id"], dataset, epochs=EPOCHS, batch=1)
    page.reload()
    expect(page.get_by_text("No runs yet", exact=True)).to_be_visible()
    expect(page.locator(".train-summary")).to_contain_text("Trains on live colors")
    expect(page.locator(".train-summary")).to_contain_text(f"batch 1 · {EPOCHS} epochs")

    train = page.get_by_role("button", name="Train", exact=True)
    page.get_by_label("Run name").fill("first run")
    train.dblclick()  # a double click queues one run
    view = page.get_by_test_id("run-view")
    expect(view.get_by_role("heading", name="first run")).to_be_visible()
    expect(page.locator("button.train-btn")).to_be_disabled()  # locked while the run is queued or training
    expect(page.locator("#train-locked")).to_contain_text("one run per project at a time")
    runs = api(page, "GET", f"/api/runs/?project={project['id']}")
    assert len(runs) == 1, runs

    # The charts grow: epoch points appear one by one.
    page.wait_for_function(
        "() => Number(document.querySelector('[data-testid=chart-loss]')?.dataset.points || 0) >= 2", timeout=120_000)
    first = chart_points(page, "chart-loss")
    page.wait_for_function(
        f"() => Number(document.querySelector('[data-testid=chart-loss]')?.dataset.points || 0) > {first}",
        timeout=60_000)
    expect(view.get_by_role("progressbar", name="Training progress")).to_have_attribute(
        "aria-valuenow", re.compile(r"^\d+$"))
    expect(view.get_by_test_id("progress-text")).to_contain_text(re.compile(rf"Epoch \d+ of {EPOCHS}"))
    expect(view.get_by_test_id("stat-speed")).not_to_contain_text("—")
    expect(view.get_by_test_id("run-worker")).to_contain_text("browser-worker")
    screenshot("training-live")

    # Reload mid-run: the same history, no gap, no duplicate; then it keeps following.
    before = epochs_in_table(page)
    assert before == list(range(max(before), 0, -1)), before
    status = api(page, "GET", f"/api/runs/{runs[0]['id']}/")["status"]
    assert status == "running", f"the run should still be training when the page reloads ({status})"
    page.reload()
    view = page.get_by_test_id("run-view")
    page.wait_for_function(
        f"() => document.querySelectorAll('[data-testid=epoch-table] tbody tr').length >= {len(before)}",
        timeout=30_000)
    after = epochs_in_table(page)
    assert after == list(range(max(after), 0, -1)), after
    assert after[-len(before):] == before

    wait_for_status(page, "succeeded")
    epochs = epochs_in_table(page)
    assert epochs == list(range(EPOCHS, 0, -1))
    assert chart_points(page, "chart-loss") == EPOCHS
    assert chart_points(page, "chart-accuracy") == EPOCHS
    expect(view.get_by_test_id("run-message")).to_contain_text(f"Trained {EPOCHS} epochs")
    expect(view.get_by_test_id("progress-text")).to_contain_text(f"Epoch {EPOCHS} of {EPOCHS} · 100%")
    expect(view.get_by_test_id("stat-best")).not_to_contain_text("—")
    expect(view.get_by_test_id("run-cache")).to_contain_text(re.compile(r"Not used|Used"))
    expect(view.get_by_test_id("run-log")).to_contain_text("Training process")
    expect(page.locator("button.train-btn")).to_be_enabled()
    stored = api(page, "GET", f"/api/runs/{runs[0]['id']}/metrics/")
    assert [m["epoch"] for m in stored if m["type"] == "epoch"] == list(range(1, EPOCHS + 1))
    # Messages were lost on the way and the socket dropped once: the page reconnected after the seq it
    # had and fetched the missing messages over HTTP, and still shows every epoch exactly once.
    assert any(int(re.search(r"after=(\d+)", url).group(1)) > 0 for url in sockets), sockets
    assert fetched, "the holes were filled from GET /api/runs/{id}/metrics/"
    page.evaluate("() => document.querySelector('.tr-page').scrollTo(0, 0)")
    screenshot("training-succeeded")
    page.locator(".run-columns").scroll_into_view_if_needed()
    screenshot("training-epochs-log")


def test_runs_compare_and_a_run_can_be_stopped(page, studio_api, train_worker, screenshot):
    project = studio_api.create_project("compare", graph=tiny_graph())
    dataset = make_dataset(page, "compare colors")
    body = {"project": project["id"], "dataset": dataset["id"]}
    a = api(page, "POST", "/api/runs/", {**body, "name": "lr 0.001", "hyperparameters": {
        "epochs": 4, "batch_size": 2, "seed": 1}})
    b = api(page, "POST", "/api/runs/", {**body, "name": "lr 0.01", "hyperparameters": {
        "epochs": 6, "batch_size": 2, "seed": 1, "learning_rate": 0.01}})
    deadline = time.monotonic() + 240
    while {api(page, "GET", f"/api/runs/{r['id']}/")["status"] for r in (a, b)} != {"succeeded"}:
        assert time.monotonic() < deadline, "the runs did not finish in time"
        time.sleep(1)

    page.goto(f"/projects/{project['id']}/training/")
    runs_list = page.get_by_test_id("runs-list")
    expect(runs_list.get_by_role("listitem")).to_have_count(2)
    # The newest run is shown; the other opens from the list.
    expect(page.get_by_test_id("run-view").get_by_role("heading", name="lr 0.01")).to_be_visible()
    runs_list.get_by_role("link", name="lr 0.001").click()
    expect(page).to_have_url(re.compile(rf"\?run={a['id']}$"))
    expect(page.get_by_test_id("run-view").get_by_role("heading", name="lr 0.001")).to_be_visible()
    expect(page.get_by_test_id("epoch-table").locator("tbody tr")).to_have_count(4)

    compare = page.get_by_role("button", name=re.compile("^Compare"))
    expect(compare).to_be_disabled()
    page.get_by_label("Compare lr 0.001").check()
    page.get_by_label("Compare lr 0.01").check()
    compare.click()
    view = page.get_by_test_id("compare-view")
    expect(view.get_by_role("heading", name="Compare runs")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"\?compare={a['id']}%2C{b['id']}$|\?compare={a['id']},{b['id']}$"))
    for chart in ("compare-val-loss", "compare-val-accuracy", "compare-loss", "compare-accuracy"):
        expect(view.get_by_test_id(chart)).to_be_visible()
    assert chart_points(page, "compare-loss") == 6  # epochs 1..6 on one axis
    settings = view.get_by_test_id("compare-settings")
    expect(settings.locator("tr.is-diff", has_text="Learning rate")).to_contain_text("0.01")
    expect(settings.locator("tr.is-diff", has_text="Epochs")).to_be_visible()
    expect(settings.locator("tr", has_text="Optimizer")).not_to_have_class("is-diff")
    metrics = view.get_by_test_id("compare-metrics")
    expect(metrics.get_by_role("row", name=re.compile("^Best validation loss"))).to_be_visible()
    expect(metrics.locator("td.is-best-cell").first).to_be_visible()
    screenshot("training-compare")
    view.get_by_label("Only differences").check()
    metrics.scroll_into_view_if_needed()
    screenshot("training-compare-tables")
    expect(settings.locator("tbody tr")).to_have_count(settings.locator("tbody tr.is-diff").count())

    # A run's settings can be taken over for the next run.
    view.get_by_role("link", name="‹ Back to training").click()
    run_view = page.get_by_test_id("run-view")
    expect(run_view.get_by_role("heading", name="lr 0.01")).to_be_visible()
    run_view.get_by_role("button", name="Use these settings for the next run").click()
    expect(run_view.get_by_role("status").filter(has_text="Hyper-parameters tab now has them")).to_be_visible()
    page.get_by_role("navigation", name="Project steps").get_by_role("link", name="Hyper-parameters").click()
    expect(page.get_by_label("Learning rate", exact=True)).to_have_value("0.01")
    expect(page.get_by_label("Epochs", exact=True)).to_have_value("6")
    expect(page.get_by_label("Dataset", exact=True)).to_have_value(str(dataset["id"]))

    # Train from the weights of a finished run, then stop it.
    page.goto(f"/projects/{project['id']}/training/")
    choose_settings(page, project["id"], dataset, epochs=300, batch=1)
    page.reload()
    page.get_by_label("Start from the weights of").select_option(str(b["id"]))
    page.get_by_label("Keep the weights of").select_option("last")
    page.get_by_label("Run name").fill("long run")
    page.get_by_role("button", name="Train", exact=True).click()
    run_view = page.get_by_test_id("run-view")
    expect(run_view.get_by_role("heading", name="long run")).to_be_visible()
    page.wait_for_function(
        "() => Number(document.querySelector('[data-testid=chart-loss]')?.dataset.points || 0) >= 1", timeout=120_000)
    expect(run_view.get_by_test_id("run-log")).to_contain_text(f"Started from the weights of run {b['id']}")
    page.get_by_role("button", name="Stop", exact=True).click()
    wait_for_status(page, "stopped", timeout=60_000)
    expect(run_view.get_by_test_id("run-message")).to_contain_text("Stopped on request")
    expect(run_view.get_by_test_id("run-details")).to_contain_text("Keeps the last epoch")
    expect(page.get_by_role("button", name="Train", exact=True)).to_be_enabled()
