# Installs the Debian 12 packages warden builds and tests with, only those missing.
# Sourced by scripts/test.sh and scripts/demo.sh.

WARDEN_PACKAGES=(
  g++ cmake ninja-build ccache pkg-config
  libabsl-dev libboost1.81-dev libgtest-dev libgmock-dev libbenchmark-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libpq-dev libyaml-cpp-dev nlohmann-json3-dev libssl-dev
  etcd-server etcd-client postgresql-15 openssl haproxy
  patroni  # the oracle of the compat tests (tests/compat) and bench/compare_patroni
)

warden_missing_packages() {
  local pkg
  for pkg in "${WARDEN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

warden_install_deps() {
  local missing
  missing=$(warden_missing_packages)
  [[ -z $missing ]] && return 0
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  echo "warden: installing Debian packages:" $missing
  # Tests run their own PostgreSQL servers; don't let the package create and start a cluster on
  # port 5432 of its own.
  if [[ ! -f /etc/postgresql-common/createcluster.conf ]]; then
    $sudo mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
}
