/*
 * keys.c: the store's keys, and sealing with them (alpr-store(1) KEYS).
 *
 * The key file, outside the store home, holds the key-encryption key (KEK)
 * and its generation. Three keys are derived from it: one wraps the day
 * keys, one seals accounts, one authenticates sessions. Each day of reads
 * has a data key of its own, fresh randomness, stored in the keys database
 * only wrapped; from it come the day's sealing key (reads), index key
 * (SipHash-2-4 of the index terms) and frame key (frames and their names).
 * Destroying a day's wrapped key makes every copy of that day's data, in
 * freed pages, old copies and backups alike, noise: nothing is left to
 * open a read with or to test a guessed plate against.
 *
 * Sealing is AEAD with a random nonce and the record's key as associated
 * data, so a sealed value cannot be moved to another key: AES-256-GCM,
 * the cipher CJIS 5.10.1.2.2 names for data at rest (AES, FIPS 197, 256
 * bits), or, for a store made before it or on a processor without AES
 * instructions, XChaCha20-Poly1305 (Ciphers, below).
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

#define KEYFILE_MAGIC "alpr-store key\n"

static void
fsync_dir(const char *path)
{
	char *d = alpr_strdup(path), *slash = strrchr(d, '/');
	int fd;

	if (slash)
		*(slash == d ? slash + 1 : slash) = '\0';
	if ((fd = open(slash ? d : ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
	free(d);
}

const char *
alpr_store_keyfile(const char *opt, const struct alpr_storeconf *c)
{
	static char cred[4096];
	const char *e;

	if (opt && *opt)
		return opt;
	if ((e = getenv("ALPR_KEY_FILE")) && *e)
		return e;
	if ((e = getenv("CREDENTIALS_DIRECTORY")) && *e) {
		snprintf(cred, sizeof cred, "%s/alpr-store.key", e);
		if (access(cred, F_OK) == 0)
			return cred;
	}
	if (c && c->key_file && *c->key_file)
		return c->key_file;
	return NULL;
}

static void
derive(struct alpr_store *s)
{
	crypto_kdf_derive_from_key(s->wrap, ST_KEY, 1, "alprkek_", s->kek);
	crypto_kdf_derive_from_key(s->userk, ST_KEY, 2, "alprkek_", s->kek);
	crypto_kdf_derive_from_key(s->sessk, ST_KEY, 3, "alprkek_", s->kek);
	crypto_kdf_derive_from_key(s->holdk, ST_KEY, 4, "alprkek_", s->kek);
	crypto_kdf_derive_from_key(s->signk, ST_KEY, 5, "alprkek_", s->kek);
}

static int
parse_keyfile(struct alpr_store *s, const char *path, unsigned char *buf,
    size_t n)
{
	char *p = (char *)buf, *nl, *end;
	unsigned long gen;
	size_t got;

	if (n < sizeof KEYFILE_MAGIC || memcmp(p, KEYFILE_MAGIC,
	    sizeof KEYFILE_MAGIC - 1))
		goto bad;
	p += sizeof KEYFILE_MAGIC - 1;
	errno = 0;
	gen = strtoul(p, &end, 10);
	if (end == p || *end != '\n' || errno || gen > 0xffffffffUL)
		goto bad;
	p = end + 1;
	if (!(nl = strchr(p, '\n')) || alpr_unb64(s->kek, ST_KEY, p, nl - p,
	    &got) < 0 || got != ST_KEY)
		goto bad;
	s->kekgen = gen;
	derive(s);
	return 0;
bad:
	alpr_warn("%s: not an alpr-store key file", path);
	return -1;
}

/* Is path inside dir (both as they resolve now)? */
static int
inside(const char *path, const char *dir)
{
	char *rp, *rd, *slash, *copy;
	size_t n;
	int r;

	if (!(rd = realpath(dir, NULL)))
		return 0;
	if (!(rp = realpath(path, NULL))) {
		/* not made yet: resolve its folder */
		copy = alpr_strdup(path);
		slash = strrchr(copy, '/');
		if (slash)
			*slash = '\0';
		rp = realpath(slash ? (*copy ? copy : "/") : ".", NULL);
		free(copy);
		if (!rp) {
			free(rd);
			return 0;
		}
	}
	n = strlen(rd);
	r = !strncmp(rp, rd, n) && (rp[n] == '/' || rp[n] == '\0');
	free(rp);
	free(rd);
	return r;
}

int
st_kek_outside(struct alpr_store *s, const char *path)
{
	if (!inside(path, s->home))
		return 0;
	alpr_warn("%s: the key file must not lie inside the store home %s: a "
	    "copy of the home would carry its own key", path, s->home);
	return -1;
}

