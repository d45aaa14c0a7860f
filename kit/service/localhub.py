"""A JupyterHub on this machine for one course: the demo (``kit hub``, ``make hub``) and the hub tests.

:func:`write_hub` writes, into one folder, everything a real JupyterHub needs to run the course on
127.0.0.1 only:

- ``jupyterhub_config.py``: configurable-http-proxy (the project's, from ``deploy/hub``), free
  ports, ``SimpleLocalProcessSpawner`` (every user is this OS user, with a home under
  ``homes/``), ``jupyterhub-singleuser`` opening JupyterLab, the dummy authenticator with one
  password, the users and the groups ``kit-instructors`` / ``kit-mentors``, and the kit service
  as a managed service (its part printed by ``kit service --print-hub-config``);
- in each home: the kit server's settings (the course, who instructs and who mentors), an
  ``nbgrader_config.py`` (the course id, the shared filesystem exchange, the learner's id; for an
  instructor the course directory and gradebook) and a JupyterLab workspace that opens the
  Mentor Kit panel.

Nothing here starts a process: :attr:`LocalHub.command` is the command line that runs the hub.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from kit.course.manifest import WORKSPACE_NAME
from kit.errors import KitError

PROXY_ENV = "KIT_CONFIGURABLE_HTTP_PROXY"
"""The environment variable that names a configurable-http-proxy to use instead of the project's."""

PROXY_FOLDER = Path("deploy") / "hub"
"""Where ``make install`` puts configurable-http-proxy (``npm ci`` from the lockfile there)."""

CONFIG_NAME = "jupyterhub_config.py"
PASSWORD_NAME = "password"
SERVICE_NAME = "kit"
PANEL_WIDGET = "mentor-kit-panel"  # the name the panel's layout restorer saves it under


@dataclass(frozen=True)
class HubUsers:
    """Who is on the hub: user names by role (mentors' names are their course.yml users)."""

    instructors: tuple[str, ...] = ("ada",)
    mentors: tuple[str, ...] = ("grace", "lin")
    learners: tuple[str, ...] = ("learner1", "learner2", "learner3", "learner4")

    @property
    def all(self) -> tuple[str, ...]:
        """Every user, instructors first."""
        return (*self.instructors, *self.mentors, *self.learners)

    def role(self, name: str) -> str:
        """``instructor``, ``mentor`` or ``learner``."""
        if name in self.instructors:
            return "instructor"
        return "mentor" if name in self.mentors else "learner"


@dataclass(frozen=True)
class Ports:
    """The ports on 127.0.0.1: the proxy's public one, its API, the hub's own, the service's."""

    public: int
    proxy_api: int
    hub: int
    service: int


@dataclass(frozen=True)
class LocalHub:
    """A hub written by :func:`write_hub`: where it is, how to reach it, how to run it."""

    folder: Path
    course: Path
    course_id: str
    exchange: Path
    ports: Ports
    password: str
    users: HubUsers
    proxy: Path
    service_database: str = ""

    @property
    def config(self) -> Path:
        """The ``jupyterhub_config.py``."""
        return self.folder / CONFIG_NAME

    @property
    def url(self) -> str:
        """The hub's address (the proxy's public port)."""
        return f"http://127.0.0.1:{self.ports.public}/"

    @property
    def service_url(self) -> str:
        """The kit service's own address (it answers under ``/services/kit/`` there too)."""
        return f"http://127.0.0.1:{self.ports.service}/services/{SERVICE_NAME}/"

    def home(self, user: str) -> Path:
        """A user's home: their server's root folder and working directory."""
        return self.folder / "homes" / user

    @property
    def command(self) -> list[str]:
        """The command line that runs the hub (from the hub's folder)."""
        return [str(_tool("jupyterhub")), "-f", str(self.config)]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_proxy() -> Path:
    """configurable-http-proxy: ``KIT_CONFIGURABLE_HTTP_PROXY``, else the project's (installed by
    ``make install`` into ``deploy/hub/node_modules``), else one on ``PATH``."""
    named = os.environ.get(PROXY_ENV, "").strip()
    if named:
        path = Path(named)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise KitError(
                f"{PROXY_ENV}={named} is not an executable file",
                fix="point it at configurable-http-proxy, or unset it to use the project's",
            )
        return path
    repository = Path(__file__).resolve().parents[2]
    project = repository / PROXY_FOLDER / "node_modules" / ".bin" / "configurable-http-proxy"
    if project.is_file():
        return project
    found = shutil.which("configurable-http-proxy")
    if found:
        return Path(found)
    raise KitError(
        f"configurable-http-proxy is not installed (looked in {project.parent} and on PATH)",
        fix="run make install (npm ci in deploy/hub), or set "
        f"{PROXY_ENV} to a configurable-http-proxy",
    )


