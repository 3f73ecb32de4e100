/*
 * store.h: what the files of lib/store/ share with each other. Programs use
 * the store sections of alpr.h; this header is for the store's own files.
 *
 * The store home (alpr-store(1) FILES):
 *	alpr.conf	settings (alpr.conf(5))
 *	db		a symbolic link to db.N/, the LMDB environment (a
 *			compaction writes db.N+1/ and moves the link)
 *	lock		taken shared by every write transaction, alone by a
 *			compaction
 *	spool/DAY/NAME	sealed frames, one folder per day of reads
 *	log/		the access log (alpr-audit(1))
 *	sessions/CLIENT	login sessions, one per OS user
 *
 * The databases of the environment:
 *	meta	store-wide values by name (format, serials, kek_gen, kek_check,
 *		conf)
 *	keys	DAY(2) -> GEN(4) NONCE(24) SEALED(DAYKEY)(48): the day keys,
 *		wrapped under the key-encryption key of generation GEN
 *	reads	DAY(2) CS(4) SERIAL(2) -> NONCE(24) SEALED(record): reads in
 *		time order (CS: centisecond of the day, SERIAL: the reads of
 *		one centisecond), sealed under the day's key with the 8-byte
 *		key as associated data
 *	idx	DAY(2) SIPHASH(kind term)(8) -> E(CS(4) SERIAL(2)) ...
 *		(DUPFIXED): the index, one posting list per day and term, the
 *		term hashed under the day's index key, each posting
 *		enciphered under the term's own key (keys.c)
 *	users	NAME -> NONCE(24) SEALED(account JSON)
 *	holds	ID -> NONCE(24) SEALED(hold JSON, its own key inside)
 *	held	ID NUL READ-ID -> NONCE(24) SEALED(record): held reads, under
 *		their hold's key, so that they outlive their day's
 *	requests ID -> NONCE(24) SEALED(release request JSON)
 *	filt	DAY(2) -> a filter of the day's index keys (filter.c)
 *	cases	CASE -> NONCE(24) SEALED(case JSON) (cases.c; made by the
 *		first case opened)
 * All integers are big-endian, so that keys sort in time order.
 */
#ifndef ALPR_STORE_H
#define ALPR_STORE_H

#include <lmdb.h>
#include <sodium.h>

#include "alpr.h"

#define ST_KEY 32			/* symmetric keys */
#define ST_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define ST_TAG crypto_aead_xchacha20poly1305_ietf_ABYTES
#define ST_SEALED(n) (ST_NONCE + (n) + ST_TAG)
#define ST_RKEY 8			/* read key */
#define ST_IKEY 10			/* index key */
#define ST_POST 6			/* posting */
#define ST_WRAPPED (4 + ST_SEALED(ST_KEY))
#define ST_NDAYS 65536			/* days since 1970 in a uint16 */

/* Index term kinds: the first byte hashed with the term. */
enum {
	T_FOLD = 'f',		/* a folded plate or candidate (exact search) */
	T_GRAM = 'b',		/* a bigram of ^folded-plate$ */
	T_CAM = 'c',		/* the camera */
	T_GEO1 = 'g',		/* a fine position cell */
	T_GEO2 = 'G',		/* a coarse position cell */
	T_HIT = 'h',		/* the read has hotlist hits */
};

struct st_day {			/* a day's keys, derived from its data key */
	unsigned char seal[ST_KEY];	/* reads */
	unsigned char idx[crypto_shorthash_KEYBYTES];	/* index terms */
	unsigned char frame[ST_KEY];	/* frames and their names */
	unsigned char post[crypto_shorthash_siphashx24_KEYBYTES];
					/* postings, a key per term */
	unsigned char id[16];		/* tells this data key from another */
	struct st_day *retired;		/* dropped ones, kept until close */
};

