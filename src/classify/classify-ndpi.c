/*
 * classify-ndpi.c - the nDPI 4.2 adapter (the only nDPI includer).
 *
 * Calls used: ndpi_init_detection_module, ndpi_set_protocol_detection_-
 * bitmask2, ndpi_finalize_initialization, ndpi_exit_detection_module,
 * ndpi_flow_malloc / ndpi_free_flow / ndpi_free_flow_data / ndpi_free,
 * ndpi_detection_process_packet,
 * ndpi_extra_dissection_possible, ndpi_detection_giveup,
 * ndpi_get_proto_name, the flow's host_server_name field, and the id
 * NDPI_PROTOCOL_MSTEAMS (cf_ndpi_hello_remembered).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <ndpi_api.h>

/*
 * Under AddressSanitizer its leak checker must read the arenas (below):
 * a module there points to what nDPI allocated later (its caches, from
 * malloc), which would otherwise look leaked while the module lives.
 */
#if defined(__SANITIZE_ADDRESS__)
#define CF_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CF_LSAN 1
#endif
#endif
#ifdef CF_LSAN
#include <sanitizer/lsan_interface.h>
#define arena_scanned(p, n) __lsan_register_root_region((p), (n))
#define arena_unscanned(p, n) __lsan_unregister_root_region((p), (n))
#else
#define arena_scanned(p, n) ((void)(p), (void)(n))
#define arena_unscanned(p, n) ((void)(p), (void)(n))
#endif

#include "classify/classify.h"
#include "classify/classify-ndpi.h"

struct arena {
	uint8_t *base;          /* NULL: none (malloc) */
	size_t used;            /* grows only while its module is made */
	unsigned slot;
};

struct cf_ndpi {
	struct ndpi_detection_module_struct *mod;
	void *pool;             /* states given back, linked through their first word */
	unsigned pooled;
	struct arena arena;     /* what nDPI allocated making mod */
};

/*
 * A detection module is used by one thread only.  Setting one up touches
 * process-wide state once, unguarded: libgcrypt's initialisation
 * (gcry_check_version) and a table nDPI 4.2 builds the first time (a flag
 * set at the end of ndpi_init_detection_module).  So the first module is
 * made alone, under setup_mu; after it, modules are made with
 * ndpi_dont_init_libgcrypt and need no lock, and --threads's engines
 * make theirs at the same time.  cf_ndpi_prepare makes that first module
 * in the main thread before the workers start, and that thread's engine
 * takes it: a worker that took it would leave the main thread - which
 * reads the packets once set-up ends - to make a second module alone
 * while the worker waits.  Taking a module down touches nothing shared
 * (nDPI's memory counters are atomic).
 */
static pthread_mutex_t setup_mu = PTHREAD_MUTEX_INITIALIZER;
static int first_made;                                  /* under setup_mu */
static struct ndpi_detection_module_struct *spare;      /* under setup_mu */
static pthread_t spare_for;             /* the thread that made spare */

/*
 * What nDPI 4.2 allocates while a module is made - about 100,000 blocks,
 * 4.6 MB: the nodes of its address trees and string automata - comes
 * from an arena of the module's own, handed out by a pointer bump, and
 * goes with the module at once.  From malloc those were 100,000 calls at
 * start and again at the end, and some 1,400 page faults (a fifth of a
 * short run's start-up).  The arenas are slots of one region reserved
 * once (virtual memory, backed as it is touched, its first 6 MiB in
 * 2 MiB pages where the kernel allows: all of a module, whose last MB in
 * 4 KiB pages was 250 faults of ~13 us each on the VMs measured), so
 * that nDPI's free tells an arena block by its address with two compares
 * and leaves it.  Everything nDPI allocates
 * after start-up (per flow, its caches) comes from malloc; so does what
 * does not fit in a slot, and a module made when every slot is taken.
 */
#define ARENA_SLOT ((size_t)16 << 20)
#define ARENA_SLOTS 64
#define ARENA_ALIGN 16
#define ARENA_HUGE ((size_t)6 << 20)   /* nDPI 4.2 makes a module in ~5 MB */

static uint8_t *region;                 /* ARENA_SLOTS slots, set once */
static uint64_t slot_busy;              /* under setup_mu */
static __thread struct arena *making;   /* the module this thread makes */

