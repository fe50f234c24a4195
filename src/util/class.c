/*
 * class.c - writing a class's strings (class.h): app and l7 become ids of
 * the name table (names.c), host and evidence references into the intern
 * table (intern.c), each cut at its limit; cf_class_release drops the
 * references when the flow ends.
 */
#include "config.h"

#include <string.h>

#include "util/class.h"

void cf_class_set_app(struct cf_class *c, const char *app)
{
	c->app_id = cf_class_name_id(app, CF_APP_LEN, 0);
}

void cf_class_set_l7(struct cf_class *c, const char *l7)
{
	c->l7_id = cf_class_name_id(l7, CF_L7_LEN, 0);
}

int cf_class_set_host(struct cf_class *c, const char *s, size_t len)
{
	return cf_intern_set(&c->host_str, s, strnlen(s, len < CF_HOST_LEN ?
							  len : CF_HOST_LEN));
}

int cf_class_set_evidence(struct cf_class *c, const char *s, size_t len)
{
	return cf_intern_set(&c->evid_str, s, strnlen(s, len < CF_EVID_LEN ?
							  len : CF_EVID_LEN));
}

int cf_class_set_cert(struct cf_class *c, const char *s, size_t len)
{
	return cf_intern_set(&c->cert_str, s, strnlen(s, len < CF_CERT_LEN ?
							  len : CF_CERT_LEN));
}

void cf_class_release(struct cf_class *c)
{
	cf_intern_put(c->host_str);
	cf_intern_put(c->evid_str);
	cf_intern_put(c->cert_str);
	c->host_str = NULL;
	c->evid_str = NULL;
	c->cert_str = NULL;
}
