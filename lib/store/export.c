/*
 * export.c: evidence bundles (alpr-export(1) BUNDLES).
 *
 * A bundle is a folder: reads.ndjson, reads.csv and reads.geojson (the
 * reads three ways), frames/ and crops/ (each read's frame and its plate
 * cut out, named by read id), CUSTODY.json (who exported what, when, why,
 * for whom), and MANIFEST, the SHA-256 and size of every other file under
 * a header that names the agency, its verifier key, the case and the
 * time, signed by the agency's Ed25519 key in MANIFEST.sig. Anyone with
 * the agency's public key checks every byte (alpr_export_verify).
 *
 * Sealed (for media that leave the building), the same files go into one
 * file instead: "alpr-export sealed v1\n", a 16-byte salt, Argon2id's
 * limits, and a libsodium secretstream under the key Argon2id makes of a
 * passphrase; in the stream, for each file, a message holding its name and
 * size and then its bytes, a megabyte a message; the last message FINAL.
 * No plain byte of the bundle touches the disk.
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
#define CHUNK (1 << 20)
#define ST_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES

struct alpr_export {
	struct alpr_store *s;
	char *out;			/* the folder, or the sealed file */
	int sealed, fd;
	crypto_secretstream_xchacha20poly1305_state st;
	FILE *manifest;			/* lines: sha256 size path */
	char *mtext;
	size_t mlen;
	FILE *ndjson, *csv, *geo;	/* the reads, gathered */
	char *ndtext, *csvtext, *geotext;
	size_t ndlen, csvlen, geolen;
	json_t *custody;
	long n;
	int nfeat;
};

