"""The kit service: the shared state of a course on a JupyterHub (questions and answers, every
learner's attempts and profile, the cohort), behind the same REST API as the single-user server.

``kit service COURSE`` runs a Jupyter server with only the :mod:`kit.server` extension, in which
JupyterHub says who is asking (:class:`~kit.service.identity.HubIdentityProvider`, on
``jupyterhub.services.auth.HubOAuth``), the hub's groups say their role
(:class:`~kit.service.roles.HubRoles`), and nothing but the kit's API may be used
(:class:`~kit.service.identity.KitOnlyAuthorizer`). Users' servers forward to it
(:mod:`kit.server.forwarding`); ``kit service --print-hub-config`` writes the hub's side
(:func:`~kit.service.hubconfig.hub_config`).
"""

from __future__ import annotations

from kit.service.hubconfig import hub_config
from kit.service.launcher import ServiceSettings, serve

__all__ = ["ServiceSettings", "hub_config", "serve"]
