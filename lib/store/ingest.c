/*
 * ingest.c: adding read records to the store (alpr-store add).
 *
 * Two stages, each on a core of its own, with two batches between them:
 *
 * The reading stage checks each record as it comes (a bad one is reported
 * with file and line and the rest go on) and keeps it in a batch. When the
 * batch is full, the input ends, or the input has nothing more for the
 * moment (a live pipeline's reads are stored as they arrive), it looks
 * up the reads that are not later than everything stored, to leave out
 * those stored already (an input added again), then seals
 * each read under the key it will most likely have, makes its index terms
 * and hashes them under the read's day key (made in memory on the day's
 * first read), a large batch's halves on two cores, and hands the batch
 * on.
 *
 * The writing stage writes a batch in one write transaction: a new day's
 * key, wrapped; for each read
 * a key DAY CS SERIAL in time order, the record sealed under it, its frame
 * sealed into the store's spool; then the postings, sorted by index key,
 * one put per key; the days' filters (filter.c); then the access log
 * entry; then the commit. Keys that sort after
 * everything stored go in with MDB_APPEND. Ingest is idempotent by read
 * id (its frame's id, which begins with its time, and its box): a read
 * whose DAY CS holds another read is opened and compared, and a read
 * already stored, in the store or earlier in the batch, is counted as a
 * duplicate and not stored again. So a batch cut short by a crash is simply
 * read again. The capture spool's plain copy of a frame is removed once
 * the batch that sealed it is committed (or, after a crash between the
 * two, once a batch finds its read stored). On MDB_MAP_FULL the batch is
 * abandoned, the map doubled, and the batch written again.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

#define MAXLINE (1 << 20)
#define MAXREAD (64 << 10)	/* a read is a kilobyte or so; one taken
				 * from a camera's pipeline leaves 4 KiB for
				 * the stores it is pushed on to to say so */
