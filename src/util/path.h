/*
 * path.h - file names that survive chdir("/") and files handed to the
 * unprivileged user.
 */
#ifndef CF_UTIL_PATH_H
#define CF_UTIL_PATH_H

#include <stddef.h>
#include <sys/types.h>

/*
 * path made absolute against the current directory, in a new string
 * (malloc): "rules/x.rules" run from /srv is "/srv/rules/x.rules".  An
 * absolute path is copied as it is; nothing is resolved (symbolic links,
 * "..") so the file named stays the one the user meant.  NULL with a
 * message in err (no current directory, too long, out of memory).
 */
char *cf_path_absolute(const char *path, char *err, size_t errlen);

/*
 * Give the open file fd, opened as path, to uid:gid (fchown), so that the
 * user that privileges are dropped to can open it again.  Only a regular
 * file with one link that path names without a symbolic link (lstat and
 * fstat agree) is given: a link planted in a directory the user can write
 * must not hand another file over.  Anything else that is not a regular
 * file (a device, a pipe) is left as it is and 0 returned.  -1 with
 * "PATH: reason" in err.
 */
int cf_file_give(int fd, const char *path, uid_t uid, gid_t gid, char *err, size_t errlen);

#endif /* CF_UTIL_PATH_H */