struct alpr_store {
	char *home, *dbdir, *spool, *logdir, *sessdir, *confpath;
	char *keypath;			/* the key file read */
	char id[33];			/* the store's id, hex */
	char sid[33];			/* the session of this run, hex */
	int lockfd;			/* HOME/lock: writers share it, a
					 * compaction takes it alone */
	int relfd;			/* HOME/release.lock, held while a
					 * release is made (release.c) */
	dev_t dbdev;			/* the data file opened */
	ino_t dbino;
	struct alpr_storeconf conf;
	MDB_env *env;
	MDB_dbi meta, keys, reads, idx, users, holds, held, requests;
	MDB_dbi pushed;			/* read key: 'S' the server has it,
					 * 'R' the server refused it */
	MDB_dbi filt;			/* the days' filters (filter.c) */
	int nofilt;			/* not opened: a format 1 store */
	MDB_dbi cases;			/* the cases (cases.c) */
	int nocases;			/* none yet: a store from before them */
	unsigned char *kek;		/* sodium_malloc'd: the key file's key */
	unsigned char *wrap;		/* wraps day keys */
	unsigned char *userk;		/* seals accounts */
	unsigned char *sessk;		/* authenticates sessions */
	unsigned char *holdk;		/* seals holds */
	unsigned char *signk;		/* seals the agency's signing key */
	uint32_t kekgen;
	struct st_day **day;		/* ST_NDAYS slots, loaded on demand */
	struct st_day *retired;		/* dropped, still in a batch's hands */
	signed char *dayst;		/* per day: 0 unknown, 1 loaded, -1 none */
	struct alpr_log *log;
	struct alpr_actor actor;	/* who is acting (access.c) */
	time_t sess_created;		/* the resumed session's start: a
					 * session written anew keeps it */
};

/* access.c: a text as a JSON string for the access log: t itself when it
 * is UTF-8 of at most max bytes; else its first max bytes, each byte that
 * is no UTF-8 written \xNN, and "..." when cut. Never NULL. */
json_t *st_logtext(const char *t, size_t max);
/* Is the one acting the one who took a step as account by from OS user
 * client: the same account, or another reached from the same OS user
 * (one person, two accounts)? A step recorded without its OS user has
 * the account alone to go by; one without an account counts as theirs. */
int st_same_person(const struct alpr_store *s, const char *by,
    const char *client);

/* access.c: NULL if kase is a case number (alpr.conf case_min), else
 * why not (in why, or a static message). */
const char *st_case_number(const struct alpr_store *s, const char *kase,
    char *why, size_t n);

/* cases.c */
int st_case_put(struct alpr_store *s, MDB_txn *txn, const char *kase,
    json_t *c);

/* keys.c */
/* 0 if path lies outside the home, else -1 and a message. */
int st_kek_outside(struct alpr_store *s, const char *path);
int st_kek_load(struct alpr_store *s, const char *path, int create);
int st_kek_check(struct alpr_store *s, MDB_txn *txn);
/* Is the key file's key the one the database has now? 1, or 0. */
int st_kek_current(struct alpr_store *s, MDB_txn *txn);
/* A check value that tells the key file's key from another. */
void st_kek_checkval(struct alpr_store *s, unsigned char out[16]);
/* Read the key file again (next: the new one a purge writes beside it). */
int st_kek_reread(struct alpr_store *s, int next);
/* Can a new key file be written beside the key file? 0, or -1 (warned). */
int st_kek_writable(struct alpr_store *s);
/* A new key-encryption key: every day key wrapped, every account and
 * hold sealed, every session authenticated anew, the key file replaced. */
int st_kek_rotate(struct alpr_store *s);
/* The agency's Ed25519 signing key (make: make it if there is none, in
 * a write transaction; else zeros): 0, or -1. */
int st_sign_key(struct alpr_store *s, MDB_txn *txn, unsigned char sk[64],
    int make);
int st_sign_store(struct alpr_store *s, MDB_txn *txn,
    const unsigned char sk[64]);
/* export.c: the agency's signing key, made (in a write transaction of
 * its own) the first time it is asked for: 0, or -1. */
int st_agency_key(struct alpr_store *s, unsigned char sk[64]);
/* Finish a rotation a crash cut short: 0 if the key file's .next was the
 * store's key and is now the key file, else -1. */
int st_kek_recover(struct alpr_store *s);
void st_kek_record(struct alpr_store *s, MDB_txn *txn);
/* The keys of day d: NULL when the day has none (and create is 0) or on
 * error (message printed). create needs a write txn. */
