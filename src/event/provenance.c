/*
 * provenance.c - the record of what a run ran with (provenance.h): the
 * files' SHA-256 (output/crypto.h), the databases' type and build date
 * (geo.h), the libraries' versions (each from the one folder that may
 * include that library).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "event/event.h"
#include "event/provenance.h"
#include "capture/capture.h"
#include "classify/classify.h"
#include "geo/geo.h"
#include "output/crypto.h"
#include "output/output.h"

static const struct cf_provenance *current;
static struct cf_provenance *owned;     /* taken by cf_event_provenance_retake */

/*
 * A capture file's run hashes its files on a thread of its own
 * (cf_event_provenance_retake_bg): the geography databases are some 18 MB,
 * 20-30 ms of SHA-256 and reading that the run need not wait for, as
 * nothing reads the digests before the report at the end.  The files
 * are opened at once (before the sandbox); cf_event_provenance waits for
 * the digests.
 */
static pthread_mutex_t bg_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t bg_thread;
static int bg_on;                       /* under bg_mu */
static int *bg_fd;                      /* an fd per file of owned, -1 none */

static void bg_wait(void)
{
	pthread_mutex_lock(&bg_mu);
	if (bg_on) {
		pthread_join(bg_thread, NULL);
		bg_on = 0;
	}
	free(bg_fd);
	bg_fd = NULL;
	pthread_mutex_unlock(&bg_mu);
}

void cf_event_set_provenance(const struct cf_provenance *p)
{
	current = p;
}

const struct cf_provenance *cf_event_provenance(void)
{
	bg_wait();
	return current;
}

/* path (resolved when it can be) and kind of the file, opened: its fd,
 * or -1 with the reason in s->error. */
static int open_file(struct cf_source_file *s, const char *kind, const char *path)
{
	char real[PATH_MAX];
	int fd;

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	if (realpath(path, real) == NULL)
		snprintf(real, sizeof(real), "%s", path);
	memcpy(s->path, real, sizeof(s->path) < sizeof(real) ? sizeof(s->path) : sizeof(real));
	s->path[sizeof(s->path) - 1] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		snprintf(s->error, sizeof(s->error), "%s", strerror(errno));
	return fd;
}

/* The SHA-256 of the open file fd (closed here), or the reason there is none. */
static void hash_file(struct cf_source_file *s, int fd)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t d[CF_SHA256_LEN];
	int i;

	if (cf_sha256_fd(fd, d) < 0) {
		snprintf(s->error, sizeof(s->error), "%s", strerror(errno));
		close(fd);
		return;
	}
	close(fd);
	for (i = 0; i < CF_SHA256_LEN; i++) {
		s->sha256[2 * i] = hex[d[i] >> 4];
		s->sha256[2 * i + 1] = hex[d[i] & 15];
	}
	s->sha256[2 * CF_SHA256_LEN] = '\0';
}

/* The file's record: hashed now, or (fd not NULL) its fd kept in *fd for
 * a hash later. */
static void take_file(struct cf_source_file *s, const char *kind, const char *path,
		      int *fd)
{
	int f = open_file(s, kind, path);

	if (fd != NULL)
		*fd = f;
	else if (f >= 0)
		hash_file(s, f);
}

static void *bg_main(void *arg)
{
	struct cf_provenance *p = arg;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (bg_fd[i] >= 0)
			hash_file(&p->files[i], bg_fd[i]);
	return NULL;
}

/* The type and build date of database i, opened on its own. */
static void take_geo_meta(struct cf_source_file *s, const char *path)
{
	struct cf_geo_db_info info;
	struct cf_geo *g;
	char err[sizeof(s->error)];

	g = cf_geo_open(&path, 1, 16, err, sizeof(err));
	if (g == NULL) {
		if (s->error[0] == '\0')
			memcpy(s->error, err, sizeof(s->error));
		return;
	}
	if (cf_geo_db_info(g, 0, &info) == 0) {
		snprintf(s->type, sizeof(s->type), "%s", info.type);
		s->build_epoch = info.build_epoch;
	}
	cf_geo_close(g);
}