static void *nd_malloc(size_t n)
{
	struct arena *a = making;
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);

	if (a != NULL && need >= n && need <= ARENA_SLOT - a->used) {
		void *p = a->base + a->used;

		a->used += need;
		return p;
	}
	return malloc(n);
}

static void nd_free(void *p)
{
	if (region != NULL && (uint8_t *)p >= region &&
	    (uint8_t *)p < region + (size_t)ARENA_SLOTS * ARENA_SLOT)
		return;                 /* goes with its arena */
	free(p);
}

/* Under setup_mu: nDPI's allocator set, the region reserved (once). */
static void arena_setup(void)
{
	static int done;
	size_t i;
	void *p;

	if (done)
		return;
	done = 1;
	set_ndpi_malloc(nd_malloc);
	set_ndpi_free(nd_free);
	p = mmap(NULL, (size_t)ARENA_SLOTS * ARENA_SLOT, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return;                 /* malloc it is */
#ifdef MADV_HUGEPAGE
	/* the first ARENA_HUGE bytes of a slot in 2 MiB pages, the rest (the
	   last few hundred KiB a module takes) in 4 KiB pages, so that the
	   arena holds no more than malloc would have */
	for (i = 0; i < ARENA_SLOTS; i++)
		(void)madvise((uint8_t *)p + i * ARENA_SLOT, ARENA_HUGE, MADV_HUGEPAGE);
#endif
	region = p;
}

/* Under setup_mu: a free slot for a module's arena (a->base NULL when
 * none). */
static void arena_take_locked(struct arena *a)
{
	unsigned i;

	a->base = NULL;
	a->used = 0;
	arena_setup();
	for (i = 0; region != NULL && i < ARENA_SLOTS; i++)
		if (!(slot_busy & (1ull << i))) {
			slot_busy |= 1ull << i;
			a->base = region + (size_t)i * ARENA_SLOT;
			a->slot = i;
			break;
		}
}

/* Under setup_mu: the module is gone, its arena's memory back to the
 * system, its slot free. */
static void arena_give_locked(struct arena *a)
{
	if (a->base == NULL)
		return;
	if (a->used > 0) {
		arena_unscanned(a->base, a->used);
		(void)madvise(a->base, a->used, MADV_DONTNEED);
	}
	slot_busy &= ~(1ull << a->slot);
	a->base = NULL;
}

static struct ndpi_detection_module_struct *module_make(ndpi_init_prefs prefs,
							 struct arena *a)
{
	struct ndpi_detection_module_struct *m;
	NDPI_PROTOCOL_BITMASK all;

	if (a->base != NULL)
		making = a;
	m = ndpi_init_detection_module(prefs);
	if (m != NULL) {
		NDPI_BITMASK_SET_ALL(all);
		ndpi_set_protocol_detection_bitmask2(m, &all);
		ndpi_finalize_initialization(m);
	}
	making = NULL;
	if (a->base != NULL && a->used > 0)
		arena_scanned(a->base, a->used);
	return m;
}

/* The first module, made alone (lock held), its arena in *a; NULL when
 * it failed. */
static struct ndpi_detection_module_struct *module_first(struct arena *a)
{
	struct ndpi_detection_module_struct *m;

	arena_take_locked(a);
	m = module_make(ndpi_no_prefs, a);
	first_made = (m != NULL);
	if (m == NULL)
		arena_give_locked(a);
	return m;
}

static struct arena spare_arena;                        /* under setup_mu */

void cf_ndpi_prepare(void)
{
	pthread_mutex_lock(&setup_mu);
	if (!first_made) {
		spare = module_first(&spare_arena);
		spare_for = pthread_self();
	}
	pthread_mutex_unlock(&setup_mu);
}

int cf_ndpi_spare_waiting(void)
{
	int w;

	pthread_mutex_lock(&setup_mu);
	w = spare != NULL;
	pthread_mutex_unlock(&setup_mu);
	return w;
}

struct cf_ndpi *cf_ndpi_new(char *err, size_t errlen)
{
	struct cf_ndpi *n;
	int first;

	n = calloc(1, sizeof(*n));
	if (n == NULL) {
		snprintf(err, errlen, "nDPI: out of memory");
		return NULL;
	}
	pthread_mutex_lock(&setup_mu);
	if (spare != NULL && pthread_equal(spare_for, pthread_self())) {
		n->mod = spare;
		n->arena = spare_arena;
		spare = NULL;
	} else if (!first_made) {
		n->mod = module_first(&n->arena);
	}
	first = first_made;
	if (n->mod == NULL && first)
		arena_take_locked(&n->arena);
	pthread_mutex_unlock(&setup_mu);
	if (n->mod == NULL && first) {
		n->mod = module_make(ndpi_dont_init_libgcrypt, &n->arena);
		if (n->mod == NULL) {
			pthread_mutex_lock(&setup_mu);
			arena_give_locked(&n->arena);
			pthread_mutex_unlock(&setup_mu);
		}
	}
	if (n->mod == NULL) {
		snprintf(err, errlen, "nDPI: cannot initialise the detection module");
		free(n);
		return NULL;
	}
	return n;
}

void cf_ndpi_free(struct cf_ndpi *n)
{
	if (n == NULL)
		return;
	ndpi_exit_detection_module(n->mod);
	while (n->pool != NULL) {
		void *next;

		memcpy(&next, n->pool, sizeof(next));
		ndpi_free(n->pool);
		n->pool = next;
	}
	pthread_mutex_lock(&setup_mu);
	arena_give_locked(&n->arena);
	pthread_mutex_unlock(&setup_mu);
	free(n);
}

void *cf_ndpi_flow_new(struct cf_ndpi *n)
{
	struct ndpi_flow_struct *f = n->pool;

	if (f != NULL) {
		memcpy(&n->pool, f, sizeof(n->pool));
		n->pooled--;
	} else {
		f = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);
	}

	if (f != NULL)
		memset(f, 0, SIZEOF_FLOW_STRUCT);
	return f;
}

