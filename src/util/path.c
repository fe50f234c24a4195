/*
 * path.c - absolute file names and handing a file to the -u user (path.h).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/path.h"

char *cf_path_absolute(const char *path, char *err, size_t errlen)
{
	char cwd[PATH_MAX], *s;
	size_t n;

	if (path[0] == '/') {
		s = strdup(path);
		if (s == NULL)
			snprintf(err, errlen, "out of memory");
		return s;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		snprintf(err, errlen, "%s: cannot make the path absolute: current directory: %s",
			 path, strerror(errno));
		return NULL;
	}
	n = strlen(cwd) + strlen(path) + 2;
	if (n > PATH_MAX) {
		snprintf(err, errlen, "%s: path too long once made absolute", path);
		return NULL;
	}
	s = malloc(n);
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* "./x" stays readable as "/cwd/x" */
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	n = strlen(cwd);
	memcpy(s, cwd, n);
	if (strcmp(cwd, "/") != 0)
		s[n++] = '/';
	memcpy(s + n, path, strlen(path) + 1);
	return s;
}

int cf_file_give(int fd, const char *path, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	struct stat f, l;

	if (fstat(fd, &f) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(f.st_mode))
		return 0;
	if (lstat(path, &l) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISLNK(l.st_mode) || l.st_dev != f.st_dev || l.st_ino != f.st_ino) {
		snprintf(err, errlen, "%s: is a symbolic link (or was replaced): not given "
			 "to the -u user; name the file itself", path);
		return -1;
	}
	if (f.st_nlink != 1) {
		snprintf(err, errlen, "%s: has %lu hard links: not given to the -u user",
			 path, (unsigned long)f.st_nlink);
		return -1;
	}
	if ((f.st_uid == uid && f.st_gid == gid) || fchown(fd, uid, gid) == 0)
		return 0;
	snprintf(err, errlen, "%s: cannot give it to uid %u: %s", path, (unsigned)uid,
		 strerror(errno));
	return -1;
}