/* cf_provenance_take; with fds, each file's fd (or -1) is kept there
 * for a hash later instead of hashed now. */
static struct cf_provenance *take(const char *rules, const char *catalog,
				  const char *const *geo, size_t ngeo, int *fds)
{
	struct cf_provenance *p;
	size_t i, n = 0;

	p = calloc(1, sizeof(*p) + (ngeo + 2) * sizeof(p->files[0]));
	if (p == NULL)
		return NULL;
	if (rules != NULL) {
		take_file(&p->files[n], "rules", rules, fds ? &fds[n] : NULL);
		n++;
	}
	if (catalog != NULL) {
		take_file(&p->files[n], "catalog", catalog, fds ? &fds[n] : NULL);
		n++;
	}
	for (i = 0; i < ngeo && geo != NULL && geo[i] != NULL; i++) {
		take_file(&p->files[n], "geo", geo[i], fds ? &fds[n] : NULL);
		take_geo_meta(&p->files[n++], geo[i]);
	}
	p->n = n;
	return p;
}

struct cf_provenance *cf_provenance_take(const char *rules, const char *catalog,
					 const char *const *geo, size_t ngeo)
{
	return take(rules, catalog, geo, ngeo, NULL);
}

int cf_event_provenance_retake(const char *rules, const char *catalog,
			       const char *const *geo, size_t ngeo)
{
	struct cf_provenance *p;

	bg_wait();
	p = take(rules, catalog, geo, ngeo, NULL);
	if (p == NULL)
		return -1;
	free(owned);
	current = owned = p;
	return 0;
}

int cf_event_provenance_retake_bg(const char *rules, const char *catalog,
				  const char *const *geo, size_t ngeo)
{
	static int exit_set;
	struct cf_provenance *p;
	uint8_t d[CF_SHA256_LEN];
	int *fds, started;

	bg_wait();
	/* At exit (a run that stops on an error soon after it started) the
	   thread is waited for, not left hashing while the crypto library's
	   exit handler takes its state down under it: that library is set up
	   here, so its handler is registered before bg_wait (handlers run
	   last registered first). */
	(void)cf_sha256("", 0, d);
	if (!exit_set && atexit(bg_wait) == 0)
		exit_set = 1;
	fds = malloc((ngeo + 2) * sizeof(*fds));
	if (fds == NULL)
		return -1;
	p = take(rules, catalog, geo, ngeo, fds);
	if (p == NULL) {
		free(fds);
		return -1;
	}
	free(owned);
	current = owned = p;
	pthread_mutex_lock(&bg_mu);
	bg_fd = fds;
	started = pthread_create(&bg_thread, NULL, bg_main, p) == 0;
	bg_on = started;
	pthread_mutex_unlock(&bg_mu);
	if (!started) {                 /* no thread: hashed here */
		bg_main(p);
		bg_wait();
	}
	return 0;
}

void cf_event_provenance_free(void)
{
	bg_wait();
	if (current == owned)
		current = NULL;
	free(owned);
	owned = NULL;
}

void cf_lib_versions(struct cf_lib_version v[CF_LIB_COUNT])
{
	v[0].name = "callfence", v[0].version = PACKAGE_VERSION;
	v[1].name = "libpcap", v[1].version = cf_capture_lib_version();
	v[2].name = "ndpi", v[2].version = cf_classify_ndpi_version();
	v[3].name = "libmaxminddb", v[3].version = cf_geo_lib_version();
	v[4].name = "jansson", v[4].version = jansson_version_str();
	v[5].name = "openssl", v[5].version = cf_crypto_lib_version();
	v[6].name = "librdkafka", v[6].version = cf_output_kafka_version();
}

void cf_versions_print(FILE *fp)
{
	struct cf_lib_version v[CF_LIB_COUNT];
	int i;

	cf_lib_versions(v);
	fprintf(fp, "callfence %s\n", v[0].version);
	for (i = 1; i < CF_LIB_COUNT; i++)
		fprintf(fp, "  %-13s %s\n", v[i].name,
			v[i].version != NULL ? v[i].version : "(not built in)");
	fprintf(fp, "  %-13s %s (events)\n", "ecs", CF_ECS_VERSION);
}
