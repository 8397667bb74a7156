from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from paco.authentication import EnrollTokenView, PasswordLoginView, TokenLoginView
from paco.errors import ApplicationError

from .enums import UserKind
from .forms import CitizenRegistrationForm
from .services import citizen_register


class CitizenLoginView(PasswordLoginView):
    allowed_kinds = (UserKind.CITIZEN,)
    second_factor = False
    title = _("Entrar como cidadão")
    success_url_name = "portal:my_requests"
    extra_context = {"register_url_name": "accounts:register", "audience": "citizen"}


class StaffLoginView(PasswordLoginView):
    allowed_kinds = (UserKind.STAFF,)
    title = _("Acesso dos servidores")
    success_url_name = "portal:staff_home"
    token_url_name = "accounts:staff_token"  # noqa: S105 - a URL name, not a secret
    enroll_url_name = "accounts:staff_enroll"
    extra_context = {"audience": "staff"}


class StaffTokenView(TokenLoginView):
    login_url_name = "accounts:staff_login"


class StaffEnrollView(EnrollTokenView):
    login_url_name = "accounts:staff_login"


@require_http_methods(["GET", "POST"])
def citizen_register_view(request: HttpRequest) -> HttpResponse:
    form = CitizenRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = citizen_register(
                full_name=data["full_name"],
                cpf=data["cpf"],
                email=data["email"],
                password=data["password"],
                phone=data["phone"],
            )
        except ApplicationError as error:
            form.add_error(
                error.extra.get("field") if error.extra.get("field") in form.fields else None, error.message
            )
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("portal:my_requests")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/register.html", {"form": form, "title": _("Criar conta")}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:home")