const struct st_day *st_day(struct alpr_store *s, MDB_txn *txn, int d,
    int create);
/* The keys of day d as the database has them now, outside the cache
 * (malloc'd): NULL if none (*none set) or on error (message printed). */
struct st_day *st_day_load(struct alpr_store *s, MDB_txn *txn, int d,
    int *none);
void st_days_forget(struct alpr_store *s);
/* Forget the cached keys of one day (kept in memory until the store is
 * closed, for a batch that was indexed with them). */
void st_day_drop(struct alpr_store *s, int d);
/* The keys derived from a day's data key, malloc'd. */
struct st_day *st_day_make(const unsigned char dk[ST_KEY]);
/* Wrap a day's data key under the store's key and keep it, replacing any
 * other: 0, or the LMDB error. */
int st_day_store(struct alpr_store *s, MDB_txn *txn, int d,
    const unsigned char dk[ST_KEY]);
/* The store's cipher (keys.c, Ciphers). pick: the one a new store is
 * made with, name's (NULL: AES-256-GCM where the processor can, else
 * XChaCha20-Poly1305), or NULL (said); use: seal and open with the one a
 * store's meta names (n bytes): 0, or -1 (said). forget: wipe this
 * thread's kept subkeys. */
const char *st_cipher_pick(const char *name);
int st_cipher_use(const void *name, size_t n);
void st_cipher_forget(void);
/* Seal n bytes: out gets ST_SEALED(n) bytes. */
void st_seal(unsigned char *out, const void *p, size_t n, const void *ad,
    size_t adn, const unsigned char key[ST_KEY]);
/* Open ST_SEALED(n) bytes into out (n bytes); 0, or -1 if forged. */
int st_open(unsigned char *out, const unsigned char *p, size_t sealed,
    const void *ad, size_t adn, const unsigned char key[ST_KEY]);
/*
 * A JSON record (an account, a hold, a release request) kept in db under
 * name (at most ST_NAME_MAX bytes), sealed under key with its kind and name
 * as associated data, so that no record can stand in for another. get: a
 * new reference, or NULL (none, or it does not open: said). put: 0 or -1
 * (said).
 */
#define ST_NAME_MAX 64
json_t *st_record_get(MDB_txn *txn, MDB_dbi db, const char *kind,
    const char *name, const unsigned char key[ST_KEY]);
/* 0, MDB_MAP_FULL (negative: an add grows the map and tries again), or
 * -1. */
int st_record_put(MDB_txn *txn, MDB_dbi db, const char *kind,
    const char *name, json_t *j, const unsigned char key[ST_KEY]);
/* The index key of a term on day d. */
void st_ikey(unsigned char out[ST_IKEY], int d, const struct st_day *k,
    int kind, const char *term, size_t n);
/* The first key a read of id rid, of day d and centisecond cs, is given
 * under the day's keys k: DAY CS SERIAL, SERIAL 16 bits of the keyed hash
 * of rid (the next free one when that is taken: ingest.c). */
void st_read_key0(unsigned char out[ST_RKEY], int d, uint32_t cs,
    const struct st_day *k, const char *rid);
/*
 * Postings are enciphered under their term's own key, a 48-bit Feistel
 * permutation, so that one read looks different in each list it is in and
 * nothing links the lists without the day's key.
 */
void st_post_key(const struct st_day *k, const unsigned char ikey[ST_IKEY],
    unsigned char tk[16]);
void st_post_seal(const unsigned char tk[16], const unsigned char *in,
    unsigned char *out);
void st_post_open(const unsigned char tk[16], const unsigned char *in,
    unsigned char *out);

/* filter.c */
/* May day d's index have key ik, by its filter v (as mdb_get gives it;
 * v->mv_data NULL: the day has no filter)? 1 maybe, 0 no. */
