/*
 * export.c: evidence bundles (alpr-export(1) BUNDLES).
 *
 * A bundle is a folder: reads.ndjson, reads.csv and reads.geojson (the
 * reads three ways), frames/ and crops/ (each read's frame and its plate's
 * box cut out of it, named by read id), CUSTODY.json (who exported what,
 * when, why, for whom), and MANIFEST: a header that names the agency, its
 * verifier key, the case and the time, a blank line, then the SHA-256 of
 * every other file as sha256sum(1) writes it. MANIFEST.sig holds the
 * agency's Ed25519 signature of MANIFEST, in base64. Anyone with the
 * agency's verifier key checks every byte (alpr_export_verify). MANIFEST is
 * written last: a bundle cut short has none, and does not verify.
 *
 * Sealed (for media that leave the building), the same files go into one
 * file instead: "alpr-export sealed v1\n", a 16-byte salt, Argon2id's
 * limits (operations and memory, 8 bytes each), and a libsodium
 * secretstream under the key Argon2id makes of a passphrase. In the
 * stream, for each file, a message of its name and size (2 bytes of
 * length before it), then its bytes, a megabyte a message; the last
 * message, empty, is tagged FINAL. The stream's own chaining catches a
 * message dropped, repeated, moved or cut off. No plain byte of the bundle
 * touches the disk.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include "store.h"

#define SEALED_MAGIC "alpr-export sealed v1\n"
#define MANIFEST_MAGIC "alpr-export manifest v1\n"
#define CHUNK (1 << 20)
#define SS_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define SS_HEADER crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define SS_FINAL crypto_secretstream_xchacha20poly1305_TAG_FINAL

struct alpr_export {
	struct alpr_store *s;
	char *name;			/* the bundle, for messages */
	int sealed, fd;			/* its folder, or its sealed file */
	int sub[2];			/* frames/, crops/: -1 until made */
	mode_t fmode, dmode;		/* of what it makes in its folder */
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char *chunk;
	char *vkey;
	FILE *manifest;			/* lines: sha256, two blanks, path */
	char *mtext;
	size_t mlen;
	FILE *ndjson, *csv, *geo;	/* the reads, gathered */
	char *ndtext, *csvtext, *geotext;
	size_t ndlen, csvlen, geolen;
	json_t *custody;
	long n, frames, crops, features;
};

/* Read exactly n bytes: 0, or -1 (at the end too soon, or an error). */
static int
read_all(int fd, void *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		if ((k = read(fd, p, n)) < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p = (char *)p + k;
		n -= k;
	}
	return 0;
}

/* Is name one a bundle may hold: a file at its top or in frames/ or
 * crops/, of letters, digits, '.', '_' and '-', not starting with '.'? */
static int
name_ok(const char *name)
{
	const char *p = name, *slash = strchr(name, '/');

	if (slash && (strncmp(name, "frames/", 7) && strncmp(name, "crops/",
	    6)))
		return 0;
	if (slash)
		p = slash + 1;
	if (!*p || *p == '.' || strlen(name) > 250)
		return 0;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return 0;
	return 1;
}

/* A header message of the stream: its length (2 bytes), then it. */
static int
push_header(struct alpr_export *x, const char *text, int final)
{
	size_t n = strlen(text), cn = n + SS_ABYTES;
	unsigned char *c = alpr_malloc(cn + 2);
	int r;

	c[0] = cn >> 8;
	c[1] = cn;
	crypto_secretstream_xchacha20poly1305_push(&x->st, c + 2, NULL,
	    (const unsigned char *)text, n, NULL, 0, final ? SS_FINAL : 0);
	r = alpr_write_all(x->fd, c, cn + 2);
	free(c);
	return r;
}

/* The folder a file of the bundle goes in: its own, or frames/ or crops/
 * (made at their first file, and held open, so that nothing swapped in
 * for them by the folder's owner is followed). */
