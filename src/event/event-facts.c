/*
 * event-facts.c - the facts of an alert or a flow record, taken when the
 * event is raised: the numbers (times in microseconds, addresses, ports,
 * counters, roles, the rule's severity, the geography) and the strings in
 * their safe form, in one position-independent record (struct ev_facts)
 * that the shapes render from (event-render.c).  No jansson here.
 *
 * Why a record and not the flow itself: an alert that --alert-window
 * holds back is rendered when its window closes, maybe seconds later,
 * when the flow has changed or ended, the policy has been reloaded and its
 * rules and jurisdiction names freed.  The outputs keep a byte copy of the
 * record (they never look into it) and event-alert.c renders it with the
 * count of alerts it stands for.  Taking the facts costs some copying per
 * event; the record is built in a buffer of the thread's that is only
 * ever grown, so there is no allocation per event.
 */
#include "config.h"

#include <string.h>

#include "event/event-int.h"
#include "classify/classify.h"

/*
 * The record being taken and the bytes its buffer holds: the buffer is
 * asked for more (ev_record_buf, which may move it) only when a string
 * does not fit, once a run or so.
 */
struct take {
	struct ev_facts *x;
	size_t cap;
};

/* Room in t's record for a text of n more bytes: 0, or -1 without memory. */
static int take_room(struct take *t, size_t n)
{
	size_t need = sizeof(*t->x) + t->x->text_len + n;

	if (need <= t->cap)
		return 0;
	if (need < 2 * t->cap)
		need = 2 * t->cap;
	t->x = ev_record_buf(need);
	if (t->x == NULL)
		return -1;
	t->cap = need;
	return 0;
}

/*
 * Append the safe form of s to the record's text; its offset in *off (0:
 * none), its length in *len.
 */
static int add_text(struct take *t, const char *s, size_t max, uint32_t *off,
		    uint16_t *len)
{
	char buf[SAFE_MAX];
	const char *v;
	size_t n = safe_view(s, max, buf, &v);
	struct ev_facts *x;

	*off = 0;
	*len = (uint16_t)n;             /* < SAFE_MAX */
	if (n == 0)
		return 0;
	if (take_room(t, n + 1) < 0)
		return -1;
	x = t->x;
	*off = x->text_len;
	memcpy(x->text + x->text_len, v, n);
	x->text[x->text_len + n] = '\0';
	x->text_len += (uint32_t)n + 1;
	return 0;
}

static int add_str(struct take *t, enum ev_str i, const char *s, size_t max)
{
	uint32_t off;
	uint16_t len;
	int rc = add_text(t, s, max, &off, &len);

	if (rc == 0) {
		t->x->s[i] = off;
		t->x->len[i] = len;
	}
	return rc;
}

/* The non-empty permitted names, one after the other. */
static int add_permitted(struct take *t, const char *const *names)
{
	const char *const *s;
	uint32_t off;
	uint16_t len;

	t->x->permitted = names != NULL && names[0] != NULL;
	for (s = names; s != NULL && *s != NULL; s++) {
		if (add_text(t, *s, SAFE_MAX, &off, &len) < 0)
			return -1;
		if (off != 0 && t->x->n_permitted++ == 0)
			t->x->s[EV_PERMITTED] = off;
	}
	return 0;
}

static void take_end(struct ev_end *e, const struct cf_flow *f, int end)
{
	e->ip = f->ip[end];
	e->port = f->port[end];
	e->bytes = f->bytes[end];
	e->packets = f->pkts[end];
}

/* The numbers of f, g and m. */
static void take_numbers(struct ev_facts *x, const struct cf_event_meta *m,
			 const struct cf_flow *f, const struct cf_geo_result *g)
{
	x->ours = f->local == 1 ? 1 : 0;       /* the initiator while undecided */
	/* ECS: the source initiated the flow: the first packet's sender, but
	   for a flow seen from its middle (no SYN) the end not on a server's
	   port when the other is (engine.c's decide_local flags it) */
	x->init = (f->local_by & CF_LOCAL_MIDFLOW_SERVER_FIRST) ? 1 : 0;
	take_end(&x->src, f, x->init);
	take_end(&x->dst, f, !x->init);
	x->src_ip_len = (uint8_t)strlen(cf_addr_str(&x->src.ip, x->src_ip, sizeof(x->src_ip)));
	x->dst_ip_len = (uint8_t)strlen(cf_addr_str(&x->dst.ip, x->dst_ip, sizeof(x->dst_ip)));
	x->home = (uint8_t)(((m->home >> x->init) & 1) | (((m->home >> !x->init) & 1) << 1));
	x->proto = f->proto;
	x->v6 = f->ip_version ? f->ip_version == 6 : !cf_addr_is_v4(&f->ip[0]);
	x->vlan = f->vlan;
	x->first_us = f->first_us;
	x->last_us = f->last_us;
	x->roles = f->cls.roles;
	x->call_key = f->cls.call_key;
	x->call_by = f->cls.call_by;
	x->verdict = f->verdict;
	x->n_alerts = f->n_alerts;
	x->local_by = (uint8_t)CF_LOCAL_BY(f);
	if (cf_community_id_flow(f, x->cid, sizeof(x->cid)) != 0)
		x->cid[0] = '\0';
	if ((x->has_geo = g != NULL))
		x->geo = *g;
	if ((x->has_relay = f->cls.has_relay_peer)) {
		x->relay_ip = f->cls.relay_peer;
		x->relay_port = f->cls.relay_peer_port;
	}
	if ((x->has_relay_geo = m->relay_peer_geo != NULL))
		x->relay_geo = *m->relay_peer_geo;
	x->relay_peer_alert = m->relay_peer_alert;
	if ((x->has_geo_check = m->geo_check != NULL))
		x->geo_check = *m->geo_check;
}

