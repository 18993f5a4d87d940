"""docker-compose.yml, the Dockerfile and the monitoring files: valid, consistent, every referenced file real.

There is no Docker engine here: the compose file is validated by Compose itself (`docker-compose config`,
Debian's v1), the image cannot be built, so its inputs are checked instead.
"""

from __future__ import annotations

import ast
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
RUNTIME_DIRS = {"logs", "data"}  # created by Docker at first start; must be git-ignored, never committed
HB_HOME = "/home/hummingbot"
GRAFANA_PASSWORD = secrets.token_urlsafe(18)  # per test session, like an operator's
FLEET = ("bot1", "bot2")  # profile `fleet`: one headless bot per script config, one broker user each


def run_compose_config(*profiles: str, grafana_password: str | None) -> subprocess.CompletedProcess[str]:
    """``docker-compose config`` in a clean environment: only the shipped defaults (+ Grafana's password)."""
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is not installed: run `make setup` (tools/setup.sh installs it)")
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    if grafana_password is not None:
        env["GRAFANA_ADMIN_PASSWORD"] = grafana_password
    args = [binary, "-f", str(ROOT / "docker-compose.yml")]
    for profile in profiles:
        args += ["--profile", profile]
    return subprocess.run([*args, "config"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@cache
def compose_config(*profiles: str) -> dict[str, Any]:
    """The compose file as Compose itself resolves it."""
    done = run_compose_config(*profiles, grafana_password=GRAFANA_PASSWORD)
    assert done.returncode == 0, f"docker-compose config failed:\n{done.stderr}"
    parsed: dict[str, Any] = yaml.safe_load(done.stdout)
    return parsed


def _service(name: str) -> dict[str, Any]:
    service: dict[str, Any] = compose_config("monitoring")["services"][name]
    return service


def _binds(service: str) -> list[tuple[str, str]]:
    pairs = []
    for volume in _service(service).get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("/"):
            pairs.append((source, target))
    return pairs


def test_compose_is_valid_with_and_without_the_monitoring_profile() -> None:
    assert set(compose_config()["services"]) >= {"hummingbot", "mqtt"}
    expected = {"hummingbot", "mqtt", "prometheus", "grafana", *FLEET}
    assert set(compose_config("monitoring")["services"]) == expected
    for name in ("prometheus", "grafana"):
        assert _service(name)["profiles"] == ["monitoring"]
    for name in FLEET:
        assert _service(name)["profiles"] == ["fleet"]


@pytest.mark.parametrize("password", [None, ""], ids=["unset", "empty"])
def test_compose_refuses_to_run_without_a_grafana_password(password: str | None) -> None:
    for profiles in ((), ("monitoring",)):
        done = run_compose_config(*profiles, grafana_password=password)
        assert done.returncode != 0, "Compose must refuse a Grafana without an admin password"
        assert "set GRAFANA_ADMIN_PASSWORD" in done.stderr


def test_grafana_gets_the_operators_password_and_no_anonymous_access() -> None:
    grafana = _service("grafana")["environment"]
    assert grafana["GF_SECURITY_ADMIN_PASSWORD"] == GRAFANA_PASSWORD
    assert grafana["GF_AUTH_ANONYMOUS_ENABLED"] == "false" and grafana["GF_USERS_ALLOW_SIGN_UP"] == "false"


@pytest.mark.parametrize("service", ["hummingbot", "mqtt", "prometheus", "grafana", *FLEET])
def test_every_bind_mount_source_exists_or_is_an_ignored_runtime_dir(service: str) -> None:
    for source, _target in _binds(service):
        relative = Path(source).relative_to(ROOT)
        if relative.parts[0] in RUNTIME_DIRS:
            ignored = subprocess.run(["git", "check-ignore", "-q", f"{relative}/"], cwd=ROOT)
            assert ignored.returncode == 0, f"{relative}/ holds runtime output: it must be git-ignored"
        else:
            assert (ROOT / relative).exists(), f"{service} mounts {relative}, which does not exist"


def test_hummingbot_mounts_match_hummingbots_own_paths() -> None:
    from hummingbot.client import settings

    binds = {Path(source).relative_to(ROOT).as_posix(): target for source, target in _binds("hummingbot")}
    expected = {
        "conf": settings.CONF_DIR_PATH.name,
        "controllers": settings.CONTROLLERS_MODULE,
        "scripts": settings.SCRIPT_STRATEGIES_MODULE,
        "logs": settings.DEFAULT_LOG_FILE_PATH.name,
        "models": "models",
        "data": "data",
    }
    assert binds == {host: f"{HB_HOME}/{inside}" for host, inside in expected.items()}
    models_volume = next(v for v in _service("hummingbot")["volumes"] if v.startswith(str(ROOT / "models")))
    assert models_volume.endswith(":ro"), "the bot must not be able to modify model files"


def test_headless_and_interactive_start_are_wired() -> None:
    bot = _service("hummingbot")
    assert bot["stdin_open"] is True and bot["tty"] is True
    quickstart = Path(sys.executable).parent / "hummingbot_quickstart.py"  # pip installs it beside python
    source = quickstart.read_text()
    for variable in ("SCRIPT_CONFIG", "HEADLESS_MODE", "CONFIG_PASSWORD"):
        assert variable in bot["environment"]
        assert f'os.environ["{variable}"]' in source, f"Hummingbot's quickstart no longer reads {variable}"
    assert bot["environment"]["HEADLESS_MODE"] == "false"
    assert bot["environment"]["HBP_STATE_DIR"].startswith(f"{HB_HOME}/data/"), "risk state must persist"


def test_published_ports_bind_loopback_only() -> None:
    for name, service in compose_config("monitoring")["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"
    assert "ports" not in _service("hummingbot"), "the metrics port must stay on the compose network"


def test_dockerfile_pins_the_tested_hummingbot_and_copies_existing_files() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert _service("hummingbot")["build"]["dockerfile"] == "deploy/Dockerfile"
    image = re.search(r"^ARG HUMMINGBOT_IMAGE=(\S+)$", dockerfile, re.MULTILINE)
    expected = re.search(r"^ARG EXPECTED_HB_VERSION=(\S+)$", dockerfile, re.MULTILINE)
    assert image and expected and re.search(r"^FROM \$\{HUMMINGBOT_IMAGE\}$", dockerfile, re.MULTILINE)
    installed = Path(sys.modules["hummingbot"].__file__ or "").with_name("VERSION").read_text().strip()
    assert expected.group(1) in installed, f"venv Hummingbot {installed} vs image {expected.group(1)}"
    assert image.group(1) == f"hummingbot/hummingbot:version-{expected.group(1)}"
    assert _service("hummingbot")["build"]["args"]["HUMMINGBOT_IMAGE"] == image.group(1)
    for source in re.findall(r"^COPY (\S+) ", dockerfile, re.MULTILINE):
        assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"


def test_build_context_holds_only_what_the_image_copies() -> None:
    """.dockerignore: deny everything, then allow exactly the Dockerfile's COPY sources."""
    lines = [ln.strip() for ln in (ROOT / ".dockerignore").read_text().splitlines()]
    rules = [ln for ln in lines if ln and not ln.startswith("#")]
    assert rules[0] == "*", "start from an empty context so secrets (conf/, deploy/secrets/) never leave"
    allowed = {r[1:].rstrip("/") for r in rules if r.startswith("!")}
    copied = set(re.findall(r"^COPY (\S+) ", (DEPLOY / "Dockerfile").read_text(), re.MULTILINE))
    assert allowed == {c.rstrip("/") for c in copied}


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def _third_party_imports() -> set[str]:
    names: set[str] = set()
    for folder in ("hummingbot_plugin", "controllers", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    local = {"hummingbot", "hummingbot_plugin", "controllers", "scripts"}
    return {n for n in names if n not in sys.stdlib_module_names and n not in local}


def test_container_requirements_match_the_lock_and_cover_every_import() -> None:
    from importlib.metadata import packages_distributions

    requirements = DEPLOY / "requirements-container.txt"
    container, lock = _pins(requirements), _pins(ROOT / "requirements.lock")
    for name, version in container.items():
        assert lock.get(name) == version, f"{name}=={version} != requirements.lock ({lock.get(name)})"
    header = re.search(r"^# provided-by-image: (.+)$", requirements.read_text(), re.MULTILINE)
    assert header
    available = set(container) | {n.lower().replace("_", "-") for n in header.group(1).split()}
    distributions = packages_distributions()
    for module in sorted(_third_party_imports()):
        dists = {d.lower().replace("_", "-") for d in distributions.get(module, [module])}
        assert dists & available, f"`import {module}` ({dists}) is neither installed nor in the image"


def test_broker_service_mounts_what_mosquitto_conf_reads() -> None:
    conf = (DEPLOY / "mosquitto" / "mosquitto.conf").read_text()
    mounts = {target: source for source, target in _binds("mqtt")}
    assert mounts["/mosquitto/config/mosquitto.conf"] == str(DEPLOY / "mosquitto" / "mosquitto.conf")
    for key in ("password_file", "acl_file", "include_dir"):
        path = re.search(rf"^{key}\s+(\S+)$", conf, re.MULTILINE)
        assert path, f"mosquitto.conf lacks {key}"
        covered = [t for t in mounts if path.group(1) == t or path.group(1).startswith(t.rstrip("/") + "/")]
        assert covered, f"{key} {path.group(1)} is not inside any mount of the mqtt service"
    assert re.search(r"^allow_anonymous false$", conf, re.MULTILINE)
    assert (DEPLOY / "secrets" / ".gitignore").read_text().startswith("*\n")


def test_prometheus_scrapes_the_bot_exporter() -> None:
    from hummingbot_plugin.prometheus import HOST_ENV, PORT_ENV, MetricsSettings

    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    targets = [t for job in config["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]]
    env = _service("hummingbot")["environment"]
    settings = MetricsSettings.from_env({PORT_ENV: env[PORT_ENV], HOST_ENV: env[HOST_ENV]})
    assert targets == [f"hummingbot:{settings.port}"]
    assert settings.host == "0.0.0.0", "a loopback bind inside the container cannot be scraped"
    assert MetricsSettings.from_env({}).port is None, "the exporter must stay off outside the container"


def _exported_metric_names() -> set[str]:
    from hummingbot_plugin.prometheus import PluginMetrics

    names = set()
    for family in PluginMetrics().registry.collect():
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
        suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count")}
        names.update(family.name + s for s in suffixes.get(family.type, ()))
    return names


def test_grafana_provisioning_and_dashboard_are_consistent() -> None:
    provisioning = DEPLOY / "grafana" / "provisioning"
    source = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())["datasources"][0]
    assert source["url"] == "http://prometheus:9090"
    providers = yaml.safe_load((provisioning / "dashboards" / "dashboards.yml").read_text())["providers"]
    mounts = {target: Path(src) for src, target in _binds("grafana")}
    dashboards_dir = mounts[providers[0]["options"]["path"]]
    dashboards = list(dashboards_dir.glob("*.json"))
    assert dashboards, "no dashboard JSON in the provisioned folder"
    panels = json.loads(dashboards[0].read_text())["panels"]
    assert {p["datasource"]["uid"] for p in panels} == {source["uid"]}
    queries = " ".join(t["expr"] for p in panels for t in p["targets"])
    used = set(re.findall(r"\b(hbp_[a-z_]+)\b", queries))
    unknown = used - _exported_metric_names()
    assert not unknown, f"dashboard queries metrics the exporter does not define: {unknown}"
    for metric in (
        "hbp_signal",
        "hbp_signal_probability",
        "hbp_pnl_quote",
        "hbp_drawdown_pct",
        "hbp_risk_state",
        "hbp_mqtt_rejections_total",
        "hbp_risk_denials_total",
    ):
        assert re.search(rf"\b{metric}\b", queries), f"dashboard has no panel on {metric}"


@pytest.mark.parametrize("bot", FLEET)
def test_fleet_bots_are_the_same_image_headless_with_their_own_identity(bot: str) -> None:
    """A fleet bot: the single bot's image and settings, headless on its own script config, with its own
    conf_client.yml (broker user, instance_id), state and logs; conf, code and read-only models shared."""
    single, service = _service("hummingbot"), _service(bot)
    for key in ("build", "image", "depends_on", "networks", "logging"):
        assert service[key] == single[key], key
    env = service["environment"]
    assert env["HEADLESS_MODE"] == "true" and service["tty"] is False
    assert service["restart"] == "unless-stopped"
    assert (ROOT / "conf" / "scripts" / env["SCRIPT_CONFIG"]).is_file(), env["SCRIPT_CONFIG"]
    same = {k: v for k, v in single["environment"].items() if k not in ("SCRIPT_CONFIG", "HEADLESS_MODE")}
    assert {k: env[k] for k in same} == same
    binds = {target: Path(source).relative_to(ROOT).as_posix() for source, target in _binds(bot)}
    assert binds[f"{HB_HOME}/conf/conf_client.yml"] == f"data/fleet/{bot}/conf_client.yml"
    assert binds[f"{HB_HOME}/data"] == f"data/fleet/{bot}/data"
    assert binds[f"{HB_HOME}/logs"] == f"logs/fleet/{bot}"
    shared = {t: s for s, t in _binds("hummingbot") if not t.endswith(("/logs", "/data"))}
    assert {t: str(ROOT / binds[t]) for t in shared} == shared
    assert any(v.endswith(":ro") and "/models:" in v for v in service["volumes"])


def test_every_fleet_bot_has_its_own_broker_user_and_distinct_outputs() -> None:
    from deploy_broker import SHIPPED_ACL

    users = re.findall(r"^user\s+(\S+)\s*$", SHIPPED_ACL.read_text(), re.MULTILINE)
    services = compose_config("fleet")["services"]
    fleet = sorted(n for n, s in services.items() if s.get("profiles") == ["fleet"])
    assert fleet == sorted(FLEET) and set(fleet) <= set(users)
    scripts = {services[n]["environment"]["SCRIPT_CONFIG"] for n in fleet}
    assert len(scripts) == len(fleet), "one bot per script config"
    for target in ("conf/conf_client.yml", "data", "logs"):
        sources = {next(s for s, t in _binds(n) if t == f"{HB_HOME}/{target}") for n in fleet}
        assert len(sources) == len(fleet), f"bots share {target}"