int
st_kek_load(struct alpr_store *s, const char *path, int create)
{
	char b64[64], buf[128];
	unsigned char *data;
	struct stat st;
	size_t n;
	int fd, r;

	if (!path) {
		alpr_warn("no key file: give --key-file, set ALPR_KEY_FILE, or "
		    "set key_file in %s", s->confpath);
		return -1;
	}
	if (st_kek_outside(s, path) < 0)
		return -1;
	if (s->keypath != path) {
		free(s->keypath);
		s->keypath = alpr_strdup(path);
	}
	if (stat(path, &st) == 0 && (!S_ISREG(st.st_mode) || st.st_size >
	    4096)) {
		alpr_warn("%s: not a key file (a key file is a small plain "
		    "file)", path);
		return -1;
	}
	if (alpr_read_file(path, &data, &n) == 0) {
		r = parse_keyfile(s, path, data, n);
		sodium_memzero(data, n);
		free(data);
		if (r == 0 && stat(path, &st) == 0 && (st.st_mode & 077))
			alpr_warn("warning: %s can be read by others than its "
			    "owner (mode %03o): chmod 600 it", path,
			    (unsigned)st.st_mode & 0777);
		return r;
	}
	if (errno != ENOENT || !create) {
		alpr_warn("unable to read the key file %s:", path);
		return -1;
	}
	randombytes_buf(s->kek, ST_KEY);
	s->kekgen = 1;
	derive(s);
	alpr_b64(b64, sizeof b64, s->kek, ST_KEY);
	snprintf(buf, sizeof buf, KEYFILE_MAGIC "%u\n%s\n", s->kekgen, b64);
	r = -1;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) >=
	    0) {
		r = write(fd, buf, strlen(buf)) == (ssize_t)strlen(buf) &&
		    fsync(fd) == 0 ? 0 : -1;
		if (close(fd) < 0)
			r = -1;
		if (r < 0)
			unlink(path);
	}
	if (r < 0)
		alpr_warn("unable to write the key file %s:", path);
	sodium_memzero(buf, sizeof buf);
	sodium_memzero(b64, sizeof b64);
	return r;
}

/* A check value that tells the store's key from another without
 * revealing it. */
void
st_kek_checkval(struct alpr_store *s, unsigned char out[16])
{
	static const char label[] = "alpr-store key check";

	crypto_generichash(out, 16, (const unsigned char *)label,
	    sizeof label - 1, s->kek, ST_KEY);
}

void
st_kek_record(struct alpr_store *s, MDB_txn *txn)
{
	unsigned char chk[20];
	MDB_val k = { 9, "kek_check" }, v = { sizeof chk, chk };

	st_kek_checkval(s, chk);
	st_put32(chk + 16, s->kekgen);
	mdb_put(txn, s->meta, &k, &v, 0);
}

int
st_kek_check(struct alpr_store *s, MDB_txn *txn)
{
	unsigned char chk[16];
	MDB_val k = { 9, "kek_check" }, v;
	int rc;

	if ((rc = mdb_get(txn, s->meta, &k, &v)) != 0 || v.mv_size != 20) {
		alpr_warn("%s: the store records no key check: not a store "
		    "made by alpr-store init", s->dbdir);
		return -1;
	}
	st_kek_checkval(s, chk);
	if (sodium_memcmp(chk, v.mv_data, 16) != 0) {
		alpr_warn("the key file is not this store's key (the store's "
		    "is generation %u, the file's %u)",
		    st_get32((unsigned char *)v.mv_data + 16), s->kekgen);
		return -1;
	}
	return 0;
}

/*
 * Ciphers. A store seals with one cipher, chosen when it is made and kept
 * in its meta "cipher" (st_cipher_pick, st_cipher_use): "aes256gcm", or
 * "xchacha20poly1305", which a store without the meta, made before, is.
 * libsodium runs AES-256-GCM only with the processor's AES and carry-less
 * multiply instructions (x86-64 since 2010). Both take the 24-byte nonce
 * below and a 16-byte tag, so every sealed value has one layout.
 *
 * GCM's 96-bit nonce is too short to draw at random under a key kept for
 * a year, so AES-256-GCM is used as XChaCha20 uses ChaCha20: the first 12
 * bytes of the nonce choose a subkey, the key's AES-256 keystream there
 * (GCM's first two counter blocks, of 32 zero bytes encrypted under the
 * key with those 12 bytes as nonce), and the last 12 are GCM's nonce
 * under the subkey. The key itself encrypts nothing else. The nonces of
 * nonce() share their first 16 bytes within a thread, so a thread seals
 * a key's values under one subkey: the last 4 subkeys a thread used are
 * kept with their key schedules (sub[]), and wiped as the thread ends.
 * Measured with libsodium 1.0.18 on this project's machine (a Xeon with
 * AES-NI), a value of 560 bytes: sealed in 1.35 us and opened in 1.24 us
 * with XChaCha20-Poly1305; 0.63 and 0.65 us with AES-256-GCM under a kept
 * subkey, and 0.35 to 0.4 us more where a subkey must be derived (a
 * search, whose reads come from many days, derives one a read mostly).
 */
