/*
 * store-poke: reach inside a store, for the tests: set an account's or a
 * session's member (to age them without waiting), or stage an attack on
 * the database.
 *
 *	store-poke -H home -K key account NAME MEMBER JSON
 *	store-poke -H home -K key session CLIENT MEMBER JSON
 *	store-poke -H home -K key case CASE MEMBER JSON	(to run it out)
 *	store-poke -H home -K key request ID MEMBER JSON	(null: removed)
 *	store-poke -H home swap-reads		the sealed values of the first
 *						two reads exchanged
 *	store-poke -H home drop-daykey DATE	the wrapped key of a day removed
 *						(what a purge does)
 *	store-poke -H home copy-daykey FROM TO	the wrapped key of day FROM
 *						put in the place of day TO's
 *	store-poke -H home count		reads, index keys, day keys,
 *						held copies, pushed marks, day
 *						filters
 *	store-poke -H home -K key dump		every read: its id, its frame's
 *						SHA-256 or -, its record
 *	store-poke -H home links		what a thief without the key
 *						learns from the index: how many
 *						posting values are in more than
 *						one list (a read's terms linked)
 *	store-poke -H home -K key check		every read opens and is a read
 *						record and has a posting for
 *						each of its index terms; every
 *						posting names a read, and there
 *						are no others; every index key passes
 *						its day's filter; every held
 *						read opens under its hold:
 *						"ok N reads", or what is wrong
 *						and exit 1
 *	store-poke -H home format1		the store as format 1 had it:
 *						no day filters
 *	store-poke -H home clear-filter DATE	the filter of a day emptied, as
 *						a program of format 1 adding
 *						reads after the upgrade leaves
 *						it: without their keys
 *	store-poke -H home copy-account FROM TO	the sealed record of account
 *						FROM put under the name TO
 *	store-poke -H home copy-case FROM TO	the sealed record of case FROM
 *						put under the name TO
 *	store-poke -H home drop-case NAME	the record of case NAME removed
 *	store-poke -H home no-cases		the table of cases removed, as a
 *						store from before cases had it
 *	store-poke -H home -K key misplace DATE	every read of a day moved to
 *						another serial of its
 *						centisecond, as a purge before
 *						2 December 2026 left the reads
 *						it kept (and the store's mark
 *						that its reads were checked
 *						removed)
 *	store-poke -H home -K key cross OLDDB	with this store's day keys, how
 *						many reads of another
 *						environment (a copy from before
 *						a purge) open, on the days this
 *						store has and on those it has
 *						not
 *	store-poke feistel N			the postings' block cipher
 *						against its known answers, and
 *						N random blocks each opened
 *						again
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

static void
usage(void)
{
	fprintf(stderr, "usage: store-poke -H home [-K key] account|session "
	    "name member json | case|request name member json | copy-account|copy-case "
	    "from to | swap-reads | drop-daykey date | copy-daykey "
	    "from to | count | "
	    "links | check | dump | misplace date | cross olddb | format1 | "
	    "no-cases | "
	    "format2 | cipher [name|-] | meta name [value|-] | sealed | "
	    "clear-filter date\n       store-poke feistel n\n");
	exit(2);
}

static MDB_env *
raw_env(const char *home, MDB_dbi *reads, MDB_dbi *keys, MDB_dbi *idx,
    MDB_txn **txn, unsigned flags)
{
	MDB_env *env;
	char *db = alpr_path(home, "db");
	int rc;

	if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 16) ||
	    mdb_env_open(env, db, MDB_NOTLS, 0600))
		alpr_die(3, "cannot open %s", db);
	if ((rc = mdb_txn_begin(env, NULL, flags, txn)) == MDB_MAP_RESIZED) {
		mdb_env_set_mapsize(env, 0);
		rc = mdb_txn_begin(env, NULL, flags, txn);
	}
	if (rc ||
	    mdb_dbi_open(*txn, "reads", 0, reads) ||
	    mdb_dbi_open(*txn, "keys", 0, keys) ||
	    mdb_dbi_open(*txn, "idx", MDB_DUPSORT | MDB_DUPFIXED, idx))
		alpr_die(3, "cannot open %s", db);
	free(db);
	return env;
}

static int
swap_reads(const char *home)
{
	MDB_dbi reads, keys, idx;
	MDB_txn *txn;
	MDB_env *env = raw_env(home, &reads, &keys, &idx, &txn, 0);
	MDB_cursor *c;
	MDB_val k[2], v[2];
	unsigned char kb[2][ST_RKEY];
	void *d[2];
	int i;

	mdb_cursor_open(txn, reads, &c);
	for (i = 0; i < 2; i++) {
		if (mdb_cursor_get(c, &k[i], &v[i], i ? MDB_NEXT : MDB_FIRST))
			alpr_die(1, "fewer than two reads");
		memcpy(kb[i], k[i].mv_data, ST_RKEY);
		d[i] = alpr_malloc(v[i].mv_size);
		memcpy(d[i], v[i].mv_data, v[i].mv_size);
	}
	mdb_cursor_close(c);
	for (i = 0; i < 2; i++) {
		MDB_val key = { ST_RKEY, kb[i] }, val = { v[!i].mv_size, d[!i] };
		mdb_put(txn, reads, &key, &val, 0);
	}
	mdb_txn_commit(txn);
	mdb_env_close(env);
	return 0;
}

static int
copy_record(const char *home, const char *db, const char *from,
    const char *to)
{
	MDB_dbi reads, keys, idx, users;
	MDB_txn *txn;
	MDB_env *env = raw_env(home, &reads, &keys, &idx, &txn, 0);
	MDB_val k = { strlen(from), (void *)from }, v, k2 = { to ? strlen(to) :
	    0, (void *)to };

	if (mdb_dbi_open(txn, db, 0, &users) ||
	    mdb_get(txn, users, &k, &v) || (to ? mdb_put(txn, users, &k2, &v,
	    0) : mdb_del(txn, users, &k, NULL)) || mdb_txn_commit(txn))
		alpr_die(1, "cannot copy the account %s", from);
	mdb_env_close(env);
	return 0;
}

static int
day_of(const char *date)
{
	char buf[40];
	struct timespec t;

	snprintf(buf, sizeof buf, "%sT00:00:00Z", date);
	if (alpr_time_parse(buf, &t) < 0)
		alpr_die(2, "bad date %s", date);
	return t.tv_sec / 86400;
}

static int
drop_daykey(const char *home, const char *date)
{
	MDB_dbi reads, keys, idx;
	MDB_txn *txn;
	MDB_env *env = raw_env(home, &reads, &keys, &idx, &txn, 0);
	unsigned char kb[2];
	MDB_val k = { 2, kb };

	st_put16(kb, day_of(date));
	if (mdb_del(txn, keys, &k, NULL) != 0)
		alpr_die(1, "no key for %s", date);
	mdb_txn_commit(txn);
	mdb_env_close(env);
	return 0;
}

static int
copy_daykey(const char *home, const char *from, const char *to)
{
	MDB_dbi reads, keys, idx;
	MDB_txn *txn;
	MDB_env *env = raw_env(home, &reads, &keys, &idx, &txn, 0);
	unsigned char fb[2], tb[2];
	MDB_val fk = { 2, fb }, tk = { 2, tb }, v;

	st_put16(fb, day_of(from));
	st_put16(tb, day_of(to));
	if (mdb_get(txn, keys, &fk, &v) != 0)
		alpr_die(1, "no key for %s", from);
	if (mdb_put(txn, keys, &tk, &v, 0) != 0 || mdb_txn_commit(txn) != 0)
		alpr_die(3, "cannot put the key of %s", to);
	mdb_env_close(env);
	return 0;
}

static int
count(const char *home)
{
	MDB_dbi reads, keys, idx;
	MDB_txn *txn;
	MDB_env *env = raw_env(home, &reads, &keys, &idx, &txn,
	    MDB_RDONLY);
	MDB_stat a, b, c, d, e, f;
	MDB_dbi held, pushed, filt;

	mdb_stat(txn, reads, &a);
	mdb_stat(txn, idx, &b);
	mdb_stat(txn, keys, &c);
	memset(&d, 0, sizeof d);
	memset(&e, 0, sizeof e);
	if (mdb_dbi_open(txn, "held", 0, &held) == 0)
		mdb_stat(txn, held, &d);
	if (mdb_dbi_open(txn, "pushed", 0, &pushed) == 0)
		mdb_stat(txn, pushed, &e);
	memset(&f, 0, sizeof f);
	if (mdb_dbi_open(txn, "filt", 0, &filt) == 0)
		mdb_stat(txn, filt, &f);
	printf("reads %zu postings %zu days %zu held %zu pushed %zu "
	    "filters %zu\n", a.ms_entries, b.ms_entries, c.ms_entries,
	    d.ms_entries, e.ms_entries, f.ms_entries);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return 0;
}

static int
format1(const char *home)
{
	MDB_dbi reads, keys, idx, meta, filt;
	MDB_txn *txn;
	MDB_env *env = raw_env(home, &reads, &keys, &idx, &txn, 0);
	MDB_val k = { 6, "format" }, v = { 1, "1" };

	if (mdb_dbi_open(txn, "meta", 0, &meta) ||
	    mdb_dbi_open(txn, "filt", 0, &filt) || mdb_drop(txn, filt, 1) ||
	    mdb_put(txn, meta, &k, &v, 0) || mdb_txn_commit(txn))
		alpr_die(3, "cannot make the store format 1");
	mdb_env_close(env);
	return 0;
}

static int
no_cases(const char *home)
{
	MDB_dbi reads, keys, idx, cases;
	MDB_txn *txn;
	MDB_env *env = raw_env(home, &reads, &keys, &idx, &txn, 0);

	if (mdb_dbi_open(txn, "cases", 0, &cases) ||
	    mdb_drop(txn, cases, 1) || mdb_txn_commit(txn))
		alpr_die(3, "cannot remove the table of cases");
	mdb_env_close(env);
	return 0;
}

/* A meta of the store: printed (set NULL, "-" for none), set, or taken
 * away (set "-"). */
