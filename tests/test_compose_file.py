"""docker-compose.yml describes the design's stack, and Docker would accept it.

No Docker engine runs where these tests run, so the file is checked statically: against the Compose
Specification's JSON schema, and against the design (every process present, healthy before it is
depended on, built from the one Dockerfile with a build argument naming a real service, running
commands its image offers, and no secret but the development defaults).

The schema comes from an installed dev dependency, ``check-jsonschema``, which ships the Compose
Specification schema (vendored by its maintainers and refreshed with each release).
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import json
import re
import shlex
import subprocess
import tomllib
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.validators import validator_for  # type: ignore[import-untyped]

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERIGNORE = REPO / ".dockerignore"
DOCKERFILE = REPO / "Dockerfile"
SERVICE_ARG = "SERVICE"
POSTGRES_INIT = REPO / "deploy" / "postgres" / "init.sh"

SCHEMA_DISTRIBUTION = "check-jsonschema"
SCHEMA_FILE = "check_jsonschema/builtin_schemas/vendor/compose-spec.json"

# The services of the design and the processes each one runs (DESIGN.md section 1 and 4).
INFRASTRUCTURE = ("kafka", "postgres", "zipkin", "metrc-sandbox")
PROCESSES: dict[str, tuple[str, ...]] = {
    "inventory": ("api", "relay", "worker"),
    "compliance": ("api", "relay", "worker"),
    "reporting": ("api", "worker"),
    "gateway": ("api",),
}
PROCESS_SERVICES = tuple(f"{svc}-{proc}" for svc, procs in PROCESSES.items() for proc in procs)
API_SERVICES = tuple(f"{svc}-api" for svc in PROCESSES)
# One-shot schema upgrades, run before a service's processes (as deploy/services.sh does).
MIGRATE_SERVICES = tuple(f"{svc}-migrate" for svc in PROCESSES)
TOPICS_INIT = "kafka-topics-init"
# One-shot: the identity key pair (private half for the gateway, public half for every service).
IDENTITY_KEYS = "identity-keys"
TOPICS_INIT_COMMAND = (
    "python -m shared.kafka_topics --bootstrap kafka:9092 --file /app/deploy/kafka/topics.yaml"
)
METRC_SANDBOX_COMMAND = (
    "python -m metrc_sandbox serve --host 0.0.0.0 --port 8090"
    " --seed-file /app/deploy/metrc-sandbox/demo-seed.json"
)
# What the host sees by default: (service, container port) -> host port, on loopback.
PUBLISHED = {("gateway-api", 8000): 8000, ("zipkin", 9411): 9411, ("metrc-sandbox", 8090): 8090}
DEV_SECRET_PREFIX = "canopy-dev-"
# A relay's or worker's /metrics and /healthz, inside its container.
METRICS_PORT = 9100


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def load_compose(path: Path = COMPOSE_FILE) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))  # resolves anchors and << merges
    assert isinstance(document, dict), f"{path.name} is not a mapping"
    return document


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose()


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = compose.get("services")
    assert isinstance(found, dict), "docker-compose.yml has no services mapping"
    return found


def compose_spec_schema() -> dict[str, Any]:
    try:
        distribution = metadata.distribution(SCHEMA_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pytest.skip(
            f"the Compose Specification schema comes from the dev dependency "
            f"{SCHEMA_DISTRIBUTION!r}, which is not installed"
        )
    path = Path(str(distribution.locate_file(SCHEMA_FILE)))
    assert path.is_file(), f"{SCHEMA_DISTRIBUTION} no longer ships {SCHEMA_FILE}"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def schema_errors(document: Any, schema: dict[str, Any]) -> list[str]:
    cls = validator_for(schema, default=Draft202012Validator)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(document), key=lambda e: list(map(str, e.path)))
    return [f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors]


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a mapping (Compose allows a mapping or a list of KEY=VALUE)."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


_INTERPOLATION = re.compile(
    r"\$(?:\$|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


def with_defaults(value: str) -> str:
    """Compose interpolation of ``value`` with an empty environment: every default applies."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        op = match.group("op") or ""
        return match.group("arg") if op.endswith("-") else ""

    return _INTERPOLATION.sub(substitute, value)