static int cipher_aes;		/* the process's store seals with AES */

const char *
st_cipher_pick(const char *name)
{
	alpr_crypto_init();	/* it finds the processor's instructions */
	if (!name && !crypto_aead_aes256gcm_is_available())
		alpr_warn("this processor has no AES instructions: the store "
		    "will seal with XChaCha20-Poly1305, not the AES of CJIS "
		    "5.10.1.2.2");
	if (!name)
		name = crypto_aead_aes256gcm_is_available() ? "aes256gcm" :
		    "xchacha20poly1305";
	if (!strcmp(name, "xchacha20poly1305"))
		return "xchacha20poly1305";
	if (strcmp(name, "aes256gcm")) {
		alpr_warn("%s: no such cipher (aes256gcm, "
		    "xchacha20poly1305)", name);
		return NULL;
	}
	if (!crypto_aead_aes256gcm_is_available()) {
		alpr_warn("this processor has no AES instructions, which "
		    "libsodium's AES-256-GCM needs: give --cipher "
		    "xchacha20poly1305");
		return NULL;
	}
	return "aes256gcm";
}

int
st_cipher_use(const void *name, size_t n)
{
	alpr_crypto_init();
	if (n == 17 && !memcmp(name, "xchacha20poly1305", 17)) {
		cipher_aes = 0;
		return 0;
	}
	if (n == 9 && !memcmp(name, "aes256gcm", 9)) {
		if (!crypto_aead_aes256gcm_is_available()) {
			alpr_warn("the store seals with AES-256-GCM, and this "
			    "processor has no AES instructions, which "
			    "libsodium's needs: open it on a machine that "
			    "has them");
			return -1;
		}
		cipher_aes = 1;
		return 0;
	}
	alpr_warn("the store seals with a cipher this program does not know "
	    "(%.*s)", (int)(n < 40 ? n : 40), (const char *)name);
	return -1;
}

#define NSUB	4
struct subkey {
	crypto_aead_aes256gcm_state st;	/* the subkey's schedule */
	unsigned char key[ST_KEY], n[12];
	int used;
};
static _Thread_local struct subkey sub[NSUB];
static _Thread_local unsigned subnext;
static pthread_key_t subexit;	/* wipes a thread's subkeys as it ends */
static pthread_once_t subonce = PTHREAD_ONCE_INIT;

static void
sub_wipe(void *unused)
{
	(void)unused;
	st_cipher_forget();
}

static void
sub_key(void)
{
	pthread_key_create(&subexit, sub_wipe);
}

/* The schedule of key's subkey for nonce n (its first 12 bytes). */
static const crypto_aead_aes256gcm_state *
subkey(const unsigned char key[ST_KEY], const unsigned char *n)
{
	static const unsigned char zero[32];
	crypto_aead_aes256gcm_state ks;
	unsigned char c[32 + crypto_aead_aes256gcm_ABYTES];
	struct subkey *k;
	int i;

	for (i = 0; i < NSUB; i++)
		if (sub[i].used && !memcmp(sub[i].n, n, 12) &&
		    !sodium_memcmp(sub[i].key, key, ST_KEY))
			return &sub[i].st;
	if (!subnext) {
		pthread_once(&subonce, sub_key);
		pthread_setspecific(subexit, sub);
	}
	k = &sub[subnext++ % NSUB];
	crypto_aead_aes256gcm_beforenm(&ks, key);
	crypto_aead_aes256gcm_encrypt_afternm(c, NULL, zero, sizeof zero,
	    NULL, 0, NULL, n, &ks);
	crypto_aead_aes256gcm_beforenm(&k->st, c);
	memcpy(k->key, key, ST_KEY);
	memcpy(k->n, n, 12);
	k->used = 1;
	sodium_memzero(&ks, sizeof ks);
	sodium_memzero(c, sizeof c);
	return &k->st;
}

void
st_cipher_forget(void)
{
	sodium_memzero(sub, sizeof sub);
	subnext = 0;
}

/*
 * Nonces: 16 random bytes drawn once a process, then a 64-bit counter, so
 * that sealing a million reads does not ask the kernel for randomness a
 * million times (a getrandom call each, measured at 1.4 us of the 19 us a
 * read took to ingest). Two processes share a prefix with probability
 * 2^-128; the 192-bit nonce leaves room for both halves.
 */
/* each thread its own prefix and counter */
static _Thread_local unsigned char nonce_prefix[ST_NONCE - 8];
static _Thread_local uint64_t nonce_ctr;
static _Thread_local int nonce_ready;

static void
nonce_fork(void)
{
	nonce_ready = 0;	/* a child draws its own prefix */
}

