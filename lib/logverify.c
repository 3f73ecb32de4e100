/* logverify.c: checking the access log from its files and one public key:
 * the key chain, every checkpoint, every entry, the tree. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "alpr.h"

static void
bad(struct alpr_logverify *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
bad(struct alpr_logverify *v, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", alpr_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	v->bad++;
}

static int
sigok(const char *msg, const char *b64, const unsigned char pk[ALPR_PK])
{
	unsigned char sig[64];
	size_t n;

	if (!b64 || alpr_unb64(sig, sizeof sig, b64, strlen(b64), &n) < 0 ||
	    n != sizeof sig)
		return 0;
	return crypto_sign_verify_detached(sig, (const unsigned char *)msg,
	    strlen(msg), pk) == 0;
}

/* Read the whole key chain: genesis signed by the initial key, then each
 * window's key certified by the one before. */
int
alpr_logkeys_load(struct alpr_logverify *v)
{
	struct alpr_logkeys *k = &v->keys;
	struct alpr_reader r;
	unsigned char anchor[ALPR_PK], pk[ALPR_PK];
	char *p, *name = NULL, *msg, *vk = NULL;
	const char *e, *epoch;
	struct timespec t;
	json_t *rec;
	FILE *f;
	long cap = 0;

	memset(k, 0, sizeof *k);
	if (!v->vkey) {
		unsigned char *buf;
		size_t n;
		p = alpr_path(v->dir, ALPR_LOG_PUBKEY);
		if (alpr_read_file(p, &buf, &n) < 0) {
			alpr_warn("unable to read %s:", p);
			free(p);
			return -1;
		}
		vk = alpr_malloc(n + 1);
		memcpy(vk, buf, n);
		vk[n] = '\0';
		free(buf);
		free(p);
	}
	if ((e = alpr_note_vkey_parse(v->vkey ? v->vkey : vk, &name, anchor))) {
		bad(v, "%s: %s", v->vkey ? "public key" : ALPR_LOG_PUBKEY, e);
		free(vk);
		return -1;
	}
	free(vk);
	p = alpr_path(v->dir, ALPR_LOG_KEYS);
	if (!(f = fopen(p, "r"))) {
		alpr_warn("unable to open %s:", p);
		free(p);
		free(name);
		return -1;
	}
	alpr_reader_init(&r, f, p);
	while (alpr_read_record(&r, &rec) > 0) {
		const char *key = alpr_rec_str(rec, "key");
		char *kn = NULL;
		if (!key || alpr_note_vkey_parse(key, &kn, pk)) {
			alpr_rec_fail(&r, "no valid \"key\"");
			v->bad++;
			json_decref(rec);
			break;
		}
		if (k->n == 0) {
			epoch = alpr_rec_str(rec, "epoch");
			if (strcmp(alpr_rec_str(rec, "type"), "log-genesis") ||
			    !alpr_rec_str(rec, "origin") || !epoch ||
			    alpr_time_parse(epoch, &t) < 0 ||
			    alpr_rec_num(rec, "window", 0) < 1) {
				alpr_rec_fail(&r, "the first record is not a "
				    "log-genesis record");
				v->bad++;
				free(kn);
				json_decref(rec);
				break;
			}
			if (memcmp(pk, anchor, ALPR_PK) || strcmp(kn, name)) {
				alpr_rec_fail(&r, "the log's initial key is not "
				    "the public key given: wrong key, or the log "
				    "was made anew with other keys");
				v->bad++;
				free(kn);
				json_decref(rec);
				break;
			}
			k->origin = alpr_strdup(alpr_rec_str(rec, "origin"));
			k->epoch = t.tv_sec;
			k->window = alpr_rec_num(rec, "window", 0);
			msg = alpr_log_genesis_msg(k->origin, epoch, k->window,
			    key);
			if (strcmp(kn, k->origin) || !sigok(msg,
			    alpr_rec_str(rec, "sig"), pk)) {
				alpr_rec_fail(&r, "genesis record is not signed "
				    "by the initial key");
				v->bad++;
				free(msg);
				free(kn);
				json_decref(rec);
				break;
			}
			free(msg);
		} else {
			json_t *w = json_object_get(rec, "window");
			if (strcmp(alpr_rec_str(rec, "type"), "log-key") ||
			    !json_is_integer(w) || json_integer_value(w) !=
			    k->n) {
				alpr_rec_fail(&r, "want the log-key record for "
				    "window %ld: keys removed or out of order",
				    k->n);
				v->bad++;
				free(kn);
				json_decref(rec);
				break;
			}
			msg = alpr_log_key_msg(k->origin, k->n, key);
			if (strcmp(kn, k->origin) || !sigok(msg,
			    alpr_rec_str(rec, "sig"), k->pk[k->n - 1])) {
				alpr_rec_fail(&r, "key of window %ld is not "
				    "certified by the key of window %ld", k->n,
				    k->n - 1);
				v->bad++;
				free(msg);
				free(kn);
				json_decref(rec);
				break;
			}
			free(msg);
		}
		free(kn);
		if (k->n == cap) {
			cap = cap ? cap * 2 : 64;
			k->pk = alpr_realloc(k->pk, cap * sizeof *k->pk);
			k->id = alpr_realloc(k->id, cap * sizeof *k->id);
		}
		memcpy(k->pk[k->n], pk, ALPR_PK);
		alpr_note_keyid(k->id[k->n], k->origin, pk);
		k->n++;
		json_decref(rec);
	}
	alpr_reader_free(&r);
	fclose(f);
	free(p);
	free(name);
	if (k->n == 0) {
		if (!v->bad)
			bad(v, "%s/%s: no genesis record", v->dir, ALPR_LOG_KEYS);
		return -1;
	}
	return v->bad ? -1 : 0;
}

