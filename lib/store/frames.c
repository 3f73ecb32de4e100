/*
 * frames.c: frames sealed in the store's spool. A day's frame is
 * spool/DAY/NAME, NAME the keyed BLAKE2b of its SHA-256 under the day's
 * frame key, so that the spool's names say nothing without the key; its
 * bytes are sealed under the same key with DAY and NAME as associated
 * data, so that a frame cannot be renamed into another's place. Held
 * frames are kept alike under their hold's key (hold.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

char *
st_frame_name(const char *dir, const char *sub, const unsigned char *key,
    const char *image)
{
	unsigned char h[16];
	char hex[33], name[128];

	crypto_generichash(h, sizeof h, (const unsigned char *)image,
	    strlen(image), key, ST_KEY);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	snprintf(name, sizeof name, "%s/%s", sub, hex);
	return alpr_path(dir, name);
}

char *
st_frame_path(struct alpr_store *s, int d, const struct st_day *k,
    const char *image)
{
	char sub[16];

	snprintf(sub, sizeof sub, "%05d", d);
	return st_frame_name(s->spool, sub, k->frame, image);
}

/* The associated data of a sealed frame: a label (the day, the hold) and
 * the name. */
static size_t
frame_ad(unsigned char *ad, const char *label, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = strlen(label);

	memcpy(ad, label, n);
	sodium_hex2bin(ad + n, 16, slash + 1, 32, NULL, NULL, NULL);
	return n + 16;
}

int
st_frame_put(const char *path, const char *label, const unsigned char *p,
    size_t n, const unsigned char key[ST_KEY])
{
	unsigned char ad[64 + 16], *sealed = alpr_malloc(ST_SEALED(n));
	char *dir = alpr_strdup(path), *slash = strrchr(dir, '/');
	size_t adn = frame_ad(ad, label, path);
	int r;

	st_seal(sealed, p, n, ad, adn, key);
	*slash = '\0';
	if ((r = alpr_mkdirs(dir, 0700)) < 0)
		alpr_warn("unable to make %s:", dir);
	else if ((r = alpr_write_atomic_mode(path, sealed, ST_SEALED(n),
	    0600)) < 0)
		alpr_warn("unable to write %s:", path);
	free(sealed);
	free(dir);
	return r;
}

int
st_frame_get(const char *path, const char *label,
    const unsigned char key[ST_KEY], unsigned char **out, size_t *n)
{
	unsigned char ad[64 + 16], *buf;
	size_t len, adn;
	int r = -1;

	*out = NULL;
	if (alpr_read_file(path, &buf, &len) < 0) {
		if (errno == ENOENT)
			return 1;
		alpr_warn("unable to read %s:", path);
		return -1;
	}
	adn = frame_ad(ad, label, path);
	if (len >= ST_SEALED(0)) {
		*n = len - ST_SEALED(0);
		*out = alpr_malloc(*n + 1);
		if (st_open(*out, buf, len, ad, adn, key) == 0)
			r = 0;
		else {
			free(*out);
			*out = NULL;
		}
	}
	if (r < 0)
		alpr_warn("%s: the sealed frame does not open: damaged or "
		    "tampered with", path);
	free(buf);
	return r;
}

void
st_day_label(char label[8], int d)
{
	snprintf(label, 8, "%05d", d);
}