#define AHEAD (24 * 3600)	/* how far ahead of our clock a read's time
				 * may be (a camera's clock, a time zone) */
#define MAXARENA (64 << 20)	/* a batch's bytes, before it is written */
#define NONE UINT32_MAX

struct pend {			/* a read in a batch; strings in the arena */
	uint32_t line, n;	/* the record, with what the store adds */
	uint32_t orig;		/* the length of the record as received */
	uint32_t cmp;		/* how much of it a stored copy begins with
				 * (0: compared as JSON, less "stored") */
	uint32_t rid, camera, image, folds;	/* folds: NUL-separated */
	uint16_t day;
	uint8_t nfolds, pos, hit, dup;
	uint8_t gone;		/* its day was purged while it waited */
	uint8_t known;		/* stored already, as it is: neither sealed
				 * nor indexed (known_reads) */
	uint32_t cs;
	double lat, lon;
	unsigned long lineno;
	int src;
	unsigned char tkey[ST_RKEY];	/* its key, unless taken: the
					 * reading stage's guess */
	unsigned char key[ST_RKEY];	/* given by the writing stage */
	uint32_t post0, npost;	/* its postings */
	size_t soff;		/* its record sealed under tkey, in sealed */
	const struct st_day *k;	/* its day's keys, while it is indexed */
};

struct post {			/* an index key and a read's posting in it */
	unsigned char b[ST_IKEY];
	unsigned char rk[ST_POST];
};

struct batch {
	struct pend *p;
	size_t np, cap;
	char *arena;
	size_t alen, acap;
	struct post *post;
	size_t npost, postcap;
	unsigned char *sealed;	/* the records, sealed by the reading stage */
	size_t slen, scap;
	struct post *wpost;	/* the writing stage's: the stored reads' */
	size_t nwpost, wpostcap;
	char **srcs;		/* names of the inputs it came from */
	int nsrcs;
	struct fbytes *fr;	/* frames that came in the stream */
	size_t nfr, frcap, frbytes;
	struct bkey *bk;	/* the day keys it was indexed with */
	size_t nbk, bkcap;
	unsigned long through;	/* the input's lines it answers for */
	unsigned long *refused;	/* those of them not stored */
	size_t nref, refcap;
};

/* A day's keys as a batch was indexed with them; own: the writing
 * stage's, loaded when a purge had given the day a new key meanwhile;
 * fresh: a day the store had no key for, made by the reading stage, its
 * data key dk stored by the writing stage with the batch's reads. */
struct bkey {
	int day;
	const struct st_day *k;
	struct st_day *own;
	int fresh;
	unsigned char dk[ST_KEY];
};

/* A frame's bytes, as a push stream sends them before its reads. */
struct fbytes {
	char image[ALPR_SHA256_HEX];
	unsigned char *p;
	size_t n;
};

struct alpr_ingest {
	struct alpr_store *s;
	const char *capspool;	/* where frames are taken from */
	struct alpr_progress pr;
	struct batch b[2];	/* one filling, one being written */
	int fill;		/* the one filling */
	char **taken;		/* capture copies to remove after commit */
	size_t ntaken;
	struct alpr_ingest_stats st;
	double t0;		/* alpr_mono() at the start */
	/* the writing stage */
	pthread_t writer;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int started, busy, quit, failed;
	int denied;		/* a batch refused: the device disabled */
	int queued;		/* the batch handed on, or -1 */
	pthread_mutex_t txnmu;	/* no transaction of ours while the map
				 * grows */
	struct fbytes pf;	/* the stream's latest frame */
	unsigned char *stale;	/* per day: a purge gave it a new key (set
				 * by the writing stage, seen by day_keys) */
	unsigned long lineno;	/* the input's lines read so far */
	struct {		/* the "stored" entry of this second */
		time_t when;
		char user[40], client[80];
		char *text;
		size_t n;
	} se;
	void (*ack)(unsigned long, const unsigned long *, size_t, void *);
	void *ackarg;
};

static uint32_t
arena_put(struct batch *b, const char *p, size_t n)
{
	uint32_t off;

	while (b->alen + n + 1 > b->acap) {
		b->acap = b->acap ? b->acap * 2 : 1 << 20;
		b->arena = alpr_realloc(b->arena, b->acap);
	}
	off = b->alen;
	memcpy(b->arena + off, p, n);
	b->arena[off + n] = '\0';
	b->alen += n + 1;
	return off;
}

#define A(b, off) ((b)->arena + (off))

static int
src_index(struct batch *b, const char *name)
{
	int i;

	for (i = 0; i < b->nsrcs; i++)
		if (!strcmp(b->srcs[i], name))
			return i;
	b->srcs = alpr_realloc(b->srcs, (b->nsrcs + 1) * sizeof *b->srcs);
	b->srcs[b->nsrcs] = alpr_strdup(name);
	return b->nsrcs++;
}

struct alpr_ingest *
alpr_ingest_new(struct alpr_store *s, const char *capspool)
{
	struct alpr_ingest *g = alpr_calloc(1, sizeof *g);

	g->s = s;
	g->capspool = capspool;
	g->stale = alpr_calloc(ST_NDAYS, 1);
	alpr_progress_start(&g->pr, 1);
	g->queued = -1;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	pthread_mutex_init(&g->txnmu, NULL);
	g->t0 = alpr_mono();
	return g;
}

/* The entry "stored" gains: made again when the second or the actor
 * changes, not for every read (jansson's pack and dump were 7% of an
 * ingest's CPU). */
static const char *
stored_entry(struct alpr_ingest *g, size_t *n)
{
	struct alpr_actor *a = &g->s->actor;
	char tm[ALPR_TIME_LEN];
	time_t now = time(NULL);
	json_t *e;

	if (!g->se.text || now != g->se.when || strcmp(g->se.user, a->user) ||
	    strcmp(g->se.client, a->client)) {
		alpr_time_now(tm);
		e = json_pack("{s:s,s:s,s:s}", "by", a->user, "client",
		    a->client, "at", tm);
		free(g->se.text);
		g->se.text = json_dumps(e, JSON_COMPACT | JSON_ENSURE_ASCII);
		json_decref(e);
		if (!g->se.text)
			alpr_die(ALPR_EXIT_SYS, "out of memory");
		g->se.n = strlen(g->se.text);
		g->se.when = now;
		snprintf(g->se.user, sizeof g->se.user, "%s", a->user);
		snprintf(g->se.client, sizeof g->se.client, "%s", a->client);
	}
	*n = g->se.n;
	return g->se.text;
}

/*
 * Who stored a read, from which OS account, and when, added to it inside
 * its seal as "stored" (an array: a read pushed on from a car keeps the
 * car's entry before the server's), so that a planted read says who
 * planted it.
 */
static int
add_stored(struct alpr_ingest *g, struct batch *b, const char *line,
    size_t n, int had, json_t *j, struct pend *p)
{
	json_t *arr, *c;
	const char *end, *at, *text;
	char *was, *all;
	size_t k, len, tn;

	text = stored_entry(g, &tn);
	if (!(end = memrchr(line, '}', n)))
		return -1;
	k = end - line;
	if (!had) {
		/* the usual case (the scan found no "stored" member):
		 * spliced in before the last brace */
		p->line = arena_put(b, line, k);
		b->alen--;
		arena_put(b, ",\"stored\":[", 11);
		b->alen--;
		arena_put(b, text, tn);
		b->alen--;
		arena_put(b, "]}", 2);
		p->n = b->alen - 1 - p->line;
		p->cmp = k;
		return 0;
	}
	c = j ? json_incref(j) : json_loadb(line, n, 0, NULL);
	arr = json_object_get(c, "stored");
	if (!json_is_array(arr)) {
		json_decref(c);
		return -1;
	}
	/* a read pushed on from a car: its "stored" last, as a store writes
	 * it, takes one more entry before its end, byte for byte as it came */
	was = json_dumps(arr, JSON_COMPACT | JSON_ENSURE_ASCII);
	len = was ? strlen(was) : 0;
	at = line + k - len;
	if (was && k >= len + 10 && !memcmp(at, was, len) &&
	    !memcmp(at - 9, "\"stored\":", 9)) {
		p->line = arena_put(b, line, k - 1);
		b->alen--;
		if (json_array_size(arr) > 0) {
			arena_put(b, ",", 1);
			b->alen--;
		}
		arena_put(b, text, tn);
		b->alen--;
		arena_put(b, "]}", 2);
		p->n = b->alen - 1 - p->line;
		p->cmp = k - 1;
	} else {
		/* elsewhere: through jansson, compared as JSON */
		json_array_append_new(arr, json_loadb(text, tn, 0, NULL));
		all = json_dumps(c, JSON_COMPACT | JSON_ENSURE_ASCII);
		if (!all)
			alpr_die(ALPR_EXIT_SYS, "out of memory");
		p->line = arena_put(b, all, strlen(all));
		p->n = strlen(all);
		p->cmp = 0;
		free(all);
	}
	free(was);
	json_decref(c);
	return 0;
}

/* A frame's bytes in the stream: its reads follow. */
static void
fbytes_free(struct fbytes *f)
{
	if (f->p) {
		sodium_memzero(f->p, f->n);
		free(f->p);
	}
	f->p = NULL;
	f->n = 0;
	f->image[0] = '\0';
}

/* The stream's frame, for a read of it: into the batch, once. */
static void
batch_frame(struct alpr_ingest *g, struct batch *b, const char *image,
    size_t n)
{
	struct fbytes *f;

	if (!g->pf.p || n != 64 || memcmp(g->pf.image, image, 64) ||
	    (b->nfr > 0 && !strcmp(b->fr[b->nfr - 1].image, g->pf.image)))
		return;
	if (b->nfr == b->frcap)
		b->fr = alpr_realloc(b->fr, (b->frcap = b->frcap ?
		    b->frcap * 2 : 64) * sizeof *b->fr);
	f = &b->fr[b->nfr++];
	memcpy(f->image, g->pf.image, sizeof f->image);
	f->p = alpr_malloc(g->pf.n ? g->pf.n : 1);
	memcpy(f->p, g->pf.p, g->pf.n);
	f->n = g->pf.n;
	b->frbytes += f->n;
}

static void
refuse_line(struct batch *b, unsigned long lineno)
{
	if (b->nref == b->refcap)
		b->refused = alpr_realloc(b->refused, (b->refcap = b->refcap ?
		    b->refcap * 2 : 64) * sizeof *b->refused);
	b->refused[b->nref++] = lineno;
}

int
alpr_ingest_line(struct alpr_ingest *g, const char *line, size_t n,
    const char *name, unsigned long lineno)
{
	struct batch *b = &g->b[g->fill];
	struct st_fields f;
	struct timespec ts;
	json_t *j;
	struct pend *p;
	char why[200], rid[200], folds[ST_MAXFOLDS][ALPR_PLATE_MAX + 1];
	const char *e;
	int day, k, nf;

	g->lineno = lineno;
	if ((e = st_fields_read(line, n, &f, &j)) ||
	    (e = st_fields_check(&f, &ts, why, sizeof why)))
		goto bad;
	if (b->np == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		b->p = alpr_realloc(b->p, b->cap * sizeof *b->p);
	}
	p = &b->p[b->np];
	memset(p, 0, sizeof *p);
	if (st_day_of(&ts, &day, &p->cs) < 0) {
		e = "\"ts\" is out of the store's range (1970 to 2149)";
		goto bad;
	}
	p->day = day;
	if (ts.tv_sec < time(NULL) - (f.hit > 0 ?
	    g->s->conf.retention_hit_days : g->s->conf.retention_days) *
	    86400) {
		e = "older than the store keeps reads (retention_days, "
		    "retention_hit_days): not kept";
		goto bad;
	}
	if (ts.tv_sec > time(NULL) + AHEAD) {
		e = "\"ts\" is more than a day ahead of this machine's clock "
		    "(the camera's clock?): not kept";
		goto bad;
	}
	nf = st_fields_folds(&f, folds, ST_MAXFOLDS);
	if (n > (f.stored ? MAXREAD : MAXREAD - 4096)) {
		e = f.stored ? "a read record longer than 64 KiB: not kept" :
		    "a read record longer than 60 KiB: not kept";
		goto bad;
	}
	if (add_stored(g, b, line, n, f.stored, j, p) < 0) {
		e = "\"stored\" is not an array";
		goto bad;
	}
	p->soff = b->slen;
	b->slen += ST_SEALED(p->n);
	p->orig = n;
	p->rid = arena_put(b, rid, st_rid(rid, f.id, f.nid, f.box));
	p->camera = f.camera ? arena_put(b, f.camera, f.ncamera) : NONE;
	p->image = f.image ? arena_put(b, f.image, f.nimage) : NONE;
	if (f.image)
		batch_frame(g, b, f.image, f.nimage);
	p->folds = b->alen;
	for (k = 0; k < nf; k++)
		arena_put(b, folds[k], strlen(folds[k]));
	p->nfolds = nf;
	p->pos = f.pos > 0;
	p->lat = f.lat;
	p->lon = f.lon;
	p->hit = f.hit > 0;
	p->lineno = lineno;
	p->src = src_index(b, name);
	b->np++;
	json_decref(j);
	return 0;
bad:
	alpr_fail("%s:%lu: %s", name, lineno, e);
	g->st.rejected++;
	refuse_line(b, lineno);
	json_decref(j);
	return 1;
}

/*
 * The keys of day d. A day the store has no key for gets one here, in
 * memory (dk, *fresh set), and the writing stage stores it in the
 * transaction that stores the day's first reads: a write transaction of
 * the reading stage's own would wait for the writer's, and a year of
 * days made the reading stage wait 365 times.
 */
static const struct st_day *
day_keys(struct alpr_ingest *g, int d, unsigned char dk[ST_KEY], int *fresh)
{
	struct alpr_store *s = g->s;
	const struct st_day *k;
	MDB_txn *txn;
	int kek = 1;

	*fresh = 0;
	pthread_mutex_lock(&g->txnmu);
	if (__atomic_exchange_n(&g->stale[d], 0, __ATOMIC_ACQ_REL))
		st_day_drop(s, d);	/* batches indexed with it keep it */
	if (s->dayst[d] > 0) {
		k = s->day[d];
		pthread_mutex_unlock(&g->txnmu);
		return k;
	}
	k = NULL;
	if (st_txn(s, MDB_RDONLY, &txn) == 0) {
		if (st_kek_current(s, txn))
			k = st_day(s, txn, d, 0);
		else
			kek = 0;
		mdb_txn_abort(txn);
	}
	if (!kek && st_wbegin(s, &txn) == 0) {
		/* a purge gave the key file a new key: a write transaction
		 * reads it again (and waits for the writer's; rare) */
		k = st_day(s, txn, d, 0);
		st_wend(s, txn, 0);
	}
	if (!k && s->dayst[d] < 0) {
		randombytes_buf(dk, ST_KEY);
		s->day[d] = st_day_make(dk);
		s->dayst[d] = 1;
		k = s->day[d];
		*fresh = 1;
	}
	pthread_mutex_unlock(&g->txnmu);
	return k;
}

/*
 * Sort the postings by index key, stably: LSD radix on the 10 key bytes,
 * 16 bits a pass, skipping a pass where all agree (the day, mostly).
 * Measured on 5.2 million postings (270,000 reads): qsort with memcmp
 * 3.1 s, a byte a pass over all 16 bytes 0.76 s, this 0.21 s.
 */
static void
post_sort(struct post *a, size_t n)
{
	struct post *tmp, *src = a, *dst;
	uint32_t *cnt;
	size_t i, sum, c;
	int b;

	if (n < 2)
		return;
	tmp = alpr_malloc(n * sizeof *a);
	cnt = alpr_malloc(65536 * sizeof *cnt);
	dst = tmp;
	for (b = ST_IKEY - 2; b >= 0; b -= 2) {
		memset(cnt, 0, 65536 * sizeof *cnt);
		for (i = 0; i < n; i++)
			cnt[st_get16(src[i].b + b)]++;
		if (cnt[st_get16(src[0].b + b)] == n)
			continue;
		for (i = 0, sum = 0; i < 65536; i++) {
			c = cnt[i];
			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[cnt[st_get16(src[i].b + b)]++] = src[i];
		tmp = src;
		src = dst;
		dst = tmp;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
	free(src == a ? dst : src);
	free(cnt);
}

/* The keys a batch's reads of day d were (or will be) indexed with. */
static struct bkey *
batch_bkey(struct batch *b, int d)
{
	size_t i;

	for (i = b->nbk; i-- > 0;)
		if (b->bk[i].day == d)
			return &b->bk[i];
	return NULL;
}

static const struct st_day *
batch_key(struct batch *b, int d)
{
	struct bkey *x = batch_bkey(b, d);

	return x ? x->k : NULL;
}

/*
 * Index keys already made in this batch, so that a term most reads share
 * (a bigram, a camera, a cell, hits) is hashed once, not for every read:
 * a direct-mapped cache. Folds are not kept: most are one read's own.
 * It saves two of a posting's six SipHash calls for 11 of a read's 18
 * postings: 2.7% of an ingest's instructions, net of the cache's own
 * (callgrind, 100,000 reads).
 */
#define TCACHE 4096
struct tcache {
	const struct st_day *k;
	unsigned char kind, len;
	char term[22];
	unsigned char b[ST_IKEY];
	unsigned char tk[16];
};

/* The index key of a term and the key of its postings. */
static void
term_keys(struct tcache *c, const struct st_day *k, int day, int kind,
    const char *term, size_t n, unsigned char b[ST_IKEY],
    unsigned char tk[16])
{
	struct tcache *e;
	uint32_t h = 2166136261u ^ kind;
	size_t i;

	if (!c || kind == T_FOLD || n >= sizeof e->term) {
		st_ikey(b, day, k, kind, term, n);
		st_post_key(k, b, tk);
		return;
	}
	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)term[i]) * 16777619u;
	e = &c[(h ^ h >> 16) & (TCACHE - 1)];
	if (e->k != k || e->kind != kind || e->len != n ||
	    memcmp(e->term, term, n)) {
		e->k = k;
		e->kind = kind;
		e->len = n;
		memcpy(e->term, term, n);
		st_ikey(e->b, day, k, kind, term, n);
		st_post_key(k, e->b, e->tk);
	}
	memcpy(b, e->b, ST_IKEY);
	memcpy(tk, e->tk, 16);
}

/* A read's key as the reading stage guesses it: read_key's first. */
static void
guess_key(struct batch *b, struct pend *p, const struct st_day *k)
{
	st_read_key0(p->tkey, p->day, p->cs, k, A(b, p->rid));
}

/*
 * A read's key as it will be unless another read of its centisecond has
 * it, its record sealed under that key (at b->sealed + p->soff), and its
 * postings under that key, at post + p->post0: all on the reading stage's
 * cores, the writing stage doing it again only for a read whose key turns
 * out taken (rare).
 */
static void
index_read(struct batch *b, struct pend *p, const struct st_day *k,
    struct st_terms *t, struct tcache *c, struct post *post)
{
	unsigned char tk[16];
	int ti;

	guess_key(b, p, k);
	st_seal(b->sealed + p->soff, A(b, p->line), p->n, p->tkey, ST_RKEY,
	    k->seal);
	st_read_terms(t, A(b, p->folds), p->nfolds, p->camera != NONE ?
	    A(b, p->camera) : NULL, p->pos, p->lat, p->lon, p->hit);
	for (ti = 0; ti < t->n; ti++) {
		struct post *q = &post[p->post0 + ti];
		term_keys(c, k, p->day, t->kind[ti], t->term[ti], t->len[ti],
		    q->b, tk);
		st_post_seal(tk, p->tkey + 2, q->rk);
	}
	p->npost = t->n;
}

static int read_key(struct alpr_store *, MDB_txn *, const struct st_day *,
    const char *, struct pend *, const char *, const unsigned char *, int *,
    int *);

/* A batch this large is looked up and indexed on two cores: the reading
 * stage's and one started for it (the writing stage's core, when it is
 * waiting). */
#define PARALLEL 4096

/*
 * Mark the reads of a batch that the store holds already, as they are
 * (an input added again: after a crash, or a folder taken in again), so
 * that they are neither sealed nor indexed for nothing: the writing stage
 * counts them as duplicates. Only a read whose DAY CS is not after the
 * last stored read's is looked up (in read transactions, txnmu held so
 * that the database is not opened anew or its map moved under them: the
 * writer's transaction under way goes on, its next one waits), so reads
 * that come in time order cost nothing here. A read stored with other
 * content is left to the writing stage, which says so.
 */
struct known {
	struct alpr_ingest *g;
	struct batch *b;
	size_t from, to;
	MDB_txn *txn;
	const unsigned char *last;	/* the last stored read's key */
};

static void *
known_part(void *arg)
{
	struct known *x = arg;
	struct batch *b = x->b;
	struct bkey *bk;
	size_t i;
	int append, changed;

	for (i = x->from; i < x->to; i++) {
		struct pend *p = &b->p[i];
		unsigned char dcs[6];
		st_put16(dcs, p->day);
		st_put32(dcs + 2, p->cs);
		if (memcmp(dcs, x->last, 6) > 0)
			continue;
		/* a day the store had no key for holds nothing of ours */
		if (!(bk = batch_bkey(b, p->day)) || bk->fresh)
			continue;
		guess_key(b, p, p->k);
		p->known = read_key(x->g->s, x->txn, p->k, A(b, p->rid), p,
		    A(b, p->line), x->last, &append, &changed) == 1 &&
		    !changed;
	}
	return NULL;
}

/*
 * The read transactions are begun here, one after the other: only the
 * first may follow a map another process has grown (mdb_env_set_mapsize
 * must not run while another transaction of ours is open), and a large
 * batch is looked up on two cores only when the second begins as it is.
 */
static void
known_reads(struct alpr_ingest *g, struct batch *b)
{
	struct known one = { g, b, 0, b->np, NULL, NULL }, two;
	unsigned char last[ST_RKEY] = { 0 };
	MDB_cursor *c;
	MDB_val key, val;
	pthread_t th;
	int par = 0;

	pthread_mutex_lock(&g->txnmu);
	if (st_txn(g->s, MDB_RDONLY, &one.txn) != 0) {
		pthread_mutex_unlock(&g->txnmu);
		return;
	}
	if (mdb_cursor_open(one.txn, g->s->reads, &c) == 0) {
		if (mdb_cursor_get(c, &key, &val, MDB_LAST) == 0 &&
		    key.mv_size == ST_RKEY)
			memcpy(last, key.mv_data, ST_RKEY);
		mdb_cursor_close(c);
	}
	one.last = last;
	two = one;
	two.txn = NULL;
	if (b->np >= PARALLEL && mdb_txn_begin(g->s->env, NULL, MDB_RDONLY,
	    &two.txn) == 0) {
		one.to = two.from = b->np / 2;
		if (pthread_create(&th, NULL, known_part, &two) == 0)
			par = 1;
		else
			one.to = b->np;
	}
	known_part(&one);
	if (par)
		pthread_join(th, NULL);
	if (two.txn)
		mdb_txn_abort(two.txn);
	mdb_txn_abort(one.txn);
	pthread_mutex_unlock(&g->txnmu);
}

/* A run of a batch's reads, indexed into a postings array of its own. */
struct part {
	struct batch *b;
	size_t from, to;
	struct post *post;
	size_t npost, cap;
};

static void *
index_part(void *arg)
{
	struct part *x = arg;
	struct st_terms *t = alpr_malloc(sizeof *t);
	struct tcache *c = alpr_calloc(TCACHE, sizeof *c);
	size_t i;

	for (i = x->from; i < x->to; i++) {
		struct pend *p = &x->b->p[i];
		if (x->npost + ST_MAXTERMS > x->cap) {
			x->cap = x->cap ? x->cap * 2 : 65536;
			x->post = alpr_realloc(x->post, x->cap *
			    sizeof *x->post);
		}
		p->post0 = x->npost;
		if (p->known)
			continue;
		index_read(x->b, p, p->k, t, c, x->post);
		x->npost += p->npost;
	}
	sodium_memzero(c, TCACHE * sizeof *c);	/* terms and their keys */
	free(c);
	free(t);
	return NULL;
}

/* The reading stage's part of a batch: its sealed records and index keys. */
static int
index_batch(struct alpr_ingest *g, struct batch *b)
{
	struct part one = { b, 0, b->np, NULL, 0, 0 }, two = one;
	pthread_t th;
	const struct st_day *k;
	size_t i;
	int par;

	/* first the days' keys, made where a day has none yet */
	for (i = 0; i < b->np; i++) {
		struct pend *p = &b->p[i];
		if (!(k = batch_key(b, p->day))) {
			struct bkey *x;
			if (b->nbk == b->bkcap) {
				/* not realloc: raw day keys in the old block */
				x = alpr_malloc((b->bkcap = b->bkcap ?
				    b->bkcap * 2 : 8) * sizeof *b->bk);
				if (b->nbk) {
					memcpy(x, b->bk, b->nbk * sizeof *x);
					sodium_memzero(b->bk, b->nbk *
					    sizeof *x);
				}
				free(b->bk);
				b->bk = x;
			}
			x = &b->bk[b->nbk];
			if (!(k = day_keys(g, p->day, x->dk, &x->fresh)))
				return -1;
			x->day = p->day;
			x->k = k;
			x->own = NULL;
			b->nbk++;
		}
		p->k = k;
	}
	known_reads(g, b);
	if (b->slen > b->scap) {
		free(b->sealed);
		b->sealed = alpr_malloc(b->scap = b->slen);
	}
	one.post = b->post;
	one.cap = b->postcap;
	par = b->np >= PARALLEL;
	if (par) {
		one.to = two.from = b->np / 2;
		if (pthread_create(&th, NULL, index_part, &two) != 0)
			par = 0, one.to = b->np;
	}
	index_part(&one);
	if (par) {
		pthread_join(th, NULL);
		if (one.npost + two.npost > one.cap)
			one.post = alpr_realloc(one.post, (one.cap = one.npost +
			    two.npost) * sizeof *one.post);
		memcpy(one.post + one.npost, two.post, two.npost *
		    sizeof *two.post);
		for (i = two.from; i < two.to; i++)
			b->p[i].post0 += one.npost;
		one.npost += two.npost;
		free(two.post);
	}
	b->post = one.post;
	b->postcap = one.cap;
	b->npost = one.npost;
	return 0;
}

/*
 * Are the day keys the batch was indexed with still the days' keys? A
 * purge may have given a day a new key (or destroyed it) while the batch
 * waited, or another ingest stored a key of its own for a day new to the
 * store: the batch's reads of that day are indexed again under the key
 * the database has now, or refused if the day is gone, and the reading
 * stage takes the new key for the next batch. A day new to the store
 * that still has no key gets the one the batch was indexed with. In the
 * write transaction: 0, -1, or the LMDB error.
 */
static int
check_keys(struct alpr_ingest *g, struct batch *b, MDB_txn *txn)
{
	struct st_terms *t = NULL;
	struct st_day *now;
	size_t i, j;
	int none, rc;

	for (i = 0; i < b->nbk; i++) {
		struct bkey *x = &b->bk[i];
		if (!(now = st_day_load(g->s, txn, x->day, &none)) && !none) {
			free(t);
			return -1;
		}
		if (!now && x->fresh) {
			if ((rc = st_day_store(g->s, txn, x->day, x->dk)) != 0) {
				free(t);
				return rc;
			}
			continue;
		}
		if (now && !memcmp(now->id, x->k->id, sizeof now->id)) {
			sodium_memzero(now, sizeof *now);
			free(now);
			continue;
		}
		__atomic_store_n(&g->stale[x->day], 1, __ATOMIC_RELEASE);
		if (x->own) {
			sodium_memzero(x->own, sizeof *x->own);
			free(x->own);
		}
		x->own = now;
		x->fresh = 0;	/* its key is not the batch's to store */
		if (now)
			x->k = now;
		if (!t)
			t = alpr_malloc(sizeof *t);
		for (j = 0; j < b->np; j++) {
			struct pend *p = &b->p[j];
			if (p->day != x->day)
				continue;
			p->gone = !now;
			if (!now)
				continue;
			if (p->known) {
				/* looked up under the key before: indexed
				 * now, its postings after the others, and
				 * looked up again by the writing stage */
				p->known = 0;
				if (b->npost + ST_MAXTERMS > b->postcap)
					b->post = alpr_realloc(b->post,
					    (b->postcap = b->npost +
					    ST_MAXTERMS) * sizeof *b->post);
				p->post0 = b->npost;
				index_read(b, p, now, t, NULL, b->post);
				b->npost += p->npost;
			} else
				index_read(b, p, now, t, NULL, b->post);
		}
	}
	free(t);
	return 0;
}

/*
 * The key of a new read: DAY CS SERIAL, SERIAL a 16-bit keyed hash of
 * its id, and the next one while that is taken, so that finding a read
 * already stored opens only the reads its id hashes with, however many
 * share its centisecond (it was every one of them). A key after
 * everything stored needs no look at all. 0 and the key, 1 a duplicate
 * (*changed if it came with other content), -1 when no serial is free.
 */
static int
read_key(struct alpr_store *s, MDB_txn *txn, const struct st_day *k,
    const char *rid, struct pend *p, const char *line,
    const unsigned char *last, int *append, int *changed)
{
	unsigned char key[ST_RKEY], *plain = NULL;
	MDB_val kv = { ST_RKEY, key }, v;
	char other[200];
	unsigned serial0, i;
	size_t cap = 0, n;
	int r = -1, rc;

	*changed = 0;
	serial0 = st_get16(p->tkey + 6);
	memcpy(key, p->tkey, 6);
	for (i = 0; i < 65536; i++) {
		st_put16(key + 6, (serial0 + i) & 0xffff);
		if (!last || memcmp(key, last, ST_RKEY) > 0) {
			*append = 1;
			r = 0;
			break;
		}
		*append = 0;
		if ((rc = mdb_get(txn, s->reads, &kv, &v)) == MDB_NOTFOUND) {
			r = 0;
			break;
		}
		if (rc != 0 || v.mv_size < ST_SEALED(0))
			continue;
		n = v.mv_size - ST_SEALED(0);
		if (n + 1 > cap)
			plain = alpr_realloc(plain, cap = n + 1);
		if (st_open(plain, v.mv_data, v.mv_size, key, ST_RKEY,
		    k->seal) != 0)
			continue;
		if (p->cmp && n >= p->cmp && !memcmp(plain, line, p->cmp)) {
			r = 1;	/* the same record: so the same id */
			break;
		}
		if (st_stored_rid((char *)plain, n, other) == 0 &&
		    !strcmp(other, rid)) {
			/* the same up to where the store added "stored"? */
			*changed = p->cmp ? n < p->cmp || memcmp(plain, line,
			    p->cmp) : !st_same_read((char *)plain, n, line,
			    p->n);
			r = 1;
			break;
		}
	}
	free(plain);
	if (r == 0)
		memcpy(p->key, key, ST_RKEY);
	return r;
}

/* Seal a frame from the capture spool into the store's: 0, 1 when the
 * capture copy is missing or wrong, -1 on error. */
static int
take_frame(struct alpr_ingest *g, struct batch *b, const struct st_day *k,
    int day, const char *image)
{
	struct alpr_store *s = g->s;
	char *dst = st_frame_path(s, day, k, image), *src;
	char hex[ALPR_SHA256_HEX], label[8];
	unsigned char *buf;
	struct stat sb;
	size_t n, i;
	int r = -1;

	for (i = b->nfr; i-- > 0;)	/* it came in the stream */
		if (!strcmp(b->fr[i].image, image)) {
			st_day_label(label, day);
			r = 0;
			if (stat(dst, &sb) < 0 && (r = st_frame_put(dst, label,
			    b->fr[i].p, b->fr[i].n, k->frame)) == 0)
				g->st.frames++;
			free(dst);
			return r;
		}
	if (!g->capspool) {	/* through SSH: frames come in the stream */
		r = stat(dst, &sb) == 0 ? 0 : 1;
		free(dst);
		return r;
	}
	src = alpr_spool_path(g->capspool, image);
	if (stat(dst, &sb) == 0) {
		r = 0;		/* sealed already: the copy goes all the same */
		goto keep;
	}
	if (alpr_read_file(src, &buf, &n) < 0) {
		r = errno == ENOENT ? 1 : -1;
		if (r < 0)
			alpr_warn("unable to read %s:", src);
		goto out;
	}
	alpr_sha256_hex(buf, n, hex);
	if (strcmp(hex, image)) {
		alpr_warn("%s: the frame's bytes do not have its hash: not "
		    "taken", src);
		free(buf);
		r = 1;
		goto out;
	}
	st_day_label(label, day);
	r = st_frame_put(dst, label, buf, n, k->frame);
	sodium_memzero(buf, n);
	free(buf);
	if (r < 0)
		goto out;
	g->st.frames++;
keep:
	g->taken = alpr_realloc(g->taken, (g->ntaken + 1) * sizeof *g->taken);
	g->taken[g->ntaken++] = src;
	src = NULL;
out:
	free(src);
	free(dst);
	return r;
}

static int
same_key(const unsigned char *a, const unsigned char *b)
{
	uint64_t x, y;

	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	return x == y && a[8] == b[8] && a[9] == b[9];
}

/*
 * The postings of the reads stored, in read order: those of a read whose
 * key is not the one guessed are enciphered again (rare: another read of
 * its centisecond had the key). Into wpost, so that a batch written again
 * after MDB_MAP_FULL starts from the reading stage's postings.
 */
static void
stored_posts(struct batch *b)
{
	unsigned char tk[16];
	size_t i, x, j = 0;

	if (b->npost > b->wpostcap)
		b->wpost = alpr_realloc(b->wpost, (b->wpostcap = b->npost) *
		    sizeof *b->wpost);
	for (i = 0; i < b->np; i++) {
		const struct pend *p = &b->p[i];
		int again = memcmp(p->key, p->tkey, ST_RKEY) != 0;
		if (p->dup)
			continue;
		memcpy(b->wpost + j, b->post + p->post0, p->npost *
		    sizeof *b->post);
		for (x = 0; again && x < p->npost; x++) {
			st_post_key(batch_key(b, p->day), b->wpost[j + x].b,
			    tk);
			st_post_seal(tk, p->key + 2, b->wpost[j + x].rk);
		}
		j += p->npost;
	}
	b->nwpost = j;
}

static int
write_batch(struct alpr_ingest *g, struct batch *b, MDB_txn *txn,
    json_t *entry)
{
	struct alpr_store *s = g->s;
	const struct st_day *k;
	unsigned char last[ST_RKEY], ilast[ST_IKEY], *sealed = NULL, *gather;
	size_t i, sealcap = 0, run, gcap = 1024, nfr;
	MDB_cursor *rc_, *ic;
	MDB_val key, val, data[2];
	struct { size_t from, n; int fresh; } *days = NULL;
	size_t ndays;
	int rc = 0, append, haslast, hasilast, r, changed;
	unsigned long added = 0, dups = 0, nofr = 0, nchanged = 0;

	if ((rc = check_keys(g, b, txn)) != 0)
		return rc;
	mdb_cursor_open(txn, s->reads, &rc_);
	mdb_cursor_open(txn, s->idx, &ic);
	haslast = mdb_cursor_get(rc_, &key, &val, MDB_LAST) == 0 &&
	    key.mv_size == ST_RKEY;
	if (haslast)
		memcpy(last, key.mv_data, ST_RKEY);
	nfr = g->st.frames;
	for (i = 0; i < b->np && rc == 0; i++) {
		struct pend *p = &b->p[i];
		k = batch_key(b, p->day);
		if (p->gone) {
			p->dup = 1;
			alpr_fail("%s:%lu: its day was purged while it waited: "
			    "not kept", b->srcs[p->src], p->lineno);
			g->st.rejected++;
			refuse_line(b, p->lineno);
			continue;
		}
		if (p->known || (r = read_key(s, txn, k, A(b, p->rid), p,
		    A(b, p->line), haslast ? last : NULL, &append,
		    &changed)) != 0) {
			p->dup = 1;
			if (p->known)
				r = 1, changed = 0;
			if (r < 0) {
				alpr_fail("%s:%lu: more than 65536 reads in one "
				    "centisecond: not kept", b->srcs[p->src],
				    p->lineno);
				g->st.rejected++;
				refuse_line(b, p->lineno);
				continue;
			}
			if (changed) {
				alpr_fail("%s:%lu: %s is stored already, with "
				    "other content: not changed", b->srcs[p->src],
				    p->lineno, A(b, p->rid));
				refuse_line(b, p->lineno);
				nchanged++;
			}
			dups++;
			/* its frame, if it was not taken then (a crash between
			 * the commit and the removal of the capture copy, or a
			 * push whose frame did not make it): one that is not
			 * there is no matter, one that cannot be written fails
			 * the batch, as for a new read, so that it is sent
			 * again */
			if (!changed && p->image != NONE && take_frame(g, b, k,
			    p->day, A(b, p->image)) < 0) {
				rc = -1;
				break;
			}
			continue;
		}
		p->dup = 0;
		val.mv_size = ST_SEALED(p->n);
		val.mv_data = b->sealed + p->soff;
		if (memcmp(p->key, p->tkey, ST_RKEY)) {
			/* sealed under the key guessed: again, under its own */
			if (ST_SEALED(p->n) > sealcap) {
				sealcap = ST_SEALED(p->n) * 2;
				sealed = alpr_realloc(sealed, sealcap);
			}
			st_seal(sealed, A(b, p->line), p->n, p->key, ST_RKEY,
			    k->seal);
			val.mv_data = sealed;
		}
		key.mv_size = ST_RKEY;
		key.mv_data = p->key;
		if ((rc = mdb_cursor_put(rc_, &key, &val, append ? MDB_APPEND :
		    MDB_NOOVERWRITE)) != 0)
			break;
		if (append) {
			memcpy(last, p->key, ST_RKEY);
			haslast = 1;
		}
		if (p->image != NONE && (r = take_frame(g, b, k, p->day,
		    A(b, p->image))) != 0) {
			if (r < 0) {
				rc = -1;
				break;
			}
			alpr_fail("%s:%lu: frame %.12s... is not in the spool %s: "
			    "the read is kept without it", b->srcs[p->src],
			    p->lineno, A(b, p->image), g->capspool ?
			    g->capspool : "(none through SSH)");
			nofr++;
		}
		added++;
	}
	free(sealed);
	mdb_cursor_close(rc_);
	if (rc != 0) {
		mdb_cursor_close(ic);
		return rc;
	}
	stored_posts(b);
	post_sort(b->wpost, b->nwpost);
	/* the batch's days, and whether each had index keys before it */
	for (i = 0, ndays = 0; i < b->nwpost; i += run) {
		unsigned d = st_get16(b->wpost[i].b);
		for (run = 1; i + run < b->nwpost &&
		    st_get16(b->wpost[i + run].b) == d; run++)
			;
		days = alpr_realloc(days, (ndays + 1) * sizeof *days);
		days[ndays].from = i;
		days[ndays].n = run;
		days[ndays++].fresh = st_filter_fresh(s, txn, d);
	}
	hasilast = mdb_cursor_get(ic, &key, &val, MDB_LAST) == 0 &&
	    key.mv_size == ST_IKEY;
	if (hasilast)
		memcpy(ilast, key.mv_data, ST_IKEY);
	gather = alpr_malloc(ST_POST * gcap);
	for (i = 0; i < b->nwpost && rc == 0; i += run) {
		/* a key's postings, side by side for MDB_MULTIPLE */
		const struct post *q = b->wpost + i;
		size_t ng;
		for (run = 0; i + run < b->nwpost && same_key(q[run].b, q->b);
		    run++) {
			if (run == gcap)
				gather = alpr_realloc(gather, ST_POST *
				    (gcap *= 2));
			memcpy(gather + run * ST_POST, q[run].rk, ST_POST);
		}
		ng = run;
		key.mv_size = ST_IKEY;
		key.mv_data = (void *)q->b;
		data[0].mv_size = ST_POST;
		data[0].mv_data = gather;
		data[1].mv_size = ng;
		append = !hasilast || memcmp(q->b, ilast, ST_IKEY) > 0;
		rc = mdb_cursor_put(ic, &key, data, MDB_MULTIPLE |
		    (append ? MDB_APPEND : 0));
		if (append && rc == 0) {
			memcpy(ilast, q->b, ST_IKEY);
			hasilast = 1;
		}
	}
	free(gather);
	mdb_cursor_close(ic);
	/* each day's filter, now that its keys are in the index */
	for (i = 0; i < ndays && rc == 0; i++)
		rc = st_filter_add(s, txn, st_get16(b->wpost[days[i].from].b),
		    b->wpost[days[i].from].b, sizeof *b->wpost, days[i].n,
		    days[i].fresh);
	free(days);
	if (rc != 0) {
		g->st.frames = nfr;
		return rc;
	}
	g->st.added += added;
	g->st.duplicates += dups;
	g->st.noframe += nofr;
	json_object_set_new(entry, "count", json_integer(added));
	json_object_set_new(entry, "duplicates", json_integer(dups));
	if (nchanged)	/* a device that tried to rewrite what it stored */
		json_object_set_new(entry, "changed", json_integer(nchanged));
	if (nofr)
		json_object_set_new(entry, "without_frame", json_integer(nofr));
	return 0;
}

static void
show(struct alpr_ingest *g, int done)
{
	double dt;

	if (!g->pr.on)
		return;
	dt = alpr_mono() - g->t0;
	alpr_progress(&g->pr, done, "%lu reads added, %lu duplicates, %lu "
	    "rejected (%.0f reads/s)", g->st.added, g->st.duplicates,
	    g->st.rejected, dt > 0 ? (g->st.added + g->st.duplicates) / dt : 0);
}

static void
batch_clear(struct batch *b)
{
	int i;

	b->np = 0;
	b->alen = 0;
	b->slen = 0;
	b->npost = 0;
	for (i = 0; i < b->nsrcs; i++)
		free(b->srcs[i]);
	b->nsrcs = 0;
	for (i = 0; i < (int)b->nfr; i++)
		fbytes_free(&b->fr[i]);
	b->nfr = 0;
	b->frbytes = 0;
	b->nref = 0;
	for (i = 0; i < (int)b->nbk; i++) {
		if (b->bk[i].own) {
			sodium_memzero(b->bk[i].own, sizeof *b->bk[i].own);
			free(b->bk[i].own);
		}
		sodium_memzero(b->bk[i].dk, sizeof b->bk[i].dk);
	}
	b->nbk = 0;
}

/* The writing stage's counts as they were before a batch that was not
 * committed (the reading stage counts the rejected). */
static void
unadd(struct alpr_ingest *g, const unsigned long st0[3])
{
	g->st.added = st0[0];
	g->st.duplicates = st0[1];
	g->st.noframe = st0[2];
}

/* The writing stage's part: one transaction, retried on a full map. */
static int
store_batch(struct alpr_ingest *g, struct batch *b)
{
	struct alpr_store *s = g->s;
	unsigned long st0[3];	/* what a batch not committed did not add */
	MDB_txn *txn;
	json_t *entry, *src;
	size_t i;
	int rc, tries, disabled = 0;

	for (tries = 0;; tries++) {
		g->ntaken = 0;
		st0[0] = g->st.added;
		st0[1] = g->st.duplicates;
		st0[2] = g->st.noframe;
		/* the reading stage may be in a transaction of its own while
		 * a moved database is opened anew */
		pthread_mutex_lock(&g->txnmu);
		rc = st_wbegin(s, &txn);
		pthread_mutex_unlock(&g->txnmu);
		if (rc != 0)
			return -1;
		entry = json_pack("{s:s,s:s}", "action", "add", "outcome", "ok");
		src = json_array();
		for (i = 0; i < (size_t)b->nsrcs; i++)
			json_array_append_new(src, json_string(b->srcs[i]));
		json_object_set_new(entry, "source", src);
		rc = write_batch(g, b, txn, entry);
		/* a device disabled while its add runs stores no more; one
		 * that stores reads is in use */
		if (rc == 0 && s->actor.role == ALPR_ROLE_DEVICE &&
		    (rc = st_device_batch(s, txn, s->actor.user,
		    json_integer_value(json_object_get(entry, "count")) > 0))
		    == 1) {
			disabled = 1;
			rc = -1;
		}
		if (rc == 0 && alpr_store_logentry(s, entry) < 0) {
			alpr_warn("unable to write the batch to the access log, "
			    "so it is not stored:");
			rc = -1;
		}
		if (rc == 0)
			rc = st_wend(s, txn, 1);
		else
			st_wend(s, txn, 0);
		json_decref(entry);
		if (rc != 0)
			unadd(g, st0);
		if (rc == MDB_MAP_FULL && tries < 40) {
			for (i = 0; i < g->ntaken; i++)
				free(g->taken[i]);
			pthread_mutex_lock(&g->txnmu);
			rc = alpr_store_grow(s);
			pthread_mutex_unlock(&g->txnmu);
			if (rc < 0)
				return -1;
			continue;
		}
		break;
	}
	if (rc != 0) {
		/* the frames it took stay in the capture spool */
		for (i = 0; i < g->ntaken; i++)
			free(g->taken[i]);
		g->ntaken = 0;
		if (disabled) {
			alpr_store_deny(s, "add", s->actor.user, "the device "
			    "account was disabled while it added: nothing more "
			    "is stored");
			g->denied = 1;
		} else if (rc > 0)
			st_mdb_warn(rc, "unable to store a batch");
		return -1;
	}
	for (i = 0; i < g->ntaken; i++) {
		if (unlink(g->taken[i]) < 0 && errno != ENOENT)
			alpr_warn("unable to remove %s:", g->taken[i]);
		free(g->taken[i]);
	}
	g->ntaken = 0;
	if (g->ack)
		g->ack(b->through, b->refused, b->nref, g->ackarg);
	show(g, 0);
	return 0;
}

static void *
writer(void *arg)
{
	struct alpr_ingest *g = arg;
	int q;

	pthread_mutex_lock(&g->mu);
	for (;;) {
		while (g->queued < 0 && !g->quit)
			pthread_cond_wait(&g->cv, &g->mu);
		if (g->queued < 0)
			break;
		q = g->queued;
		g->busy = 1;
		pthread_mutex_unlock(&g->mu);
		if (g->failed || store_batch(g, &g->b[q]) < 0)
			g->failed = 1;	/* and nothing after it is stored */
		batch_clear(&g->b[q]);
		pthread_mutex_lock(&g->mu);
		g->queued = -1;
		g->busy = 0;
		pthread_cond_broadcast(&g->cv);
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

/* Wait until the writing stage has nothing left; -1 if it failed. */
static int
drain(struct alpr_ingest *g)
{
	pthread_mutex_lock(&g->mu);
	while (g->queued >= 0 || g->busy)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
	return g->failed ? -1 : 0;
}

/* Hand the filling batch on, and fill the other; wait: until stored. */
static int
hand_on(struct alpr_ingest *g, int wait)
{
	struct batch *b = &g->b[g->fill];

	if (g->failed)
		return -1;
	b->through = g->lineno;
	if (b->np == 0) {
		if (!wait)
			return 0;
		if (drain(g) < 0)
			return -1;
		if (g->ack && b->nref > 0) {	/* only lines refused */
			g->ack(b->through, b->refused, b->nref, g->ackarg);
			b->nref = 0;
		}
		return 0;
	}
	if (index_batch(g, b) < 0) {
		g->failed = 1;
		return -1;
	}
	if (!g->started) {
		if (pthread_create(&g->writer, NULL, writer, g) != 0)
			alpr_die(ALPR_EXIT_SYS, "fatal: unable to start a "
			    "thread:");
		g->started = 1;
	}
	pthread_mutex_lock(&g->mu);
	while (g->queued >= 0 || g->busy)
		pthread_cond_wait(&g->cv, &g->mu);
	if (g->failed) {
		/* the batch before failed: this one must not be stored, or
		 * its answer would answer for the lines of that one */
		pthread_mutex_unlock(&g->mu);
		return -1;
	}
	g->queued = g->fill;
	g->fill ^= 1;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	return wait ? drain(g) : g->failed ? -1 : 0;
}

void
alpr_ingest_ack(struct alpr_ingest *g, void (*fn)(unsigned long through,
    const unsigned long *refused, size_t n, void *arg), void *arg)
{
	g->ack = fn;
	g->ackarg = arg;
}

int
alpr_ingest_flush(struct alpr_ingest *g)
{
	return hand_on(g, 1);
}

/*
 * A frame's bytes in a push stream: the line
 * {"type":"frame-bytes","v":1,"image":HEX,"size":N} and then N bytes,
 * which have that SHA-256; the reads of the frame follow. 0, or -1 when
 * the stream cannot be followed further.
 */
static int
frame_bytes(struct alpr_ingest *g, const char *line, size_t len, int fd,
    const char *name, char *buf, char **start, size_t *have)
{
	char *end = buf + *have, hex[ALPR_SHA256_HEX];
	const char *img;
	json_int_t size;
	size_t got;
	ssize_t n;
	json_t *j;

	j = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	img = json_string_value(json_object_get(j, "image"));
	size = json_integer_value(json_object_get(j, "size"));
	if (!img || !alpr_spool_name_ok(img) || size < 0 ||
	    (size_t)size > ALPR_FRAME_MAX) {
		alpr_fail("%s:%lu: a frame-bytes record without an \"image\" "
		    "of 64 hex digits and a \"size\" up to %zu: the stream "
		    "cannot be followed further", name, g->lineno,
		    ALPR_FRAME_MAX);
		json_decref(j);
		return -1;
	}
	fbytes_free(&g->pf);
	memcpy(g->pf.image, img, 64);
	g->pf.image[64] = '\0';
	json_decref(j);
	g->pf.p = alpr_malloc(size ? size : 1);
	g->pf.n = size;
	got = (size_t)(end - *start) < (size_t)size ? (size_t)(end - *start) :
	    (size_t)size;
	memcpy(g->pf.p, *start, got);
	*start += got;
	while (got < (size_t)size) {
		if ((n = read(fd, g->pf.p + got, size - got)) < 0 &&
		    errno == EINTR)
			continue;
		if (n <= 0) {
			alpr_fail("%s:%lu: the stream ended within a frame's "
			    "bytes", name, g->lineno);
			fbytes_free(&g->pf);
			return -1;
		}
		got += n;
	}
	alpr_sha256_hex(g->pf.p, g->pf.n, hex);
	if (strcmp(hex, g->pf.image)) {
		alpr_fail("%s:%lu: a frame's bytes do not have its hash: "
		    "not taken", name, g->lineno);
		fbytes_free(&g->pf);
	}
	return 0;
}

#define FRAME_BYTES "{\"type\":\"frame-bytes\""

int
alpr_ingest_fd(struct alpr_ingest *g, int fd, const char *name)
{
	char *buf = alpr_malloc(MAXLINE + 1), *nl, *start;
	size_t have = 0, len;
	unsigned long lineno = 0;
	struct pollfd pf = { fd, POLLIN, 0 };
	struct batch *b;
	ssize_t n;
	int skipping = 0, r = 0;

	for (;;) {
		/* nothing more for now: store what we have */
		if (g->b[g->fill].np > 0 && poll(&pf, 1, 0) == 0 &&
		    hand_on(g, 1) < 0) {
			r = -1;
			break;
		}
		n = read(fd, buf + have, MAXLINE - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			alpr_warn("unable to read %s:", name);
			r = -1;
			break;
		}
		have += n;
		start = buf;
		while ((nl = memchr(start, '\n', buf + have - start))) {
			char *line = start;
			len = nl - start;
			start = nl + 1;
			if (!skipping) {
				g->lineno = ++lineno;
				if (len > 0 && line[len - 1] == '\r')
					len--;
				if (len >= sizeof FRAME_BYTES - 1 &&
				    !memcmp(line, FRAME_BYTES,
				    sizeof FRAME_BYTES - 1)) {
					if (frame_bytes(g, line, len, fd, name,
					    buf, &start, &have) < 0) {
						r = -1;
						goto out;
					}
				} else if (len > 0)
					alpr_ingest_line(g, line, len, name,
					    lineno);
			}
			skipping = 0;
			b = &g->b[g->fill];
			if ((b->np >= (size_t)g->s->conf.batch ||
			    b->alen + b->frbytes >= MAXARENA) &&
			    hand_on(g, 0) < 0) {
				r = -1;
				goto out;
			}
			/* only refusals: answered before they pile up */
			if (b->np == 0 && b->nref >= 4096 && hand_on(g, 1) < 0) {
				r = -1;
				goto out;
			}
		}
		have -= start - buf;
		memmove(buf, start, have);
		if (n == 0) {
			if (have > 0 && !skipping) {
				g->lineno = ++lineno;
				alpr_ingest_line(g, buf, have, name, lineno);
			}
			break;
		}
		if (have == MAXLINE) {
			g->lineno = ++lineno;
			alpr_fail("%s:%lu: line longer than %d bytes: skipped",
			    name, lineno, MAXLINE);
			g->st.rejected++;
			refuse_line(&g->b[g->fill], lineno);
			skipping = 1;
			have = 0;
		}
	}
out:
	free(buf);
	if (r == 0)
		r = hand_on(g, 1);
	return r;
}

int
alpr_ingest_end(struct alpr_ingest *g, struct alpr_ingest_stats *st)
{
	int i, r;

	if (g->started) {
		drain(g);
		pthread_mutex_lock(&g->mu);
		g->quit = 1;
		pthread_cond_broadcast(&g->cv);
		pthread_mutex_unlock(&g->mu);
		pthread_join(g->writer, NULL);
	}
	show(g, 1);
	if (st)
		*st = g->st;
	for (i = 0; i < 2; i++) {
		batch_clear(&g->b[i]);
		free(g->b[i].srcs);
		free(g->b[i].p);
		free(g->b[i].arena);
		free(g->b[i].post);
		free(g->b[i].sealed);
		free(g->b[i].wpost);
		free(g->b[i].fr);
		free(g->b[i].refused);
		free(g->b[i].bk);
	}
	fbytes_free(&g->pf);
	free(g->stale);
	free(g->taken);
	free(g->se.text);
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->txnmu);
	r = g->denied ? 1 : g->failed ? -1 : 0;
	free(g);
	return r;
}