def command_of(service: dict[str, Any]) -> str:
    command = service.get("command", "")
    return shlex.join(command) if isinstance(command, list) else " ".join(command.split())


def depends_on(service: dict[str, Any]) -> dict[str, str]:
    """Dependency -> condition (the short list syntax means service_started)."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def healthcheck_enabled(service: dict[str, Any]) -> bool:
    check = service.get("healthcheck")
    if not check or check.get("disable") in (True, "true"):
        return False
    test = check.get("test")
    return bool(test) and test != ["NONE"]


def strings_in(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings_in(key)
            yield from strings_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings_in(item)


def build_of(service: dict[str, Any]) -> tuple[Path, Path, dict[str, str]] | None:
    """(context, Dockerfile, build args) of a service that is built; paths resolved against the
    compose file."""
    build = service.get("build")
    if build is None:
        return None
    if isinstance(build, str):
        build = {"context": build}
    context = (COMPOSE_FILE.parent / build.get("context", ".")).resolve()
    dockerfile = (context / build.get("dockerfile", "Dockerfile")).resolve()
    return context, dockerfile, dict(build.get("args") or {})


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with line continuations joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def copy_sources(arguments: str) -> list[str] | None:
    """Build-context sources of a COPY/ADD, or None when it copies from another stage."""
    if arguments.startswith("["):
        words: list[str] = json.loads(arguments)
    else:
        words = shlex.split(arguments)
    if any(word.startswith("--from=") for word in words):
        return None
    paths = [word for word in words if not word.startswith("--")]
    return paths[:-1]


def dockerignore_rules(path: Path = DOCKERIGNORE) -> list[tuple[bool, re.Pattern[str]]]:
    """(is_exception, regex) in file order, with Docker's pattern syntax (``**``, ``*``, ``?``, ``!``)."""
    rules = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        pattern = line.removeprefix("!").strip().strip("/")
        parts = [part for part in pattern.split("/") if part not in ("", ".")]
        regex = ""
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if part == "**":
                regex += ".*" if last else "(?:.*/)?"
                continue
            for char in part:
                regex += {"*": "[^/]*", "?": "[^/]", "[": "[", "]": "]"}.get(char, re.escape(char))
            regex += "" if last else "/"
        rules.append((exception, re.compile(f"^{regex}$")))
    return rules


