"""WebSocket /ws/runs/{id}/: replay, live messages, gaps, reconnects, and who may listen.

Driven through the real ASGI application (session cookie, origin check, routing). The database is
the source of truth: every test checks seq numbers arrive once each, in order, from 1 (or `after`).
"""
import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from training_builders import make_dataset, make_project, session_cookie, socket_for

from studio.streaming import consumers, publish
from studio.training import services
from studio.training.events import events_append
from studio.training.models import Run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def run(alice):
    created, _ = services.run_create(owner=alice, project=make_project(alice), dataset=make_dataset(alice),
                                     hyperparameters={"epochs": 1})
    return created


async def _receive(socket: WebsocketCommunicator, count: int, timeout: float = 5.0) -> list[dict]:
    return [await socket.receive_json_from(timeout=timeout) for _ in range(count)]


def _append(run_id: int, n: int, start: int = 0):
    return database_sync_to_async(events_append)(
        run_id=run_id, events=[("log", {"message": f"line {start + i}"}) for i in range(n)])


def test_it_replays_the_history_then_pushes_new_messages(run, alice, monkeypatch):
    monkeypatch.setattr(consumers, "POLL_SECONDS", 60)  # only the channel layer can deliver in time
    cookie = session_cookie(alice)

    async def scenario():
        await _append(run.id, 2)
        socket = socket_for(run.id, cookie)
        assert (await socket.connect())[0]
        replay = await _receive(socket, 3)
        assert [m["seq"] for m in replay] == [1, 2, 3] and replay[0]["status"] == "queued"
        await _append(run.id, 2, start=2)
        live = await _receive(socket, 2)
        assert [(m["seq"], m["message"]) for m in live] == [(4, "line 2"), (5, "line 3")]
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    async_to_sync(scenario)()


def test_without_a_cross_process_layer_it_polls_the_database(run, alice, monkeypatch):
    """The training process cannot reach the web process's in-memory layer: nothing is pushed."""
    monkeypatch.setattr(publish, "_disabled", True)
    monkeypatch.setattr(consumers, "POLL_SECONDS", 0.05)
    cookie = session_cookie(alice)

    async def scenario():
        socket = socket_for(run.id, cookie)
        await socket.connect()
        assert [m["seq"] for m in await _receive(socket, 1)] == [1]
        await _append(run.id, 3)
        assert [m["seq"] for m in await _receive(socket, 3)] == [2, 3, 4]
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    async_to_sync(scenario)()


def test_a_message_the_layer_lost_is_filled_in_from_the_database(run, alice, monkeypatch):
    monkeypatch.setattr(consumers, "POLL_SECONDS", 60)
    real_publish, calls = publish.publish, []

    def lossy(*, run_id, messages):
        calls.append(messages)
        if len(calls) != 1:  # the first publication after connecting is dropped
            real_publish(run_id=run_id, messages=messages)

    monkeypatch.setattr("studio.training.events.publish", lossy)
    cookie = session_cookie(alice)

    async def scenario():
        socket = socket_for(run.id, cookie)
        await socket.connect()
        await _receive(socket, 1)
        await _append(run.id, 1)
        await _append(run.id, 1, start=1)
        assert [m["seq"] for m in await _receive(socket, 2)] == [2, 3]
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    async_to_sync(scenario)()


def test_a_fresh_connection_after_a_restart_gets_everything_after_its_last_seq(run, alice):
    """Rows written while nobody listened (the web server was down) arrive on the next connect."""
    cookie = session_cookie(alice)

    async def scenario():
        first = socket_for(run.id, cookie)
        await first.connect()
        assert [m["seq"] for m in await _receive(first, 1)] == [1]
        await first.disconnect()
        await _append(run.id, 4)  # nobody connected
        again = socket_for(run.id, cookie, "?after=1")
        await again.connect()
        assert [m["seq"] for m in await _receive(again, 4)] == [2, 3, 4, 5]
        assert await again.receive_nothing(timeout=0.3)
        await again.send_json_to({"type": "resume", "after": 3})
        assert [m["seq"] for m in await _receive(again, 2)] == [4, 5]
        await again.disconnect()
        whole = socket_for(run.id, cookie)
        await whole.connect()
        assert [m["seq"] for m in await _receive(whole, 5)] == [1, 2, 3, 4, 5]
        await whole.disconnect()

    async_to_sync(scenario)()


def test_a_finished_run_is_replayed_and_not_polled(run, alice):
    Run.objects.filter(id=run.id).update(status="succeeded")
    cookie = session_cookie(alice)

    async def scenario():
        socket = socket_for(run.id, cookie)
        await socket.connect()
        await _receive(socket, 1)
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    async_to_sync(scenario)()


@pytest.mark.parametrize("who, code", [("bob", 4404), ("nobody", 4403)])
def test_only_the_owner_may_listen(run, bob, who, code):
    cookie = session_cookie(bob) if who == "bob" else None

    async def scenario():
        socket = socket_for(run.id, cookie)
        await socket.connect()
        closed = await socket.receive_output(timeout=2)
        assert closed == {"type": "websocket.close", "code": code}

    async_to_sync(scenario)()


def test_a_missing_run_is_not_found(alice):
    cookie = session_cookie(alice)

    async def scenario():
        socket = socket_for(424242, cookie)
        await socket.connect()
        assert (await socket.receive_output(timeout=2))["code"] == 4404

    async_to_sync(scenario)()


def test_concurrent_appends_never_share_or_skip_a_seq(run):
    async def scenario():
        await asyncio.gather(*(_append(run.id, 5, start=10 * i) for i in range(4)))

    async_to_sync(scenario)()
    seqs = list(run.events.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 22))


def test_a_history_longer_than_one_page_is_replayed_whole(run, alice, monkeypatch):
    monkeypatch.setattr(consumers, "MAX_EVENTS_PER_PAGE", 3)
    Run.objects.filter(id=run.id).update(status="succeeded")
    cookie = session_cookie(alice)

    async def scenario():
        await _append(run.id, 7)
        socket = socket_for(run.id, cookie)
        await socket.connect()
        assert [m["seq"] for m in await _receive(socket, 8)] == list(range(1, 9))
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    async_to_sync(scenario)()