static int
meta(const char *home, const char *name, const char *set)
{
	MDB_dbi reads, keys, idx, m;
	MDB_txn *txn;
	MDB_env *env = raw_env(home, &reads, &keys, &idx, &txn, 0);
	MDB_val k = { strlen(name), (void *)name }, v;
	int rc;

	if (mdb_dbi_open(txn, "meta", 0, &m))
		alpr_die(3, "no meta");
	rc = mdb_get(txn, m, &k, &v);
	if (!set)
		printf("%.*s\n", rc ? 1 : (int)v.mv_size, rc ? "-" :
		    (char *)v.mv_data);
	else if ((!strcmp(set, "-") ? (rc ? 0 : mdb_del(txn, m, &k, NULL)) :
	    mdb_put(txn, m, &k, &(MDB_val){ strlen(set), (void *)set }, 0)))
		alpr_die(3, "cannot set %s", name);
	if (mdb_txn_commit(txn))
		alpr_die(3, "cannot commit");
	mdb_env_close(env);
	return 0;
}

/* The store's meta "cipher": printed (set NULL), set, or taken away
 * (set "-"); or (old) a store of XChaCha20-Poly1305 turned into one of
 * format 2, as made before there was a choice. */
static int
cipher(const char *home, const char *set, int old)
{
	MDB_dbi reads, keys, idx, meta;
	MDB_txn *txn;
	MDB_env *env = raw_env(home, &reads, &keys, &idx, &txn, 0);
	MDB_val k = { 6, "cipher" }, f = { 6, "format" }, v;
	int rc;

	if (mdb_dbi_open(txn, "meta", 0, &meta))
		alpr_die(3, "no meta");
	rc = mdb_get(txn, meta, &k, &v);
	if (set && !strcmp(set, "-"))
		rc = mdb_del(txn, meta, &k, NULL);
	else if (set)
		rc = mdb_put(txn, meta, &k, &(MDB_val){ strlen(set),
		    (void *)set }, 0);
	if (set && rc)
		alpr_die(3, "cannot set the cipher");
	else if (set)
		;
	else if (!old)
		printf("%.*s\n", rc ? 1 : (int)v.mv_size, rc ? "-" :
		    (char *)v.mv_data);
	else if (rc || v.mv_size != 17 || memcmp(v.mv_data,
	    "xchacha20poly1305", 17))
		alpr_die(1, "not a store of xchacha20poly1305");
	else if (mdb_del(txn, meta, &k, NULL) ||
	    mdb_put(txn, meta, &f, &(MDB_val){ 1, "2" }, 0))
		alpr_die(3, "cannot make the store format 2");
	if (mdb_txn_commit(txn))
		alpr_die(3, "cannot commit");
	mdb_env_close(env);
	return 0;
}