def ignored(relative: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Whether the build context leaves ``relative`` out (a path is out when a parent of it is)."""
    parts = relative.strip("/").split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for exception, regex in rules:
        if any(regex.match(candidate) for candidate in candidates):
            excluded = not exception
    return excluded


_SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ENCRYPTION_?KEY|SIGNING_?KEY|CREDENTIAL",
    re.IGNORECASE,
)
_WHOLE_INTERPOLATION = re.compile(
    r"^\$\{[A-Za-z_][A-Za-z0-9_]*(?:(?P<op>:?[-?])(?P<default>[^}]*))?\}$"
)
_URL_CREDENTIALS = re.compile(r"[a-z][a-z0-9+.-]*://[^/@\s:]+:(?P<secret>[^@\s]+)@", re.IGNORECASE)


def _secret_value_problem(where: str, value: str) -> str | None:
    """A secret must be overridable from the environment and default to a dev value, if at all."""
    if where.endswith("_FILE") and value.startswith("/run/"):
        return None  # a path to a secret mounted at run time, not the secret itself
    match = _WHOLE_INTERPOLATION.match(value)
    if match is None:
        return f"{where}: hard-coded secret (use ${{VAR:-{DEV_SECRET_PREFIX}...}})"
    if (match.group("op") or "").endswith("?"):
        return None  # ${VAR:?message}: required, no default at all
    default = match.group("default")
    if default and not default.startswith(DEV_SECRET_PREFIX):
        return f"{where}: default {default!r} is not a {DEV_SECRET_PREFIX}* dev value"
    return None


def hard_coded_secrets(document: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for name, service in (document.get("services") or {}).items():
        for key, value in environment(service).items():
            if _SECRET_NAME.search(key):
                problem = _secret_value_problem(f"{name}.environment.{key}", value)
                problems += [problem] if problem else []
        build = service.get("build")
        args = build.get("args", {}) if isinstance(build, dict) else {}
        for key in args if isinstance(args, dict) else []:
            if _SECRET_NAME.search(key):
                problems.append(f"{name}.build.args.{key}: secrets do not belong in build args")
    for text in strings_in(document):
        for match in _URL_CREDENTIALS.finditer(text):
            problem = _secret_value_problem(f"URL in {text!r}", match.group("secret"))
            problems += [problem] if problem else []
        for match in _INTERPOLATION.finditer(text):
            variable, op, default = match.group("braced"), match.group("op"), match.group("arg")
            secret = bool(variable and op and op.endswith("-") and _SECRET_NAME.search(variable))
            if secret and not default.startswith(DEV_SECRET_PREFIX):
                problems.append(f"${{{variable}}} defaults to {default!r} in {text!r}")
    return sorted(set(problems))


# ---------------------------------------------------------------------------------------------
# the Compose Specification
# ---------------------------------------------------------------------------------------------
def test_compose_file_is_valid_against_the_compose_specification(compose: dict[str, Any]) -> None:
    errors = schema_errors(compose, compose_spec_schema())
    assert not errors, "docker-compose.yml breaks the Compose Specification:\n" + "\n".join(errors)


@pytest.mark.parametrize(
    "broken",
    [
        {"services": {"web": {"image": "nginx", "imagee": "typo"}}},
        {"services": {"web": {"image": "nginx", "healthcheck": {"tset": ["CMD", "true"]}}}},
        {"services": {"web": {"image": "nginx", "restart": 5}}},
        {"services": {"web": {"depends_on": {"db": {"condition": "service_healty"}}}}},
        {"services": {"bad name!": {"image": "nginx"}}},
        {"servics": {"web": {"image": "nginx"}}},
    ],
    ids=["unknown-key", "healthcheck-typo", "type", "condition-typo", "service-name", "top-level"],
)
def test_schema_check_rejects_broken_compose_files(broken: dict[str, Any]) -> None:
    assert schema_errors(broken, compose_spec_schema())


# ---------------------------------------------------------------------------------------------
# the design's stack
# ---------------------------------------------------------------------------------------------
def test_every_service_of_the_design_is_present(services: dict[str, dict[str, Any]]) -> None:
    expected = {*INFRASTRUCTURE, *PROCESS_SERVICES, *MIGRATE_SERVICES, TOPICS_INIT, IDENTITY_KEYS}
    assert not expected - services.keys(), f"missing: {sorted(expected - services.keys())}"
    assert not services.keys() - expected, f"unexpected: {sorted(services.keys() - expected)}"


def test_infrastructure_images(services: dict[str, dict[str, Any]]) -> None:
    kafka_image = services["kafka"]["image"]
    assert kafka_image.startswith("apache/kafka:"), kafka_image
    version = tuple(int(part) for part in kafka_image.split(":", 1)[1].split("."))
    assert version >= (4, 1, 1), f"Kafka {kafka_image} is older than 4.1.1"
    assert services["postgres"]["image"] == "postgres:16"
    assert services["zipkin"]["image"] == "openzipkin/zipkin:3"


def test_kafka_listens_inside_the_network_and_for_the_host(
    services: dict[str, dict[str, Any]],
) -> None:
    env = environment(services["kafka"])
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    advertised = env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert "PLAINTEXT://kafka:9092" in advertised
    assert any("//localhost:" in listener for listener in advertised), advertised
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false", "topics come from topics.yaml only"
    probe = " ".join(services["kafka"]["healthcheck"]["test"])
    assert "kafka-broker-api-versions" in probe or "kafka-topics" in probe


def test_topics_are_created_by_a_one_shot_init_from_the_inventory_image(
    services: dict[str, dict[str, Any]],
) -> None:
    init = services[TOPICS_INIT]
    assert command_of(init) == TOPICS_INIT_COMMAND
    assert init.get("restart", "no") == "no"
    assert init["image"] == services["inventory-api"]["image"]
    assert build_of(init) == build_of(services["inventory-api"])
    assert depends_on(init) == {"kafka": "service_healthy"}
    assert (REPO / "deploy" / "kafka" / "topics.yaml").is_file()


@pytest.mark.parametrize("name", [*PROCESS_SERVICES, *MIGRATE_SERVICES])
def test_each_process_runs_its_command_with_its_environment(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    svc, process = name.rsplit("-", 1)
    service = services[name]
    if process == "api":
        assert command_of(service) == f"python -m {svc} api --host 0.0.0.0 --port 8000"
    elif process in ("relay", "worker"):
        assert command_of(service) == (
            f"python -m {svc} {process} --host 0.0.0.0 --metrics-port {METRICS_PORT}"
        )
    else:
        assert command_of(service) == f"python -m {svc} {process}"
    assert build_of(service) == build_of(services[f"{svc}-api"]), "one image per service"

    env = environment(service)
    assert env["CANOPY_ENV"] == "development"
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env["OTEL_TRACES_EXPORTER"] == "zipkin"
    assert env["OTEL_EXPORTER_ZIPKIN_ENDPOINT"] == "http://zipkin:9411/api/v2/spans"
    assert env["OTEL_SERVICE_NAME"] == svc

    # Each service owns its database: its own role, its own database, nobody else's.
    url = urlsplit(with_defaults(env["DATABASE_URL"]))
    assert url.scheme == "postgresql+asyncpg"
    assert (url.username, url.hostname, url.port, url.path) == (svc, "postgres", 5432, f"/{svc}")

    if svc == "compliance":
        assert env["METRC_BASE_URL"] == "http://metrc-sandbox:8090"
    if svc == "gateway":
        for other in ("inventory", "compliance", "reporting"):
            assert env[f"{other.upper()}_URL"] == f"http://{other}-api:8000"


def test_metrc_sandbox_serves_the_demo_seed(services: dict[str, dict[str, Any]]) -> None:
    assert command_of(services["metrc-sandbox"]) == METRC_SANDBOX_COMMAND


def test_postgres_creates_the_role_and_database_of_every_service(
    services: dict[str, dict[str, Any]],
) -> None:
    postgres = services["postgres"]
    mounts = [str(volume) for volume in postgres.get("volumes", [])]
    assert any(
        m.startswith("./deploy/postgres/init.sh:/docker-entrypoint-initdb.d/") for m in mounts
    ), mounts
    script = POSTGRES_INIT.read_text(encoding="utf-8")
    assert POSTGRES_INIT.stat().st_mode & 0o111, "init.sh must be executable (the image runs it)"
    pg_env = environment(postgres)
    for svc in PROCESSES:
        assert re.search(rf"\b{svc}\b", script), f"init.sh does not create {svc}"
        # The password the database is created with is the one the service connects with.
        variable = f"{svc.upper()}_DB_PASSWORD"
        service_url = environment(services[f"{svc}-api"])["DATABASE_URL"]
        assert pg_env[variable] in service_url, f"{variable} differs between postgres and {svc}"
        assert with_defaults(pg_env[variable]) == f"{DEV_SECRET_PREFIX}{svc}"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_only_the_gateway_zipkin_and_the_sandbox_are_published_on_loopback(
    services: dict[str, dict[str, Any]],
) -> None:
    published: dict[tuple[str, int], int] = {}
    for name, service in services.items():
        for port in service.get("ports", []):
            assert isinstance(port, str), f"{name}: use the short 'ip:host:container' syntax"
            ip, host, container = port.rsplit(":", 2)
            assert ip == "127.0.0.1", f"{name} publishes {port} beyond loopback"
            published[(name, int(container))] = int(host)
    assert published == PUBLISHED


# ---------------------------------------------------------------------------------------------
# health and start order
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [*INFRASTRUCTURE, *API_SERVICES])
def test_servers_have_a_healthcheck(services: dict[str, dict[str, Any]], name: str) -> None:
    assert healthcheck_enabled(services[name]), f"{name} has no enabled healthcheck"


@pytest.mark.parametrize("name", API_SERVICES)
def test_api_healthcheck_probes_readyz_without_curl(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    test = services[name]["healthcheck"]["test"]
    probe = " ".join(test) if isinstance(test, list) else test
    assert "http://127.0.0.1:8000/readyz" in probe, probe
    assert not re.search(r"\b(curl|wget)\b", probe), "slim images have neither curl nor wget"


@pytest.mark.parametrize("name", [n for n in PROCESS_SERVICES if not n.endswith("-api")])
def test_relay_and_worker_healthchecks_probe_their_metrics_port(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    test = services[name]["healthcheck"]["test"]
    probe = " ".join(test) if isinstance(test, list) else test
    assert f"http://127.0.0.1:{METRICS_PORT}/healthz" in probe, probe


def test_every_dependency_exists_and_its_condition_can_be_met(
    services: dict[str, dict[str, Any]],
) -> None:
    problems = []
    for name, service in services.items():
        for target, condition in depends_on(service).items():
            if target not in services:
                problems.append(f"{name} depends on unknown service {target}")
            elif condition == "service_healthy" and not healthcheck_enabled(services[target]):
                problems.append(f"{name} waits for {target} to be healthy; it has no healthcheck")
            elif condition == "service_completed_successfully" and services[target].get(
                "restart", "no"
            ) not in ("no", "on-failure"):
                problems.append(f"{name} waits for {target} to exit, but it is restarted")
            elif condition not in (
                "service_started",
                "service_healthy",
                "service_completed_successfully",
            ):
                problems.append(f"{name}: unknown condition {condition} for {target}")
    assert not problems, "\n".join(problems)


def test_dependencies_have_no_cycle(services: dict[str, dict[str, Any]]) -> None:
    remaining = {name: set(depends_on(service)) for name, service in services.items()}
    while remaining:
        ready = {name for name, deps in remaining.items() if not deps & remaining.keys()}
        assert ready, f"dependency cycle among {sorted(remaining)}"
        for name in ready:
            del remaining[name]


@pytest.mark.parametrize("name", MIGRATE_SERVICES)
def test_migrations_run_once_against_a_ready_database(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    assert depends_on(services[name]) == {"postgres": "service_healthy"}
    assert services[name].get("restart", "no") == "no"
    assert not healthcheck_enabled(services[name])


@pytest.mark.parametrize("name", PROCESS_SERVICES)
def test_processes_wait_for_their_infrastructure(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    deps = depends_on(services[name])
    assert deps.get("postgres") == "service_healthy"
    assert deps.get(f"{name.rsplit('-', 1)[0]}-migrate") == "service_completed_successfully"
    if not name.startswith("gateway-"):
        assert deps.get(TOPICS_INIT) == "service_completed_successfully"
    if name.startswith("compliance-") and not name.endswith("-relay"):
        assert deps.get("metrc-sandbox") == "service_healthy"
    if name == "gateway-api":
        for api in API_SERVICES:
            if api != name:
                assert deps.get(api) == "service_healthy"


# ---------------------------------------------------------------------------------------------
# images: one Dockerfile, the build argument SERVICE names the service
# ---------------------------------------------------------------------------------------------
def service_packages() -> dict[str, dict[str, Any]]:
    """Each folder under services/ with its pyproject.toml, parsed."""
    return {
        path.parent.name: tomllib.loads(path.read_text(encoding="utf-8"))
        for path in sorted((REPO / "services").glob("*/pyproject.toml"))
    }


SERVICE_FOLDERS = tuple(service_packages())
# Compose services built from the Dockerfile, by the SERVICE build argument they pass.
BUILT = {
    name: service["build"].get("args", {}).get(SERVICE_ARG)
    for name, service in load_compose()["services"].items()
    if "build" in service
}


def test_every_image_is_built_from_the_one_dockerfile(services: dict[str, dict[str, Any]]) -> None:
    assert BUILT, "no service is built from a Dockerfile"
    for name in BUILT:
        built = build_of(services[name])
        assert built is not None
        context, dockerfile, args = built
        assert context == REPO, (
            f"{name}: the build context must be the repo root (uv.lock, shared/)"
        )
        assert dockerfile == DOCKERFILE, f"{name} is built from {dockerfile}, not {DOCKERFILE}"
        assert set(args) == {SERVICE_ARG}, f"{name}: build args {args}"
    assert DOCKERFILE.is_file()
    assert not sorted(REPO.glob("services/*/Dockerfile")), "one Dockerfile for all services"


def test_the_build_args_name_exactly_the_services() -> None:
    assert set(BUILT.values()) == set(SERVICE_FOLDERS)


@pytest.mark.parametrize("folder", SERVICE_FOLDERS)
def test_each_service_is_a_locked_workspace_package_with_a_main(folder: str) -> None:
    """What the Dockerfile assumes of SERVICE: services/<SERVICE> is the workspace package
    canopy-<SERVICE with dashes>, importable as <SERVICE>, runnable as python -m <SERVICE>."""
    project = service_packages()[folder]
    assert project["project"]["name"] == "canopy-" + folder.replace("_", "-")
    module = project.get("tool", {}).get("uv", {}).get("build-backend", {}).get("module-name")
    assert module in (None, folder), f"{folder} builds the module {module}"
    assert (REPO / "services" / folder / "src" / folder / "__main__.py").is_file()
    root = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "services/*" in root["tool"]["uv"]["workspace"]["members"]
    lock = tomllib.loads((REPO / "uv.lock").read_text(encoding="utf-8"))
    assert project["project"]["name"] in lock["manifest"]["members"], "uv.lock is stale"


def test_one_image_tag_per_service(services: dict[str, dict[str, Any]]) -> None:
    tags: dict[str, set[str]] = {}
    for name, folder in BUILT.items():
        tags.setdefault(folder, set()).add(services[name].get("image", f"<{name}>"))
    for folder, images in tags.items():
        assert images == {f"canopy/{folder.replace('_', '-')}:dev"}, f"{folder}: {images}"


def _shell_word(word: str, folder: str) -> str:
    """``word`` as /bin/sh expands it in a RUN with SERVICE=folder (the build argument)."""
    done = subprocess.run(
        ["sh", "-c", f"printf %s {word}"],
        env={"SERVICE": folder, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.mark.parametrize("folder", SERVICE_FOLDERS)
def test_dockerfile_builds_the_locked_package_for_a_non_root_user(folder: str) -> None:
    package = service_packages()[folder]["project"]["name"]
    instructions = dockerfile_instructions(DOCKERFILE)
    stages = [args for keyword, args in instructions if keyword == "FROM"]
    assert len(stages) >= 2, "multi-stage: build the venv in one stage, run in another"
    base_args = {
        args.split("=", 1)[0]: args.split("=", 1)[1]
        for keyword, args in instructions
        if keyword == "ARG" and "=" in args
    }
    bases = {
        re.sub(r"\$\{(\w+)\}", lambda m: base_args.get(m[1], m[0]), s.split()[0]) for s in stages
    }
    assert bases == {"python:3.11-slim"}, bases
    # SERVICE has no default (a build without it fails) and is declared in every stage that
    # uses it (a stage sees only the build arguments it declares).
    per_stage: list[list[tuple[str, str]]] = []
    for keyword, args in instructions:
        if keyword == "FROM":
            per_stage.append([])
        elif per_stage:
            per_stage[-1].append((keyword, args))
    using = [stage for stage in per_stage if any("${SERVICE}" in a for _, a in stage)]
    assert len(using) >= 2, "the build and runtime stages name the service"
    for stage in using:
        assert [a for k, a in stage if k == "ARG" and "SERVICE" in a] == [SERVICE_ARG]

    runs = [args for keyword, args in instructions if keyword == "RUN"]
    syncs = [
        re.search(r"uv sync --frozen --no-dev --package (\"[^\"]*\"|\S+)", run)
        for run in runs
        if "uv sync" in run
    ]
    assert len(syncs) == 2, "dependencies from the lock first, then the workspace packages"
    for sync in syncs:
        assert sync is not None
        assert _shell_word(sync[1], folder) == package
    assert "--no-install-workspace" in runs[runs.index(syncs[0].string)]
    assert "--no-editable" in runs[runs.index(syncs[1].string)]

    users = [args for keyword, args in instructions if keyword == "USER"]
    assert users, "no USER: the image would run as root"
    assert users[-1].split(":")[0] not in ("root", "0"), users[-1]
    env = " ".join(args for keyword, args in instructions if keyword == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "CANOPY_SERVICE=${SERVICE}" in env
    assert not re.search(
        rf"(?:ENV|ARG)\b.*(?:{_SECRET_NAME.pattern})",
        "\n".join(
            f"{keyword} {args}" for keyword, args in instructions if keyword in ("ENV", "ARG")
        ),
        re.IGNORECASE,
    ), "no secrets baked into images"


def test_an_image_run_without_a_command_lists_its_services_processes() -> None:
    [command] = [args for keyword, args in dockerfile_instructions(DOCKERFILE) if keyword == "CMD"]
    assert shlex.split(command) == ["exec", "python", "-m", "${CANOPY_SERVICE}", "--help"]


def test_the_image_declares_no_healthcheck_so_each_compose_service_states_its_own(
    services: dict[str, dict[str, Any]],
) -> None:
    keywords = {keyword for keyword, _ in dockerfile_instructions(DOCKERFILE)}
    assert "HEALTHCHECK" not in keywords, "relays and one-shots would inherit an HTTP probe"
    for name in (*API_SERVICES, "metrc-sandbox"):
        assert healthcheck_enabled(services[name]), f"{name} has no healthcheck"


def test_the_dockerfile_copies_every_workspace_members_manifest() -> None:
    """uv sync --frozen needs the workspace as it was locked, whichever service is built."""
    copied = {
        source
        for keyword, arguments in dockerfile_instructions(DOCKERFILE)
        if keyword == "COPY"
        for source in copy_sources(arguments) or []
    }
    members = {"shared", *(f"services/{folder}" for folder in SERVICE_FOLDERS)}
    assert {f"{member}/pyproject.toml" for member in members} <= copied
    assert {"pyproject.toml", "uv.lock"} <= copied


@pytest.mark.parametrize("folder", SERVICE_FOLDERS)
def test_the_dockerfile_copies_only_what_the_build_context_holds(folder: str) -> None:
    rules = dockerignore_rules()
    for must_stay in ("uv.lock", "pyproject.toml", "shared/src/shared/__init__.py"):
        assert not ignored(must_stay, rules), f".dockerignore leaves out {must_stay}"
    for must_go in (".venv/bin/python", ".git/HEAD", ".stack/x", "deploy/kafka/target/libs/a.jar"):
        assert ignored(must_go, rules), f".dockerignore lets {must_go} into the context"

    for keyword, arguments in dockerfile_instructions(DOCKERFILE):
        sources = copy_sources(arguments) if keyword in ("COPY", "ADD") else None
        for source in sources or []:
            path = source.replace("${SERVICE}", folder)
            where = f"Dockerfile (SERVICE={folder}): {keyword} {path}"
            assert "$" not in path, f"{where}: only SERVICE is substituted"
            assert not ignored(path, rules), f"{where} is excluded by .dockerignore"
            assert (REPO / path).exists(), f"{where} does not exist"


def test_files_named_in_commands_are_in_the_image(
    services: dict[str, dict[str, Any]],
) -> None:
    """Commands name data files by their path in the image (/app/...), copied from the repo."""
    copied = [
        (source, destination)
        for keyword, arguments in dockerfile_instructions(DOCKERFILE)
        if keyword == "COPY" and (sources := copy_sources(arguments))
        for source in sources
        for destination in [shlex.split(arguments)[-1]]
    ]
    for name, service in services.items():
        for path in re.findall(r"/app/(\S+)", command_of(service)):
            assert (REPO / path).is_file(), f"{name}: {path} is not in the repository"
            assert any(
                f"/app/{path}".startswith(destination) and path.startswith(source.rstrip("/"))
                for source, destination in copied
            ), f"{name}: /app/{path} is not copied into the image"


def test_the_identity_keys_are_owned_by_the_images_user(
    services: dict[str, dict[str, Any]],
) -> None:
    runs = " ".join(
        args for keyword, args in dockerfile_instructions(DOCKERFILE) if keyword == "RUN"
    )
    uid = re.search(r"useradd\b.*--uid (\d+)", runs)
    assert uid is not None
    assert f"--owner {uid[1]}" in command_of(services[IDENTITY_KEYS])


# ---------------------------------------------------------------------------------------------
# secrets
# ---------------------------------------------------------------------------------------------
def test_no_secret_but_the_dev_defaults_is_hard_coded(compose: dict[str, Any]) -> None:
    problems = hard_coded_secrets(compose)
    assert not problems, "\n".join(problems)
    assert f"{DEV_SECRET_PREFIX}postgres" in with_defaults(
        environment(compose["services"]["postgres"])["POSTGRES_PASSWORD"]
    )


@pytest.mark.parametrize(
    "leaky",
    [
        {"services": {"a": {"environment": {"DB_PASSWORD": "hunter2"}}}},
        {"services": {"a": {"environment": ["JWT_SECRET=${JWT_SECRET:-changeme}"]}}},
        {"services": {"a": {"environment": {"DATABASE_URL": "postgresql://u:hunter2@db/x"}}}},
        {"services": {"a": {"command": "serve --token ${API_TOKEN:-abc123}"}}},
        {"x-env": {"URL": "amqp://guest:${BROKER_PASSWORD:-guest}@mq"}, "services": {}},
        {"services": {"a": {"build": {"context": ".", "args": {"SIGNING_KEY": "k"}}}}},
    ],
    ids=["literal", "bad-default", "url-literal", "command-default", "url-default", "build-arg"],
)
def test_secret_check_catches_leaks(leaky: dict[str, Any]) -> None:
    assert hard_coded_secrets(leaky)


@pytest.mark.parametrize(
    "clean",
    [
        {"services": {"a": {"environment": {"DB_PASSWORD": "${DB_PASSWORD:-canopy-dev-a}"}}}},
        {"services": {"a": {"environment": {"DB_PASSWORD": "${DB_PASSWORD:?set it}"}}}},
        {"services": {"a": {"environment": {"URL": "pg://a:${A_PASSWORD:-canopy-dev-a}@db/a"}}}},
        {"services": {"a": {"environment": {"URL": "pg://a:${A_PASSWORD}@db/a"}}}},
    ],
    ids=["dev-default", "required", "url-dev-default", "url-no-default"],
)
def test_secret_check_accepts_overridable_dev_defaults(clean: dict[str, Any]) -> None:
    assert hard_coded_secrets(clean) == []


def program_help(module: str, subcommands: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The ``--help`` text of ``python -m module subcommands...``, read in this process."""
    spec = importlib.util.find_spec(module)
    assert spec is not None, f"no module {module}"
    is_package = spec.submodule_search_locations is not None
    program = importlib.import_module(f"{module}.__main__" if is_package else module)
    main = getattr(program, "main", None) or program.COMMANDS.main
    with pytest.raises(SystemExit) as exited:
        main([*subcommands, "--help"])
    assert exited.value.code == 0, f"python -m {module} {' '.join(subcommands)} does not exist"
    return capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(BUILT))
