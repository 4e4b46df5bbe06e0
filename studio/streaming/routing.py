"""WebSocket routes: live run metrics."""
from django.urls import path

from studio.streaming.consumers import RunConsumer

websocket_urlpatterns: list = [
    path("ws/runs/<int:run_id>/", RunConsumer.as_asgi()),
]