/* A header message of the stream: its length (2 bytes), then it. */
static int
push_header(struct alpr_export *x, const char *text, int final)
{
	size_t n = strlen(text), cn = n + ST_ABYTES;
	unsigned char *c = alpr_malloc(cn + 2);
	int r;

	c[0] = cn >> 8;
	c[1] = cn;
	crypto_secretstream_xchacha20poly1305_push(&x->st, c + 2, NULL,
	    (const unsigned char *)text, n, NULL, 0, final ?
	    crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
	r = write(x->fd, c, cn + 2) == (ssize_t)(cn + 2) ? 0 : -1;
	free(c);
	return r;
}

/* One file of the bundle, into the folder or the stream. */
static int
put_file(struct alpr_export *x, const char *name, const void *p, size_t n)
{
	char hex[ALPR_SHA256_HEX], *path, *slash;
	unsigned char *c;
	json_t *h;
	char *hs;
	size_t off, k;
	int r = 0;

	alpr_sha256_hex(p, n, hex);
	fprintf(x->manifest, "%s %zu %s\n", hex, n, name);
	if (!x->sealed) {
		path = alpr_path(x->out, name);
		if ((slash = strrchr(path, '/')) && slash > path + strlen(x->out)) {
			*slash = '\0';
			r = alpr_mkdirs(path, 0700);
			*slash = '/';
		}
		if (r == 0 && (r = alpr_write_atomic(path, p, n)) < 0)
			alpr_warn("unable to write %s:", path);
		free(path);
		return r;
	}
	h = json_pack("{s:s,s:I}", "name", name, "size", (json_int_t)n);
	hs = json_dumps(h, JSON_COMPACT);
	json_decref(h);
	r = push_header(x, hs, 0);
	free(hs);
	c = alpr_malloc(CHUNK + ST_ABYTES);
	for (off = 0; r == 0 && off < n; off += k) {
		k = n - off < CHUNK ? n - off : CHUNK;
		crypto_secretstream_xchacha20poly1305_push(&x->st, c, NULL,
		    (const unsigned char *)p + off, k, NULL, 0, 0);
		if (write(x->fd, c, k + ST_ABYTES) != (ssize_t)(k + ST_ABYTES))
			r = -1;
	}
	free(c);
	if (r < 0)
		alpr_warn("unable to write %s:", x->out);
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

struct alpr_export *
alpr_export_begin(struct alpr_store *s, const char *out, const char *pass,
    json_t *custody)
{
	struct alpr_export *x = alpr_calloc(1, sizeof *x);
	unsigned char salt[16], key[32], hdr[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	unsigned char lim[16];
	unsigned long long ops = crypto_pwhash_OPSLIMIT_MODERATE;
	size_t mem = crypto_pwhash_MEMLIMIT_MODERATE;
	struct stat sb;
	int i;

	x->s = s;
	x->out = alpr_strdup(out);
	x->sealed = pass != NULL;
	x->fd = -1;
	x->custody = json_incref(custody);
	if (stat(out, &sb) == 0) {
		alpr_warn("%s exists: an export never writes over anything",
		    out);
		goto fail;
	}
	if (!x->sealed) {
		if (alpr_mkdirs(out, 0700) < 0) {
			alpr_warn("unable to make %s:", out);
			goto fail;
		}
	} else {
		if ((x->fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600)) < 0) {
			alpr_warn("unable to make %s:", out);
			goto fail;
		}
		randombytes_buf(salt, sizeof salt);
		for (i = 0; i < 8; i++) {
			lim[i] = ops >> (8 * (7 - i));
			lim[8 + i] = (unsigned long long)mem >> (8 * (7 - i));
		}
		if (pass_key(key, pass, salt, ops, mem) != 0) {
			alpr_warn("out of memory deriving the bundle's key");
			goto fail;
		}
		crypto_secretstream_xchacha20poly1305_init_push(&x->st, hdr,
		    key);
		sodium_memzero(key, sizeof key);
		if (write(x->fd, SEALED_MAGIC, strlen(SEALED_MAGIC)) < 0 ||
		    write(x->fd, salt, sizeof salt) < 0 ||
		    write(x->fd, lim, sizeof lim) < 0 ||
		    write(x->fd, hdr, sizeof hdr) < 0) {
			alpr_warn("unable to write %s:", out);
			goto fail;
		}
	}
	x->manifest = open_memstream(&x->mtext, &x->mlen);
	x->ndjson = open_memstream(&x->ndtext, &x->ndlen);
	x->csv = open_memstream(&x->csvtext, &x->csvlen);
	x->geo = open_memstream(&x->geotext, &x->geolen);
	if (!x->manifest || !x->ndjson || !x->csv || !x->geo)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory:");
	fputs("time,camera,plate,conf,lat,lon,hits,read_id\n", x->csv);
	fputs("{\"type\":\"FeatureCollection\",\"features\":[", x->geo);
	return x;
fail:
	if (x->fd >= 0)
		close(x->fd);
	free(x->out);
	json_decref(x->custody);
	free(x);
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

static void
csv_field(FILE *f, const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else
		fputs(s, f);
	fputc(last ? '\n' : ',', f);
}

/* The plate cut out of its frame, with a margin, as PNG. */
static int
crop(const unsigned char *frame, size_t n, json_t *box, unsigned char **png,
    size_t *np)
{
	char err[200];
	struct Pix *pix, *c;
	BOX *b;
	long x, y, w, h;
	int r = -1;

	x = json_integer_value(json_array_get(box, 0));
	y = json_integer_value(json_array_get(box, 1));
	w = json_integer_value(json_array_get(box, 2));
	h = json_integer_value(json_array_get(box, 3));
	if (w <= 0 || h <= 0 || !(pix = alpr_image_decode(frame, n, 1, 0, err,
	    sizeof err)))
		return -1;
	b = boxCreate(x - w / 8, y - h / 4, w + w / 4, h + h / 2);
	if (b && (c = pixClipRectangle(pix, b, NULL))) {
		r = pixWriteMemPng(png, np, c, 0.0) ? -1 : 0;
		pixDestroy(&c);
	}
	boxDestroy(&b);
	pixDestroy(&pix);
	return r;
}

int
alpr_export_read(struct alpr_export *x, json_t *r, const unsigned char *frame,
    size_t n)
{
	const char *rid = alpr_rec_str(r, "read_id"), *pl;
	char name[200], path[256], num[32], hits[512];
	unsigned char *png;
	size_t np, i;
	json_t *h, *v;
	int w, hh;

	if (!rid)
		return -1;
	file_name(name, sizeof name, rid);
	if (frame) {
		const char *ext = alpr_image_info(frame, n, &w, &hh) ==
		    ALPR_IMG_PNG ? "png" : "jpg";
		snprintf(path, sizeof path, "frames/%s.%s", name, ext);
		if (put_file(x, path, frame, n) < 0)
			return -1;
		json_object_set_new(r, "frame_file", json_string(path));
		if (crop(frame, n, json_object_get(r, "box"), &png, &np) == 0) {
			snprintf(path, sizeof path, "crops/%s.png", name);
			i = put_file(x, path, png, np);
			free(png);
			if ((int)i < 0)
				return -1;
			json_object_set_new(r, "crop_file", json_string(path));
		}
	}
	alpr_write_record(x->ndjson, r);
	pl = alpr_rec_str(r, "plate");
	csv_field(x->csv, alpr_rec_str(r, "ts") ? alpr_rec_str(r, "ts") : "",
	    0);
	csv_field(x->csv, alpr_rec_str(r, "camera") ? alpr_rec_str(r,
	    "camera") : "", 0);
	csv_field(x->csv, pl ? pl : "", 0);
	snprintf(num, sizeof num, "%.1f", alpr_rec_num(r, "conf", 0));
	csv_field(x->csv, num, 0);
	hits[0] = '\0';
	json_array_foreach(json_object_get(r, "hits"), i, h)
		snprintf(hits + strlen(hits), sizeof hits - strlen(hits), "%s%s",
		    hits[0] ? ";" : "", alpr_rec_str(h, "category") ?
		    alpr_rec_str(h, "category") : "hit");
	if (json_is_number(json_object_get(r, "lat"))) {
		snprintf(num, sizeof num, "%.6f", alpr_rec_num(r, "lat", 0));
		csv_field(x->csv, num, 0);
		snprintf(num, sizeof num, "%.6f", alpr_rec_num(r, "lon", 0));
		csv_field(x->csv, num, 0);
		/* GeoJSON: longitude first (RFC 7946) */
		v = json_pack("{s:s,s:{s:s,s:[f,f]},s:{s:s,s:s,s:s,s:s,s:f,"
		    "s:s}}", "type", "Feature", "geometry", "type", "Point",
		    "coordinates", alpr_rec_num(r, "lon", 0), alpr_rec_num(r,
		    "lat", 0), "properties", "read_id", rid, "time",
		    alpr_rec_str(r, "ts") ? alpr_rec_str(r, "ts") : "", "plate",
		    pl ? pl : "", "camera", alpr_rec_str(r, "camera") ?
		    alpr_rec_str(r, "camera") : "", "conf", alpr_rec_num(r,
		    "conf", 0), "hits", hits);
		fprintf(x->geo, "%s", x->nfeat++ ? ",\n" : "\n");
		json_dumpf(v, x->geo, JSON_COMPACT | JSON_REAL_PRECISION(10));
		json_decref(v);
	} else {
		csv_field(x->csv, "", 0);
		csv_field(x->csv, "", 0);
	}
	csv_field(x->csv, hits, 0);
	csv_field(x->csv, rid, 1);
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

char *
alpr_export_vkey(struct alpr_store *s)
{
	unsigned char sk[64], pk[32];
	char name[128];
	MDB_txn *txn;

	if (st_wbegin(s, &txn) != 0)
		return NULL;
	if (st_sign_key(s, txn, sk, 1) < 0) {
		st_wend(s, txn, 0);
		return NULL;
	}
	if (st_wend(s, txn, 1) != 0)
		return NULL;
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	sodium_memzero(sk, sizeof sk);
	key_name(name, sizeof name, s->conf.agency);
	return alpr_note_vkey(name, pk);
}

int
alpr_export_end(struct alpr_export *x)
{
	unsigned char sk[64], sig[64];
	char tm[ALPR_TIME_LEN], b64[128], *vkey, *ctext, *head;
	MDB_txn *txn;
	size_t n;
	int r = -1;

	fputs("\n]}\n", x->geo);
	if (fclose(x->ndjson) || fclose(x->csv) || fclose(x->geo))
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory:");
	ctext = json_dumps(x->custody, JSON_INDENT(2));
	if (put_file(x, "reads.ndjson", x->ndtext, x->ndlen) < 0 ||
	    put_file(x, "reads.csv", x->csvtext, x->csvlen) < 0 ||
	    put_file(x, "reads.geojson", x->geotext, x->geolen) < 0 ||
	    put_file(x, "CUSTODY.json", ctext, strlen(ctext)) < 0)
		goto out;
	if (!(vkey = alpr_export_vkey(x->s)))
		goto out;
	if (fclose(x->manifest))
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory:");
	x->manifest = NULL;
	alpr_time_now(tm);
	n = strlen(vkey) + strlen(x->s->conf.agency) + 256 + x->mlen;
	head = alpr_malloc(n);
	snprintf(head, n, "alpr-export manifest v1\nagency %s\nkey %s\n"
	    "case %s\nexported %s\n\n%s", x->s->conf.agency, vkey,
	    alpr_rec_str(x->custody, "case") ? alpr_rec_str(x->custody,
	    "case") : "-", tm, x->mtext);
	free(vkey);
	if (st_txn(x->s, MDB_RDONLY, &txn) != 0 ||
	    st_sign_key(x->s, txn, sk, 0) < 0) {
		free(head);
		goto out;
	}
	mdb_txn_abort(txn);
	crypto_sign_detached(sig, NULL, (unsigned char *)head, strlen(head),
	    sk);
	sodium_memzero(sk, sizeof sk);
	alpr_b64(b64, sizeof b64, sig, sizeof sig);
	strcat(b64, "\n");
	if (!x->sealed) {
		char *p = alpr_path(x->out, "MANIFEST"),
		    *q = alpr_path(x->out, "MANIFEST.sig");
		r = alpr_write_atomic(p, head, strlen(head)) < 0 ||
		    alpr_write_atomic(q, b64, strlen(b64)) < 0 ? -1 : 0;
		free(p);
		free(q);
	} else {
		/* the manifest and its signature are files of the stream too */
		x->manifest = fopen("/dev/null", "w");
		r = put_file(x, "MANIFEST", head, strlen(head)) < 0 ||
		    put_file(x, "MANIFEST.sig", b64, strlen(b64)) < 0 ||
		    push_header(x, "", 1) < 0 || fsync(x->fd) < 0 ? -1 : 0;
	}
	if (r < 0)
		alpr_warn("unable to write the manifest of %s:", x->out);
	free(head);
out:
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
	if (x->fd >= 0)
		close(x->fd);
	free(x->mtext);
	free(x->ndtext);
	free(x->csvtext);
	free(x->geotext);
	free(x->out);
	json_decref(x->custody);
	free(x);
}

long
alpr_export_count(const struct alpr_export *x)
{
	return x->n;
}

/* Read exactly n bytes; 0, or -1. */
static int
readn(int fd, void *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		if ((k = read(fd, p, n)) <= 0)
			return -1;
		p = (char *)p + k;
		n -= k;
	}
	return 0;
}

int
alpr_export_open(const char *file, const char *pass, const char *dir)
{
	unsigned char salt[16], lim[16], key[32], tag;
	unsigned char hdr[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	crypto_secretstream_xchacha20poly1305_state st;
	char magic[sizeof SEALED_MAGIC], *path;
	unsigned char *c = alpr_malloc(CHUNK +
	    crypto_secretstream_xchacha20poly1305_ABYTES), *m = alpr_malloc(CHUNK);
	unsigned long long ops = 0, mlen;
	size_t mem = 0, size, got, want, hlen;
	json_t *h;
	const char *name;
	int fd, out = -1, r = -1, i;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		alpr_warn("unable to open %s:", file);
		goto done;
	}
	if (readn(fd, magic, strlen(SEALED_MAGIC)) < 0 || memcmp(magic,
	    SEALED_MAGIC, strlen(SEALED_MAGIC)) || readn(fd, salt,
	    sizeof salt) < 0 || readn(fd, lim, sizeof lim) < 0 ||
	    readn(fd, hdr, sizeof hdr) < 0) {
		alpr_warn("%s: not a sealed alpr bundle", file);
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
		alpr_warn("%s: unable to derive the key", file);
		goto done;
	}
	sodium_memzero(key, sizeof key);
	if (alpr_mkdirs(dir, 0700) < 0) {
		alpr_warn("unable to make %s:", dir);
		goto done;
	}
	for (;;) {
		/* a file's header: its name and size */
		if (readn(fd, c, 2) < 0 || (hlen = c[0] << 8 | c[1]) <
		    ST_ABYTES || readn(fd, c, hlen) < 0 ||
		    crypto_secretstream_xchacha20poly1305_pull(&st, m, &mlen,
		    &tag, c, hlen, NULL, 0) != 0) {
			alpr_warn("%s: damaged or cut short, or the passphrase "
			    "is wrong", file);
			goto done;
		}
		if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
			r = 0;
			break;
		}
		m[mlen] = '\0';
		if (!(h = json_loadb((char *)m, mlen, 0, NULL)) ||
		    !(name = json_string_value(json_object_get(h, "name"))) ||
		    strstr(name, "..") || *name == '/' || !json_is_integer(
		    json_object_get(h, "size"))) {
			json_decref(h);
			alpr_warn("%s: a file of the bundle has a bad name", file);
			goto done;
		}
		size = json_integer_value(json_object_get(h, "size"));
		path = alpr_path(dir, name);
		json_decref(h);
		if (strchr(name, '/')) {
			char *slash = strrchr(path, '/');
			*slash = '\0';
			alpr_mkdirs(path, 0700);
			*slash = '/';
		}
		out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (out < 0) {
			alpr_warn("unable to make %s:", path);
			free(path);
			goto done;
		}
		free(path);
		for (got = 0; got < size; got += mlen) {
			want = size - got < CHUNK ? size - got : CHUNK;
			if (readn(fd, c, want + ST_ABYTES) < 0 ||
			    crypto_secretstream_xchacha20poly1305_pull(&st, m,
			    &mlen, &tag, c, want + ST_ABYTES, NULL, 0) != 0 ||
			    mlen != want || write(out, m, mlen) !=
			    (ssize_t)mlen) {
				alpr_warn("%s: damaged or cut short", file);
				goto done;
			}
		}
		close(out);
		out = -1;
	}
done:
	if (out >= 0)
		close(out);
	if (fd >= 0)
		close(fd);
	free(c);
	sodium_memzero(m, CHUNK);
	free(m);
	return r;
}

/* Check a bundle against the agency's verifier key; problems reported.
 * 0 good, 1 bad, -1 unreadable. */
int
alpr_export_verify(const char *dir, const char *vkey)
{
	unsigned char pk[32], sig[64], *text, *sigtext, *buf;
	char *p, *name = NULL, *line, *next, hex[ALPR_SHA256_HEX], path[512];
	const char *e;
	json_t *listed = json_object();
	size_t n, sn, got, size, nfiles = 0;
	int bad = 0;

	if ((e = alpr_note_vkey_parse(vkey, &name, pk))) {
		alpr_warn("the agency's key: %s", e);
		json_decref(listed);
		return -1;
	}
	free(name);
	p = alpr_path(dir, "MANIFEST");
	if (alpr_read_file(p, &text, &n) < 0) {
		alpr_warn("unable to read %s:", p);
		free(p);
		json_decref(listed);
		return -1;
	}
	free(p);
	p = alpr_path(dir, "MANIFEST.sig");
	if (alpr_read_file(p, &sigtext, &sn) < 0 || alpr_unb64(sig,
	    sizeof sig, (char *)sigtext, strcspn((char *)sigtext, "\n"),
	    &got) < 0 || got != sizeof sig || crypto_sign_verify_detached(sig,
	    text, n, pk) != 0) {
		alpr_warn("%s: the manifest's signature does not verify with "
		    "the key given: the manifest was changed, or another "
		    "agency's key", dir);
		bad = 1;
	}
	free(p);
	free(sigtext);
	/* every file listed, as listed */
	line = strstr((char *)text, "\n\n");
	for (line = line ? line + 2 : NULL; line && *line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		if (sscanf(line, "%64s %zu %400s", hex, &size, path) != 3 ||
		    strstr(path, "..")) {
			alpr_warn("%s/MANIFEST: a bad line: %s", dir, line);
			bad = 1;
			continue;
		}
		json_object_set_new(listed, path, json_true());
		nfiles++;
		p = alpr_path(dir, path);
		if (alpr_read_file(p, &buf, &n) < 0) {
			alpr_warn("%s: missing", p);
			bad = 1;
		} else {
			char h[ALPR_SHA256_HEX];
			alpr_sha256_hex(buf, n, h);
			if (n != size || strcmp(h, hex)) {
				alpr_warn("%s: changed since it was exported", p);
				bad = 1;
			}
			free(buf);
		}
		free(p);
	}
	free(text);
	/* and nothing else */
	bad |= st_extra_files(dir, "", listed);
	json_decref(listed);
	if (!bad)
		printf("good: %zu files, signed by the agency's key\n", nfiles);
	return bad;
}

/* Files under dir/sub that listed lacks (MANIFEST and its signature
 * aside), reported: 1 if any. */
int
st_extra_files(const char *dir, const char *sub, json_t *listed)
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
		if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			bad |= st_extra_files(dir, rel, listed);
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