void
alpr_logkeys_free(struct alpr_logkeys *k)
{
	free(k->origin);
	free(k->pk);
	free(k->id);
	memset(k, 0, sizeof *k);
}

long
alpr_logkeys_window(const struct alpr_logkeys *k, const struct timespec *t)
{
	if (t->tv_sec < k->epoch)
		return -1;
	return (t->tv_sec - k->epoch) / k->window;
}

/* Is c signed by this log with the key of the window its time claims? */
const char *
alpr_logkeys_check(const struct alpr_logkeys *k, const struct alpr_checkpoint *c,
    long *win, char *why, size_t n)
{
	long cw = alpr_logkeys_window(k, &c->time), w;
	int i;

	if (strcmp(c->origin, k->origin)) {
		snprintf(why, n, "checkpoint is for the log \"%s\", not \"%s\"",
		    c->origin, k->origin);
		return why;
	}
	if (cw < 0) {
		snprintf(why, n, "checkpoint is dated before the log began");
		return why;
	}
	*win = cw;
	for (i = 0; i < c->nsig; i++)
		if (cw < k->n && alpr_checkpoint_check(c, i, k->origin,
		    k->pk[cw]))
			return NULL;
	/* Which key did sign it, if any of ours? */
	for (i = 0; i < c->nsig; i++)
		for (w = 0; w < k->n; w++)
			if (w != cw && alpr_checkpoint_check(c, i, k->origin,
			    k->pk[w])) {
				snprintf(why, n, "checkpoint claims window %ld "
				    "but is signed with the key of window %ld%s",
				    cw, w, w > cw ? ": forged with a later "
				    "(stolen) key" : ": the key had not evolved");
				return why;
			}
	if (cw >= k->n)
		snprintf(why, n, "checkpoint claims window %ld, but the key "
		    "chain ends at window %ld: keys removed, or the log "
		    "rolled back", cw, k->n - 1);
	else
		snprintf(why, n, "checkpoint signature does not verify with "
		    "the log's keys");
	return why;
}

struct cp {
	uint64_t size;
	unsigned char root[ALPR_HASH];
	struct timespec time;
	long win;
	unsigned long line;
};

