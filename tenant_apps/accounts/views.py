from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from paco.decorators import municipal_admin_required
from paco.errors import ApplicationError
from paco.ratelimit import rate_limited
from tenant_apps.org.selectors import org_unit_tree

from .enums import UserKind
from .forms import CitizenRegistrationForm, InvitationAcceptForm, StaffInviteForm
from .login import EnrollTokenView, PasswordLoginView, TokenLoginView
from .models import StaffInvitation
from .selectors import (
    invitation_get,
    invitation_get_by_token,
    invitation_problem,
    invitation_state,
    staff_list_for_admin,
)
from .services import (
    citizen_activate,
    citizen_activation_user,
    citizen_signup,
    invitation_accept,
    invitation_resend,
    invitation_revoke,
    staff_invite,
)


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
@rate_limited("signup")
def citizen_register_view(request: HttpRequest) -> HttpResponse:
    """The same answer whether or not the e-mail or CPF has an account: the e-mail says which."""
    form = CitizenRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            citizen_signup(
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
            return redirect("accounts:register_sent")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/register.html", {"form": form, "title": _("Criar conta")}, status=status)


@require_http_methods(["GET"])
def citizen_register_sent_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/register_sent.html",
        {
            "title": _("Confira o seu e-mail"),
            "hours": settings.CITIZEN_ACTIVATION_HOURS,
        },
    )


ACTIVATION_SESSION_KEY = "paco_activation_token"


@never_cache
@require_http_methods(["GET"])
def citizen_activate_view(request: HttpRequest, activation_token: str) -> HttpResponse:
    """The e-mailed link: the token moves into the session and the browser goes on to an address
    without it (like Django's password reset), so no page, form post or error log ever shows it."""
    request.session[ACTIVATION_SESSION_KEY] = activation_token
    response = redirect("accounts:activate_confirm")
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def citizen_activate_confirm_view(request: HttpRequest) -> HttpResponse:
    """One button (a mail scanner's GET of the link activates nothing); good once."""
    token = str(request.session.get(ACTIVATION_SESSION_KEY, ""))
    if request.method == "POST":
        request.session.pop(ACTIVATION_SESSION_KEY, None)
        try:
            user = citizen_activate(token=token)
        except ApplicationError:
            user = None
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, gettext_now("Conta ativada. Bem-vindo(a)!"))
            return redirect("portal:my_requests")
    else:
        user = citizen_activation_user(token=token) if token else None
    return render(
        request,
        "accounts/activate.html",
        {"title": _("Ativar conta"), "valid": user is not None},
        status=200 if user is not None else 410,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    # A sign-in through an identity provider (gov.br) left where its session ends too.
    provider_logout = request.session.get("paco_logout_redirect", "")
    logout(request)
    if provider_logout:
        return HttpResponseRedirect(provider_logout)
    return redirect("portal:home")


# Staff invitations ------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, invitation_token: str) -> HttpResponse:
    """Anyone with the link chooses the invited person's first password (the token is the secret)."""
    invitation = invitation_get_by_token(invitation_token)
    problem = invitation_problem(invitation)
    form = InvitationAcceptForm(request.POST if request.method == "POST" else None)
    if problem is None and request.method == "POST" and form.is_valid():
        try:
            invitation_accept(raw_token=invitation_token, password=form.cleaned_data["password"])
        except ApplicationError as error:
            form.add_error("password" if error.extra.get("field") == "password" else None, error.message)
        else:
            messages.success(
                request,
                gettext_now(
                    "Senha criada. Entre com o seu e-mail e a nova senha: no primeiro acesso você vai ativar"
                    " a verificação em duas etapas com um aplicativo autenticador no celular."
                ),
            )
            return redirect("accounts:staff_login")
    if invitation is None:
        status = 404
    elif problem is not None:
        status = 410
    else:
        status = 400 if request.method == "POST" else 200
    context = {
        "title": _("Convite para a área dos servidores"),
        "invitation": invitation if problem is None else None,
        "problem": problem,
        "form": form,
    }
    response = render(request, "accounts/invitation_accept.html", context, status=status)
    # the token is in the address: never hand it to another site through the Referer header.
    # Not "no-referrer": with it Chromium sends `Origin: null` with the form's POST, which the CSRF
    # check refuses; "same-origin" still gives no Referer to any other site.
    response["Referrer-Policy"] = "same-origin"
    return response


INVITATION_STATE_LABELS = {
    "pending": _("Convite pendente"),
    "expired": _("Convite expirado"),
    "revoked": _("Convite cancelado"),
    "accepted": _("Convite aceito"),
}


@require_http_methods(["GET", "POST"])
@municipal_admin_required
def staff_team_view(request: HttpRequest) -> HttpResponse:
    units = {unit.pk: unit for unit, _depth in org_unit_tree()}
    form = StaffInviteForm(
        request.POST if request.method == "POST" else None,
        units=[(pk, f"{unit.acronym} — {unit.name}") for pk, unit in units.items()],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation, _raw_token = staff_invite(
                invited_by=request.user,  # type: ignore[arg-type]
                email=data["email"],
                full_name=data["full_name"],
                unit=units[data["unit"]],
                role=data["role"],
            )
        except ApplicationError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(
                request, gettext_now("Convite enviado para %(email)s.") % {"email": invitation.user.email}
            )
            return redirect("accounts:staff_team")
    people = []
    for person in staff_list_for_admin():
        invitations = person.invitations_newest_first  # type: ignore[attr-defined]
        latest = invitations[0] if invitations else None
        state = invitation_state(latest)
        if person.has_usable_password():
            access = _("Com acesso") if person.is_active else _("Desativado")
        else:
            access = INVITATION_STATE_LABELS.get(state, _("Sem convite"))
        people.append(
            {
                "user": person,
                "memberships": person.current_memberships,  # type: ignore[attr-defined]
                "invitation": latest,
                "state": state,
                "access": access,
                "can_resend": latest is not None
                and state in ("pending", "expired")
                and not person.has_usable_password(),
                "can_revoke": latest is not None and state == "pending",
            }
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/staff_team.html",
        {"title": _("Equipe"), "form": form, "people": people},
        status=status,
    )


def _invitation_or_404(invitation_id: int) -> StaffInvitation:
    invitation = invitation_get(invitation_id=invitation_id)
    if invitation is None:
        raise Http404
    return invitation


@require_POST
@municipal_admin_required
def invitation_resend_view(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _invitation_or_404(invitation_id)
    try:
        invitation_resend(invitation=invitation, by=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            gettext_now("Novo convite enviado para %(email)s; o endereço anterior não vale mais.")
            % {"email": invitation.user.email},
        )
    return redirect("accounts:staff_team")


@require_POST
@municipal_admin_required
def invitation_revoke_view(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _invitation_or_404(invitation_id)
    try:
        invitation_revoke(invitation=invitation, by=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, gettext_now("Convite de %(email)s cancelado.") % {"email": invitation.user.email}
        )
    return redirect("accounts:staff_team")