size_t cf_ndpi_flow_size(void)
{
	return SIZEOF_FLOW_STRUCT;
}

void cf_ndpi_flow_free(struct cf_ndpi *n, void *flow)
{
	if (flow == NULL)
		return;
	if (n == NULL || n->pooled >= CF_NDPI_POOL_MAX) {
		ndpi_free_flow(flow);
		return;
	}
	/* what nDPI allocated for the flow goes; the state itself is kept */
	ndpi_free_flow_data(flow);
	memcpy(flow, &n->pool, sizeof(n->pool));
	n->pool = flow;
	n->pooled++;
}

/* Is an end of f (IPv4) in nDPI's Google networks? */
static int google_end(struct ndpi_detection_module_struct *m,
		      const struct ndpi_flow_struct *f)
{
	struct in_addr a;

	a.s_addr = f->saddr;
	if (a.s_addr != 0 && ndpi_network_ptree_match(m, &a) == NDPI_PROTOCOL_GOOGLE)
		return 1;
	a.s_addr = f->daddr;
	return a.s_addr != 0 && ndpi_network_ptree_match(m, &a) == NDPI_PROTOCOL_GOOGLE;
}

static void fill(struct cf_ndpi *nd, struct cf_ndpi_verdict *v, const ndpi_protocol *p,
		 const struct ndpi_flow_struct *f)
{
	size_t n = strnlen(f->host_server_name, sizeof(f->host_server_name));

	v->app = p->app_protocol;
	v->master = p->master_protocol;
	/*
	 * A verdict from nDPI's LRU caches (correlation with earlier flows of
	 * the same address) depends on which flows this nDPI module happened
	 * to see: with --threads each worker has its own.  It is not taken,
	 * so that the verdict is a function of the flow alone.
	 */
	if (f->confidence == NDPI_CONFIDENCE_DPI_CACHE)
		v->app = v->master = NDPI_PROTOCOL_UNKNOWN;
	/*
	 * The same cache, another way in: nDPI 4.2 names Google's STUN
	 * servers' flows GoogleHangoutDuo and puts the client's address and
	 * port in its STUN cache; a later STUN flow from that socket (the
	 * app's relay, its peer) is then named GoogleHangoutDuo with the
	 * confidence of its own DPI.  Duo is taken only for a flow with an
	 * end in Google's networks (what nDPI's own test is); else the
	 * verdict is not taken at all (nothing else made it STUN).
	 */
	if (v->app == NDPI_PROTOCOL_HANGOUT_DUO && !google_end(nd->mod, f))
		v->app = v->master = NDPI_PROTOCOL_UNKNOWN;
	if (v->master == v->app)
		v->master = NDPI_PROTOCOL_UNKNOWN;
	if (n >= sizeof(v->host))
		n = sizeof(v->host) - 1;
	memcpy(v->host, f->host_server_name, n);
	v->host[n] = '\0';
}

