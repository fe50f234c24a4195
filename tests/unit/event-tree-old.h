/* event-tree-old.h - the old jansson trees of an alert and a flow record
 * (event-tree-old.c) and of a call (event-call-old.c), for
 * test-event-render.c only. */
#ifndef CF_EVENT_TREE_OLD_H
#define CF_EVENT_TREE_OLD_H

json_t *old_alert_tree(const struct ev_facts *x, uint64_t ts_us, uint64_t count);
json_t *old_flow_tree(const struct ev_facts *x);
/* event-call-old.c */
json_t *old_call_tree(const struct cf_event_meta *m, const struct cf_call_record *c,
		      uint64_t ts_us);

#endif
