"""Live metrics through Redis: a worker's messages reach sockets on every web process of the studio."""
import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from live import api, follow_run, login
from scaleout_support import REDIS_URL, run_world

pytestmark = pytest.mark.slow

EPOCHS = 4


@pytest.fixture
def redis_env(studio_env, redis_prefix) -> dict[str, str]:
    # The consumers' database poll is the safety net for lost messages; pushed back to an hour here,
    # what a socket receives after it opened came through Redis.
    return {**studio_env, "REDIS_URL": REDIS_URL, "REDIS_PREFIX": redis_prefix,
            "STUDIO_WS_SAFETY_POLL_SECONDS": "3600"}


def test_epoch_messages_reach_a_socket_on_another_web_process(redis_env, processes):
    world = run_world(redis_env, "seed")
    web_a = processes.web("web-a", redis_env)
    web_b = processes.web("web-b", redis_env)
    browser = login(web_a, world["user"], world["password"])
    cookie = browser.cookies["sessionid"]
    run = api(browser, web_a, "POST", "/api/runs/", {
        "project": world["project"], "dataset": world["dataset"],
        "hyperparameters": {"epochs": EPOCHS, "batch_size": 4, "seed": 3}})

    async def scenario():
        opened = [asyncio.Event(), asyncio.Event()]
        followers = [asyncio.create_task(follow_run(url, run["id"], cookie, connected=event, timeout=240))
                     for url, event in zip((web_b, web_a), opened, strict=True)]
        await asyncio.wait_for(asyncio.gather(*(event.wait() for event in opened)), timeout=60)
        # Both web processes joined the run's group in Redis (the in-memory layer would keep it to itself).
        members = redis.Redis.from_url(REDIS_URL).zcard(f"{redis_env['REDIS_PREFIX']}:group:run-{run['id']}")
        assert members == 2
        # The worker starts only once both sockets are open: everything it says travels live.
        worker = processes.worker("w-redis", redis_env)
        received = await asyncio.gather(*followers)
        return worker, received

    # A thread of its own: Playwright's sync API (browser tests in the same session) may have left an
    # event loop running in this one, and asyncio.run refuses to nest.
    with ThreadPoolExecutor(max_workers=1) as pool:
        worker, (on_b, on_a) = pool.submit(asyncio.run, scenario()).result()
    assert processes.wait_all([worker], timeout=120) == [0]

    stored = api(browser, web_a, "GET", f"/api/runs/{run['id']}/metrics/")
    for got in (on_b, on_a):
        assert [m["seq"] for m in got.messages] == [m["seq"] for m in stored]  # all of them, once, in order
        assert [m["epoch"] for m in got.messages if m["type"] == "epoch"] == list(range(1, EPOCHS + 1))
        assert got.messages[-1]["status"] == "succeeded"
        assert got.messages == stored
    detail = api(browser, web_b, "GET", f"/api/runs/{run['id']}/")
    assert detail["status"] == "succeeded" and detail["worker"] == "w-redis" and detail["devices"] == ["CPU"]