static int
load_checkpoints(struct alpr_logverify *v, struct cp **out, size_t *np)
{
	struct alpr_checkpoint c;
	struct alpr_reader r;
	struct cp *cps = NULL, *prev;
	size_t n = 0, cap = 0;
	char why[200];
	const char *e, *note;
	char *p = alpr_path(v->dir, ALPR_LOG_CHECKPOINTS);
	json_t *rec;
	FILE *f;
	long w;
	int st = alpr_status;

	if (!(f = fopen(p, "r"))) {
		alpr_warn("unable to open %s:", p);
		free(p);
		return -1;
	}
	alpr_reader_init(&r, f, p);
	alpr_status = 0;
	while (alpr_read_record(&r, &rec) > 0) {
		note = alpr_rec_str(rec, "note");
		if (strcmp(alpr_rec_str(rec, "type"), "checkpoint") || !note) {
			alpr_rec_fail(&r, "not a checkpoint record");
			v->bad++;
			json_decref(rec);
			continue;
		}
		if ((e = alpr_checkpoint_parse(note, strlen(note), &c)) ||
		    (e = alpr_logkeys_check(&v->keys, &c, &w, why,
		    sizeof why))) {
			alpr_rec_fail(&r, "%s", e);
			v->bad++;
			alpr_checkpoint_free(&c);
			json_decref(rec);
			continue;
		}
		prev = n ? &cps[n - 1] : NULL;
		if (!prev && w != 0)
			alpr_rec_fail(&r, "the first checkpoint is from window "
			    "%ld, not 0: earlier checkpoints removed", w);
		else if (prev && alpr_time_cmp(&c.time, &prev->time) < 0)
			alpr_rec_fail(&r, "checkpoint is dated before the one "
			    "on line %lu", prev->line);
		else if (prev && w > prev->win + 1)
			alpr_rec_fail(&r, "no checkpoint for windows %ld to %ld: "
			    "checkpoints removed", prev->win + 1, w - 1);
		else if (prev && c.size < prev->size)
			alpr_rec_fail(&r, "checkpoint has %llu entries, fewer "
			    "than the %llu of line %lu: the log was rolled back",
			    (unsigned long long)c.size,
			    (unsigned long long)prev->size, prev->line);
		else {
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				cps = alpr_realloc(cps, cap * sizeof *cps);
			}
			cps[n].size = c.size;
			memcpy(cps[n].root, c.root, ALPR_HASH);
			cps[n].time = c.time;
			cps[n].win = w;
			cps[n].line = r.line;
			n++;
			if (v->last.text)
				alpr_checkpoint_free(&v->last);
			v->last = c;
			json_decref(rec);
			continue;
		}
		v->bad++;
		alpr_checkpoint_free(&c);
		json_decref(rec);
	}
	if (alpr_status != 0 && !v->bad)
		v->bad++;	/* a line that was not a record */
	if (st > alpr_status)
		alpr_status = st;
	alpr_reader_free(&r);
	fclose(f);
	free(p);
	*out = cps;
	*np = n;
	return 0;
}

/* A time exactly as alpr_time_fmt writes it, YYYY-MM-DDTHH:MM:SS.CCZ;
 * the day's start is cached, as entries come in time order. */