int st_filter_may(const MDB_val *v, const unsigned char ik[ST_IKEY]);
/* Fetch the block ik would be tested in, to test many keys at once. */
void st_filter_prefetch(const MDB_val *v, const unsigned char ik[ST_IKEY]);
/* Had day d no index keys (before a batch puts its own)? 1 or 0. */
int st_filter_fresh(struct alpr_store *s, MDB_txn *txn, int d);
/* Add n index keys of day d (every stride bytes) to its filter, once
 * they are in its index (fresh: the day had none before them); build the
 * day's filter from its index. In a write transaction: 0, or the LMDB
 * error. */
int st_filter_add(struct alpr_store *s, MDB_txn *txn, int d,
    const unsigned char *keys, size_t stride, size_t n, int fresh);
int st_filter_build(struct alpr_store *s, MDB_txn *txn, int d);
/* Build the filter of each day that has an index and no filter (a day
 * fed small batches only, a store of format 1) or one without a key of
 * its index (a program of format 1 still adding after the upgrade), a
 * transaction each; progress on a terminal if asked: 0, or -1 (said). */
int st_filters_complete(struct alpr_store *s, int progress);
int st_filter_del(struct alpr_store *s, MDB_txn *txn, int d);

/* frames.c */
/* DIR/SUB/NAME of a frame, NAME keyed by key; malloc'd. */
char *st_frame_name(const char *dir, const char *sub, const unsigned char *key,
    const char *image);
/* A day's frame: spool/DAY/NAME. */
char *st_frame_path(struct alpr_store *s, int d, const struct st_day *k,
    const char *image);
/* A day's label in a sealed frame's associated data. */
void st_day_label(char label[8], int d);
/* Seal n bytes into path (made atomically): 0, or -1 (warned). */
int st_frame_put(const char *path, const char *label, const unsigned char *p,
    size_t n, const unsigned char key[ST_KEY]);
/* Open the sealed frame at path: 0 and *out malloc'd, 1 none, -1 bad. */
int st_frame_get(const char *path, const char *label,
    const unsigned char key[ST_KEY], unsigned char **out, size_t *n);

/* home.c */
/* A read-only transaction (flags MDB_RDONLY), or a write transaction
 * outside st_wbegin for what a store's making does. */
int st_txn(struct alpr_store *s, unsigned flags, MDB_txn **txn);
/*
 * A write transaction, under the home's lock taken shared: if the
 * database was replaced by a compaction or the key file's key changed
 * since it was opened, the store is opened anew first. st_wend commits
 * (ok) or aborts, and lets the lock go: 0, or the LMDB error (warned).
 */
int st_wbegin(struct alpr_store *s, MDB_txn **txn);
int st_wend(struct alpr_store *s, MDB_txn *txn, int ok);
int st_meta_put(struct alpr_store *s, MDB_txn *txn, const char *name,
    const void *p, size_t n);
int st_meta_get(struct alpr_store *s, MDB_txn *txn, const char *name,
    MDB_val *v);
/* Report an LMDB error as "what: mdb_strerror". */
void st_mdb_warn(int rc, const char *what);
/* Big-endian integers in keys. */
static inline void
st_put16(unsigned char *p, unsigned v)
{
	p[0] = v >> 8;
	p[1] = v;
}
static inline void
st_put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}
static inline unsigned
st_get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}
static inline uint32_t
st_get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}
/* Day number and centisecond of the day of a time. */
int st_day_of(const struct timespec *t, int *day, uint32_t *cs);

/* terms.c */
#define ST_MAXTERMS 64
struct st_terms {		/* distinct (kind, term) pairs */
	int n;
	unsigned char kind[ST_MAXTERMS];
	unsigned char len[ST_MAXTERMS];
	char term[ST_MAXTERMS][176];
};
void st_terms_add(struct st_terms *t, int kind, const char *s, size_t n);
/* The bigrams of ^folded$ (folded is already folded). */
void st_terms_grams(struct st_terms *t, const char *folded);
/* Position cells of a point at both levels. */
void st_terms_geo(struct st_terms *t, double lat, double lon);
/* Cells of level kind (T_GEO1/2) covering a circle; returns how many (at
 * most max), or -1 if more would be needed. */
int st_geo_cover(int kind, double lat, double lon, double radius_m,
    char (*cells)[32], int max);
double st_geo_dist(double lat1, double lon1, double lat2, double lon2);

