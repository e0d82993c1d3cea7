# Headless Chromium for the browser test (tests/it/browser.rs drives it with playwright-core).
# Debian's package; installed only when missing, so re-running is cheap.
if [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing chromium (Debian package)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