/*
 * The server certificate's names (cls.cert: the subject CN, then the
 * subjectAltName dNSNames, a '\n' before each): the CN at EV_CERT_CN,
 * the dNSNames in a row at EV_CERT_SAN.
 */
static int add_cert(struct take *t, const char *cert)
{
	const char *nl = strchr(cert, '\n');
	char name[CF_CERT_LEN];
	size_t n = nl != NULL ? (size_t)(nl - cert) : strlen(cert);
	uint32_t off;
	uint16_t len;

	if (*cert == '\0')
		return 0;
	memcpy(name, cert, n);
	name[n] = '\0';
	if (add_str(t, EV_CERT_CN, name, sizeof(name)) < 0)
		return -1;
	while (nl != NULL) {
		cert = nl + 1;
		nl = strchr(cert, '\n');
		n = nl != NULL ? (size_t)(nl - cert) : strlen(cert);
		memcpy(name, cert, n);
		name[n] = '\0';
		if (add_text(t, name, sizeof(name), &off, &len) < 0)
			return -1;
		if (off != 0 && t->x->n_san++ == 0)
			t->x->s[EV_CERT_SAN] = off;
	}
	return 0;
}

/* The strings: the rule's, the class's and the meta's. */
static int take_strings(struct take *t, const struct cf_event_meta *m,
			const struct cf_flow *f, const struct cf_rule_info *r)
{
	const char *app = cf_class_app(&f->cls);

	if (r != NULL && (add_str(t, EV_RULE_ID, r->id, SAFE_MAX) < 0 ||
			  add_str(t, EV_RULE_NAME, r->msg, SAFE_MAX) < 0 ||
			  add_str(t, EV_RULESET, r->ruleset, SAFE_MAX) < 0))
		return -1;
	if (add_str(t, EV_DOMAIN, cf_class_host(&f->cls), CF_HOST_LEN) < 0 ||
	    add_str(t, EV_L7, cf_class_l7(&f->cls), CF_L7_LEN) < 0 ||
	    (strcmp(app, "unknown") != 0 && add_str(t, EV_APP, app, CF_APP_LEN) < 0) ||
	    add_str(t, EV_EVIDENCE, cf_class_evidence(&f->cls), CF_EVID_LEN) < 0 ||
	    add_str(t, EV_HOSTNAME, m->observer_hostname, SAFE_MAX) < 0 ||
	    add_str(t, EV_INTERFACE, m->interface, SAFE_MAX) < 0 ||
	    add_cert(t, cf_class_cert(&f->cls)) < 0)
		return -1;
	return add_permitted(t, m->permitted);
}

struct ev_facts *ev_facts_take(const struct cf_event_meta *m, const struct cf_flow *f,
			       const struct cf_geo_result *remote_geo,
			       const struct cf_rule_info *r, uint64_t ts_us)
{
	/* room for the strings of most records at once */
	struct take t = { ev_record_buf(sizeof(*t.x) + 4096), sizeof(*t.x) + 4096 };
	struct ev_facts *x = t.x;

	if (x == NULL)
		return NULL;
	memset(x, 0, sizeof(*x));
	x->text[0] = '\0';              /* offset 0: no string */
	x->text_len = 1;
	x->ts_us = ts_us;
	take_numbers(x, m, f, remote_geo);
	if ((x->has_rule = r != NULL)) {
		x->severity = r->severity;
		x->sdes = r->id != NULL && strcmp(r->id, "callfence-sdes-cleartext") == 0;
	}
	if (take_strings(&t, m, f, r) < 0)
		return NULL;
	x = t.x;
	x->size = sizeof(*x) + x->text_len;
	return x;
}

size_t ev_fold_key(const struct ev_facts *x, unsigned char *buf)
{
	const char *id = ev_str(x, EV_RULE_ID);
	size_t n;

	if (id == NULL)
		return 0;
	/* id is safe: shorter than SAFE_MAX, so all of it fits */
	n = x->len[EV_RULE_ID];
	memcpy(buf, id, n);
	buf[n++] = 0x1f;
	memcpy(buf + n, x->src_ip, x->src_ip_len);
	n += x->src_ip_len;
	buf[n++] = 0x1f;
	memcpy(buf + n, x->dst_ip, x->dst_ip_len);
	n += x->dst_ip_len;
	buf[n] = '\0';
	return n;
}
