/*
 * event-put.c - the values and members of an event tree.  Every string
 * goes in in its safe form (event-safe.c), so it is handed to jansson
 * with the _nocheck calls (it would validate it again); keys are literals
 * (also _nocheck).  Fields whose value is unknown or empty are left out
 * rather than written as null or "".
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "event/event-int.h"

json_t *safe_json(const char *s, size_t max)
{
	char buf[SAFE_MAX];
	const char *v;
	size_t n = safe_view(s, max, buf, &v);

	return n != 0 ? json_stringn_nocheck(v, n) : NULL;
}

const char *put_strn(json_t *o, const char *key, const char *s, size_t max)
{
	json_t *v = safe_json(s, max);

	put(o, key, v);
	return json_string_value(v);
}

void put_lit(json_t *o, const char *key, const char *s)
{
	put(o, key, json_stringn_nocheck(s, strlen(s)));
}

void put_u64(json_t *o, const char *key, uint64_t v)
{
	if (v > (uint64_t)INT64_MAX)
		v = (uint64_t)INT64_MAX;
	put(o, key, json_integer((json_int_t)v));
}

void put_known(json_t *o, const char *key, uint64_t v)
{
	if (v != 0)
		put_u64(o, key, v);
}

int put_time(json_t *o, const char *key, uint64_t us)
{
	char buf[80];

	cf_event_time(us, buf, sizeof(buf));
	if (buf[0] == '\0')
		return 0;
	put(o, key, json_stringn_nocheck(buf, strlen(buf)));
	return 1;
}

void put_obj(json_t *o, const char *key, json_t *child)
{
	if (child == NULL)
		return;
	if (json_is_object(child) && json_object_size(child) == 0) {
		json_decref(child);
		return;
	}
	json_object_set_new_nocheck(o, key, child);
}
