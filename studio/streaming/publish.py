"""The one place that publishes run messages to the channel layer (group `run-{id}`).

The database is the source of truth; this only notifies. Publishing never raises into training:
a lost message is recovered by the consumer from the database (by seq).

Two modes:
- In the web process (views, services): `async_to_sync(group_send)`, which runs on the server's
  event loop where the in-memory layer and its listeners live.
- In a training process (`use_background_loop()`): one long-lived event loop on a daemon thread.
  Calling `async_to_sync` from a plain thread would create a fresh loop each time, and channels_redis
  binds its connections to the loop that opened them ("Event loop is closed" on the next call). With
  the in-memory layer nothing can cross the process boundary, so the training process skips
  publishing altogether and the consumers poll the database instead.
"""
import asyncio
import logging
import threading
from concurrent.futures import Future, wait

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

log = logging.getLogger(__name__)

MESSAGE_TYPE = "run.messages"  # handled by RunConsumer.run_messages

_background_loop: asyncio.AbstractEventLoop | None = None
_disabled = False
_pending: set[Future] = set()  # sends still in flight on the background loop
_pending_lock = threading.Lock()
FLUSH_SECONDS = 5.0


def group_name(run_id: int) -> str:
    return f"run-{int(run_id)}"


def layer_crosses_processes() -> bool:
    """True when a message published in one process reaches listeners in another (Redis)."""
    layer = get_channel_layer()
    return layer is not None and not isinstance(layer, InMemoryChannelLayer)


def use_background_loop() -> None:
    """Set up publishing for a process that is not an ASGI server (the training process)."""
    global _background_loop, _disabled
    if not layer_crosses_processes():
        _disabled = True
        return
    if _background_loop is None:
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="channel-publisher", daemon=True).start()
        _background_loop = loop


def publish(*, run_id: int, messages: list[dict]) -> None:
    if _disabled or not messages:
        return
    layer = get_channel_layer()
    if layer is None:
        return
    event = {"type": MESSAGE_TYPE, "messages": messages}
    try:
        if _background_loop is not None:
            future = asyncio.run_coroutine_threadsafe(layer.group_send(group_name(run_id), event), _background_loop)
            with _pending_lock:
                _pending.add(future)
            future.add_done_callback(_done)
        else:
            async_to_sync(layer.group_send)(group_name(run_id), event)
    except Exception:  # the stream is a view of the database: never fail a write because of it
        log.warning("Could not publish %d message(s) for run %s", len(messages), run_id, exc_info=True)


def _done(future: Future) -> None:
    with _pending_lock:
        _pending.discard(future)
    if not future.cancelled() and future.exception() is not None:
        log.warning("Publishing run messages failed: %s", future.exception())


def flush(timeout: float = FLUSH_SECONDS) -> None:
    """Wait (up to `timeout` s) for sends still in flight on the background loop. A training process
    calls it before it exits: the loop's thread is a daemon, and the run's last messages (its final
    status) would otherwise die with the process and reach sockets only by the consumers' database poll."""
    with _pending_lock:
        pending = list(_pending)
    if pending:
        wait(pending, timeout=timeout)
