#!/bin/sh
# share-release-jars.sh RELEASE RELEASES_DIR
# Every jar of RELEASE/lib that is identical to the jar of the same name in another release under RELEASES_DIR
# becomes a hard link to it, so that releases kept side by side store a shared jar once (a release's jars are
# stored uncompressed and never changed in place). Prints how many it linked; prints nothing when none.
set -eu
release="$1"
releases="$2"
linked=0
for jar in "$release"/lib/*.jar; do
  name="${jar##*/}"
  for other in "$releases"/*/lib/"$name"; do
    [ -f "$other" ] || continue
    [ "$other" = "$jar" ] && continue
    [ "$other" -ef "$jar" ] && break # shared already
    if cmp -s "$other" "$jar"; then
      ln -f "$other" "$jar.shared"
      mv -f "$jar.shared" "$jar"
      linked=$((linked + 1))
      break
    fi
  done
done
if [ "$linked" -gt 0 ]; then
  echo "linked $linked jar(s) to identical ones of other releases"
fi
