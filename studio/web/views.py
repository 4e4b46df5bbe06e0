"""Pages: every app URL serves the same React shell, which routes on the client."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie


@login_required
@ensure_csrf_cookie
def app_shell(request, **kwargs):
    """The React app; `kwargs` (project id, tab, dataset id) are read again by the client router."""
    return render(request, "web/app.html")
