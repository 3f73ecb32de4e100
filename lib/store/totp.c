/*
 * totp.c: the second factor, time-based one-time passwords (RFC 6238:
 * HMAC-SHA1, 6 digits, 30 seconds) through liboath, enrolled with an
 * otpauth:// URI shown as a QR code on the terminal (libqrencode), which
 * any authenticator app on a phone reads.
 */
#include <stdlib.h>
#include <string.h>

#include <liboath/oath.h>
#include <qrencode.h>

#include "store.h"

#define STEP 30
#define SECRET 20		/* bytes: 160 bits, as RFC 4226 advises */

static void
oath_once(void)
{
	static int done;

	if (!done && oath_init() != OATH_OK)
		alpr_die(ALPR_EXIT_SYS, "fatal: liboath failed to start");
	done = 1;
}

char *
alpr_totp_new(void)
{
	unsigned char raw[SECRET];
	char *out = NULL, *s;
	size_t n;

	oath_once();
	randombytes_buf(raw, sizeof raw);
	if (oath_base32_encode((char *)raw, sizeof raw, &out, &n) != OATH_OK)
		alpr_die(ALPR_EXIT_SYS, "fatal: unable to encode a TOTP secret");
	sodium_memzero(raw, sizeof raw);
	while (n > 0 && out[n - 1] == '=')
		out[--n] = '\0';
	s = alpr_strdup(out);
	sodium_memzero(out, n);
	free(out);
	return s;
}

static void
pct(FILE *f, const char *s)
{
	for (; *s; s++)
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || strchr("-._~", *s))
			fputc(*s, f);
		else
			fprintf(f, "%%%02X", (unsigned char)*s);
}

char *
alpr_totp_uri(const char *issuer, const char *user, const char *secret)
{
	char *out = NULL;
	size_t n;
	FILE *f = open_memstream(&out, &n);

	if (!f)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory:");
	fputs("otpauth://totp/", f);
	pct(f, issuer);
	fputc(':', f);
	pct(f, user);
	fprintf(f, "?secret=%s&issuer=", secret);
	pct(f, issuer);
	fprintf(f, "&algorithm=SHA1&digits=6&period=%d", STEP);
	if (fclose(f) != 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory:");
	return out;
}

/* Black on white whatever the terminal's colours, two rows a line. */
void
alpr_totp_qr(FILE *f, const char *uri)
{
	static const char *half[4] = { " ", "\u2584", "\u2580", "\u2588" };
	const int quiet = 2;
	QRcode *q = QRcode_encodeString(uri, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int x, y, w, top, bot;

	if (!q) {
		alpr_warn("unable to draw the QR code; enter the secret by hand");
		return;
	}
	w = q->width;
	for (y = -quiet; y < w + quiet; y += 2) {
		fputs("\033[47;30m", f);
		for (x = -quiet; x < w + quiet; x++) {
			top = y >= 0 && y < w && x >= 0 && x < w &&
			    (q->data[y * w + x] & 1);
			bot = y + 1 >= 0 && y + 1 < w && x >= 0 && x < w &&
			    (q->data[(y + 1) * w + x] & 1);
			fputs(half[top << 1 | bot], f);
		}
		fputs("\033[0m\n", f);
	}
	QRcode_free(q);
}

int
alpr_totp_verify(const char *secret, const char *code, time_t now,
    uint64_t *step)
{
	char *raw = NULL;
	size_t n, i;
	int pos, r;

	oath_once();
	*step = 0;
	if (!code || strlen(code) != 6)
		return 0;
	for (i = 0; i < 6; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	if (oath_base32_decode(secret, strlen(secret), &raw, &n) != OATH_OK)
		return 0;
	/* This step and one either side, for clocks a little apart. */
	r = oath_totp_validate3(raw, n, now, STEP, 0, 1, &pos, step, code);
	sodium_memzero(raw, n);
	free(raw);
	return r >= 0;
}
