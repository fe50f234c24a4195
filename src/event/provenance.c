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

void cf_event_set_provenance(const struct cf_provenance *p)
{
	current = p;
}

const struct cf_provenance *cf_event_provenance(void)
{
	return current;
}

/* path (resolved when it can be), kind and SHA-256 of the file. */
static void take_file(struct cf_source_file *s, const char *kind, const char *path)
{
	static const char hex[] = "0123456789abcdef";
	char real[PATH_MAX];
	uint8_t d[CF_SHA256_LEN];
	int fd, i;

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	if (realpath(path, real) == NULL)
		snprintf(real, sizeof(real), "%s", path);
	memcpy(s->path, real, sizeof(s->path) < sizeof(real) ? sizeof(s->path) : sizeof(real));
	s->path[sizeof(s->path) - 1] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || cf_sha256_fd(fd, d) < 0) {
		snprintf(s->error, sizeof(s->error), "%s", strerror(errno));
		if (fd >= 0)
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

struct cf_provenance *cf_provenance_take(const char *rules, const char *catalog,
					 const char *const *geo, size_t ngeo)
{
	struct cf_provenance *p;
	size_t i, n = 0;

	p = calloc(1, sizeof(*p) + (ngeo + 2) * sizeof(p->files[0]));
	if (p == NULL)
		return NULL;
	if (rules != NULL)
		take_file(&p->files[n++], "rules", rules);
	if (catalog != NULL)
		take_file(&p->files[n++], "catalog", catalog);
	for (i = 0; i < ngeo && geo != NULL && geo[i] != NULL; i++) {
		take_file(&p->files[n], "geo", geo[i]);
		take_geo_meta(&p->files[n++], geo[i]);
	}
	p->n = n;
	return p;
}

int cf_event_provenance_retake(const char *rules, const char *catalog,
			       const char *const *geo, size_t ngeo)
{
	struct cf_provenance *p = cf_provenance_take(rules, catalog, geo, ngeo);

	if (p == NULL)
		return -1;
	free(owned);
	current = owned = p;
	return 0;
}

void cf_event_provenance_free(void)
{
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
