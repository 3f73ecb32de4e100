/*
 * log-attack: test driver that attacks a log the way someone with root on
 * the server could, for tests/04*.t.
 *	log-attack flip DIR FILE...	change each byte of each file in turn
 *					(XOR 1) and verify; print what was missed
 *	log-attack forge DIR KEYFILE [TIME]
 *					re-sign every checkpoint over the log as
 *					it now is with a secret key file, keeping
 *					each claimed time, or claiming TIME
 *	log-attack pin DIR KEYFILE SIZE	append the key record of the window
 *					after KEYFILE's, signed with it, that
 *					pins the first SIZE entries
 *	log-attack derive KEYFILE N	print the key file N windows after
 *					KEYFILE's as a copy of it derives it if
 *					keys evolve deterministically (SHA-256 of
 *					"alpr-log evolve" and the seed, as they
 *					once did)
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "alpr.h"

static int
verify_quiet(const char *dir)
{
	struct alpr_logverify v;
	int fd = dup(2), null = open("/dev/null", O_WRONLY), r;

	fflush(stderr);
	dup2(null, 2);
	memset(&v, 0, sizeof v);
	v.dir = dir;
	r = alpr_log_verify(&v);
	alpr_logverify_free(&v);
	fflush(stderr);
	dup2(fd, 2);
	close(fd);
	close(null);
	return r;
}

static int
flip(const char *dir, int argc, char **argv)
{
	unsigned char *buf;
	size_t n, i;
	char p[4096];
	int k, missed = 0, tried, fd;

	if (verify_quiet(dir) != 0)
		alpr_die(1, "%s does not verify before the attack", dir);
	for (k = 0; k < argc; k++) {
		snprintf(p, sizeof p, "%s/%s", dir, argv[k]);
		if (alpr_read_file(p, &buf, &n) < 0)
			alpr_die(3, "%s:", p);
		tried = 0;
		if ((fd = open(p, O_WRONLY)) < 0)
			alpr_die(3, "%s:", p);
		for (i = 0; i < n; i++) {
			buf[i] ^= 1;
			if (pwrite(fd, buf + i, 1, i) != 1)
				alpr_die(3, "%s:", p);
			tried++;
			if (verify_quiet(dir) == 0) {
				printf("missed: %s byte %zu\n", argv[k], i);
				missed++;
			}
			buf[i] ^= 1;
			if (pwrite(fd, buf + i, 1, i) != 1)
				alpr_die(3, "%s:", p);
		}
		close(fd);
		printf("%s: %d bytes changed\n", argv[k], tried);
		free(buf);
	}
	printf("%d changes missed\n", missed);
	return missed != 0;
}

/* The seed of a key file, and its window. */
static long
key_seed(const char *keyfile, unsigned char seed[32])
{
	unsigned char *buf;
	size_t n, got;
	char *s;
	long w;

	if (alpr_read_file(keyfile, &buf, &n) < 0)
		alpr_die(3, "%s:", keyfile);
	s = strchr((char *)buf, '\n');
	w = s ? strtol(s + 1, NULL, 10) : -1;
	if (!s || !(s = strchr(s + 1, '\n')) || alpr_unb64(seed, 32, s + 1,
	    strcspn(s + 1, "\n"), &got) < 0 || got != 32)
		alpr_die(3, "%s: bad key", keyfile);
	free(buf);
	return w;
}

/* The leaf hashes of DIR's log, n of them. */
static unsigned char (*
leaves_of(const char *dir, size_t *n))[ALPR_HASH]
{
	unsigned char *buf, (*leaves)[ALPR_HASH];
	size_t len, i, start, nl = 0;
	char p[4096];

	snprintf(p, sizeof p, "%s/%s", dir, ALPR_LOG_ENTRIES);
	if (alpr_read_file(p, &buf, &len) < 0)
		alpr_die(3, "%s:", p);
	leaves = alpr_malloc((len + 1) * ALPR_HASH);
	for (i = start = 0; i < len; i++)
		if (buf[i] == '\n') {
			alpr_merkle_leaf(leaves[nl++], buf + start, i - start);
			start = i + 1;
		}
	free(buf);
	*n = nl;
	return leaves;
}

