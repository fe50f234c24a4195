/*
 * main-paths.c - the file names of live capture made absolute at start.
 *
 * -D changes to "/" once detached, and SIGHUP opens files again long
 * after: the rules (with their includes), the catalog and the geography
 * databases are read again, the pidfile is removed at exit.  A relative
 * name given on the command line or in the configuration file is made
 * absolute against the directory callfence was started in, before
 * anything is opened, so that the reload reads what the start read.
 * Output files, socket paths, spools and --log make their own paths
 * absolute (output-file.c, output-spec.c, output.c, daemon-log.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "main-opts.h"
#include "util/path.h"

/* *p made absolute (a new string kept in o->owned); 0 or -1 with err. */
static int absolute(struct cf_opts *o, const char **p, char *err, size_t errlen)
{
	char *abs;

	if (*p == NULL || (*p)[0] == '/')
		return 0;
	if (o->n_owned >= sizeof(o->owned) / sizeof(o->owned[0])) {
		snprintf(err, errlen, "too many file names to make absolute");
		return -1;
	}
	abs = cf_path_absolute(*p, err, errlen);
	if (abs == NULL)
		return -1;
	o->owned[o->n_owned++] = abs;
	*p = abs;
	return 0;
}

int cf_opts_absolute(struct cf_opts *o, char *err, size_t errlen)
{
	const char *s;
	size_t i;

	if (absolute(o, &o->rules, err, errlen) < 0 ||
	    absolute(o, &o->catalog, err, errlen) < 0 ||
	    absolute(o, &o->pidfile, err, errlen) < 0 ||
	    absolute(o, &o->report_path, err, errlen) < 0)
		return -1;
	for (i = 0; i < o->n_incdirs; i++)
		if (absolute(o, &o->incdirs[i], err, errlen) < 0)
			return -1;
	for (i = 0; i < o->n_geo; i++) {
		s = o->geo[i];
		if (absolute(o, &s, err, errlen) < 0)
			return -1;
		o->geo[i] = (char *)s;
	}
	return 0;
}