/* record.c */
struct st_fields {		/* a read's, into its line or a jansson tree */
	const char *type, *id, *ts, *plate, *camera, *image;
	size_t ntype, nid, nts, nplate, ncamera, nimage;
	const char *cand[ALPR_JSCAN_PLATES];
	size_t ncand[ALPR_JSCAN_PLATES];
	int ncands, hit, havebox, pos;
	int stored;		/* it has "stored" (who stored it before) */
	long box[4];
	double lat, lon;
};
#define ST_MAXFOLDS 33
/* The fields of a line, NULL or what is wrong; *j, if set, holds them
 * and is the caller's to json_decref. */
const char *st_fields_read(const char *line, size_t n, struct st_fields *f,
    json_t **j);
/* With the strict scanner alone: 1, or 0 when it cannot be sure. */
int st_fields_scan(const char *line, size_t n, struct st_fields *f);
const char *st_fields_json(json_t *j, struct st_fields *f);
/* Is it a read the store keeps? NULL (and its time in ts), or why not. */
const char *st_fields_check(const struct st_fields *f, struct timespec *ts,
    char *why, size_t n);
int st_plate_ok(const char *p, size_t n);
/* The read id into out (200 bytes): the frame's id, '/', box x and y. */
size_t st_rid(char *out, const char *id, size_t n, const long box[4]);
/* The id of a stored read (rid: 200 bytes), from its opened record
 * (n bytes): 0, or -1 when it has no id and box. */
int st_stored_rid(const char *text, size_t n, char *rid);
/* Two read records (n bytes each) the same but for the last entry of
 * their "stored" (the store's own: who stored each, when)? 1 or 0. */
int st_same_read(const char *a, size_t na, const char *b, size_t nb);
/* The distinct folded strings of the plate and its candidates. */
int st_fields_folds(const struct st_fields *f,
    char (*folds)[ALPR_PLATE_MAX + 1], int max);
/* A read's index terms: folds NUL-separated, the plate's first. */
void st_read_terms(struct st_terms *t, const char *folds, int nfolds,
    const char *camera, int pos, double lat, double lon, int hit);

/* session.c */
/* Authenticate every session anew with the store's session key; old:
 * the key they were made with. */
void st_sessions_rekey(struct alpr_store *s, const unsigned char *old);

/* hold.c */
json_t *st_hold_get(struct alpr_store *s, MDB_txn *txn, const char *id);
int st_hold_put(struct alpr_store *s, MDB_txn *txn, const char *id,
    json_t *h);
/* rm -r, quietly. */
void st_rmtree(const char *path);
/* The files in a folder; remove those whose names keep lacks, and say how
 * many; fsync a file or folder: 0, or -1. */
long st_count_files(const char *dir);
long st_remove_except(const char *dir, json_t *keep);
int st_fsync_file(const char *path);

/* release.c */
json_t *st_request_get(struct alpr_store *s, MDB_txn *txn, const char *id);
int st_request_put(struct alpr_store *s, MDB_txn *txn, const char *id,
    json_t *req);
/* fn for each agency of alpr.conf's release_agencies (a path from the
 * home if relative) until it returns non-zero, which is returned; lines
 * that are not "ST Name", of another state than CA, or naming a federal
 * or private agency, are reported and skipped. -1 when the file cannot be
 * read. */
int st_agencies(const struct alpr_store *s,
    int (*fn)(const char *state, const char *name, void *arg), void *arg);

/* users.c */
json_t *st_user_get(struct alpr_store *s, MDB_txn *txn, const char *name);
int st_user_put(struct alpr_store *s, MDB_txn *txn, const char *name,
    json_t *u);
void st_user_end_session(struct alpr_store *s, const char *name,
    const char *sid);
/* A batch a device adds, in its write transaction: 0 the account is
 * still an active device (used: the batch stored reads, kept as its use,
 * once an hour at most), 1 it is not (disabled, or its role changed,
 * since the add began), MDB_MAP_FULL (grow the map and try again), -1
 * error. */
int st_device_batch(struct alpr_store *s, MDB_txn *txn, const char *name,
    int used);

#endif