static int
clear_filter(const char *home, const char *date)
{
	MDB_dbi reads, keys, idx, filt;
	MDB_txn *txn;
	MDB_env *env = raw_env(home, &reads, &keys, &idx, &txn, 0);
	unsigned char kb[2], *f;
	MDB_val k = { 2, kb }, v;

	st_put16(kb, day_of(date));
	if (mdb_dbi_open(txn, "filt", 0, &filt) || mdb_get(txn, filt, &k, &v))
		alpr_die(1, "no filter for %s", date);
	f = alpr_malloc(v.mv_size);
	memcpy(f, v.mv_data, 16);	/* the header stays */
	memset(f + 16, 0, v.mv_size - 16);
	v.mv_data = f;
	if (mdb_put(txn, filt, &k, &v, 0) || mdb_txn_commit(txn))
		alpr_die(3, "cannot write the filter of %s", date);
	mdb_env_close(env);
	return 0;
}

static int
cmp64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Every posting of every list, as raw bytes, sorted: those in two lists. */
static int
links(const char *home)
{
	MDB_dbi reads, keys, idx;
	MDB_txn *txn;
	MDB_env *env = raw_env(home, &reads, &keys, &idx, &txn,
	    MDB_RDONLY);
	MDB_cursor *c;
	MDB_val k, v;
	uint64_t *all = NULL, x;
	size_t n = 0, cap = 0, i, j, shared = 0;
	int rc, day;

	mdb_cursor_open(txn, idx, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_NODUP)) {
		day = st_get16(k.mv_data);
		if (mdb_cursor_get(c, &k, &v, MDB_GET_MULTIPLE))
			continue;
		do {
			for (i = 0; i < v.mv_size / ST_POST; i++) {
				if (n == cap)
					all = alpr_realloc(all, (cap = cap ?
					    cap * 2 : 4096) * sizeof *all);
				x = (uint64_t)day << 48;
				for (j = 0; j < ST_POST; j++)
					x |= (uint64_t)((unsigned char *)
					    v.mv_data)[i * ST_POST + j] <<
					    (8 * (ST_POST - 1 - j));
				all[n++] = x;
			}
		} while (mdb_cursor_get(c, &k, &v, MDB_NEXT_MULTIPLE) == 0);
	}
	qsort(all, n, sizeof *all, cmp64);
	for (i = 1; i < n; i++)
		if (all[i] == all[i - 1] && (i < 2 || all[i - 1] != all[i - 2]))
			shared++;
	printf("postings %zu in more than one list %zu\n", n, shared);
	free(all);
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return 0;
}

