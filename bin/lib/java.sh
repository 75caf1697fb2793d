# Sourced by bin/edge and bin/test: finds a JDK 25 and exports JAVA_HOME, or exits with instructions.
# Order: $JAVA_HOME, then /usr/lib/jvm/*, then /opt/*jdk*, then the java on PATH. A full JDK is required
# (javac: Maven builds with it, and parts of the appliance compile code at run time).

edge_java_major() { # prints the feature version of the java at $1/bin/java, or nothing
  local release="$1/release"
  if [[ -r "$release" ]]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
    return
  fi
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}

edge_is_jdk25() {
  [[ -n "$1" && -x "$1/bin/java" && -x "$1/bin/javac" && "$(edge_java_major "$1")" == "25" ]]
}

edge_find_jdk25() {
  local candidate
  if edge_is_jdk25 "${JAVA_HOME:-}"; then
    return 0
  fi
  for candidate in /usr/lib/jvm/* /opt/*jdk* /opt/java/*; do
    if edge_is_jdk25 "$candidate"; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  if command -v javac >/dev/null 2>&1; then
    candidate="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
    if edge_is_jdk25 "$candidate"; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  fi
  cat >&2 <<'MSG'
edge: no JDK 25 found (looked at $JAVA_HOME, /usr/lib/jvm/*, /opt/*jdk*, and javac on PATH).
  This project needs a full JDK 25 (not a JRE). Install one, for example:
    apt-get install openjdk-25-jdk        (Debian 13 "trixie" and later)
    or Eclipse Temurin 25 from your package mirror, unpacked under /usr/lib/jvm or /opt
  then run this command again, or point JAVA_HOME at it.
MSG
  exit 2
}