static int
file_dir(struct alpr_export *x, const char *name, const char **base)
{
	int i = !strncmp(name, "crops/", 6);

	if (!strchr(name, '/')) {
		*base = name;
		return x->fd;
	}
	*base = strchr(name, '/') + 1;
	if (x->sub[i] < 0) {
		if (mkdirat(x->fd, i ? "crops" : "frames", x->dmode) < 0)
			return -1;
		x->sub[i] = openat(x->fd, i ? "crops" : "frames", O_RDONLY |
		    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	return x->sub[i];
}

/* One file of the bundle, into the folder or the stream. */
static int
put_file(struct alpr_export *x, const char *name, const void *p, size_t n)
{
	char hex[ALPR_SHA256_HEX], *hs;
	const char *base;
	size_t off, k;
	json_t *h;
	int dfd, fd, r = 0;

	alpr_sha256_hex(p, n, hex);
	fprintf(x->manifest, "%s  %s\n", hex, name);
	if (!x->sealed) {
		if ((dfd = file_dir(x, name, &base)) < 0 || (fd = openat(dfd,
		    base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    x->fmode)) < 0) {
			alpr_warn("unable to make %s/%s:", x->name, name);
			return -1;
		}
		if (alpr_write_all(fd, p, n) < 0 || close(fd) < 0) {
			alpr_warn("unable to write %s/%s:", x->name, name);
			return -1;
		}
		return 0;
	}
	h = json_pack("{s:s,s:I}", "name", name, "size", (json_int_t)n);
	hs = json_dumps(h, JSON_COMPACT);
	json_decref(h);
	r = push_header(x, hs, 0);
	free(hs);
	for (off = 0; r == 0 && off < n; off += k) {
		k = n - off < CHUNK ? n - off : CHUNK;
		crypto_secretstream_xchacha20poly1305_push(&x->st, x->chunk,
		    NULL, (const unsigned char *)p + off, k, NULL, 0, 0);
		r = alpr_write_all(x->fd, x->chunk, k + SS_ABYTES);
	}
	if (r < 0)
		alpr_warn("unable to write %s:", x->name);
	return r;
}

/* Argon2id's key of a passphrase: the same limits each way. */
static int
pass_key(unsigned char key[32], const char *pass, const unsigned char *salt,
    unsigned long long ops, size_t mem)
{
	return crypto_pwhash(key, 32, pass, strlen(pass), salt, ops, mem,
	    crypto_pwhash_ALG_ARGON2ID13);
}

/* Begin the sealed stream: its head, then the stream's header. */
static int
seal_begin(struct alpr_export *x, const char *pass)
{
	unsigned char salt[16], key[32], hdr[SS_HEADER], lim[16];
	unsigned long long ops = crypto_pwhash_OPSLIMIT_MODERATE;
	unsigned long long mem = crypto_pwhash_MEMLIMIT_MODERATE;
	int i;

	randombytes_buf(salt, sizeof salt);
	for (i = 0; i < 8; i++) {
		lim[i] = ops >> (8 * (7 - i));
		lim[8 + i] = mem >> (8 * (7 - i));
	}
	if (pass_key(key, pass, salt, ops, mem) != 0) {
		alpr_warn("out of memory deriving the bundle's key");
		return -1;
	}
	crypto_secretstream_xchacha20poly1305_init_push(&x->st, hdr, key);
	sodium_memzero(key, sizeof key);
	if (alpr_write_all(x->fd, SEALED_MAGIC, strlen(SEALED_MAGIC)) < 0 ||
	    alpr_write_all(x->fd, salt, sizeof salt) < 0 ||
	    alpr_write_all(x->fd, lim, sizeof lim) < 0 ||
	    alpr_write_all(x->fd, hdr, sizeof hdr) < 0) {
		alpr_warn("unable to write %s:", x->name);
		return -1;
	}
	return 0;
}

struct alpr_export *
alpr_export_begin(struct alpr_store *s, int fd, const char *name,
    const char *pass, json_t *custody)
{
	struct alpr_export *x = alpr_calloc(1, sizeof *x);
	char tm[ALPR_TIME_LEN];
	struct stat sb;

	x->s = s;
	x->name = alpr_strdup(name);
	x->sealed = pass != NULL;
	x->fd = fd;
	x->sub[0] = x->sub[1] = -1;
	x->custody = json_deep_copy(custody);
	/* what it makes, as open as the folder made for it */
	x->dmode = fstat(fd, &sb) == 0 ? sb.st_mode & 0777 : 0700;
	x->fmode = x->dmode & 0666;
	if (!(x->vkey = alpr_export_vkey(s)))
		goto fail;
	if (x->sealed) {
		x->chunk = alpr_malloc(CHUNK + SS_ABYTES);
		if (seal_begin(x, pass) < 0)
			goto fail;
	}
	alpr_time_now(tm);
	json_object_set_new(x->custody, "agency",
	    json_string(s->conf.agency));
	json_object_set_new(x->custody, "exported", json_string(tm));
	json_object_set_new(x->custody, "exported_by",
	    json_string(s->actor.user));
	json_object_set_new(x->custody, "role",
	    json_string(alpr_role_name(s->actor.role)));
	json_object_set_new(x->custody, "client",
	    json_string(s->actor.client));
	json_object_set_new(x->custody, "sealed", json_boolean(x->sealed));
	json_object_set_new(x->custody, "verifier_key", json_string(x->vkey));
	x->manifest = open_memstream(&x->mtext, &x->mlen);
	x->ndjson = open_memstream(&x->ndtext, &x->ndlen);
	x->csv = open_memstream(&x->csvtext, &x->csvlen);
	x->geo = open_memstream(&x->geotext, &x->geolen);
	if (!x->manifest || !x->ndjson || !x->csv || !x->geo)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory:");
	for (int i = 0; i < ALPR_NCOLUMNS; i++)
		alpr_csv_field(x->csv, alpr_column_names[i],
		    i == ALPR_NCOLUMNS - 1);
	fputs("{\"type\":\"FeatureCollection\",\"features\":[", x->geo);
	return x;
fail:
	x->fd = -1;	/* the caller's still */
	alpr_export_free(x);
	return NULL;
}

/* A read id as a file name. */
static void
file_name(char *out, size_t n, const char *rid)
{
	size_t i;

	for (i = 0; rid[i] && i + 1 < n; i++)
		out[i] = isalnum((unsigned char)rid[i]) || strchr(".-",
		    rid[i]) ? rid[i] : '_';
	out[i] = '\0';
}

/* The plate's box cut out of its frame (clipped to the frame), as PNG. */
static int
crop(const unsigned char *frame, size_t n, json_t *box, unsigned char **png,
    size_t *np)
{
	char err[200];
	struct Pix *c;
	int r;

	if (json_array_size(box) != 4 || !(c = alpr_image_region(frame, n,
	    json_integer_value(json_array_get(box, 0)),
	    json_integer_value(json_array_get(box, 1)),
	    json_integer_value(json_array_get(box, 2)),
	    json_integer_value(json_array_get(box, 3)), 0, err, sizeof err)))
		return -1;
	r = pixWriteMemPng(png, np, c, 0.0) ? -1 : 0;
	pixDestroy(&c);
	return r;
}

int
alpr_export_read(struct alpr_export *x, json_t *r, const unsigned char *frame,
    size_t n)
{
	const char *rid = alpr_rec_str(r, "read_id");
	char name[200], path[256], f[ALPR_NCOLUMNS][96];
	unsigned char *png;
	size_t np;
	json_t *v;
	int w, h, i, rc;

	if (!rid) {
		alpr_warn("%s: a read without its read_id", x->name);
		return -1;
	}
	file_name(name, sizeof name, rid);
	if (frame) {
		snprintf(path, sizeof path, "frames/%s.%s", name,
		    alpr_image_info(frame, n, &w, &h) == ALPR_IMG_PNG ? "png" :
		    "jpg");
		if (put_file(x, path, frame, n) < 0)
			return -1;
		json_object_set_new(r, "frame_file", json_string(path));
		x->frames++;
		if (crop(frame, n, json_object_get(r, "box"), &png, &np) == 0) {
			snprintf(path, sizeof path, "crops/%s.png", name);
			rc = put_file(x, path, png, np);
			free(png);
			if (rc < 0)
				return -1;
			json_object_set_new(r, "crop_file", json_string(path));
			x->crops++;
		}
	}
	alpr_write_record(x->ndjson, r);
	alpr_read_columns(r, f);
	for (i = 0; i < ALPR_NCOLUMNS; i++)
		alpr_csv_field(x->csv, f[i], i == ALPR_NCOLUMNS - 1);
	if (json_is_number(json_object_get(r, "lat")) &&
	    json_is_number(json_object_get(r, "lon"))) {
		/* RFC 7946: longitude first */
		v = json_pack("{s:s,s:{s:s,s:[f,f]},s:{s:s,s:s,s:s,s:s,s:f,"
		    "s:s}}", "type", "Feature", "geometry", "type", "Point",
		    "coordinates", alpr_rec_num(r, "lon", 0), alpr_rec_num(r,
		    "lat", 0), "properties", "read_id", rid, "time", f[0],
		    "camera", f[1], "plate", f[2], "conf", alpr_rec_num(r,
		    "conf", 0), "hits", f[6]);
		if (json_object_get(r, "frame_file"))
			json_object_set(json_object_get(v, "properties"),
			    "frame_file", json_object_get(r, "frame_file"));
		if (json_object_get(r, "crop_file"))
			json_object_set(json_object_get(v, "properties"),
			    "crop_file", json_object_get(r, "crop_file"));
		fputs(x->features++ ? ",\n" : "\n", x->geo);
		json_dumpf(v, x->geo, JSON_COMPACT | JSON_REAL_PRECISION(10));
		json_decref(v);
	}
	x->n++;
	return 0;
}

/* The agency's name as a key name: lower case, no spaces. */
static void
key_name(char *out, size_t n, const char *agency)
{
	size_t i, k = 0;

	for (i = 0; agency[i] && k + 1 < n; i++)
		if (isalnum((unsigned char)agency[i]) || agency[i] == '.')
			out[k++] = tolower((unsigned char)agency[i]);
		else if (k > 0 && out[k - 1] != '-')
			out[k++] = '-';
	while (k > 0 && out[k - 1] == '-')
		k--;
	out[k] = '\0';
	if (!k)
		snprintf(out, n, "alpr-agency");
}

int
st_agency_key(struct alpr_store *s, unsigned char sk[64])
{
	MDB_txn *txn;
	int r;

	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return -1;
	r = st_sign_key(s, txn, sk, 0);
	mdb_txn_abort(txn);
	if (r < 0 || sk[0] || memcmp(sk, sk + 1, 63))
		return r;
	if (st_wbegin(s, &txn) != 0)
		return -1;
	r = st_sign_key(s, txn, sk, 1);
	if (st_wend(s, txn, r == 0) != 0)
		r = -1;
	return r;
}

char *
alpr_export_vkey(struct alpr_store *s)
{
	unsigned char sk[64], pk[32];
	char name[128];

	if (st_agency_key(s, sk) < 0)
		return NULL;
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	sodium_memzero(sk, sizeof sk);
	key_name(name, sizeof name, s->conf.agency);
	return alpr_note_vkey(name, pk);
}

/* Make sure what is in the folder is on the disk before its manifest. */
static int
sync_folder(struct alpr_export *x)
{
	int i;

	if (syncfs(x->fd) < 0)
		return -1;
	for (i = 0; i < 2; i++)
		if (x->sub[i] >= 0 && fsync(x->sub[i]) < 0)
			return -1;
	return fsync(x->fd);
}

int
alpr_export_end(struct alpr_export *x)
{
	unsigned char sk[64], sig[64];
	char tm[ALPR_TIME_LEN], b64[128], *ctext, *head = NULL;
	const char *kase = alpr_rec_str(x->custody, "case");
	size_t n;
	int r = -1, fd;

	fputs("\n]}\n", x->geo);
	if (fclose(x->ndjson) || fclose(x->csv) || fclose(x->geo))
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory:");
	x->ndjson = x->csv = x->geo = NULL;
	json_object_set_new(x->custody, "reads", json_integer(x->n));
	json_object_set_new(x->custody, "frames", json_integer(x->frames));
	json_object_set_new(x->custody, "crops", json_integer(x->crops));
	ctext = json_dumps(x->custody, JSON_INDENT(2));
	n = strlen(ctext);
	ctext = alpr_realloc(ctext, n + 2);
	strcpy(ctext + n, "\n");
	if (put_file(x, "reads.ndjson", x->ndtext, x->ndlen) < 0 ||
	    put_file(x, "reads.csv", x->csvtext, x->csvlen) < 0 ||
	    put_file(x, "reads.geojson", x->geotext, x->geolen) < 0 ||
	    put_file(x, "CUSTODY.json", ctext, strlen(ctext)) < 0)
		goto out;
	if (fclose(x->manifest))
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory:");
	x->manifest = NULL;
	alpr_time_now(tm);
	n = strlen(x->vkey) + strlen(x->s->conf.agency) + 256 + x->mlen;
	head = alpr_malloc(n);
	snprintf(head, n, MANIFEST_MAGIC "agency %s\nkey %s\ncase %s\n"
	    "exported %s\nreads %ld\n\n%s", x->s->conf.agency, x->vkey,
	    kase ? kase : "-", tm, x->n, x->mtext);
	if (st_agency_key(x->s, sk) < 0)
		goto out;
	crypto_sign_detached(sig, NULL, (unsigned char *)head, strlen(head),
	    sk);
	sodium_memzero(sk, sizeof sk);
	alpr_b64(b64, sizeof b64, sig, sizeof sig);
	strcat(b64, "\n");
	if (!x->sealed) {
		/* the signature, then the manifest, each whole on the disk */
		if (sync_folder(x) < 0 ||
		    (fd = openat(x->fd, "MANIFEST.sig", O_WRONLY | O_CREAT |
		    O_EXCL | O_NOFOLLOW | O_CLOEXEC, x->fmode)) < 0 ||
		    alpr_write_all(fd, b64, strlen(b64)) < 0 || fsync(fd) < 0 ||
		    close(fd) < 0 ||
		    (fd = openat(x->fd, "MANIFEST", O_WRONLY | O_CREAT |
		    O_EXCL | O_NOFOLLOW | O_CLOEXEC, x->fmode)) < 0 ||
		    alpr_write_all(fd, head, strlen(head)) < 0 || fsync(fd) < 0 ||
		    close(fd) < 0 || fsync(x->fd) < 0)
			alpr_warn("unable to write the manifest of %s:", x->name);
		else
			r = 0;
	} else {
		/* the manifest and its signature are files of the stream too */
		x->manifest = fopen("/dev/null", "w");
		if (put_file(x, "MANIFEST", head, strlen(head)) == 0 &&
		    put_file(x, "MANIFEST.sig", b64, strlen(b64)) == 0 &&
		    push_header(x, "", 1) == 0 && (fsync(x->fd) == 0 ||
		    errno == EINVAL || errno == EROFS))
			r = 0;
		else
			alpr_warn("unable to write %s:", x->name);
	}
out:
	free(head);
	free(ctext);
	return r;
}

void
alpr_export_free(struct alpr_export *x)
{
	if (!x)
		return;
	if (x->manifest)
		fclose(x->manifest);
	if (x->ndjson)
		fclose(x->ndjson);
	if (x->csv)
		fclose(x->csv);
	if (x->geo)
		fclose(x->geo);
	if (x->fd >= 0)
		close(x->fd);
	if (x->sub[0] >= 0)
		close(x->sub[0]);
	if (x->sub[1] >= 0)
		close(x->sub[1]);
	if (x->chunk) {
		sodium_memzero(x->chunk, CHUNK + SS_ABYTES);
		free(x->chunk);
	}
	sodium_memzero(&x->st, sizeof x->st);
	free(x->mtext);
	free(x->ndtext);
	free(x->csvtext);
	free(x->geotext);
	free(x->vkey);
	free(x->name);
	json_decref(x->custody);
	free(x);
}

long
alpr_export_count(const struct alpr_export *x)
{
	return x->n;
}

/* The next message of a sealed stream (a header: n is its length, from
 * its first 2 bytes when 0): 0, or -1. */
static int
pull(int fd, crypto_secretstream_xchacha20poly1305_state *st,
    unsigned char *c, unsigned char *m, size_t n, unsigned long long *mlen,
    unsigned char *tag)
{
	unsigned char len[2];

	if (n == 0) {
		if (read_all(fd, len, 2) < 0)
			return -1;
		n = len[0] << 8 | len[1];
	}
	if (n < SS_ABYTES || n > CHUNK + SS_ABYTES || read_all(fd, c, n) < 0)
		return -1;
	return crypto_secretstream_xchacha20poly1305_pull(st, m, mlen, tag, c,
	    n, NULL, 0);
}

/* The files of a sealed stream into the folder at dfd: the number of
 * files, or -1 (said why). */
static long
unseal(int fd, const char *file, const char *pass, int dfd)
{
	unsigned char salt[16], lim[16], key[32], tag, hdr[SS_HEADER];
	crypto_secretstream_xchacha20poly1305_state st;
	char magic[sizeof SEALED_MAGIC];
	unsigned char *c = alpr_malloc(CHUNK + SS_ABYTES);
	unsigned char *m = alpr_malloc(CHUNK + 1);
	unsigned long long ops = 0, mem = 0, mlen;
	json_int_t size, got;
	const char *name;
	json_t *h = NULL;
	long nfiles = -2, k = 0;	/* -2: a bad bundle */
	int i, out = -1, sub;

	if (read_all(fd, magic, strlen(SEALED_MAGIC)) < 0 || memcmp(magic,
	    SEALED_MAGIC, strlen(SEALED_MAGIC)) || read_all(fd, salt,
	    sizeof salt) < 0 || read_all(fd, lim, sizeof lim) < 0 ||
	    read_all(fd, hdr, sizeof hdr) < 0) {
		alpr_warn("%s: not a sealed alpr-export bundle", file);
		goto done;
	}
	for (i = 0; i < 8; i++) {
		ops = ops << 8 | lim[i];
		mem = mem << 8 | lim[8 + i];
	}
	if (ops > crypto_pwhash_OPSLIMIT_SENSITIVE || mem >
	    crypto_pwhash_MEMLIMIT_SENSITIVE || pass_key(key, pass, salt, ops,
	    mem) != 0 || crypto_secretstream_xchacha20poly1305_init_pull(&st,
	    hdr, key) != 0) {
		alpr_warn("%s: unable to derive its key (its limits: %llu "
		    "operations, %llu bytes)", file, ops, mem);
		goto done;
	}
	sodium_memzero(key, sizeof key);
	for (;; k++) {
		/* a file's header: its name and size */
		if (pull(fd, &st, c, m, 0, &mlen, &tag) != 0) {
			if (k == 0)
				alpr_warn("%s: the passphrase is wrong, or the "
				    "file is damaged", file);
			else
				alpr_warn("%s: damaged, cut short or reordered "
				    "after %ld files", file, k);
			goto done;
		}
		if (tag == SS_FINAL)
			break;
		m[mlen] = '\0';
		json_decref(h);
		if (!(h = json_loadb((char *)m, mlen, 0, NULL)) ||
		    !(name = json_string_value(json_object_get(h, "name"))) ||
		    !name_ok(name) || !json_is_integer(json_object_get(h,
		    "size")) || (size = json_integer_value(json_object_get(h,
		    "size"))) < 0) {
			alpr_warn("%s: a file of the bundle has a bad name or "
			    "size", file);
			goto done;
		}
		sub = dfd;
		if (strchr(name, '/')) {
			char d[8];
			snprintf(d, sizeof d, "%.*s", (int)(strchr(name, '/') -
			    name), name);
			if ((mkdirat(dfd, d, 0700) < 0 && errno != EEXIST) ||
			    (sub = openat(dfd, d, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC)) < 0) {
				alpr_warn("unable to make %s:", d);
				nfiles = -1;
				goto done;
			}
		}
		out = openat(sub, strchr(name, '/') ? strchr(name, '/') + 1 :
		    name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0600);
		if (sub != dfd)
			close(sub);
		if (out < 0) {
			alpr_warn("unable to make %s%s:", name, errno == EEXIST ?
			    " (twice in the bundle)" : "");
			if (errno != EEXIST)
				nfiles = -1;
			goto done;
		}
		for (got = 0; got < size; got += mlen) {
			size_t want = size - got < CHUNK ? size - got : CHUNK;
			if (pull(fd, &st, c, m, want + SS_ABYTES, &mlen,
			    &tag) != 0 || mlen != want || tag == SS_FINAL) {
				alpr_warn("%s: damaged, cut short or reordered "
				    "in %s", file, name);
				goto done;
			}
			if (alpr_write_all(out, m, mlen) < 0) {
				alpr_warn("unable to write %s:", name);
				nfiles = -1;
				goto done;
			}
		}
		if (fsync(out) < 0 || close(out) < 0) {
			out = -1;
			alpr_warn("unable to write %s:", name);
			nfiles = -1;
			goto done;
		}
		out = -1;
	}
	if (read(fd, c, 1) != 0) {
		alpr_warn("%s: bytes after the end of the bundle", file);
		goto done;
	}
	nfiles = k;
done:
	json_decref(h);
	if (out >= 0)
		close(out);
	sodium_memzero(&st, sizeof st);
	sodium_memzero(m, CHUNK + 1);
	free(c);
	free(m);
	return nfiles;
}

long
alpr_export_open(const char *file, const char *pass, const char *dir)
{
	int fd = strcmp(file, "-") ? open(file, O_RDONLY | O_CLOEXEC) : 0;
	int dfd = -1;
	long n = -1;

	if (fd < 0) {
		alpr_warn("unable to open %s:", file);
		return -1;
	}
	if (mkdir(dir, 0700) < 0 || (dfd = open(dir, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) < 0) {
		alpr_warn("unable to make a new folder %s:", dir);
		if (errno == EEXIST)
			n = -2;
	} else if ((n = unseal(fd, strcmp(file, "-") ? file : "<stdin>", pass,
	    dfd)) < 0 || fsync(dfd) < 0) {
		/* nothing half opened stays */
		st_rmtree(dir);
		n = n < 0 ? n : -1;
	}
	if (dfd >= 0)
		close(dfd);
	if (fd != 0)
		close(fd);
	return n;
}

/* A file of a bundle's folder, read whole: 0, 1 missing, 2 not a plain
 * file, -1 unreadable. */
static int
bundle_file(const char *dir, const char *name, unsigned char **p, size_t *n)
{
	char *path = alpr_path(dir, name);
	struct stat sb;
	int r;

	if (lstat(path, &sb) < 0)
		r = errno == ENOENT ? 1 : -1;
	else if (!S_ISREG(sb.st_mode))
		r = 2;
	else
		r = alpr_read_file(path, p, n) < 0 ? -1 : 0;
	free(path);
	return r;
}

/* What bundle_file's answer means. */
static const char *
file_problem(int r)
{
	return r == 1 ? "missing" : r == 2 ? "not a plain file" : "unreadable";
}

/* Files under dir/sub that listed lacks (MANIFEST and its signature
 * aside), reported: 1 if any. */
static int
extra_files(const char *dir, const char *sub, json_t *listed)
{
	struct dirent *e;
	struct stat sb;
	char rel[512], *p;
	DIR *d;
	int bad = 0;

	p = *sub ? alpr_path(dir, sub) : alpr_strdup(dir);
	d = opendir(p);
	free(p);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(rel, sizeof rel, "%s%s%s", sub, *sub ? "/" : "",
		    e->d_name);
		p = alpr_path(dir, rel);
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			bad |= extra_files(dir, rel, listed);
		else if (!json_object_get(listed, rel) && (*sub ||
		    (strcmp(rel, "MANIFEST") && strcmp(rel, "MANIFEST.sig")))) {
			alpr_warn("%s: not in the manifest: added since it was "
			    "exported", p);
			bad = 1;
		}
		free(p);
	}
	closedir(d);
	return bad;
}

/* Does the signature verify, and if not, whose is it? Reported: 0 good,
 * 1 bad. */
static int
check_signature(const char *dir, const unsigned char *text, size_t n,
    const unsigned char pk[32], const char *keyname)
{
	unsigned char sig[64], *b64, opk[32];
	char *line, *oname = NULL;
	const char *k;
	size_t sn, got;
	int r;

	if ((r = bundle_file(dir, "MANIFEST.sig", &b64, &sn)) != 0) {
		alpr_warn("%s/MANIFEST.sig: %s: the manifest is not signed",
		    dir, file_problem(r));
		return 1;
	}
	r = alpr_unb64(sig, sizeof sig, (char *)b64, strcspn((char *)b64,
	    "\n"), &got) < 0 || got != sizeof sig;
	free(b64);
	if (r) {
		alpr_warn("%s/MANIFEST.sig: not an Ed25519 signature in base64",
		    dir);
		return 1;
	}
	if (crypto_sign_verify_detached(sig, text, n, pk) == 0)
		return 0;
	/* another key's? the manifest names the key that signed it */
	if ((k = strstr((char *)text, "\nkey ")) && (line = strndup(k + 5,
	    strcspn(k + 5, "\n")))) {
		if (!alpr_note_vkey_parse(line, &oname, opk) && memcmp(opk, pk,
		    32) && crypto_sign_verify_detached(sig, text, n, opk) ==
		    0) {
			alpr_warn("%s/MANIFEST: signed by another key (%s), not "
			    "by the key given (%s)", dir, oname, keyname);
			free(oname);
			free(line);
			return 1;
		}
		free(oname);
		free(line);
	}
	alpr_warn("%s/MANIFEST: its signature does not verify with the key "
	    "given (%s): the manifest was changed since it was signed", dir,
	    keyname);
	return 1;
}

int
alpr_export_verify(const char *dir, const char *vkey, json_t **about)
{
	unsigned char pk[32], *text, *buf;
	char *name = NULL, *line, *next, *body, hex[ALPR_SHA256_HEX];
	const char *e, *path;
	json_t *listed;
	size_t n, nb;
	int bad = 0, r;
	DIR *d;

	*about = NULL;
	if ((e = alpr_note_vkey_parse(vkey, &name, pk))) {
		alpr_warn("the agency's verifier key: %s", e);
		return -1;
	}
	if (!(d = opendir(dir))) {
		alpr_warn("unable to open %s:", dir);
		free(name);
		return -1;
	}
	closedir(d);
	if ((r = bundle_file(dir, "MANIFEST", &text, &n)) != 0) {
		alpr_warn("%s/MANIFEST: %s: not a bundle, or one cut short",
		    dir, file_problem(r));
		free(name);
		return 1;
	}
	bad |= check_signature(dir, text, n, pk, name);
	free(name);
	if (strncmp((char *)text, MANIFEST_MAGIC, strlen(MANIFEST_MAGIC)) ||
	    strlen((char *)text) != n || !(body = strstr((char *)text,
	    "\n\n"))) {
		alpr_warn("%s/MANIFEST: not an alpr-export manifest", dir);
		free(text);
		return 1;
	}
	/* the header: its fields, to say what the bundle is */
	*body = '\0';
	*about = json_object();
	for (line = strchr((char *)text, '\n') + 1; line && *line;
	    line = next) {
		char k[32];
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		if ((e = strchr(line, ' ')) && e - line < (int)sizeof k) {
			snprintf(k, sizeof k, "%.*s", (int)(e - line), line);
			json_object_set_new(*about, k, json_string(e + 1));
		}
	}
	/* every file listed, as listed */
	listed = json_object();
	for (line = body + 2; *line; line = next) {
		if (!(next = strchr(line, '\n'))) {
			alpr_warn("%s/MANIFEST: its last line is cut short", dir);
			bad = 1;
			break;
		}
		*next++ = '\0';
		if (strlen(line) < 67 || strspn(line, "0123456789abcdef") !=
		    64 || line[64] != ' ' || line[65] != ' ' ||
		    !name_ok(path = line + 66) || json_object_get(listed,
		    path)) {
			alpr_warn("%s/MANIFEST: a bad line: %s", dir, line);
			bad = 1;
			continue;
		}
		json_object_set_new(listed, path, json_true());
		if ((r = bundle_file(dir, path, &buf, &nb)) != 0) {
			alpr_warn("%s/%s: %s (the manifest lists it)", dir,
			    path, file_problem(r));
			bad = 1;
			continue;
		}
		alpr_sha256_hex(buf, nb, hex);
		free(buf);
		if (strncmp(hex, line, 64)) {
			alpr_warn("%s/%s: changed since it was exported (its "
			    "SHA-256 is not the manifest's)", dir, path);
			bad = 1;
		}
	}
	json_object_set_new(*about, "files", json_integer(json_object_size(
	    listed)));
	/* and nothing else */
	bad |= extra_files(dir, "", listed);
	json_decref(listed);
	free(text);
	return bad;
}