/*
 * The postings' cipher against answers it gave when stores were first made
 * with it (a changed cipher leaves every store's index unreadable), then
 * n random blocks each opened again.
 */
static int
feistel(long n)
{
	static const char *known[][3] = {	/* key, block, enciphered */
		{ "000102030405060708090a0b0c0d0e0f", "000102030405",
		    "625e8c9f6932" },
		{ "00000000000000000000000000000000", "000000000000",
		    "6e7c5b6e7e4d" },
		{ "ffffffffffffffffffffffffffffffff", "ffffffffffff",
		    "4b69309046cb" },
		{ "10171e252c333a41484f565d646b7279", "a5ba9bf8d93e",
		    "04314cf50da3" },
	};
	unsigned char tk[16], in[6], want[6], b[6], back[6];
	long i, bad = 0;

	if (sodium_init() < 0)
		return 3;
	for (i = 0; i < (long)(sizeof known / sizeof known[0]); i++) {
		sodium_hex2bin(tk, sizeof tk, known[i][0], 32, NULL, NULL, NULL);
		sodium_hex2bin(in, sizeof in, known[i][1], 12, NULL, NULL, NULL);
		sodium_hex2bin(want, sizeof want, known[i][2], 12, NULL, NULL,
		    NULL);
		st_post_seal(tk, in, b);
		if (memcmp(b, want, 6)) {
			printf("known answer %ld differs\n", i + 1);
			bad++;
		}
	}
	for (i = 0; i < n; i++) {
		randombytes_buf(tk, sizeof tk);
		randombytes_buf(in, sizeof in);
		st_post_seal(tk, in, b);
		st_post_open(tk, b, back);
		if (memcmp(back, in, 6))
			bad++;
	}
	printf("%ld of %ld differ\n", bad, n + (long)(sizeof known /
	    sizeof known[0]));
	return bad > 0;
}

/* The index keys of a read, from its opened record. */
static int
read_ikeys(const struct st_day *dk, int day, const char *text, size_t n,
    unsigned char (*ik)[ST_IKEY])
{
	static struct st_terms t;
	char folds[ST_MAXFOLDS][ALPR_PLATE_MAX + 1], all[ST_MAXFOLDS *
	    (ALPR_PLATE_MAX + 1)], cam[80], *p = all;
	struct st_fields f;
	json_t *j;
	int nf, i;

	if (st_fields_read(text, n, &f, &j)) {
		json_decref(j);
		return -1;
	}
	nf = st_fields_folds(&f, folds, ST_MAXFOLDS);
	for (i = 0; i < nf; i++)
		p = stpcpy(p, folds[i]) + 1;
	if (f.camera)
		snprintf(cam, sizeof cam, "%.*s", (int)f.ncamera, f.camera);
	st_read_terms(&t, all, nf, f.camera ? cam : NULL, f.pos > 0, f.lat,
	    f.lon, f.hit > 0);
	json_decref(j);
	for (i = 0; i < t.n; i++)
		st_ikey(ik[i], day, dk, t.kind[i], t.term[i], t.len[i]);
	return t.n;
}

