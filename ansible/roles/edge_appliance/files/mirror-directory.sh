#!/bin/sh
# mirror-directory.sh SRC DEST
# Makes DEST an exact copy of SRC (files, modes, owners), swapped in by rename. Prints "mirrored" when it changed
# DEST; prints nothing when DEST was the same already, or when SRC does not exist (nothing to keep yet).
set -eu
src="$1"
dest="$2"
[ -d "$src" ] || exit 0
listing() { (cd "$1" && find . -printf '%m %u %g %p\n' | sort); }
if [ -d "$dest" ] && diff -r "$src" "$dest" >/dev/null 2>&1 && [ "$(listing "$src")" = "$(listing "$dest")" ]; then
  exit 0
fi
rm -rf "$dest.new" "$dest.old"
cp -a "$src" "$dest.new"
if [ -e "$dest" ]; then mv "$dest" "$dest.old"; fi
mv "$dest.new" "$dest"
rm -rf "$dest.old"
echo mirrored
