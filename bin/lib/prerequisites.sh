# Sourced by bin/test (and so by .ci/run): the Debian packages the tests need, checked before the build starts.
# Missing ones are installed when running as root with apt-get (as on CI); otherwise the run stops at once and says
# what to install, instead of failing twelve minutes later.
#   openssl            certificates for the TLS/mTLS tests
#   mosquitto          mosquitto_passwd: writes the broker's password file in the tests, as an operator would
#   mosquitto-clients  mosquitto_pub: a real third-party MQTT 3.1.1/5 client
#   prometheus         a real Prometheus scraping a running broker (PrometheusScrapeIT)
#   chromium, chromium-driver: a real browser for the web console's test (ConsoleIT, through Selenium)
#   gcc, pkg-config, libfuse3-dev, fuse3: the power-cut file system the tests build and mount (powercutfs, PowerCutIT)
#   postgresql         a real PostgreSQL that Kafka Connect's JDBC sink writes the bridged records into (JdbcSinkIT)
#   ansible, ansible-lint, debootstrap, xz-utils: the provisioning tests (only when they run; xz repacks releases)
#   mmdebstrap, arch-test, qemu-user-static, binfmt-support: their arm64 device, emulated

edge_test_prerequisites() { # $1: "with-provisioning" or "maven-only"
  local pairs=(openssl:openssl mosquitto_passwd:mosquitto mosquitto_pub:mosquitto-clients prometheus:prometheus chromium:chromium chromedriver:chromium-driver gcc:gcc pkg-config:pkg-config fusermount3:fuse3)
  if [[ "$1" == with-provisioning ]]; then
    pairs+=(ansible-playbook:ansible ansible-lint:ansible-lint debootstrap:debootstrap xz:xz-utils mmdebstrap:mmdebstrap
            arch-test:arch-test qemu-aarch64-static:qemu-user-static update-binfmts:binfmt-support)
  fi
  local missing=() pair
  for pair in "${pairs[@]}"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
  done
  [[ -f /usr/include/fuse3/fuse.h ]] || missing+=(libfuse3-dev)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
  (( ${#missing[@]} )) || return 0
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "bin/test: installing ${missing[*]} from Debian" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    return 0
  fi
  echo "bin/test: the tests need these Debian packages: ${missing[*]}" >&2
  echo "  install them with: sudo apt-get install ${missing[*]}" >&2
  exit 2
}