/*
 * Move every read of a day to another serial of its centisecond, its
 * postings and its push mark with it: where a purge before 2 December
 * 2026 left the reads it kept under a day's new key (their serials hashed
 * under the old one), so that an add no longer finds them.
 */
static int
misplace(struct alpr_store *s, const char *date)
{
	int d = day_of(date), nt, i;
	const struct st_day *dk;
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v, pk, pv;
	unsigned char kb[ST_RKEY] = { 0 }, ik[ST_MAXTERMS][ST_IKEY], tk[16];
	unsigned char post[ST_POST], *plain, *sealed;
	struct { unsigned char key[ST_RKEY]; unsigned char *sealed; size_t n;
	    } *r = NULL;
	size_t nr = 0, j, n;
	char mark;

	if (st_wbegin(s, &txn) || !(dk = st_day(s, txn, d, 0)))
		alpr_die(1, "no key for %s", date);
	st_put16(kb, d);
	k.mv_size = ST_RKEY;
	k.mv_data = kb;
	mdb_cursor_open(txn, s->reads, &c);
	for (int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0 &&
	    st_get16(k.mv_data) == (unsigned)d;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		r = alpr_realloc(r, (nr + 1) * sizeof *r);
		memcpy(r[nr].key, k.mv_data, ST_RKEY);
		r[nr].sealed = alpr_malloc(v.mv_size);
		memcpy(r[nr].sealed, v.mv_data, v.mv_size);
		r[nr++].n = v.mv_size;
	}
	mdb_cursor_close(c);
	if (!nr)
		alpr_die(1, "no reads on %s", date);
	for (j = 0; j < nr; j++) {
		unsigned char nk[ST_RKEY];
		n = r[j].n - ST_SEALED(0);
		plain = alpr_malloc(n + 1);
		if (st_open(plain, r[j].sealed, r[j].n, r[j].key, ST_RKEY,
		    dk->seal) || (nt = read_ikeys(dk, d, (char *)plain, n,
		    ik)) < 0)
			alpr_die(1, "a read of %s does not open", date);
		memcpy(nk, r[j].key, ST_RKEY);
		st_put16(nk + 6, st_get16(nk + 6) ^ 0x5a5a);
		k.mv_size = pk.mv_size = ST_RKEY;
		k.mv_data = r[j].key;
		pk.mv_data = nk;
		if (mdb_get(txn, s->reads, &pk, &v) == 0)
			alpr_die(1, "two reads of one centisecond on %s", date);
		mark = mdb_get(txn, s->pushed, &k, &v) == 0 && v.mv_size == 1 ?
		    *(char *)v.mv_data : 0;
		if (mdb_del(txn, s->reads, &k, NULL) ||
		    (mark && mdb_del(txn, s->pushed, &k, NULL)))
			alpr_die(3, "cannot move a read");
		sealed = alpr_malloc(ST_SEALED(n));
		st_seal(sealed, plain, n, nk, ST_RKEY, dk->seal);
		v.mv_size = ST_SEALED(n);
		v.mv_data = sealed;
		if (mdb_put(txn, s->reads, &pk, &v, MDB_NOOVERWRITE))
			alpr_die(3, "cannot move a read");
		if (mark) {
			v.mv_size = 1;
			v.mv_data = &mark;
			if (mdb_put(txn, s->pushed, &pk, &v, 0))
				alpr_die(3, "cannot move a push mark");
		}
		for (i = 0; i < nt; i++) {
			MDB_val ikv = { ST_IKEY, ik[i] };
			st_post_key(dk, ik[i], tk);
			st_post_seal(tk, r[j].key + 2, post);
			pv.mv_size = ST_POST;
			pv.mv_data = post;
			if (mdb_del(txn, s->idx, &ikv, &pv))
				alpr_die(1, "a read of %s lacks a posting", date);
			st_post_seal(tk, nk + 2, post);
			if (mdb_put(txn, s->idx, &ikv, &pv, MDB_NODUPDATA))
				alpr_die(3, "cannot move a posting");
		}
		free(sealed);
		free(plain);
		free(r[j].sealed);
	}
	free(r);
	/* a store of then had no mark that its reads were checked */
	k.mv_size = strlen("serials");
	k.mv_data = "serials";
	mdb_del(txn, s->meta, &k, NULL);
	if (st_wend(s, txn, 1))
		alpr_die(3, "cannot commit");
	printf("moved %zu reads\n", nr);
	return 0;
}