static int
forge(const char *dir, const char *keyfile, const char *when)
{
	unsigned char seed[32], pk[32], sk[64], root[ALPR_HASH];
	unsigned char (*leaves)[ALPR_HASH] = NULL;
	struct alpr_checkpoint c;
	struct timespec t;
	size_t nl = 0;
	char p[4096], *body, *note, *out = NULL, *line;
	size_t outn = 0;
	FILE *f;
	json_t *rec;
	char *ln = NULL;
	size_t cap = 0;
	ssize_t r;

	key_seed(keyfile, seed);
	crypto_sign_seed_keypair(pk, sk, seed);
	leaves = leaves_of(dir, &nl);
	snprintf(p, sizeof p, "%s/%s", dir, ALPR_LOG_CHECKPOINTS);
	if (!(f = fopen(p, "r")))
		alpr_die(3, "%s:", p);
	while ((r = getline(&ln, &cap, f)) > 0) {
		if (!(rec = json_loads(ln, 0, NULL)) ||
		    alpr_checkpoint_parse(alpr_rec_str(rec, "note"),
		    strlen(alpr_rec_str(rec, "note")), &c))
			alpr_die(3, "%s: unreadable checkpoint", p);
		json_decref(rec);
		if (c.size > nl)
			c.size = nl;	/* the attacker truncated */
		t = c.time;
		if (when && alpr_time_parse(when, &t) < 0)
			alpr_die(2, "bad time %s", when);
		alpr_merkle_range_root((const unsigned char (*)[ALPR_HASH])
		    leaves, c.size, root);
		body = alpr_checkpoint_body(c.origin, c.size, root, &t);
		note = alpr_note_sign(body, c.origin, sk);
		rec = json_pack("{s:s,s:i,s:s}", "type", "checkpoint", "v", 1,
		    "note", note);
		line = json_dumps(rec, JSON_COMPACT | JSON_ENSURE_ASCII);
		out = alpr_realloc(out, outn + strlen(line) + 2);
		memcpy(out + outn, line, strlen(line));
		outn += strlen(line);
		out[outn++] = '\n';
		free(line);
		json_decref(rec);
		free(body);
		free(note);
		alpr_checkpoint_free(&c);
	}
	fclose(f);
	if (alpr_write_atomic(p, out, outn) < 0)
		alpr_die(3, "%s:", p);
	free(out);
	free(leaves);
	free(ln);
	return 0;
}

static int
pin(const char *dir, const char *keyfile, const char *size)
{
	unsigned char seed[32], pk[32], sk[64], nseed[32], npk[32], nsk[64];
	unsigned char root[ALPR_HASH], sig[64], (*leaves)[ALPR_HASH];
	char p[4096], rb64[64], b64[128], *vkey, *msg, *line;
	size_t n, want = strtoul(size, NULL, 10);
	json_t *conf, *rec;
	FILE *f;
	long w;

	w = key_seed(keyfile, seed);
	crypto_sign_seed_keypair(pk, sk, seed);
	randombytes_buf(nseed, sizeof nseed);
	crypto_sign_seed_keypair(npk, nsk, nseed);
	snprintf(p, sizeof p, "%s/%s", dir, ALPR_LOG_CONFIG);
	if (!(conf = json_load_file(p, 0, NULL)) || !alpr_rec_str(conf,
	    "origin"))
		alpr_die(3, "%s: no origin", p);
	leaves = leaves_of(dir, &n);
	if (want > n)
		alpr_die(2, "the log has only %zu entries", n);
	alpr_merkle_range_root((const unsigned char (*)[ALPR_HASH])leaves,
	    want, root);
	alpr_b64(rb64, sizeof rb64, root, ALPR_HASH);
	vkey = alpr_note_vkey(alpr_rec_str(conf, "origin"), npk);
	msg = alpr_log_key_msg(2, alpr_rec_str(conf, "origin"), w + 1, vkey,
	    want, rb64);
	crypto_sign_detached(sig, NULL, (unsigned char *)msg, strlen(msg), sk);
	alpr_b64(b64, sizeof b64, sig, sizeof sig);
	rec = json_pack("{s:s,s:i,s:I,s:s,s:I,s:s,s:s}", "type", "log-key",
	    "v", 2, "window", (json_int_t)(w + 1), "key", vkey, "size",
	    (json_int_t)want, "root", rb64, "sig", b64);
	line = json_dumps(rec, JSON_COMPACT);
	snprintf(p, sizeof p, "%s/%s", dir, ALPR_LOG_KEYS);
	if (!(f = fopen(p, "a")) || fprintf(f, "%s\n", line) < 0 ||
	    fclose(f) != 0)
		alpr_die(3, "%s:", p);
	free(line);
	free(msg);
	free(vkey);
	free(leaves);
	json_decref(rec);
	json_decref(conf);
	return 0;
}

static int
derive(const char *keyfile, long n)
{
	crypto_hash_sha256_state st;
	unsigned char seed[32];
	char b64[64];
	long w = key_seed(keyfile, seed), i;

	for (i = 0; i < n; i++) {
		crypto_hash_sha256_init(&st);
		crypto_hash_sha256_update(&st,
		    (const unsigned char *)"alpr-log evolve", 15);
		crypto_hash_sha256_update(&st, seed, 32);
		crypto_hash_sha256_final(&st, seed);
	}
	alpr_b64(b64, sizeof b64, seed, 32);
	printf("alpr-log secret\n%ld\n%s\n", w + n, b64);
	return 0;
}

int
main(int argc, char **argv)
{
	alpr_setprogname(argv[0]);
	alpr_crypto_init();
	if (argc >= 4 && !strcmp(argv[1], "flip"))
		return flip(argv[2], argc - 3, argv + 3);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "forge"))
		return forge(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
	if (argc == 5 && !strcmp(argv[1], "pin"))
		return pin(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "derive"))
		return derive(argv[2], atol(argv[3]));
	fprintf(stderr, "usage: log-attack flip DIR FILE... | "
	    "forge DIR KEYFILE [TIME] | pin DIR KEYFILE SIZE | "
	    "derive KEYFILE N\n");
	return 2;
}