static int
canon_time(const char *s, size_t n, struct timespec *t)
{
	static char day[11];
	static time_t day0;
	static const char pat[] = "dddd-dd-ddTdd:dd:dd.ddZ";
	char tm[ALPR_TIME_LEN];
	int i, h, m, sec;

	if (n != sizeof pat - 1)
		return -1;
	for (i = 0; pat[i]; i++)
		if (pat[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != pat[i])
			return -1;
	if (memcmp(s, day, 10) != 0) {
		if (alpr_time_parse(s, t) < 0)
			return -1;
		alpr_time_fmt(t, tm);
		if (strcmp(tm, s) != 0)
			return -1;
		memcpy(day, s, 10);
		day0 = t->tv_sec - t->tv_sec % 86400;
		return 0;
	}
	h = (s[11] - '0') * 10 + s[12] - '0';
	m = (s[14] - '0') * 10 + s[15] - '0';
	sec = (s[17] - '0') * 10 + s[18] - '0';
	if (h > 23 || m > 59 || sec > 59)
		return -1;
	t->tv_sec = day0 + h * 3600 + m * 60 + sec;
	t->tv_nsec = ((s[20] - '0') * 10 + s[21] - '0') * 10000000L;
	return 0;
}

/* Check one entry line; NULL or what is wrong. */
static const char *
check_entry(const char *s, size_t n, uint64_t seq, struct timespec *t,
    char *why, size_t wn)
{
	struct alpr_jscan_member m[] = { { "type", 0, 0 }, { "v", 0, 0 },
	    { "seq", 0, 0 },
	    { "time", 0, 0 }, { "user", 0, 0 }, { "action", 0, 0 } };
	char raw[ALPR_TIME_LEN], want[24];
	const char *e;

	if ((e = alpr_jscan_object(s, n, m, 6))) {
		snprintf(why, wn, "not a valid JSON object: %s", e);
		return why;
	}
	if (!m[0].val || m[0].len != 8 || memcmp(m[0].val, "\"access\"", 8))
		return "not an access entry (\"type\":\"access\")";
	if (!m[1].val || m[1].len != 1 || *m[1].val != '1')
		return "no \"v\":1";
	snprintf(want, sizeof want, "%llu", (unsigned long long)seq);
	if (!m[2].val)
		return "no \"seq\"";
	if (m[2].len != strlen(want) || memcmp(m[2].val, want, m[2].len)) {
		snprintf(why, wn, "has seq %.*s where %s belongs: entries "
		    "deleted, duplicated or reordered",
		    (int)(m[2].len > 24 ? 24 : m[2].len), m[2].val, want);
		return why;
	}
	if (!m[3].val || m[3].len < 3 || m[3].len >= sizeof raw ||
	    *m[3].val != '"' || memchr(m[3].val, '\\', m[3].len))
		return "no canonical \"time\"";
	memcpy(raw, m[3].val + 1, m[3].len - 2);
	raw[m[3].len - 2] = '\0';
	if (canon_time(raw, m[3].len - 2, t) < 0)
		return "no canonical \"time\"";
	if (!m[4].val || *m[4].val != '"' || !m[5].val || *m[5].val != '"')
		return "no \"user\" or \"action\" string";
	return NULL;
}

static void
progress(struct alpr_logverify *v, uint64_t i, int done)
{
	if (!v->progress)
		return;
	if (done)
		fprintf(stderr, "\r%s: verified %llu entries\n", alpr_progname,
		    (unsigned long long)i);
	else if ((i & 0xffff) == 0)
		fprintf(stderr, "\r%s: verified %llu entries", alpr_progname,
		    (unsigned long long)i);
}

int
alpr_log_verify(struct alpr_logverify *v)
{
	static char buf[1 << 22];
	struct alpr_merkle m;
	unsigned char leaf[ALPR_HASH], root[ALPR_HASH];
	struct timespec t, prevt = { 0, 0 }, now;
	struct cp *cps = NULL;
	size_t ncp = 0, ci = 0, have = 0, i, start, lcap = 0;
	char why[200], tm[ALPR_TIME_LEN];
	const char *e;
	char *p;
	uint64_t seq = 0;
	off_t base = 0;
	ssize_t n;
	int fd, stop = 0;
	long nw;

	v->bad = 0;
	v->size = 0;
	if (alpr_logkeys_load(v) < 0)
		return v->bad ? 1 : -1;
	if (load_checkpoints(v, &cps, &ncp) < 0)
		return -1;
	p = alpr_path(v->dir, ALPR_LOG_ENTRIES);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0) {
		alpr_warn("unable to open %s:", p);
		free(p);
		free(cps);
		return -1;
	}
	alpr_merkle_init(&m);
	alpr_merkle_root(&m, root);
	for (; ci < ncp && cps[ci].size == 0; ci++)
		if (memcmp(root, cps[ci].root, ALPR_HASH))
			bad(v, "%s/%s:%lu: root of the empty log is wrong",
			    v->dir, ALPR_LOG_CHECKPOINTS, cps[ci].line);
	while (!stop) {
		n = read(fd, buf + have, sizeof buf - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			alpr_warn("unable to read %s:", p);
			close(fd);
			free(p);
			free(cps);
			return -1;
		}
		if (n == 0)
			break;
		have += n;
		for (start = 0, i = 0; i < have && !stop; i++) {
			if (buf[i] != '\n')
				continue;
			if ((e = check_entry(buf + start, i - start, seq, &t,
			    why, sizeof why))) {
				bad(v, "%s:%llu: entry %llu: %s", p,
				    (unsigned long long)seq + 1,
				    (unsigned long long)seq, e);
				stop = 1;
				break;
			}
			if (alpr_time_cmp(&t, &prevt) < 0) {
				bad(v, "%s:%llu: entry %llu: dated before the "
				    "entry above it: backdated or reordered", p,
				    (unsigned long long)seq + 1,
				    (unsigned long long)seq);
				stop = 1;
				break;
			}
			if (ci > 0 && alpr_time_cmp(&t, &cps[ci - 1].time) < 0) {
				bad(v, "%s:%llu: entry %llu: dated before "
				    "checkpoint %s:%lu that precedes it: "
				    "backdated", p, (unsigned long long)seq + 1,
				    (unsigned long long)seq,
				    ALPR_LOG_CHECKPOINTS, cps[ci - 1].line);
				stop = 1;
				break;
			}
			if (ci < ncp && alpr_time_cmp(&t, &cps[ci].time) > 0) {
				bad(v, "%s:%llu: entry %llu: dated after "
				    "checkpoint %s:%lu that covers it", p,
				    (unsigned long long)seq + 1,
				    (unsigned long long)seq,
				    ALPR_LOG_CHECKPOINTS, cps[ci].line);
				stop = 1;
				break;
			}
			prevt = t;
			alpr_merkle_leaf(leaf, buf + start, i - start);
			alpr_merkle_push(&m, leaf);
			if (v->keep_leaves) {
				if (seq == lcap) {
					lcap = lcap ? lcap * 2 : 1024;
					v->leaves = alpr_realloc(v->leaves,
					    lcap * ALPR_HASH);
				}
				memcpy(v->leaves[seq], leaf, ALPR_HASH);
			}
			seq++;
			progress(v, seq, 0);
			if (ci < ncp && cps[ci].size == seq) {
				alpr_merkle_root(&m, root);
				for (; ci < ncp && cps[ci].size == seq; ci++)
					if (memcmp(root, cps[ci].root,
					    ALPR_HASH)) {
						bad(v, "%s:%llu: entries %llu to "
						    "%llu do not match the signed "
						    "checkpoint %s:%lu: an entry "
						    "was changed, removed or "
						    "inserted", p,
						    (unsigned long long)
						    (ci ? cps[ci - 1].size : 0) + 1,
						    (unsigned long long)
						    (ci ? cps[ci - 1].size : 0),
						    (unsigned long long)seq - 1,
						    ALPR_LOG_CHECKPOINTS,
						    cps[ci].line);
						stop = 1;
						break;
					}
			}
			start = i + 1;
		}
		memmove(buf, buf + start, have - start);
		base += start;
		have -= start;
		if (!stop && have == sizeof buf) {
			bad(v, "%s:%llu: entry %llu is longer than 4 MiB", p,
			    (unsigned long long)seq + 1, (unsigned long long)seq);
			stop = 1;
		}
	}
	close(fd);
	progress(v, seq, 1);
	v->size = seq;
	if (!stop && have > 0)
		alpr_warn("%s:%llu: incomplete last entry of %zu bytes (a "
		    "writer crashed during an append; the next append repairs "
		    "it)", p, (unsigned long long)seq + 1, have);
	if (!stop && ci < ncp)
		bad(v, "%s: the log has %llu entries but checkpoint %s:%lu "
		    "signed %llu: entries were removed (truncated or rolled "
		    "back)", p, (unsigned long long)seq, ALPR_LOG_CHECKPOINTS,
		    cps[ci].line, (unsigned long long)cps[ci].size);
	if (ncp == 0 && !v->bad)
		bad(v, "%s/%s: no valid checkpoint", v->dir,
		    ALPR_LOG_CHECKPOINTS);
	else if (ncp > 0 && !stop) {
		alpr_log_now(&now);
		nw = alpr_logkeys_window(&v->keys, &now);
		alpr_time_fmt(&cps[ncp - 1].time, tm);
		if (nw > cps[ncp - 1].win + 1)
			bad(v, "%s/%s: the last checkpoint is from %s, %ld "
			    "windows ago: later checkpoints were removed, or "
			    "nothing runs alpr-audit checkpoint each window",
			    v->dir, ALPR_LOG_CHECKPOINTS, tm,
			    nw - cps[ncp - 1].win);
		if (!v->bad && seq > cps[ncp - 1].size)
			alpr_warn("%s: entries %llu to %llu are not yet "
			    "covered by a signed checkpoint", p,
			    (unsigned long long)cps[ncp - 1].size,
			    (unsigned long long)seq - 1);
		v->covered = cps[ncp - 1].size;
	}
	free(p);
	free(cps);
	return v->bad ? 1 : 0;
}

void
alpr_logverify_free(struct alpr_logverify *v)
{
	alpr_logkeys_free(&v->keys);
	if (v->last.text)
		alpr_checkpoint_free(&v->last);
	free(v->leaves);
	v->leaves = NULL;
}
