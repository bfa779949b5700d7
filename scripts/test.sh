#!/usr/bin/env bash
# The project's test command (README): every test, the database ones against a private
# MariaDB that scripts/with-mariadb.sh installs if needed and starts on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/with-mariadb.sh cargo test "$@"