def test_every_command_is_one_its_image_offers(
    name: str, services: dict[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    """python -m <module> <subcommand> --option...: the module is the image's service (or shared/,
    which the service depends on), the subcommand and every option exist."""
    folder = BUILT[name]
    words = shlex.split(command_of(services[name]))
    assert words[:2] == ["python", "-m"], words
    module, arguments = words[2], words[3:]
    dependencies = service_packages()[folder]["project"].get("dependencies", [])
    assert module.split(".")[0] == folder or (
        module.split(".")[0] == "shared" and "canopy-shared" in dependencies
    ), f"{name} runs {module}, which the {folder} image does not hold"
    if name in (*PROCESS_SERVICES, *MIGRATE_SERVICES):
        assert folder == name.rsplit("-", 1)[0], f"{name} runs from the {folder} image"
        assert module == folder

    subcommands = list(itertools.takewhile(lambda word: not word.startswith("-"), arguments))
    usage = program_help(module, subcommands, capsys)
    for option in (word for word in arguments if word.startswith("--")):
        assert option in usage, f"{name}: python -m {module} {subcommands} has no {option}"


def test_only_the_gateway_holds_the_private_identity_key(
    services: dict[str, dict[str, Any]],
) -> None:
    holders = {
        name
        for name, service in services.items()
        if any(str(v).startswith("identity-private:") for v in service.get("volumes", []))
    }
    assert holders == {IDENTITY_KEYS, "gateway-api"}
    for name in PROCESS_SERVICES:
        mounts = [str(v) for v in services[name].get("volumes", [])]
        assert "identity-public:/run/canopy/identity-public:ro" in mounts, name
        assert services[name]["depends_on"][IDENTITY_KEYS]["condition"] == (
            "service_completed_successfully"
        )
