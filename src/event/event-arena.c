/*
 * event-arena.c - the memory an event is built in.  Alerts, flow records
 * and calls are rendered straight into the line buffer here
 * (event-render.c, event-call.c, no tree: they are written per alert, per
 * flow and per call, on the hot path of a busy capture); the stats and
 * report events are jansson trees: the tree of one event lives in an
 * arena that jansson allocates from (json_set_alloc_funcs) and that is
 * reset after the line is written, instead of a malloc and free per node;
 * the line is dumped into one reusable buffer.  The bytes written are
 * those jansson's own json_dumps would write: the tree and the dumper are
 * jansson's.
 *
 * Everything is per thread: with --threads every worker formats its own
 * events before the outputs' lock is taken.  A thread has two arenas: the
 * first for the events it raises, the second ("side") for an
 * --alert-window summary the outputs have rendered while the first one
 * still holds the event being written (the summary of a window that the
 * new alert closes goes out before it).  The record buffer of
 * event-facts.c lives here too, so that one destructor frees it all.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event/event-int.h"

#define LINE_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

/*
 * An alert or flow event takes about 10 KiB of jansson nodes, hash tables
 * and string copies; 64 KiB leaves room for long names.  A bigger event (a
 * report with many rows) spills to malloc and is then freed node by node.
 */
#define ARENA_SIZE (64 * 1024)
#define ARENA_ALIGN 16

/*
 * One arena and its line buffer.  Made at a thread's first event, freed
 * when the thread ends (ev_key's destructor, through the first state,
 * which owns the side one and the record buffer); the main thread's stay
 * until exit.
 */
struct ev_state {
	size_t used;            /* arena bytes handed out */
	int active;             /* between arena_begin and arena_end */
	int spilled;            /* this event has nodes from malloc */
	struct jw w;            /* the line (dumped or rendered), grown as needed */
	struct ev_state *side;  /* first state only: the side arena, or NULL */
	void *rec;              /* first state only: the record buffer */
	size_t rec_cap;
	_Alignas(ARENA_ALIGN) char arena[ARENA_SIZE];
};

static _Thread_local struct ev_state *ev_main;  /* this thread's first state */
static _Thread_local struct ev_state *ev_cur;   /* the one jansson allocates from */
static pthread_key_t ev_key;
static int ev_key_ok;
static pthread_once_t ev_once = PTHREAD_ONCE_INIT;

static int arena_owns(const struct ev_state *st, const void *p)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)st->arena;

	return a >= b && a < b + ARENA_SIZE;
}

/* jansson's allocator, in every thread: the current arena during an
 * event, malloc otherwise. */
static void *ev_malloc(size_t n)
{
	struct ev_state *st = ev_cur;
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	void *p;

	if (st != NULL && st->active) {
		if (need >= n && need <= ARENA_SIZE - st->used) {
			p = st->arena + st->used;
			st->used += need;
			return p;
		}
		st->spilled = 1;
	}
	return malloc(n);
}

/* Arena memory goes back all at once in arena_end.  A tree never leaves
 * the thread that built it, and is freed while its arena is current. */
static void ev_free(void *p)
{
	struct ev_state *st = ev_cur;

	if (st == NULL || !arena_owns(st, p))
		free(p);
}

static void ev_state_free(void *p)
{
	struct ev_state *st = p;

	if (st->side != NULL)
		ev_state_free(st->side);
	free(st->rec);
	free(st->w.buf);
	free(st);
}

static void ev_setup(void)
{
	json_set_alloc_funcs(ev_malloc, ev_free);
	ev_key_ok = pthread_key_create(&ev_key, ev_state_free) == 0;
}

/*
 * Every entry point calls this before it touches jansson.  Nodes made
 * outside an event (the --report document, tests) come from malloc
 * through the same functions, so the order of first use does not matter.
 */
void json_init(void)
{
	pthread_once(&ev_once, ev_setup);
}

/* This thread's first state, made on first use; NULL without memory. */
static struct ev_state *main_state(void)
{
	struct ev_state *st = ev_main;

	if (st != NULL)
		return st;
	json_init();
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	if (ev_key_ok)
		pthread_setspecific(ev_key, st);
	ev_main = st;
	ev_cur = st;
	return st;
}

static struct ev_state *side_state(void)
{
	struct ev_state *st = main_state();

	if (st != NULL && st->side == NULL)
		st->side = calloc(1, sizeof(*st->side));
	return st != NULL ? st->side : NULL;
}

struct ev_state *arena_begin(int side)
{
	struct ev_state *st = side ? side_state() : main_state();

	if (st != NULL) {
		st->used = 0;
		st->spilled = 0;
		st->active = 1;
		ev_cur = st;
	}
	return st;
}

/*
 * The event's tree is gone: with everything in the arena it is dropped by
 * resetting it (no walk, no free per node); nodes that spilled to malloc
 * need the walk.  The first arena is current again.
 */
void arena_adopt(struct ev_state *st)
{
	if (st != NULL)
		st->spilled = 1;
}

static void arena_end(struct ev_state *st, json_t *root)
{
	st->active = 0;
	if (st->spilled)
		json_decref(root);
	st->used = 0;
	ev_cur = ev_main;
}

void *ev_record_buf(size_t n)
{
	struct ev_state *st = main_state();
	void *p;

	if (st == NULL)
		return NULL;
	if (n > st->rec_cap) {
		p = realloc(st->rec, n);
		if (p == NULL)
			return NULL;
		st->rec = p;
		st->rec_cap = n;
	}
	return st->rec;
}

/* ---- the line buffer ------------------------------------------------ */

/*
 * jansson's dump callback: it is called for every token (a brace, a
 * comma, a key), some 300 times an event, so the common case is short.
 */
static int line_put(const char *s, size_t n, void *data)
{
	struct jw *w = data;

	jw_raw(w, s, n);
	return w->err ? -1 : 0;
}

int emit(struct ev_state *st, struct cf_outputs *out, json_t *root,
	 const struct cf_event_info *ev)
{
	int rc = -1;

	if (st == NULL)
		return -1;
	if (root != NULL) {
		st->w.len = 0;
		st->w.err = 0;
		if (json_dump_callback(root, line_put, &st->w, LINE_FLAGS) == 0)
			rc = out != NULL ? cf_outputs_write_event(out, st->w.buf, st->w.len, ev) : 0;
	}
	arena_end(st, root);
	return rc < 0 ? -1 : 0;
}

const char *ev_line(const struct ev_state *st, size_t *len)
{
	*len = st->w.len;
	return st->w.buf;
}

struct jw *line_begin(int side)
{
	struct ev_state *st = side ? side_state() : main_state();

	if (st == NULL)
		return NULL;
	jw_begin(&st->w);
	return &st->w;
}

int emit_line(struct jw *w, struct cf_outputs *out, const struct cf_event_info *ev)
{
	if (w == NULL || jw_end(w) < 0)
		return -1;
	if (out != NULL && cf_outputs_write_event(out, w->buf, w->len, ev) < 0)
		return -1;
	return 0;
}