/*
 * TLS over TCP whose service nDPI named from the client's hello (the
 * SNI: "TLS.Zoom"): what callfence takes from nDPI - the app, the master
 * and the host - is there.  nDPI would go on to the server's
 * certificate (extra dissection: it reassembles the handshake, copying
 * its buffer at every segment), which callfence reads itself
 * (recog-x509.c).  No more packets for it.
 */
static int tls_named(const ndpi_protocol *p, const struct ndpi_flow_struct *f)
{
	/* subprotocol_detected: the app came from the SNI, and then (nDPI
	   4.2's processCertificate) the certificate's names cannot change it;
	   an app from the addresses alone (TLS.Azure) may still become
	   TLS.Teams by the certificate */
	return p->master_protocol == NDPI_PROTOCOL_TLS &&
	       p->app_protocol != NDPI_PROTOCOL_UNKNOWN &&
	       p->app_protocol != NDPI_PROTOCOL_TLS &&
	       f->protos.tls_quic.subprotocol_detected;
}

/*
 * A DNS flow nDPI named from its query: nDPI 4.2 (dns.c) sets the verdict
 * at the query and keeps the flow only to read the response's counts and
 * codes; the response's question names the same subprotocol, and a
 * verdict already set is not changed by it.  Only metadata callfence does
 * not take would come (and nDPI's name check of the response's question,
 * the costliest DNS packets it reads).  callfence reads the answers
 * itself (classify-dns.c).
 */
static int dns_named(const ndpi_protocol *p, const struct ndpi_flow_struct *f)
{
	/* the protocol first: protos is a union, its dns part is DNS's */
	return (p->master_protocol == NDPI_PROTOCOL_DNS ||
		(p->app_protocol == NDPI_PROTOCOL_DNS &&
		 p->master_protocol == NDPI_PROTOCOL_UNKNOWN)) &&
	       f->protos.dns.is_query && f->host_server_name[0] != '\0';
}

void cf_ndpi_process(struct cf_ndpi *n, void *flow, const uint8_t *l3,
		     uint32_t len, uint64_t ts_ms, struct cf_ndpi_verdict *v)
{
	struct ndpi_flow_struct *f = flow;
	ndpi_protocol p;

	if (len > 0xffff)
		len = 0xffff;
	p = ndpi_detection_process_packet(n->mod, f, l3, (unsigned short)len,
					  ts_ms);
	fill(n, v, &p, f);
	v->complete = (v->app != NDPI_PROTOCOL_UNKNOWN ||
		       v->master != NDPI_PROTOCOL_UNKNOWN) &&
		      (tls_named(&p, f) || dns_named(&p, f) ||
		       !ndpi_extra_dissection_possible(n->mod, f));
}

void cf_ndpi_giveup(struct cf_ndpi *n, void *flow, struct cf_ndpi_verdict *v)
{
	struct ndpi_flow_struct *f = flow;
	uint8_t guessed = 0;
	ndpi_protocol p;

	p = ndpi_detection_giveup(n->mod, f, 1, &guessed);
	fill(n, v, &p, f);
	v->complete = 1;
}

const char *cf_ndpi_hello_remembered(const struct cf_ndpi *n, unsigned i)
{
	return i == 0 ? cf_ndpi_name(n, NDPI_PROTOCOL_MSTEAMS) : NULL;
}

const char *cf_ndpi_name(const struct cf_ndpi *n, uint16_t id)
{
	const char *s;

	if (id == NDPI_PROTOCOL_UNKNOWN)
		return "";
	s = ndpi_get_proto_name(n->mod, id);
	return (s == NULL || strcmp(s, "Unknown") == 0) ? "" : s;
}

const char *cf_classify_ndpi_version(void)
{
	return ndpi_revision();
}
