"""Server-rendered sign-up (login and logout are Django's own views)."""
from django.contrib.auth import login
from django.shortcuts import redirect, render

from studio.accounts.forms import SignupForm


def signup(request):
    if request.user.is_authenticated:
        return redirect("/")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("/")
    return render(request, "accounts/signup.html", {"form": form})