static int
check_all(struct alpr_store *s)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v, rk;
	unsigned char key[ST_RKEY], *plain;
	const struct st_day *dk;
	size_t n = 0, bad = 0, posts = 0, held = 0, terms = 0;
	unsigned char ik[ST_MAXTERMS][ST_IKEY], tk[16], pv[ST_POST];
	MDB_cursor *ic;
	MDB_val ikv, pvv;
	json_t *j;
	int rc, nt, i;

	if (st_txn(s, MDB_RDONLY, &txn))
		return 3;
	mdb_cursor_open(txn, s->reads, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT), n++) {
		dk = st_day(s, txn, st_get16(k.mv_data), 0);
		plain = alpr_malloc(v.mv_size);
		if (!dk || k.mv_size != ST_RKEY || st_open(plain, v.mv_data,
		    v.mv_size, k.mv_data, ST_RKEY, dk->seal) || !(j =
		    json_loadb((char *)plain, v.mv_size - ST_SEALED(0), 0,
		    NULL)) || alpr_record_check(j) || strcmp(alpr_rec_str(j,
		    "type"), "read")) {
			printf("read %zu does not open as a read record\n", n);
			bad++;
			free(plain);
			continue;
		}
		json_decref(j);
		/* a posting of each of its terms, naming it */
		if ((nt = read_ikeys(dk, st_get16(k.mv_data), (char *)plain,
		    v.mv_size - ST_SEALED(0), ik)) < 0) {
			printf("read %zu has no index terms to check\n", n);
			bad++;
		}
		mdb_cursor_open(txn, s->idx, &ic);
		for (i = 0; i < nt; i++) {
			st_post_key(dk, ik[i], tk);
			st_post_seal(tk, (unsigned char *)k.mv_data + 2, pv);
			ikv.mv_size = ST_IKEY;
			ikv.mv_data = ik[i];
			pvv.mv_size = ST_POST;
			pvv.mv_data = pv;
			if (mdb_cursor_get(ic, &ikv, &pvv, MDB_GET_BOTH)) {
				printf("read %zu lacks the posting of its term "
				    "%d\n", n, i);
				bad++;
			}
		}
		mdb_cursor_close(ic);
		terms += nt > 0 ? nt : 0;
		free(plain);
	}
	mdb_cursor_close(c);
	mdb_cursor_open(txn, s->idx, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT), posts++) {
		MDB_val fk = { 2, k.mv_data }, f;
		if (!(dk = st_day(s, txn, st_get16(k.mv_data), 0))) {
			printf("a posting of a day without a key\n");
			bad++;
			continue;
		}
		if (mdb_get(txn, s->filt, &fk, &f) == 0 &&
		    !st_filter_may(&f, k.mv_data)) {
			printf("an index key its day's filter does not have\n");
			bad++;
		}
		st_post_key(dk, k.mv_data, tk);
		memcpy(key, k.mv_data, 2);
		st_post_open(tk, v.mv_data, key + 2);
		rk.mv_size = ST_RKEY;
		rk.mv_data = key;
		if (mdb_get(txn, s->reads, &rk, &v) != 0) {
			printf("a posting names no read\n");
			bad++;
		}
	}
	mdb_cursor_close(c);
	if (posts != terms) {
		printf("%zu postings for %zu terms of the reads\n", posts, terms);
		bad++;
	}
	/* held reads: under their hold's key */
	mdb_cursor_open(txn, s->held, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT), held++) {
		char id[40];
		unsigned char hk[ST_KEY];
		size_t got;
		const char *b;
		snprintf(id, sizeof id, "%s", (char *)k.mv_data);
		plain = alpr_malloc(v.mv_size);
		j = st_hold_get(s, txn, id);
		b = json_string_value(json_object_get(j, "key"));
		if (!b || alpr_unb64(hk, ST_KEY, b, strlen(b), &got) ||
		    st_open(plain, v.mv_data, v.mv_size, k.mv_data, k.mv_size,
		    hk)) {
			printf("a read held by %s does not open\n", id);
			bad++;
		}
		json_decref(j);
		free(plain);
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	if (bad)
		return 1;
	printf("ok %zu reads %zu postings %zu held\n", n, posts, held);
	return 0;
}

