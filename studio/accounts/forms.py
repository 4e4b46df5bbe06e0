"""The sign-up form: Django's own user creation form, with the password rules from settings."""
from django.contrib.auth.forms import UserCreationForm


class SignupForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ("username",)