static void
nonce(unsigned char n[ST_NONCE])
{
	int i;

	if (!nonce_ready) {
		static int once;
		if (!once++)
			pthread_atfork(NULL, NULL, nonce_fork);
		randombytes_buf(nonce_prefix, sizeof nonce_prefix);
		nonce_ready = 1;
		nonce_ctr = 1;
	}
	memcpy(n, nonce_prefix, sizeof nonce_prefix);
	for (i = 0; i < 8; i++)
		n[sizeof nonce_prefix + i] = nonce_ctr >> (8 * i);
	nonce_ctr++;
}

void
st_seal(unsigned char *out, const void *p, size_t n, const void *ad,
    size_t adn, const unsigned char key[ST_KEY])
{
	nonce(out);
	if (cipher_aes)
		crypto_aead_aes256gcm_encrypt_afternm(out + ST_NONCE, NULL, p,
		    n, ad, adn, NULL, out + 12, subkey(key, out));
	else
		crypto_aead_xchacha20poly1305_ietf_encrypt(out + ST_NONCE,
		    NULL, p, n, ad, adn, NULL, out, key);
}

int
st_open(unsigned char *out, const unsigned char *p, size_t sealed,
    const void *ad, size_t adn, const unsigned char key[ST_KEY])
{
	if (sealed < ST_SEALED(0))
		return -1;
	if (cipher_aes)
		return crypto_aead_aes256gcm_decrypt_afternm(out, NULL, NULL,
		    p + ST_NONCE, sealed - ST_NONCE, ad, adn, p + 12,
		    subkey(key, p));
	return crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL,
	    p + ST_NONCE, sealed - ST_NONCE, ad, adn, p, key);
}

/* A record's associated data: its kind, a NUL, its name. */
static size_t
record_ad(unsigned char ad[ST_NAME_MAX + 16], const char *kind,
    const char *name)
{
	size_t k = strlen(kind) + 1, n = strlen(name);

	memcpy(ad, kind, k);
	memcpy(ad + k, name, n);
	return k + n;
}

json_t *
st_record_get(MDB_txn *txn, MDB_dbi db, const char *kind, const char *name,
    const unsigned char key[ST_KEY])
{
	unsigned char ad[ST_NAME_MAX + 16], *plain;
	MDB_val k = { strlen(name), (void *)name }, v;
	json_t *j;
	size_t n;

	if (strlen(name) > ST_NAME_MAX || mdb_get(txn, db, &k, &v) != 0 ||
	    v.mv_size < ST_SEALED(0))
		return NULL;
	n = v.mv_size - ST_SEALED(0);
	plain = alpr_malloc(n + 1);
	if (st_open(plain, v.mv_data, v.mv_size, ad,
	    record_ad(ad, kind, name), key) < 0) {
		alpr_warn("the %s %s does not open with the key file's key",
		    kind, name);
		free(plain);
		return NULL;
	}
	j = json_loadb((char *)plain, n, 0, NULL);
	sodium_memzero(plain, n);
	free(plain);
	return j;
}

int
st_record_put(MDB_txn *txn, MDB_dbi db, const char *kind, const char *name,
    json_t *j, const unsigned char key[ST_KEY])
{
	unsigned char ad[ST_NAME_MAX + 16], *sealed;
	char *text;
	MDB_val k = { strlen(name), (void *)name }, v;
	size_t n;
	int rc;

	if (strlen(name) > ST_NAME_MAX ||
	    !(text = json_dumps(j, JSON_COMPACT)))
		return -1;
	n = strlen(text);
	sealed = alpr_malloc(ST_SEALED(n));
	st_seal(sealed, text, n, ad, record_ad(ad, kind, name), key);
	sodium_memzero(text, n);
	free(text);
	v.mv_size = ST_SEALED(n);
	v.mv_data = sealed;
	rc = mdb_put(txn, db, &k, &v, 0);
	free(sealed);
	if (rc != 0)
		st_mdb_warn(rc, "unable to store a record");
	return rc == MDB_MAP_FULL ? rc : rc ? -1 : 0;
}

static void
day_ad(unsigned char ad[24], int d, uint32_t gen)
{
	memcpy(ad, "alpr-store day key", 18);
	st_put16(ad + 18, d);
	st_put32(ad + 20, gen);
}

struct st_day *
st_day_make(const unsigned char dk[ST_KEY])
{
	struct st_day *k = alpr_malloc(sizeof *k);

	crypto_kdf_derive_from_key(k->seal, sizeof k->seal, 1, "alprday_", dk);
	crypto_kdf_derive_from_key(k->idx, sizeof k->idx, 2, "alprday_", dk);
	crypto_kdf_derive_from_key(k->frame, sizeof k->frame, 3, "alprday_",
	    dk);
	crypto_kdf_derive_from_key(k->post, sizeof k->post, 4, "alprday_", dk);
	crypto_kdf_derive_from_key(k->id, sizeof k->id, 5, "alprday_", dk);
	k->retired = NULL;
	return k;
}

