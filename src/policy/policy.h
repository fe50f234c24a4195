/*
 * policy.h - the jurisdiction policy: compiled from rules files
 * (callfence.rules(5)) once, evaluated per flow when what we know of the
 * flow changes.
 */
#ifndef CF_POLICY_H
#define CF_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "util/netaddr.h"

struct cf_plaus;

enum cf_action { CF_ACT_PASS = 0, CF_ACT_ALERT = 1 };

enum cf_severity {
	CF_SEV_NONE = 0,
	CF_SEV_LOW,
	CF_SEV_MEDIUM,
	CF_SEV_HIGH,
	CF_SEV_CRITICAL
};

/* What the engine and the events need to know of one compiled rule. */
struct cf_rule_info {
	int index;              /* position in the policy, 0-based */
	const char *id;         /* stable id: given with "id NAME" or "RULESET:LINE" */
	const char *msg;        /* msg "..." or a generated description */
	const char *ruleset;    /* basename of the file without extension */
	const char *file;       /* path as given */
	int line;
	enum cf_action action;
	enum cf_severity severity;  /* CF_SEV_NONE for pass */
	const char *to_text;    /* the "to" matcher as written, "" if none */
};

/* A flow as the policy sees it. */
struct cf_judge_input {
	const char *app;        /* "zoom", ... ; never NULL */
	unsigned roles;         /* CF_ROLE_* bitmask */
	int is_call;            /* flow is call traffic (app or roles say so) */
	const char *country;    /* remote end's country; NULL or "" = unknown */
	uint32_t asn;           /* remote ASN, 0 unknown */
	const char *as_org;     /* remote AS organization; NULL or "" unknown */
	/* the speed-of-light check (geo/plausible.h; rules geo, reachable):
	   the verdict on country, the check (NULL: no observer location)
	   and the remote end's smallest RTT (< 0: none measured) */
	unsigned plausibility;  /* enum cf_plaus_verdict; 0 unknown */
	const struct cf_plaus *plaus;
	int64_t rtt_us;
	const cf_addr *local;   /* our end */
	const cf_addr *remote;  /* their end */
	const char *host;       /* server name; NULL or "" if none */
};

struct cf_policy;

/*
 * Compile the rules file at path (and what it includes).  Returns NULL on
 * error with "file:line:col: message" in err.  include paths are relative to
 * the including file's directory, then to each of incdirs.
 */
struct cf_policy *cf_policy_load(const char *path, const char *const *incdirs,
				 size_t nincdirs, char *err, size_t errlen);
void cf_policy_free(struct cf_policy *p);

/* Print the compiled policy in a stable text form (--check-rules). */
void cf_policy_print(const struct cf_policy *p, FILE *fp);

/*
 * The linter of --check-rules (policy-lint.c, policy-shadow.c): rules that
 * compile but cannot do what they say.  Warns about an app name that is
 * none of apps[0..napps-1] (the names a flow's app can take: the catalog's
 * and the classifier's own; apps NULL: not checked; apps_from names where
 * they come from, for the message), and a rule that never decides a flow
 * because the rules above it decide every flow it matches.  warn is called
 * once per warning, in rule order, with the whole line:
 * "FILE:LINE:COL: warning: MESSAGE", followed, for a file read through
 * include, by " [in file included from FILE:LINE:COL, from ...]".
 * Returns the number of warnings.
 */
typedef void (*cf_lint_warn_fn)(void *ctx, const char *line);
unsigned cf_policy_lint(const struct cf_policy *p, const char *const *apps,
			size_t napps, const char *apps_from,
			cf_lint_warn_fn warn, void *ctx);

/*
 * Is a home?  Every special-purpose address (RFC 1918, ULA, loopback,
 * link-local, CGNAT, multicast, broadcast) is home, and so is every
 * home-net prefix the rules declare.
 */
int cf_policy_is_home(const struct cf_policy *p, const cf_addr *a);
int cf_policy_has_home(const struct cf_policy *p);

/*
 * First rule matching in; -1 when none does.  When a rule's role matcher
 * names several roles, *matched_roles gets the ones the flow has.
 */
int cf_policy_eval(const struct cf_policy *p, const struct cf_judge_input *in,
		   unsigned *matched_roles);

size_t cf_policy_rule_count(const struct cf_policy *p);
/* NULL when index out of range. */
const struct cf_rule_info *cf_policy_rule(const struct cf_policy *p, int index);

/*
 * Names of the jurisdictions the pass rules permit (for the event's
 * callfence.jurisdiction.permitted), NULL-terminated, owned by the policy.
 */
const char *const *cf_policy_permitted(const struct cf_policy *p);

/*
 * Is country (ISO alpha-2) in the named jurisdiction set?  -1 if no such
 * set.  For --lookup and tests.
 */
int cf_policy_in_jurisdiction(const struct cf_policy *p, const char *set,
			      const char *country);

const char *cf_severity_name(enum cf_severity s);   /* "low", ... */
int cf_severity_parse(const char *s);                /* -1 if unknown */
int cf_severity_ecs(enum cf_severity s);             /* 21, 47, 73, 99 */

#endif /* CF_POLICY_H */