/* Every read, opened: its id, its frame's SHA-256 (or -), the record. */
static int
dump(struct alpr_store *s)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	const struct st_day *dk;
	struct st_fields f;
	unsigned char *plain = NULL, *fr;
	char rid[200], img[80], label[8], hex[ALPR_SHA256_HEX], *path;
	size_t n, nf;
	json_t *j;
	int rc, bad = 0;

	if (st_txn(s, MDB_RDONLY, &txn))
		return 3;
	mdb_cursor_open(txn, s->reads, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		dk = st_day(s, txn, st_get16(k.mv_data), 0);
		n = v.mv_size - ST_SEALED(0);
		plain = alpr_realloc(plain, n + 1);
		if (!dk || st_open(plain, v.mv_data, v.mv_size, k.mv_data,
		    ST_RKEY, dk->seal) || st_fields_read((char *)plain, n, &f,
		    &j)) {
			bad++;
			continue;
		}
		st_rid(rid, f.id, f.nid, f.box);
		strcpy(hex, "-");
		if (f.image && f.nimage == 64) {
			snprintf(img, sizeof img, "%.64s", f.image);
			st_day_label(label, st_get16(k.mv_data));
			path = st_frame_path(s, st_get16(k.mv_data), dk, img);
			if (st_frame_get(path, label, dk->frame, &fr, &nf) ==
			    0) {
				alpr_sha256_hex(fr, nf, hex);
				free(fr);
			}
			free(path);
		}
		printf("%s\t%s\t%.*s\n", rid, hex, (int)n, plain);
		json_decref(j);
	}
	free(plain);
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	return bad ? 1 : 0;
}

/* Every read as sealed, in hex: its day's sealing key, its record key
 * (the associated data), the sealed value; for a check of the cipher by
 * another implementation (tests/tools/aes-open). */
static int
sealed(struct alpr_store *s)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	const struct st_day *dk;
	char *hex = NULL;
	int rc;

	if (st_txn(s, MDB_RDONLY, &txn))
		return 3;
	mdb_cursor_open(txn, s->reads, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (!(dk = st_day(s, txn, st_get16(k.mv_data), 0)))
			continue;
		hex = alpr_realloc(hex, 2 * v.mv_size + 1);
		sodium_bin2hex(hex, 2 * ST_KEY + 1, dk->seal, ST_KEY);
		printf("%s ", hex);
		sodium_bin2hex(hex, 2 * k.mv_size + 1, k.mv_data, k.mv_size);
		printf("%s ", hex);
		sodium_bin2hex(hex, 2 * v.mv_size + 1, v.mv_data, v.mv_size);
		printf("%s\n", hex);
	}
	free(hex);
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	return 0;
}

/* Open another environment's reads with this store's day keys. */
static int
cross(struct alpr_store *s, const char *olddb)
{
	MDB_env *env;
	MDB_txn *txn, *otxn;
	MDB_dbi oreads;
	MDB_cursor *c;
	MDB_val k, v;
	const struct st_day *dk;
	unsigned char *plain;
	size_t gone = 0, goneopen = 0, here = 0, hereopen = 0;
	int rc;

	if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 8) ||
	    mdb_env_open(env, olddb, MDB_RDONLY, 0600) ||
	    mdb_txn_begin(env, NULL, MDB_RDONLY, &otxn) ||
	    mdb_dbi_open(otxn, "reads", 0, &oreads))
		alpr_die(3, "cannot open %s", olddb);
	if (st_txn(s, MDB_RDONLY, &txn))
		return 3;
	mdb_cursor_open(otxn, oreads, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		dk = st_day(s, txn, st_get16(k.mv_data), 0);
		plain = alpr_malloc(v.mv_size);
		rc = dk && st_open(plain, v.mv_data, v.mv_size, k.mv_data,
		    ST_RKEY, dk->seal) == 0;
		free(plain);
		if (dk) {
			here++;
			hereopen += rc;
		} else {
			gone++;
			goneopen += rc;
		}
	}
	printf("days gone: %zu of %zu reads open; days kept: %zu of %zu "
	    "reads open\n", goneopen, gone, hereopen, here);
	mdb_txn_abort(txn);
	mdb_txn_abort(otxn);
	mdb_env_close(env);
	return 0;
}