/* A day's data key, as the database keeps it wrapped: 0, or -1. */
static int
unwrap(struct alpr_store *s, int d, const MDB_val *v, unsigned char *dk)
{
	unsigned char ad[24];
	uint32_t gen;

	if (v->mv_size != ST_WRAPPED) {
		alpr_warn("the key of day %d is damaged", d);
		return -1;
	}
	gen = st_get32(v->mv_data);
	day_ad(ad, d, gen);
	if (gen != s->kekgen || st_open(dk, (unsigned char *)v->mv_data + 4,
	    v->mv_size - 4, ad, sizeof ad, s->wrap) < 0) {
		alpr_warn("the key of day %d does not open with the key file's "
		    "key (generation %u, the day's %u)", d, s->kekgen, gen);
		return -1;
	}
	return 0;
}

const struct st_day *
st_day(struct alpr_store *s, MDB_txn *txn, int d, int create)
{
	unsigned char kb[2], dk[ST_KEY], w[ST_WRAPPED], ad[24];
	MDB_val k = { 2, kb }, v;
	int rc;

	if (d < 0 || d >= ST_NDAYS)
		return NULL;
	if (s->dayst[d] > 0)
		return s->day[d];
	if (s->dayst[d] < 0 && !create)
		return NULL;
	st_put16(kb, d);
	rc = mdb_get(txn, s->keys, &k, &v);
	if (rc == MDB_NOTFOUND) {
		if (!create) {
			s->dayst[d] = -1;
			return NULL;
		}
		randombytes_buf(dk, sizeof dk);
		st_put32(w, s->kekgen);
		day_ad(ad, d, s->kekgen);
		st_seal(w + 4, dk, sizeof dk, ad, sizeof ad, s->wrap);
		v.mv_size = sizeof w;
		v.mv_data = w;
		if ((rc = mdb_put(txn, s->keys, &k, &v, MDB_NOOVERWRITE)) != 0) {
			st_mdb_warn(rc, "unable to store a day key");
			sodium_memzero(dk, sizeof dk);
			return NULL;
		}
	} else if (rc != 0) {
		st_mdb_warn(rc, "unable to read a day key");
		return NULL;
	} else if (unwrap(s, d, &v, dk) < 0)
		return NULL;
	s->day[d] = st_day_make(dk);
	s->dayst[d] = 1;
	sodium_memzero(dk, sizeof dk);
	return s->day[d];
}

struct st_day *
st_day_load(struct alpr_store *s, MDB_txn *txn, int d, int *none)
{
	unsigned char kb[2], dk[ST_KEY];
	MDB_val k = { 2, kb }, v;
	struct st_day *day;
	int rc;

	*none = 0;
	st_put16(kb, d);
	if ((rc = mdb_get(txn, s->keys, &k, &v)) != 0) {
		if (rc == MDB_NOTFOUND)
			*none = 1;
		else
			st_mdb_warn(rc, "unable to read a day key");
		return NULL;
	}
	if (unwrap(s, d, &v, dk) < 0)
		return NULL;
	day = st_day_make(dk);
	sodium_memzero(dk, sizeof dk);
	return day;
}

int
st_day_store(struct alpr_store *s, MDB_txn *txn, int d,
    const unsigned char dk[ST_KEY])
{
	unsigned char kb[2], w[ST_WRAPPED], ad[24];
	MDB_val k = { 2, kb }, v = { sizeof w, w };

	st_put16(kb, d);
	st_put32(w, s->kekgen);
	day_ad(ad, d, s->kekgen);
	st_seal(w + 4, dk, ST_KEY, ad, sizeof ad, s->wrap);
	return mdb_put(txn, s->keys, &k, &v, 0);
}

void
st_day_drop(struct alpr_store *s, int d)
{
	if (s->day[d]) {
		s->day[d]->retired = s->retired;
		s->retired = s->day[d];
		s->day[d] = NULL;
	}
	s->dayst[d] = 0;
}

void
st_days_forget(struct alpr_store *s)
{
	struct st_day *k;
	int d;

	for (d = 0; d < ST_NDAYS; d++)
		st_day_drop(s, d);
	while ((k = s->retired)) {
		s->retired = k->retired;
		sodium_memzero(k, sizeof *k);
		free(k);
	}
}

void
st_read_key0(unsigned char out[ST_RKEY], int d, uint32_t cs,
    const struct st_day *k, const char *rid)
{
	unsigned char h[ST_IKEY];

	st_ikey(h, d, k, 'r', rid, strlen(rid));
	st_put16(out, d);
	st_put32(out + 2, cs);
	memcpy(out + 6, h + 2, 2);
}

