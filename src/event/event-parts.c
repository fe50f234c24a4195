/*
 * event-parts.c - the parts of the stats and report events (jansson
 * trees: written once a run or once a minute) that alerts, flow
 * records and calls have too: observer and ecs.  Those are rendered
 * without a tree (event-render.c, event-call.c), so a change here must
 * be made there too.
 */
#include "config.h"

#include <string.h>

#include "event/event-int.h"

static json_t *observer_of(json_t *hostname, json_t *ifname)
{
	json_t *o = json_object(), *ing, *ifc;

	put(o, "hostname", hostname);
	put_lit(o, "vendor", "callfence");
	put_lit(o, "product", "callfence");
	put_lit(o, "version", PACKAGE_VERSION);
	put_lit(o, "type", "sensor");
	if (ifname != NULL) {
		ifc = json_object();
		put(ifc, "name", ifname);
		ing = json_object();
		put(ing, "interface", ifc);
		put(o, "ingress", ing);
	}
	return o;
}

json_t *observer_obj(const struct cf_event_meta *m)
{
	return observer_of(safe_json(m->observer_hostname, SAFE_MAX),
			   safe_json(m->interface, SAFE_MAX));
}

void put_ecs(json_t *root)
{
	json_t *e = json_object();

	put_lit(e, "version", CF_ECS_VERSION);
	put(root, "ecs", e);
}
