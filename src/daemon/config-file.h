/*
 * config-file.h - the syntax of callfence.conf(5): "key = value" lines.
 *
 *   # a comment (a '#' that starts a word starts a comment)
 *   interface = eth0
 *   filter    = udp or port 443           # the rest of the line
 *   output    = "file:/var/log/callfence/#1.json"   # quotes keep '#'
 *
 * Keys are lower-case letters, digits and '-'.  A value is the rest of the
 * line with blanks around it removed, or a double-quoted string (\" and \\
 * escape).  What the keys mean is the caller's business (main-live.c).
 */
#ifndef CF_CONFIG_FILE_H
#define CF_CONFIG_FILE_H

#include <stddef.h>

#define CF_CONF_MAX_BYTES (1024 * 1024)

/*
 * Called for every setting in file order.  value points into the file's
 * text (see cf_conf_read).  Return 0, or -1 with a message in err (without
 * the file and line: the reader puts them in front).
 */
typedef int (*cf_conf_fn)(void *ctx, const char *key, char *value,
			  char *err, size_t errlen);

/*
 * Read the file at path and call fn for each setting.  The text the values
 * point into is returned in *text (free it when the values are no longer
 * needed; set also on error).  Returns 0, or -1 with "PATH:LINE: message"
 * (syntax errors and fn's errors) or "PATH: reason" (cannot read, too big,
 * NUL bytes) in err.
 */
int cf_conf_read(const char *path, cf_conf_fn fn, void *ctx, char **text,
		 char *err, size_t errlen);

/* The same over text in memory (modified in place); name is used in
 * messages. */
int cf_conf_parse(char *text, const char *name, cf_conf_fn fn, void *ctx,
		  char *err, size_t errlen);

#endif /* CF_CONFIG_FILE_H */