void
st_ikey(unsigned char out[ST_IKEY], int d, const struct st_day *k, int kind,
    const char *term, size_t n)
{
	unsigned char in[ALPR_PLATE_MAX + 64];

	if (n > sizeof in - 1)
		n = sizeof in - 1;
	in[0] = kind;
	memcpy(in + 1, term, n);
	st_put16(out, d);
	crypto_shorthash(out + 2, in, n + 1, k->idx);
}

/* The keys derived from a key-encryption key, apart from a store's. */
struct kset {
	unsigned char kek[ST_KEY], wrap[ST_KEY], user[ST_KEY], sess[ST_KEY];
	unsigned char hold[ST_KEY], sign[ST_KEY];
};

static void
kset_of(struct kset *k, const unsigned char *kek)
{
	memcpy(k->kek, kek, ST_KEY);
	crypto_kdf_derive_from_key(k->wrap, ST_KEY, 1, "alprkek_", kek);
	crypto_kdf_derive_from_key(k->user, ST_KEY, 2, "alprkek_", kek);
	crypto_kdf_derive_from_key(k->sess, ST_KEY, 3, "alprkek_", kek);
	crypto_kdf_derive_from_key(k->hold, ST_KEY, 4, "alprkek_", kek);
	crypto_kdf_derive_from_key(k->sign, ST_KEY, 5, "alprkek_", kek);
}

static char *
next_path(const char *keypath)
{
	size_t n = strlen(keypath) + 6;
	char *p = alpr_malloc(n);

	snprintf(p, n, "%s.next", keypath);
	return p;
}

int
st_kek_reread(struct alpr_store *s, int next)
{
	char *p = next ? next_path(s->keypath) : alpr_strdup(s->keypath);
	unsigned char *data;
	struct stat st;
	size_t n;
	int r = -1;

	if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= 4096 &&
	    alpr_read_file(p, &data, &n) == 0) {
		r = parse_keyfile(s, p, data, n);
		sodium_memzero(data, n);
		free(data);
	}
	free(p);
	return r;
}

int
st_kek_writable(struct alpr_store *s)
{
	char *p = next_path(s->keypath);
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		alpr_warn("unable to write beside the key file (%s): a purge "
		    "gives the key file a new key, so that a copy of the home "
		    "taken before it opens nothing purged:", p);
		free(p);
		return -1;
	}
	close(fd);
	unlink(p);
	free(p);
	return 0;
}

static int
write_keyfile(const char *path, uint32_t gen, const unsigned char *kek)
{
	char b64[64], buf[128];
	int fd, r = -1;

	alpr_b64(b64, sizeof b64, kek, ST_KEY);
	snprintf(buf, sizeof buf, KEYFILE_MAGIC "%u\n%s\n", gen, b64);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) >= 0) {
		r = write(fd, buf, strlen(buf)) == (ssize_t)strlen(buf) &&
		    fsync(fd) == 0 ? 0 : -1;
		if (close(fd) < 0)
			r = -1;
	}
	sodium_memzero(buf, sizeof buf);
	sodium_memzero(b64, sizeof b64);
	return r;
}

/*
 * The sealed records a new key-encryption key seals anew: each table,
 * the kind its records are sealed with, and the key (a buffer of the
 * store's, which holds the old key while they are read and the new one
 * while they are written). The cases table only once a case was opened.
 */
struct sealed_table {
	MDB_dbi db;
	const char *kind;
	unsigned char *key;
	json_t *recs;		/* name -> record, read under the old key */
};

/* Read every record of t under the old key. A record that does not open
 * cannot be sealed anew: the keys are not changed (a record left under
 * the old key would be lost with it). MDB_NOTFOUND when all are read. */
static int
read_table(MDB_txn *txn, struct sealed_table *t)
{
	MDB_cursor *c;
	MDB_val k, v;
	char name[80];
	json_t *j;
	int rc;

	mdb_cursor_open(txn, t->db, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		snprintf(name, sizeof name, "%.*s", (int)k.mv_size,
		    (char *)k.mv_data);
		if (!(j = st_record_get(txn, t->db, t->kind, name, t->key))) {
			alpr_warn("the %s %s does not open: not changing keys",
			    t->kind, name);
			rc = -1;
			break;
		}
		json_object_set_new(t->recs, name, j);
	}
	mdb_cursor_close(c);
	return rc;
}

/* Wrap every day key, and seal every account, hold, request and case,
 * under new keys, in one transaction, then switch the store to them. */
