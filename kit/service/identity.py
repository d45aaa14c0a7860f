"""Who is asking the kit service: JupyterHub says, through ``HubOAuth``.

A request carries a hub token (``Authorization: token ...``, as users' servers send it) or the
cookie the service sets after the hub's OAuth login (a browser). The token's owner must hold
the service's access scope (``access:services!service=<name>``); their role comes from
:class:`~kit.service.roles.HubRoles`. A request with neither, or with a token the hub does not
know, is refused with a 403 (the API never redirects to a login page).
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.identity import IdentityProvider, User
from jupyter_server.base.handlers import JupyterHandler
from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, check_scopes
from tornado import web
from tornado.httputil import url_concat
from traitlets import Instance, default

from kit.server.errors import ApiError
from kit.server.roles import Identity
from kit.server.services import SETTINGS_KEY
from kit.service.roles import HubRoles

KIT_RESOURCE = "kit"
"""The jupyter_server resource of the kit's API (``KitHandler.auth_resource``)."""


class ServiceOAuth(HubOAuth):  # type: ignore[misc]
    """HubOAuth, leaving jupyter_server's XSRF check in place.

    HubOAuth replaces the check on jupyter_server's handler classes with its own, which tornado
    then runs before the user is known, refusing every token-authenticated write after the
    first request; jupyter_server's own check waits for the user and skips token requests.
    """

    def _patch_xsrf(self, handler: web.RequestHandler) -> None:
        return


class HubUser(User):  # type: ignore[misc]
    """A hub user, with their hub model and their role in the course."""

    hub_user: dict[str, Any]
    kit_identity: Identity

    def __init__(self, hub_user: dict[str, Any], identity: Identity) -> None:
        self.hub_user = hub_user
        self.kit_identity = identity
        super().__init__(username=str(hub_user["name"]))


class HubIdentityProvider(IdentityProvider):  # type: ignore[misc]
    """Users from JupyterHub (a token in the header, or the service's OAuth cookie), with their
    role in the course."""

    gives_roles = True
    """Each user it returns carries their role (``kit_identity``): no roles to configure."""

    hub_auth = Instance(HubOAuth)

    @default("hub_auth")
    def _default_hub_auth(self) -> HubOAuth:
        auth = ServiceOAuth(parent=self)
        if not auth.access_scopes:  # started by hand, not by the hub: its default name
            auth.access_scopes = {"access:services!service=kit"}
        return auth

    roles = Instance(HubRoles)

    @default("roles")
    def _default_roles(self) -> HubRoles:
        return HubRoles(self.hub_auth.api_url, self.hub_auth.api_token, self.log)

    @default("token")
    def _no_token(self) -> str:  # the hub's tokens are the only ones; the server has none
        return ""

    token_generated = False

    async def get_user(self, handler: web.RequestHandler) -> HubUser | None:
        if hasattr(handler, "_kit_hub_user"):
            return handler._kit_hub_user  # type: ignore[no-any-return]
        handler._kit_hub_user = None  # type: ignore[attr-defined]
        try:
            model = await self.hub_auth.get_user(handler, sync=False)
        except web.HTTPError as exc:  # the hub is down, restarting, or refuses the service
            raise ApiError(
                503,
                f"the hub at {self.hub_auth.api_url} could not say who this is "
                f"({exc.log_message or exc.status_code})",
                "try again in a minute; the hub may be restarting",
            ) from exc
        if model is None:
            return None
        if not check_scopes(self.hub_auth.access_scopes, set(model.get("scopes", ()))):
            self.log.warning("kit service: %s lacks %s", model["name"], self.hub_auth.access_scopes)
            return None
        course = handler.settings[SETTINGS_KEY].courses.course()
        user = HubUser(model, await self.roles.identity(course, model))
        handler._kit_hub_user = user  # type: ignore[attr-defined]
        return user

    def get_handlers(self) -> list[tuple[str, Any, dict[str, Any]]]:  # type: ignore[override]
        return [
            ("/login", HubLoginHandler, {"hub_auth": self.hub_auth}),
            ("/oauth_callback", OAuthCallbackHandler, {"hub_auth": self.hub_auth}),
        ]

    def validate_security(self, app: Any, ssl_options: Any = None) -> None:
        """The hub's authentication needs no token or password of the server's own."""


class HubLoginHandler(JupyterHandler):  # type: ignore[misc]
    """``GET <base>/login``: start the hub's OAuth login (a browser visiting the service)."""

    def initialize(self, hub_auth: HubOAuth) -> None:
        self.hub_auth = hub_auth

    @allow_unauthenticated
    def get(self) -> None:
        next_url = self.get_argument("next", self.base_url)
        if not next_url.startswith("/") or next_url.startswith("//"):
            next_url = self.base_url  # never a redirect elsewhere
        params: dict[str, str] = {}
        verifier = None
        if getattr(self.hub_auth, "pkce_enabled", False):
            verifier, challenge, method = self.hub_auth.generate_pkce_code_challenge()
            params.update(code_challenge=challenge, code_challenge_method=method)
        extra = {"code_verifier": verifier} if verifier else {}
        params["state"] = self.hub_auth.set_state_cookie(self, next_url=next_url, **extra)
        self.redirect(url_concat(self.hub_auth.login_url, params))


class OAuthCallbackHandler(HubOAuthCallbackHandler):  # type: ignore[misc]
    """``GET <base>/oauth_callback``: the end of the hub's OAuth login; sets the cookie."""

    def initialize(self, hub_auth: HubOAuth) -> None:
        self.hub_auth = hub_auth

    async def prepare(self) -> None:
        # who is logged in already, asked without blocking (HubAuthenticated would ask from a
        # thread with an event loop of its own, never closed)
        self.current_user = await self.hub_auth.get_user(self, sync=False)

    @allow_unauthenticated
    async def get(self) -> None:
        await super().get()


class KitOnlyAuthorizer(Authorizer):  # type: ignore[misc]
    """Only the kit's API: contents, kernels, terminals and every other part of the Jupyter
    server are refused (403), whoever asks."""

    def is_authorized(
        self, handler: web.RequestHandler, user: User, action: str, resource: str
    ) -> bool:
        return resource == KIT_RESOURCE and isinstance(user, HubUser)
