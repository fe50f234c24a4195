/*
 * catalog.c - the app catalog as a whole (catalog.h): load its file,
 * parse it (catalog-parse.c), build its indexes (catalog-host.c,
 * catalog-net.c), free it; and the look-ups that need no index (port
 * lines, ndpi lines, call apps), each answering with the first matching
 * line in file order.
 *
 * The catalog is a piece the classifier uses: it knows lines, names,
 * addresses and ports, and nothing of flows or of the classifier.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify/catalog-int.h"

#define CAT_FILE_MAX (4u << 20)

/* Lines of one kind, in file order. */
static int build_kind(const struct cf_catalog *c, enum cf_cat_kind kind,
		      uint32_t **out, uint32_t *n)
{
	size_t i;

	*out = calloc(c->n ? c->n : 1, sizeof(**out));
	if (*out == NULL)
		return -1;
	for (i = 0; i < c->n; i++)
		if (c->e[i].kind == kind)
			(*out)[(*n)++] = (uint32_t)i;
	return 0;
}

static int build_index(struct cf_catalog *c)
{
	if (cat_build_hosts(c) || cat_build_nets(c) ||
	    build_kind(c, CF_CAT_PORT, &c->ports, &c->n_ports) ||
	    build_kind(c, CF_CAT_NDPI, &c->ndpis, &c->n_ndpis) ||
	    build_kind(c, CF_CAT_ASN, &c->asnl, &c->n_asnl))
		return -1;
	return 0;
}

struct cf_catalog *cf_catalog_parse(const char *text, const char *name,
				    char *err, size_t errlen)
{
	struct cf_catalog *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	if (cat_parse(c, text, name, err, errlen)) {
		cf_catalog_free(c);
		return NULL;
	}
	if (build_index(c)) {
		snprintf(err, errlen, "%s: out of memory", name);
		cf_catalog_free(c);
		return NULL;
	}
	return c;
}

static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	size_t n;

	if (fp == NULL) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(CAT_FILE_MAX + 1);
	if (buf == NULL) {
		fclose(fp);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	n = fread(buf, 1, CAT_FILE_MAX + 1, fp);
	if (ferror(fp) || n > CAT_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path, ferror(fp) ?
			 strerror(errno) : "file larger than 4 MiB");
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	if (memchr(buf, '\0', n) != NULL) {
		snprintf(err, errlen, "%s: not a text file (NUL byte)", path);
		free(buf);
		return NULL;
	}
	return buf;
}

struct cf_catalog *cf_catalog_load(const char *path, char *err, size_t errlen)
{
	struct cf_catalog *c;
	char *text = read_file(path, err, errlen);

	if (text == NULL)
		return NULL;
	c = cf_catalog_parse(text, path, err, errlen);
	free(text);
	return c;
}

void cf_catalog_free(struct cf_catalog *c)
{
	size_t i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		for (j = 0; j < c->e[i].n_names; j++)
			free(c->e[i].names[j]);
		free(c->e[i].names);
		free(c->e[i].nets);
		free(c->e[i].ports);
		free(c->e[i].asns);
	}
	free(c->e);
	free(c->exact.items);
	free(c->exact.slot);
	free(c->suffix.items);
	free(c->suffix.slot);
	free(c->globs);
	free(c->cut);
	free(c->iv_off);
	free(c->iv_len);
	free(c->pool);
	free(c->ports);
	free(c->ndpis);
	free(c->asnl);
	free(c);
}

size_t cf_catalog_count(const struct cf_catalog *c)
{
	return c ? c->n : 0;
}

/* --- look-ups without an index ------------------------------------- */

int cf_catalog_match_port(const struct cf_catalog *c, uint8_t proto,
			  uint16_t port, struct cf_cat_match *m)
{
	const struct cat_entry *e;
	uint32_t i;

	for (i = 0; c != NULL && i < c->n_ports; i++) {
		e = &c->e[c->ports[i]];
		if (cat_port_in(e->ports, e->n_ports, proto, port)) {
			cat_fill(e, m);
			return 1;
		}
	}
	return 0;
}

int cf_catalog_match_ndpi(const struct cf_catalog *c, const char *name,
			  struct cf_cat_match *m)
{
	const struct cat_entry *e;
	uint32_t i;
	size_t j;

	if (c == NULL || name == NULL || *name == '\0')
		return 0;
	for (i = 0; i < c->n_ndpis; i++) {
		e = &c->e[c->ndpis[i]];
		for (j = 0; j < e->n_names; j++)
			if (strcasecmp(e->names[j], name) == 0) {
				cat_fill(e, m);
				return 1;
			}
	}
	return 0;
}

int cf_catalog_is_call_app(const struct cf_catalog *c, const char *app)
{
	size_t i;

	for (i = 0; c != NULL && app != NULL && i < c->n; i++)
		if (strcmp(c->e[i].app, app) == 0)
			return 1;
	return 0;
}

const char *cf_catalog_app_at(const struct cf_catalog *c, size_t i)
{
	return c != NULL && i < c->n ? c->e[i].app : NULL;
}