static int
rewrap(struct alpr_store *s, MDB_txn *txn, const struct kset *nk,
    uint32_t gen)
{
	unsigned char dk[ST_KEY], ad[24], w[ST_WRAPPED];
	struct sealed_table t[] = {
		{ s->users, "user", s->userk, NULL },
		{ s->holds, "hold", s->holdk, NULL },
		{ s->requests, "request", s->holdk, NULL },
		{ s->cases, "case", s->holdk, NULL },
	};
	size_t i, nt = sizeof t / sizeof *t;
	MDB_cursor *c;
	MDB_val k, v;
	json_t *j;
	unsigned char sk[64] = { 0 };
	const char *name;
	int rc, d;

	mdb_cursor_open(txn, s->keys, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		d = st_get16(k.mv_data);
		day_ad(ad, d, st_get32(v.mv_data));
		if (v.mv_size != ST_WRAPPED || st_open(dk, (unsigned char *)
		    v.mv_data + 4, v.mv_size - 4, ad, sizeof ad, s->wrap) < 0) {
			alpr_warn("the key of day %d does not open: not "
			    "changing keys", d);
			rc = -1;
			break;
		}
		st_put32(w, gen);
		day_ad(ad, d, gen);
		st_seal(w + 4, dk, sizeof dk, ad, sizeof ad, nk->wrap);
		v.mv_size = sizeof w;
		v.mv_data = w;
		if ((rc = mdb_cursor_put(c, &k, &v, MDB_CURRENT)) != 0)
			break;
	}
	sodium_memzero(dk, sizeof dk);
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		return -1;
	/* the table of cases another process made since this one opened
	 * the store (its first case) is sealed anew too */
	if (s->nocases && mdb_dbi_open(txn, "cases", 0, &s->cases) == 0)
		s->nocases = 0;
	t[3].db = s->cases;
	if (s->nocases)
		nt--;
	/* the records: read under the old keys... */
	for (i = 0; i < nt; i++)
		t[i].recs = json_object();
	for (i = 0; i < nt && rc == MDB_NOTFOUND; i++)
		rc = read_table(txn, &t[i]);
	if (rc != MDB_NOTFOUND || st_sign_key(s, txn, sk, 0) < 0) {
		rc = -1;
		goto out;
	}
	/* ...and sealed anew under the new ones */
	memcpy(s->kek, nk->kek, ST_KEY);
	memcpy(s->wrap, nk->wrap, ST_KEY);
	memcpy(s->userk, nk->user, ST_KEY);
	memcpy(s->sessk, nk->sess, ST_KEY);
	memcpy(s->holdk, nk->hold, ST_KEY);
	memcpy(s->signk, nk->sign, ST_KEY);
	s->kekgen = gen;
	rc = sk[0] || memcmp(sk, sk + 1, 63) ? st_sign_store(s, txn, sk) : 0;
	for (i = 0; i < nt && rc == 0; i++)
		json_object_foreach(t[i].recs, name, j)
			if ((rc = st_record_put(txn, t[i].db, t[i].kind, name,
			    j, t[i].key)) != 0)
				break;
	if (rc == 0)
		st_kek_record(s, txn);
out:
	sodium_memzero(sk, sizeof sk);
	for (i = 0; i < nt; i++)
		json_decref(t[i].recs);
	return rc ? -1 : 0;
}

int
st_kek_rotate(struct alpr_store *s)
{
	struct kset *old = sodium_malloc(sizeof *old);
	struct kset *nk = sodium_malloc(sizeof *nk);
	unsigned char kek[ST_KEY];
	char *next = next_path(s->keypath);
	uint32_t gen = s->kekgen + 1;
	MDB_txn *txn;
	int r = -1, nocases = s->nocases;

	if (!old || !nk)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory:");
	kset_of(old, s->kek);
	memcpy(old->sess, s->sessk, ST_KEY);
	randombytes_buf(kek, sizeof kek);
	kset_of(nk, kek);
	sodium_memzero(kek, sizeof kek);
	/* 1: the new key beside the old; 2: the store under it; 3: the new
	 * key in the old one's place. A crash between 2 and 3 is finished
	 * by the next open (st_kek_recover). */
	if (write_keyfile(next, gen, nk->kek) < 0) {
		alpr_warn("unable to write %s:", next);
		goto out;
	}
	if (st_wbegin(s, &txn) != 0)
		goto out;
	if (rewrap(s, txn, nk, gen) < 0) {
		st_wend(s, txn, 0);
		/* a table of cases rewrap opened closed with the transaction */
		s->nocases = nocases;
		/* back to the keys the store still has */
		memcpy(s->kek, old->kek, ST_KEY);
		kset_of(old, s->kek);
		memcpy(s->wrap, old->wrap, ST_KEY);
		memcpy(s->userk, old->user, ST_KEY);
		memcpy(s->sessk, old->sess, ST_KEY);
		memcpy(s->holdk, old->hold, ST_KEY);
		memcpy(s->signk, old->sign, ST_KEY);
		s->kekgen = gen - 1;
		unlink(next);
		goto out;
	}
	if (st_wend(s, txn, 1) != 0) {
		s->nocases = nocases;
		goto out;
	}
	if (rename(next, s->keypath) < 0) {
		alpr_warn("unable to put the new key in place of %s (it is in "
		    "%s; the next open finishes this):", s->keypath, next);
		goto out;
	}
	fsync_dir(s->keypath);
	st_sessions_rekey(s, old->sess);
	r = 0;
out:
	sodium_free(old);
	sodium_free(nk);
	free(next);
	return r;
}

