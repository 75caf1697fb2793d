#!/bin/sh
# own-directory.sh check|apply DIR USER GROUP shared|private
# Gives a service its directory: everything in DIR owned by USER:GROUP; private: only USER may enter, read and write
# (directories 0700, files u+rw); shared: USER and GROUP may (directories 2770, setgid so that what either creates
# belongs to GROUP; files ug+rw), with the units' UMask=0007 keeping it so.
# check: prints "missing" when DIR does not exist, "existing" when something in it has another owner or mode (files of
# an earlier release, or of the single service user before per-service users), nothing when all is as it should be.
# apply: creates DIR and sets owners and modes, prints "owned" (ownership.yml calls it for what check reported only).
set -eu
action="$1" dir="$2" user="$3" group="$4" sharing="$5"
case "$sharing" in
  shared) dir_mode=2770 file_mode=0660 others=o=rwx chmod_spec=u+rwX,g+rwX,o-rwx ;;
  private) dir_mode=0700 file_mode=0600 others=go=rwx chmod_spec=u+rwX,go-rwx ;;
  *) echo "own-directory.sh: sharing must be shared or private, not '$sharing'" >&2; exit 2 ;;
esac
differs() {
  [ -n "$(find "$dir" \( ! -user "$user" -o ! -group "$group" -o -perm "/$others" \
    -o \( -type d ! -perm "-$dir_mode" \) -o \( -type f ! -perm "-$file_mode" \) \) -print -quit)" ]
}
case "$action" in
  check)
    if [ ! -e "$dir" ]; then echo missing; elif differs; then echo existing; fi ;;
  apply)
    mkdir -p "$dir"
    chown -R "$user:$group" "$dir"
    chmod -R "$chmod_spec" "$dir"
    if [ "$sharing" = shared ]; then find "$dir" -type d -exec chmod g+s {} +; fi
    echo owned ;;
  *) echo "own-directory.sh: check or apply, not '$action'" >&2; exit 2 ;;
esac
