"""WebSocket /ws/runs/{id}/: a run's stored messages, then its new ones, each once and in seq order.

On connect the consumer checks the session's user owns the run (before joining any group: 4403
when not signed in, 4404 for a missing or someone else's run), joins `run-{id}`, then replays what
the database holds after `?after=SEQ` (default 0). From then on it forwards new messages in seq
order, tracking the last seq sent:
- pushed messages (channel layer) at or below it are dropped (duplicates of the replay);
- a pushed message beyond the next seq means something was missed (layers drop messages when a
  channel is full; the in-memory layer cannot carry them between processes at all): the gap is
  filled from the database first;
- while the run is active the consumer also polls the database (every POLL_SECONDS without a
  cross-process layer, every SAFETY_POLL_SECONDS with one), because with the in-memory layer the
  training process cannot push to the web process and because the last message may be dropped.
The database is the source of truth, so a page opened mid-run, reloaded, or reconnected after a
server restart gets everything from the seq it names, with no gap and no duplicate.
Client messages: {"type": "resume", "after": SEQ} restarts the stream after SEQ.
"""
import asyncio
import logging
import os
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from studio.streaming.publish import group_name, layer_crosses_processes
from studio.training.models import Run
from studio.training.selectors import MAX_EVENTS_PER_PAGE, run_messages_after

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
# With Redis the database is read only as a safety net (a message a full channel dropped, the final
# status of a process that died mid-send); STUDIO_WS_SAFETY_POLL_SECONDS tunes it per deploy.
SAFETY_POLL_SECONDS = float(os.environ.get("STUDIO_WS_SAFETY_POLL_SECONDS") or 5.0)
CLOSE_UNAUTHENTICATED = 4403
CLOSE_NOT_FOUND = 4404


@database_sync_to_async
def _owned_run(user, run_id: int) -> Run | None:
    return Run.objects.filter(id=run_id, owner=user).only("id", "status").first()


@database_sync_to_async
def _messages_after(run_id: int, after: int) -> tuple[list[dict], bool]:
    """(messages after seq, run still active) read together, so a finished run is not polled forever."""
    active = Run.objects.filter(id=run_id, status__in=Run.ACTIVE).exists()
    return run_messages_after(run_id=run_id, after=after, limit=MAX_EVENTS_PER_PAGE), active


def _after_param(scope) -> int:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    try:
        return max(0, int(query.get("after", ["0"])[0]))
    except ValueError:
        return 0


class RunConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.run_id = int(self.scope["url_route"]["kwargs"]["run_id"])
        self.last_seq = _after_param(self.scope)
        self.group = None
        self.poller = None
        self.lock = asyncio.Lock()
        user = self.scope.get("user")
        # Accept first so the close code reaches the browser (a refused handshake has none).
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if await _owned_run(user, self.run_id) is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        # Join before reading: whatever commits after the read is pushed to us (or polled).
        self.group = group_name(self.run_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        active = await self.catch_up()
        if active:
            self.poller = asyncio.create_task(self.poll())

    async def disconnect(self, code) -> None:
        if self.poller is not None:
            self.poller.cancel()
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def catch_up(self) -> bool:
        """Send every stored message after last_seq; whether the run is still active."""
        async with self.lock:
            while True:
                messages, active = await _messages_after(self.run_id, self.last_seq)
                for message in messages:
                    await self.send_json(message)
                    self.last_seq = message["seq"]
                if len(messages) < MAX_EVENTS_PER_PAGE:  # else: a long history, read on
                    return active

    async def poll(self) -> None:
        interval = SAFETY_POLL_SECONDS if layer_crosses_processes() else POLL_SECONDS
        try:
            while True:
                await asyncio.sleep(interval)
                # Activity is read before the messages: once it says "finished", the final
                # status message (committed with the status) is in the same read.
                if not await self.catch_up():
                    return
        except asyncio.CancelledError:
            pass
        except Exception:
            log.warning("Polling run %s for the socket failed", self.run_id, exc_info=True)

    async def run_messages(self, event: dict) -> None:
        """Messages pushed through the channel layer by whoever stored them."""
        for message in event["messages"]:
            async with self.lock:
                if message["seq"] <= self.last_seq:
                    continue
                if message["seq"] == self.last_seq + 1:
                    await self.send_json(message)
                    self.last_seq = message["seq"]
                    continue
            await self.catch_up()  # a gap: the database has what the layer lost

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "resume":
            after = content.get("after")
            if isinstance(after, int) and not isinstance(after, bool) and after >= 0:
                async with self.lock:
                    self.last_seq = after
                active = await self.catch_up()
                if active and (self.poller is None or self.poller.done()):
                    self.poller = asyncio.create_task(self.poll())
                return
        await self.send_json({"type": "error", "message": 'Send {"type": "resume", "after": SEQ} or nothing.'})
