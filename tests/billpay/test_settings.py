"""Settings read from the environment: junk fails at start-up, and each switch does what it says.

Settings are evaluated once per process, so each case runs `manage.py` in a subprocess with an
environment we control.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any, Protocol

import pytest
from django.core.exceptions import ImproperlyConfigured

from billpay import settings as settings_module

REPO = Path(__file__).resolve().parent.parent.parent
SETTINGS_SOURCE = Path(settings_module.__file__).read_text()
# Every upper-case string literal in settings.py: a superset of the variables it reads, so none of
# the caller's own configuration (CI's DATABASE_URL, say) leaks into a case.
SETTINGS_VARIABLES = set(re.findall(r'"([A-Z][A-Z0-9_]+)"', SETTINGS_SOURCE))


class RunManage(Protocol):
    def __call__(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]: ...


@pytest.fixture
def run_manage(tmp_path: Path) -> RunManage:
    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        clean = {
            k: v
            for k, v in os.environ.items()
            if k not in SETTINGS_VARIABLES and k != "DJANGO_SETTINGS_MODULE"
        }
        clean["BILLPAY_VAR_DIR"] = str(tmp_path)
        clean.update(env)
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=clean,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    return run


def _settings_json(run_manage: RunManage, expression: str, **env: str) -> Any:
    code = f"import json; from django.conf import settings as s; print(json.dumps({expression}))"
    result = run_manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("env", "named"),
    [
        pytest.param({"DEBUG": "maybe"}, "DEBUG", id="DEBUG"),
        pytest.param({"CODAT_BASE_URL": "ftp://x"}, "CODAT_BASE_URL", id="CODAT_BASE_URL"),
        pytest.param(
            {"DATABASE_URL": "mysql://user:pw@127.0.0.1:3306/billpay"},
            "DATABASE_URL",
            id="DATABASE_URL",
        ),
        pytest.param({"CELERY_BROKER_URL": "kafka://x"}, "CELERY_BROKER_URL", id="CELERY_BROKER"),
        pytest.param({"SECURE_HSTS_SECONDS": "abc"}, "SECURE_HSTS_SECONDS", id="HSTS_SECONDS"),
        pytest.param({"AWS_STORAGE_BUCKET_NAME": "ab"}, "AWS_STORAGE_BUCKET_NAME", id="BUCKET"),
        pytest.param({"ALLOWED_HOSTS": "a,,b"}, "ALLOWED_HOSTS", id="ALLOWED_HOSTS"),
        pytest.param({"BILLPAY_PLATFORMS": "gbol,sage"}, "BILLPAY_PLATFORMS", id="PLATFORMS"),
        pytest.param({"BILLPAY_PLATFORMS": ""}, "BILLPAY_PLATFORMS", id="PLATFORMS-empty"),
        pytest.param({"EMAIL_URL": "imap://mail.example.com"}, "EMAIL_URL", id="EMAIL_URL"),
        pytest.param({"DEBUG": "0"}, "SECRET_KEY", id="DEBUG-off-without-SECRET_KEY"),
        pytest.param(
            {"DEBUG": "0", "SECRET_KEY": "s" * 50},
            "SANDBOX_API_KEY",
            id="DEBUG-off-with-the-published-sandbox-key",
        ),
    ],
)
def test_bad_value_fails_at_start_up_naming_the_variable(
    run_manage: RunManage,
    env: dict[str, str],
    named: str,
) -> None:
    result = run_manage("check", **env)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert named in last_line


def test_platforms_default_to_the_six_and_an_unknown_key_is_named_with_the_known_ones(
    run_manage: RunManage,
) -> None:
    assert _settings_json(run_manage, "s.BILLPAY_PLATFORMS") == [
        "gbol",
        "qhyg",
        "akxx",
        "knfz",
        "fbrh",
        "rwuv",
    ]
    assert _settings_json(
        run_manage, "s.BILLPAY_PLATFORMS", BILLPAY_PLATFORMS=" QHYG , gbol,mqjo"
    ) == ["qhyg", "gbol", "mqjo"]

    unknown = run_manage("check", BILLPAY_PLATFORMS="gbol,sage").stderr.strip().splitlines()[-1]
    assert unknown == (
        "django.core.exceptions.ImproperlyConfigured: BILLPAY_PLATFORMS names 'sage', which is "
        "no platform billpay knows. Use keys from: gbol (Xero), qhyg (QuickBooks Online), akxx "
        "(Oracle NetSuite), knfz (Sage Intacct), fbrh (FreeAgent), rwuv (Zoho Books), ndsk "
        "(QuickBooks Online Sandbox), mqjo (Sandbox)."
    )
    twice = run_manage("check", BILLPAY_PLATFORMS="gbol,qhyg,gbol").stderr.strip().splitlines()
    assert twice[-1].endswith("BILLPAY_PLATFORMS names gbol more than once.")


def test_defaults_pass_the_system_check(run_manage: RunManage) -> None:
    result = run_manage("check")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_is_clean_in_production_mode(run_manage: RunManage) -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="billpay.example.com",
        SANDBOX_API_KEY=secrets.token_urlsafe(32),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_published_sandbox_key_is_accepted_in_production_only_when_asked(
    run_manage: RunManage,
) -> None:
    production = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(64)}

    allowed = run_manage("check", **production, SANDBOX_ALLOW_DEFAULT_KEY="1")
    without_sandbox = run_manage("check", **production, SANDBOX_ENABLED="0")

    assert allowed.returncode == 0, allowed.stderr
    assert without_sandbox.returncode == 0, without_sandbox.stderr


_SANDBOX_ROUTES = (
    "from django.urls import Resolver404, resolve\n"
    "def served(path):\n"
    "    try:\n"
    "        resolve(path)\n"
    "    except Resolver404:\n"
    "        return False\n"
    "    return True\n"
    "print([served(p) for p in ('/sandbox/codat/companies', "
    "'/sandbox/link/company/8a210b68-6988-11ed-a1eb-0242ac120002', '/')])"
)


@pytest.mark.parametrize(
    ("env", "sandbox_served"),
    [
        pytest.param({}, True, id="embedded-default"),
        pytest.param({"CODAT_BASE_URL": "http://127.0.0.1:9/sandbox/codat"}, True, id="over-http"),
        pytest.param({"CODAT_API_KEY": "a-real-key"}, False, id="real-codat"),
        pytest.param({"CODAT_API_KEY": "a-real-key", "SANDBOX_ENABLED": "1"}, True, id="asked-for"),
        pytest.param({"SANDBOX_ENABLED": "0"}, False, id="switched-off"),
    ],
)
def test_the_sandbox_is_mounted_only_where_billpay_uses_it_or_a_setting_says_so(
    run_manage: RunManage, env: dict[str, str], sandbox_served: bool
) -> None:
    result = run_manage("shell", "-c", _SANDBOX_ROUTES, **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str([sandbox_served, sandbox_served, True])


def test_default_storage_is_the_local_filesystem(run_manage: RunManage, tmp_path: Path) -> None:
    storage = _settings_json(run_manage, 's.STORAGES["default"]')
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storage["OPTIONS"]["location"] == str(tmp_path / "media")


def test_bucket_name_switches_default_storage_to_s3(run_manage: RunManage) -> None:
    storage = _settings_json(
        run_manage, 's.STORAGES["default"]', AWS_STORAGE_BUCKET_NAME="billpay-attachments"
    )
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "billpay-attachments"


def test_default_databases_are_two_sqlite_files_in_the_var_dir(
    run_manage: RunManage, tmp_path: Path
) -> None:
    databases = _settings_json(
        run_manage, '{a: (d["ENGINE"], str(d["NAME"])) for a, d in s.DATABASES.items()}'
    )
    assert databases == {
        "default": ["django.db.backends.sqlite3", str(tmp_path / "billpay.sqlite3")],
        "sandbox": ["django.db.backends.sqlite3", str(tmp_path / "sandbox.sqlite3")],
    }


def test_postgres_url_switches_both_databases(run_manage: RunManage) -> None:
    databases = _settings_json(
        run_manage,
        "{a: [d[k] for k in ('ENGINE', 'NAME', 'HOST', 'PORT', 'USER')] for a, d in s.DATABASES.items()}",
        DATABASE_URL="postgres://billpay@db.internal:6543/payables",
    )
    engine = "django.db.backends.postgresql"
    assert databases == {
        "default": [engine, "payables", "db.internal", 6543, "billpay"],
        "sandbox": [engine, "payables_sandbox", "db.internal", 6543, "billpay"],
    }


# --- E-mail ------------------------------------------------------------------------------------

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_mail_is_written_under_the_var_dir_by_default(
    run_manage: RunManage, tmp_path: Path
) -> None:
    assert _settings_json(run_manage, "[s.EMAIL_BACKEND, s.EMAIL_FILE_PATH]") == [
        "django.core.mail.backends.filebased.EmailBackend",
        str(tmp_path / "mail"),
    ]


def test_email_url_switches_to_smtp(run_manage: RunManage) -> None:
    expression = (
        "[s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL]"
    )
    assert _settings_json(
        run_manage,
        expression,
        EMAIL_URL="smtp://mailer:secret@smtp.example.com?tls=1",
        DEFAULT_FROM_EMAIL="Billing <billing@example.com>",
    ) == [SMTP, "smtp.example.com", 587, True, "Billing <billing@example.com>"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(
            "smtp://mailer:p%40ss%2Fword@smtp.example.com:2525?tls=1",
            {
                "BACKEND": SMTP,
                "HOST": "smtp.example.com",
                "PORT": 2525,
                "USER": "mailer",
                "PASSWORD": "p@ss/word",
                "USE_TLS": True,
                "USE_SSL": False,
            },
            id="smtp-starttls-quoted-password",
        ),
        pytest.param(
            "smtp://127.0.0.1",
            {
                "BACKEND": SMTP,
                "HOST": "127.0.0.1",
                "PORT": 25,
                "USER": "",
                "PASSWORD": "",
                "USE_TLS": False,
                "USE_SSL": False,
            },
            id="smtp-plain",
        ),
        pytest.param(
            "smtps://u:p@smtp.example.com",
            {
                "BACKEND": SMTP,
                "HOST": "smtp.example.com",
                "PORT": 465,
                "USER": "u",
                "PASSWORD": "p",
                "USE_TLS": False,
                "USE_SSL": True,
            },
            id="smtps",
        ),
        pytest.param(
            "console:",
            {"BACKEND": "django.core.mail.backends.console.EmailBackend"},
            id="console",
        ),
        pytest.param(
            "file:",
            {
                "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "FILE_PATH": Path("/var/billpay/mail"),
            },
            id="file-default",
        ),
        pytest.param(
            "file:///srv/mail",
            {
                "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "FILE_PATH": "/srv/mail",
            },
            id="file-path",
        ),
    ],
)
def test_email_url_parses(url: str, expected: dict[str, object]) -> None:
    config = settings_module.env_email("EMAIL_URL", url, file_default=Path("/var/billpay/mail"))
    assert config == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("imap://x", "EMAIL_URL must start with smtp://, smtps://, console: or file:"),
        ("smtp://x?tls=1&ssl=1", "EMAIL_URL asks for both STARTTLS (tls=1) and TLS from the start"),
        ("smtps://x?tls=1", "EMAIL_URL asks for both STARTTLS (tls=1) and TLS from the start"),
        ("smtp://x?starttls=1", "EMAIL_URL has unknown options starttls"),
        ("smtp://x?tls=maybe", "EMAIL_URL: tls must be 1 or 0, not 'maybe'."),
        ("smtp://x:port", "EMAIL_URL has a port that is not a number"),
        ("smtp://", "EMAIL_URL must name the SMTP server's host"),
        ("console://host", "EMAIL_URL: console: takes no host or options"),
    ],
)
def test_a_bad_email_url_is_refused_with_a_message(url: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured) as caught:
        settings_module.env_email("EMAIL_URL", url, file_default=Path("/tmp/mail"))
    assert str(caught.value).startswith(message)