int
st_kek_recover(struct alpr_store *s)
{
	char *next = next_path(s->keypath), *keep = alpr_strdup(s->keypath);
	MDB_txn *txn;
	int r = -1;

	if (access(next, F_OK) < 0)
		goto out;
	if (st_kek_load(s, next, 0) == 0 && st_txn(s, MDB_RDONLY, &txn) == 0) {
		r = st_kek_check(s, txn);
		mdb_txn_abort(txn);
	}
	free(s->keypath);
	s->keypath = keep;
	keep = NULL;
	if (r == 0) {
		if (rename(next, s->keypath) < 0) {
			alpr_warn("unable to rename %s to %s:", next,
			    s->keypath);
			r = -1;
		} else {
			fsync_dir(s->keypath);
			alpr_warn("finished a change of keys that a purge had "
			    "begun: %s holds the new key", s->keypath);
		}
	}
out:
	free(keep);
	free(next);
	return r;
}

/*
 * The agency's signing key (Ed25519), for export manifests: made at the
 * first export, kept in meta sealed under the key file's signing key.
 * make: 1 to make it when there is none (a write transaction), else an
 * all-zero key when there is none. 0, or -1.
 */
int
st_sign_key(struct alpr_store *s, MDB_txn *txn, unsigned char sk[64],
    int make)
{
	unsigned char pk[32];
	MDB_val v;
	int rc;

	rc = st_meta_get(s, txn, "sign_key", &v);
	if (rc == MDB_NOTFOUND) {
		memset(sk, 0, 64);
		if (!make)
			return 0;
		crypto_sign_keypair(pk, sk);
		return st_sign_store(s, txn, sk) ? -1 : 0;
	}
	if (rc != 0 || v.mv_size != ST_SEALED(64) || st_open(sk, v.mv_data,
	    v.mv_size, "sign_key", 8, s->signk) < 0) {
		alpr_warn("the agency's signing key does not open with the key "
		    "file's key");
		return -1;
	}
	return 0;
}

int
st_sign_store(struct alpr_store *s, MDB_txn *txn, const unsigned char sk[64])
{
	unsigned char sealed[ST_SEALED(64)];

	st_seal(sealed, sk, 64, "sign_key", 8, s->signk);
	return st_meta_put(s, txn, "sign_key", sealed, sizeof sealed);
}

void
st_post_key(const struct st_day *k, const unsigned char ikey[ST_IKEY],
    unsigned char tk[16])
{
	crypto_shorthash_siphashx24(tk, ikey, ST_IKEY, k->post);
}

/*
 * A 48-bit block cipher: a balanced Feistel network of four rounds (the
 * Luby-Rackoff bound for a pseudorandom permutation) on 24-bit halves,
 * the round function SipHash-2-4 of the round and the right half. Its
 * cost, measured on an ingest of 300,000 reads: about 1 us a read.
 */
static uint32_t
round_f(const unsigned char tk[16], int r, uint32_t x)
{
	unsigned char in[4] = { r, x >> 16, x >> 8, x }, out[8];

	crypto_shorthash(out, in, sizeof in, tk);
	return ((uint32_t)out[0] << 16 | out[1] << 8 | out[2]) & 0xffffff;
}

void
st_post_seal(const unsigned char tk[16], const unsigned char *in,
    unsigned char *out)
{
	uint32_t l = (uint32_t)in[0] << 16 | in[1] << 8 | in[2];
	uint32_t r = (uint32_t)in[3] << 16 | in[4] << 8 | in[5], t;
	int i;

	for (i = 0; i < 4; i++) {
		t = r;
		r = l ^ round_f(tk, i, r);
		l = t;
	}
	out[0] = l >> 16; out[1] = l >> 8; out[2] = l;
	out[3] = r >> 16; out[4] = r >> 8; out[5] = r;
}

void
st_post_open(const unsigned char tk[16], const unsigned char *in,
    unsigned char *out)
{
	uint32_t l = (uint32_t)in[0] << 16 | in[1] << 8 | in[2];
	uint32_t r = (uint32_t)in[3] << 16 | in[4] << 8 | in[5], t;
	int i;

	for (i = 3; i >= 0; i--) {
		t = l;
		l = r ^ round_f(tk, i, l);
		r = t;
	}
	out[0] = l >> 16; out[1] = l >> 8; out[2] = l;
	out[3] = r >> 16; out[4] = r >> 8; out[5] = r;
}