def _tool(name: str) -> Path:
    """A command of this Python environment (jupyterhub, jupyterhub-singleuser, kit)."""
    path = Path(sys.executable).parent / name
    if path.is_file():
        return path
    found = shutil.which(name)
    if found:
        return Path(found)
    raise KitError(
        f"{name} is not installed in {sys.prefix}",
        fix="run make install (JupyterHub is one of the kit's dependencies)",
    )


def _path_with(folder: Path) -> str:
    """``PATH`` with ``folder`` first (once)."""
    rest = [p for p in os.environ.get("PATH", os.defpath).split(os.pathsep) if p != str(folder)]
    return os.pathsep.join([str(folder), *rest])


def _password(folder: Path, given: str | None) -> str:
    """The hub's one password: the given one, else the one kept in the folder, else a new one."""
    kept = folder / PASSWORD_NAME
    if given:
        return given
    if kept.is_file() and kept.read_text().strip():
        return kept.read_text().strip()
    return secrets.token_urlsafe(9)


def _keep_password(folder: Path, password: str) -> None:
    """Keep the password in the folder (readable by this user only)."""
    kept = folder / PASSWORD_NAME
    kept.write_text(password + "\n")
    kept.chmod(0o600)


def _free(port: int) -> int:
    """``port``, if nothing listens on it on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            raise KitError(
                f"port {port} on 127.0.0.1 is taken ({exc.strerror})",
                fix="choose another: kit hub --port 8010 (make hub HUB_PORT=8010), or 0 for any",
            ) from exc
    return port


def write_hub(
    folder: Path,
    course: Path,
    *,
    users: HubUsers | None = None,
    port: int = 0,
    password: str | None = None,
    service_database: str = "",
    service: bool = True,
    expose_app_in_browser: bool = False,
) -> LocalHub:
    """Write a hub for ``course`` into ``folder`` (created; a hub written before is rewritten).

    Parameters
    ----------
    folder:
        The hub's folder: its config, database, logs and the users' homes.
    course:
        The course folder (the instructor's course directory; the service serves it).
    users:
        Who is on the hub (default: ada instructs, grace and lin mentor, learner1..4 learn).
    port:
        The hub's public port on 127.0.0.1 (0: a free one).
    password:
        Everyone's password (default: the one kept in the folder, else a new random one).
    service_database:
        The kit service's database URL (default: SQLite in the hub's folder).
    service:
        False: no kit service (each user's server then keeps the state alone, as without a hub).
    expose_app_in_browser:
        JupyterLab's ``window.jupyterapp`` in the page (browser tests drive it).
    """
    from kit.course import load_course
    from kit.grading.nbgrader_course import NbgraderCourse

    loaded = load_course(course)
    users = users or HubUsers()
    known = {m.user for m in loaded.manifest.mentors}
    unknown = [name for name in users.mentors if name not in known]
    if unknown:
        raise KitError(
            f"{loaded.manifest_path}: mentors: no mentor has the hub user {', '.join(unknown)}",
            fix=f"use one of {', '.join(sorted(known))}, or add the mentor to course.yml",
        )
    proxy = find_proxy()
    folder = folder.resolve()
    grading = NbgraderCourse(loaded)
    hub = LocalHub(
        folder=folder,
        course=loaded.root.resolve(),
        course_id=loaded.id,
        exchange=grading.exchange,
        ports=Ports(_free(port) if port else free_port(), free_port(), free_port(), free_port()),
        password=_password(folder, password),
        users=users,
        proxy=proxy,
        service_database=service_database or f"sqlite:///{folder / 'kit-service.sqlite'}",
    )
    # everything that may fail comes first: nothing is written before it has
    fragment = service_fragment(hub) if service else "# no kit service (kit hub --no-service)"
    text = hub_config_text(hub, fragment)
    folder.mkdir(parents=True, exist_ok=True)
    _keep_password(folder, hub.password)
    grading.prepare()  # the instructor's course directory and the exchange, made once
    for user in users.all:
        nbgrader = grading.config_text() if user in users.instructors else ""
        _write_home(hub, user, nbgrader, expose_app_in_browser)
    hub.config.write_text(text)
    return hub


def service_fragment(hub: LocalHub) -> str:
    """The kit service's part of the hub's config, as ``kit service --print-hub-config`` prints
    it for this course, port and database."""
    command = [
        str(_tool("kit")),
        "service",
        str(hub.course),
        "--port",
        str(hub.ports.service),
        "--print-hub-config",
    ]
    if hub.service_database:
        command += ["--database-url", hub.service_database]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise KitError(
            f"'{' '.join(command)}' failed: {done.stderr.strip() or done.stdout.strip()}",
            fix="check the course (kit check) and that the kit is installed (make install)",
        )
    return done.stdout


def hub_config_text(hub: LocalHub, service: str) -> str:
    """The ``jupyterhub_config.py`` of ``hub``; ``service`` is the kit service's part."""
    users = hub.users
    folder = hub.folder
    single_user = [str(_tool("jupyterhub-singleuser"))]
    args = ["--allow-root"] if os.getuid() == 0 else []
    environment = {
        # the kit and jupyter come from this environment; nothing is downloaded at run time
        "PATH": _path_with(Path(sys.executable).parent),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    groups = {
        "kit-instructors": {"users": list(users.instructors)},
        "kit-mentors": {"users": list(users.mentors)},
    }
    lines = [
        f"# The Mentor Kit demo hub for {hub.course} (written by kit hub; rewritten each time).",
        f"# Run it: {' '.join(hub.command)}",
        "c = get_config()  # noqa: F821",
        "",
        "# 127.0.0.1 only",
        'c.JupyterHub.ip = "127.0.0.1"',
        f"c.JupyterHub.port = {hub.ports.public}",
        'c.JupyterHub.hub_ip = "127.0.0.1"',
        f"c.JupyterHub.hub_port = {hub.ports.hub}",
        f"c.JupyterHub.db_url = {'sqlite:///' + str(folder / 'jupyterhub.sqlite')!r}",
        f"c.JupyterHub.cookie_secret_file = {str(folder / 'jupyterhub_cookie_secret')!r}",
        f"c.JupyterHub.pid_file = {str(folder / 'jupyterhub.pid')!r}",
        "c.JupyterHub.cleanup_servers = True",
        "",
        "# the proxy: configurable-http-proxy from deploy/hub (make install)",
        f"c.ConfigurableHTTPProxy.command = [{str(hub.proxy)!r}]",
        f'c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{hub.ports.proxy_api}"',
        f"c.ConfigurableHTTPProxy.pid_file = {str(folder / 'proxy.pid')!r}",
        "",
        "# everyone logs in with the one password",
        'c.JupyterHub.authenticator_class = "dummy"',
        f"c.DummyAuthenticator.password = {hub.password!r}",
        f"c.Authenticator.allowed_users = {_set(users.all)}",
        f"c.Authenticator.admin_users = {_set(users.instructors)}",
        f"c.JupyterHub.load_groups = {groups!r}",
        "",
        "# every user is this OS user, with a home of their own (the server's root folder)",
        'c.JupyterHub.spawner_class = "simple"',
        f"c.SimpleLocalProcessSpawner.home_dir_template = {str(folder / 'homes' / '{username}')!r}",
        f"c.Spawner.cmd = {single_user!r}",
        f"c.Spawner.args = {args!r}",
        'c.Spawner.default_url = "/lab"',
        "c.Spawner.start_timeout = 120",
        "c.Spawner.http_timeout = 120",
        f"c.Spawner.environment = {environment!r}",
        "",
        "# the kit service (kit service --print-hub-config)",
        service.rstrip(),
        "",
        "# the single-user servers keep their own environment beside the service's",
        f"c.Spawner.environment = {{**{environment!r}, **dict(c.Spawner.environment)}}",
        "",
    ]
    return "\n".join(lines)


def _set(names: tuple[str, ...]) -> str:
    """A set of names as Python source, in a stable order."""
    return "{" + ", ".join(repr(name) for name in sorted(names)) + "}"


def _write_home(hub: LocalHub, user: str, instructor_nbgrader: str, expose: bool) -> None:
    """A user's home: the course (a copy, but for the instructor), the kit server's settings,
    nbgrader's config, the panel's workspace."""
    home = hub.home(user)
    (home / ".jupyter").mkdir(parents=True, exist_ok=True)
    users = hub.users
    if instructor_nbgrader:
        course = str(hub.course)  # the instructor works in the course itself
    else:  # the others have a copy of their own, as a clone of the course's repository gives
        course = hub.course.name
        copy = home / course
        if not copy.exists():
            ignore = shutil.ignore_patterns(WORKSPACE_NAME, "sample-submissions")
            shutil.copytree(hub.course, copy, ignore=ignore)
    kit: dict[str, dict[str, object]] = {
        "KitServer": {
            "course_dirs": [course],
            "instructors": list(users.instructors),
            "mentors": {name: name for name in users.mentors},
        }
    }
    if expose:
        kit["LabApp"] = {"expose_app_in_browser": True}
    (home / ".jupyter" / "jupyter_server_config.json").write_text(json.dumps(kit, indent=2) + "\n")
    (home / "nbgrader_config.py").write_text(nbgrader_config_text(hub, user, instructor_nbgrader))
    _write_workspace(home)


def nbgrader_config_text(hub: LocalHub, user: str, instructor: str = "") -> str:
    """nbgrader's config in a user's home: the course id and the shared exchange; a learner's
    id (every user is one OS user, so nbgrader is told who submits); an instructor's course
    directory (``instructor``: the course's ``nbgrader_config.py`` text)."""
    lines = [
        "# nbgrader on the kit's demo hub (written by kit hub)",
        "c = get_config()  # noqa: F821",
        f"c.CourseDirectory.course_id = {hub.course_id!r}",
        f"c.Exchange.root = {str(hub.exchange)!r}",
    ]
    if instructor:
        said = {line.split(" = ")[0] for line in lines}
        body = [
            line
            for line in instructor.splitlines()
            if line.startswith("c.") and line.split(" = ")[0] not in said
        ]
        lines += [*body, "# every submission is owned by this OS user, whoever made it"]
        lines.append("c.ExchangeCollect.check_owner = False")
    else:
        lines.append(f"c.CourseDirectory.student_id = {user!r}")
    return "\n".join(lines) + "\n"


def _write_workspace(home: Path) -> None:
    """JupyterLab's default workspace with the Mentor Kit panel open in the left side bar, and
    JupyterLab's news not offered."""
    from jupyterlab_server.workspaces_handler import WORKSPACE_EXTENSION, slugify

    folder = home / ".jupyter" / "lab" / "workspaces"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (slugify("default") + WORKSPACE_EXTENSION)
    news = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True, exist_ok=True)
    # nothing is fetched from the internet, so JupyterLab does not offer its news
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}\n')
    if path.exists():  # the user's own layout wins once they have one
        return
    left = {"collapsed": False, "visible": True, "current": PANEL_WIDGET}
    left["widgets"] = ["filebrowser", PANEL_WIDGET]  # type: ignore[assignment]
    workspace = {
        "data": {"layout-restorer:data": {"main": {"dock": None}, "left": left}},
        "metadata": {"id": "default"},
    }
    path.write_text(json.dumps(workspace, indent=2) + "\n")