int
main(int argc, char **argv)
{
	struct alpr_store *s;
	const char *home = NULL, *key = NULL;
	json_t *val, *j;
	MDB_txn *txn;
	int c;

	alpr_setprogname(argv[0]);
	while ((c = getopt(argc, argv, "H:K:")) != -1)
		switch (c) {
		case 'H': home = optarg; break;
		case 'K': key = optarg; break;
		default: usage();
		}
	argc -= optind;
	argv += optind;
	if (argc == 2 && !strcmp(argv[0], "feistel"))
		return feistel(atol(argv[1]));
	if (!home || argc < 1)
		usage();
	if (!strcmp(argv[0], "swap-reads"))
		return swap_reads(home);
	if (!strcmp(argv[0], "drop-daykey") && argc == 2)
		return drop_daykey(home, argv[1]);
	if (!strcmp(argv[0], "copy-daykey") && argc == 3)
		return copy_daykey(home, argv[1], argv[2]);
	if (!strcmp(argv[0], "copy-account") && argc == 3)
		return copy_record(home, "users", argv[1], argv[2]);
	if (!strcmp(argv[0], "copy-case") && argc == 3)
		return copy_record(home, "cases", argv[1], argv[2]);
	if (!strcmp(argv[0], "drop-case") && argc == 2)
		return copy_record(home, "cases", argv[1], NULL);
	if (!strcmp(argv[0], "count"))
		return count(home);
	if (!strcmp(argv[0], "links"))
		return links(home);
	if (!strcmp(argv[0], "format1"))
		return format1(home);
	if (!strcmp(argv[0], "no-cases"))
		return no_cases(home);
	if (!strcmp(argv[0], "meta") && (argc == 2 || argc == 3))
		return meta(home, argv[1], argc == 3 ? argv[2] : NULL);
	if (!strcmp(argv[0], "cipher") && argc <= 2)
		return cipher(home, argc == 2 ? argv[1] : NULL, 0);
	if (!strcmp(argv[0], "format2"))
		return cipher(home, NULL, 1);
	if (!strcmp(argv[0], "clear-filter") && argc == 2)
		return clear_filter(home, argv[1]);
	if (!strcmp(argv[0], "check")) {
		if (!(s = alpr_store_open(home, key)))
			return 3;
		c = check_all(s);
		alpr_store_close(s);
		return c;
	}
	if (!strcmp(argv[0], "dump")) {
		if (!(s = alpr_store_open(home, key)))
			return 3;
		c = dump(s);
		alpr_store_close(s);
		return c;
	}
	if (!strcmp(argv[0], "sealed")) {
		if (!(s = alpr_store_open(home, key)))
			return 3;
		c = sealed(s);
		alpr_store_close(s);
		return c;
	}
	if (!strcmp(argv[0], "misplace") && argc == 2) {
		if (!(s = alpr_store_open(home, key)))
			return 3;
		c = misplace(s, argv[1]);
		alpr_store_close(s);
		return c;
	}
	if (!strcmp(argv[0], "cross") && argc == 2) {
		if (!(s = alpr_store_open(home, key)))
			return 3;
		c = cross(s, argv[1]);
		alpr_store_close(s);
		return c;
	}
	if (argc != 4)
		usage();
	if (!(val = json_loads(argv[3], JSON_DECODE_ANY, NULL)))
		alpr_die(2, "bad JSON: %s", argv[3]);
	if (!(s = alpr_store_open(home, key)))
		return 3;
	if (!strcmp(argv[0], "account")) {
		if (st_wbegin(s, &txn) || !(j = st_user_get(s, txn, argv[1])))
			alpr_die(1, "no account %s", argv[1]);
		json_object_set(j, argv[2], val);
		if (st_user_put(s, txn, argv[1], j) || st_wend(s, txn, 1))
			alpr_die(3, "cannot store the account");
		json_decref(j);
	} else if (!strcmp(argv[0], "case")) {
		if (s->nocases || st_wbegin(s, &txn) || !(j = st_record_get(txn,
		    s->cases, "case", argv[1], s->holdk)))
			alpr_die(1, "no case %s", argv[1]);
		json_object_set(j, argv[2], val);
		if (st_case_put(s, txn, argv[1], j) || st_wend(s, txn, 1))
			alpr_die(3, "cannot store the case");
		json_decref(j);
	} else if (!strcmp(argv[0], "request")) {
		if (st_wbegin(s, &txn) || !(j = st_request_get(s, txn, argv[1])))
			alpr_die(1, "no request %s", argv[1]);
		if (json_is_null(val))
			json_object_del(j, argv[2]);
		else
			json_object_set(j, argv[2], val);
		if (st_request_put(s, txn, argv[1], j) || st_wend(s, txn, 1))
			alpr_die(3, "cannot store the request");
		json_decref(j);
	} else if (!strcmp(argv[0], "session")) {
		unsigned char mac[crypto_auth_BYTES], *buf;
		char *p = alpr_path(s->sessdir, argv[1]), *line, b64[64], *out;
		size_t n;
		if (alpr_read_file(p, &buf, &n) < 0)
			alpr_die(1, "no session %s", p);
		*strchr((char *)buf, '\n') = '\0';
		j = json_loads((char *)buf, 0, NULL);
		json_object_set(j, argv[2], val);
		line = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		crypto_auth(mac, (unsigned char *)line, strlen(line), s->sessk);
		alpr_b64(b64, sizeof b64, mac, sizeof mac);
		n = strlen(line) + strlen(b64) + 3;
		out = alpr_malloc(n);
		snprintf(out, n, "%s\n%s\n", line, b64);
		if (alpr_write_atomic(p, out, strlen(out)) < 0)
			alpr_die(3, "cannot write %s", p);
	} else
		usage();
	json_decref(val);
	alpr_store_close(s);
	return 0;
}
