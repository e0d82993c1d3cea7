# The JavaScript peers the tests run against (pinned in tests/js/package-lock.json).
if ! command -v node >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -d "$AUTH_TEST_ROOT/tests/js/node_modules/@auth/core" ] \
  || [ "$AUTH_TEST_ROOT/tests/js/package-lock.json" -nt "$AUTH_TEST_ROOT/tests/js/node_modules/.package-lock.json" ]; then
  (cd "$AUTH_TEST_ROOT/tests/js" && npm ci --no-audit --no-fund --loglevel=error)
fi
