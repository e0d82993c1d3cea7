# A real SMTP server for the e-mail sign-in tests: Python's aiosmtpd (PyPI, pinned in
# tests/py/requirements.txt) in a virtual environment under target/, so the tests can start
# one per test on loopback (tests/py/smtp_sink.py, through tests/src/smtp.rs).
# Sourced by scripts/setup (bash, set -euo pipefail); idempotent: a venv holding the pinned
# version is reused. Exports AUTH_TEST_PYTHON (the venv's interpreter).
auth_smtp_root="${AUTH_TEST_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
auth_smtp_venv="${AUTH_TEST_SMTP_VENV:-$auth_smtp_root/target/py-venv}"
auth_smtp_req="$auth_smtp_root/tests/py/requirements.txt"

if ! command -v python3 >/dev/null 2>&1; then
  echo "setup: installing Python (apt-get install python3 python3-venv)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
fi
if [ ! -x "$auth_smtp_venv/bin/python" ]; then
  echo "setup: creating a Python venv in $auth_smtp_venv"
  mkdir -p "$(dirname "$auth_smtp_venv")"
  if ! python3 -m venv "$auth_smtp_venv" >/dev/null 2>&1; then
    rm -rf "$auth_smtp_venv"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$auth_smtp_venv"
  fi
fi
# Installed when missing, or when requirements.txt changed since the last install.
auth_smtp_stamp="$auth_smtp_venv/.requirements.txt"
if ! cmp -s "$auth_smtp_req" "$auth_smtp_stamp" \
  || ! "$auth_smtp_venv/bin/python" -c 'import aiosmtpd' >/dev/null 2>&1; then
  echo "setup: installing aiosmtpd into $auth_smtp_venv"
  "$auth_smtp_venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$auth_smtp_req"
  cp "$auth_smtp_req" "$auth_smtp_stamp"
else
  echo "setup: aiosmtpd already installed in $auth_smtp_venv"
fi

export AUTH_TEST_PYTHON="$auth_smtp_venv/bin/python"
