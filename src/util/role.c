/*
 * role.c - the role vocabulary (role.h): one table of names, one rank
 * order.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "util/role.h"

/* In rank order: the role an event leads with is the first one it has. */
static const struct {
	unsigned bit;
	const char *name;
} roles[CF_ROLE_RANKS] = {
	{ CF_ROLE_KEYX, "key-exchange" },
	{ CF_ROLE_MEDIA, "media" },
	{ CF_ROLE_RELAY, "relay" },
	{ CF_ROLE_SIGNALING, "signaling" },
	{ CF_ROLE_WEB, "web" },
};

const char *cf_role_name(unsigned role_bit)
{
	int i;

	for (i = 0; i < CF_ROLE_RANKS; i++)
		if (roles[i].bit == role_bit)
			return roles[i].name;
	return "unknown";
}

unsigned cf_role_parse(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < CF_ROLE_RANKS; i++)
		if (strcmp(roles[i].name, name) == 0)
			return roles[i].bit;
	return 0;
}

unsigned cf_role_at_rank(int i)
{
	return i >= 0 && i < CF_ROLE_RANKS ? roles[i].bit : 0;
}

unsigned cf_role_top(unsigned roles_set)
{
	int i;

	for (i = 0; i < CF_ROLE_RANKS; i++)
		if (roles_set & roles[i].bit)
			return roles[i].bit;
	return 0;
}
