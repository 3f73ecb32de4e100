/*
 * push.c: a car's reads sent on to the department's server over SSH
 * (alpr-store push).
 *
 * OpenSSH is the transport: the car runs `ssh [USER@]HOST add', and the
 * server's authorized_keys gives the car's key the forced command
 * `alpr-store --device NAME', so the server adds what comes as the car's
 * device account, and nothing else. The stream is alpr-add's input: each
 * read the car has and the server has not confirmed, as the car keeps it
 * (its "stored" names the car), in the order of the car's keys, and
 * before the first read of a frame the frame's bytes (alpr-records(5)
 * frame-bytes). The server answers each batch it stores with the lines
 * it answers for and those it refused; the car notes each read so
 * answered in its database pushed, 'S' stored or 'R' refused, and sends
 * only the others next time. A link that drops half-way loses nothing
 * (what was not answered is sent again) and duplicates nothing (the
 * server keeps a read once, by its id). A store that has pushed keeps
 * the reads the server has not stored through its purges (purge.c).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store.h"

struct line {			/* a line sent: a read's key, or a frame's */
	unsigned char key[ST_RKEY];
	unsigned char read;
};

struct answers {		/* what the server said, from its thread */
	pthread_mutex_t mu;
	FILE *f;
	unsigned long through;
	unsigned long *refused;
	size_t nref, cap;
	int bad;
};

static void *
listen_server(void *arg)
{
	struct answers *a = arg;
	char *line = NULL;
	size_t cap = 0, i;
	ssize_t n;
	json_t *j, *r, *v;
	json_int_t through;

	while ((n = getline(&line, &cap, a->f)) > 0) {
		j = json_loadb(line, n, 0, NULL);
		through = json_integer_value(json_object_get(j, "through"));
		r = json_object_get(j, "refused");
		if (!json_is_object(j) || !json_is_integer(json_object_get(j,
		    "through")) || (r && !json_is_array(r))) {
			if (!a->bad)
				alpr_warn("the server said what a store does "
				    "not: %.*s", (int)(n > 200 ? 200 : n - 1),
				    line);
			a->bad = 1;
			json_decref(j);
			continue;
		}
		pthread_mutex_lock(&a->mu);
		json_array_foreach(r, i, v) {
			if (a->nref == a->cap)
				a->refused = alpr_realloc(a->refused, (a->cap =
				    a->cap ? a->cap * 2 : 64) *
				    sizeof *a->refused);
			a->refused[a->nref++] = json_integer_value(v);
		}
		if (through > 0 && (unsigned long)through > a->through)
			a->through = through;
		pthread_mutex_unlock(&a->mu);
		json_decref(j);
	}
	free(line);
	return NULL;
}

/* The answers so far, into the database pushed: lines done+1 to through. */
static int
note(struct alpr_store *s, struct answers *a, struct line *l, size_t nl,
    unsigned long *done, struct alpr_push_stats *st)
{
	unsigned long through, *ref = NULL, i;
	size_t nref, k;
	MDB_txn *txn;
	MDB_val key, val;
	int rc = 0;

	pthread_mutex_lock(&a->mu);
	through = a->through < nl ? a->through : nl;
	nref = a->nref;
	if (nref) {
		ref = alpr_malloc(nref * sizeof *ref);
		memcpy(ref, a->refused, nref * sizeof *ref);
	}
	a->nref = 0;
	pthread_mutex_unlock(&a->mu);
	for (k = 0; k < nref; k++)
		if (ref[k] >= 1 && ref[k] <= nl && l[ref[k] - 1].read)
			l[ref[k] - 1].read = 2;
	free(ref);
	if (through <= *done)
		return 0;
	if (st_wbegin(s, &txn) != 0)
		return -1;
	for (i = *done; i < through && rc == 0; i++) {
		if (!l[i].read)
			continue;
		key.mv_size = ST_RKEY;
		key.mv_data = l[i].key;
		val.mv_size = 1;
		val.mv_data = l[i].read == 2 ? "R" : "S";
		rc = mdb_put(txn, s->pushed, &key, &val, 0);
		if (l[i].read == 2)
			st->refused++;
		else
			st->confirmed++;
	}
	if (rc != 0)
		st_mdb_warn(rc, "unable to note what the server stored");
	if (st_wend(s, txn, rc == 0) != 0 || rc != 0)
		return -1;
	*done = through;
	return 0;
}

/* The reads not yet answered, counted. */
static long
unsent(struct alpr_store *s, MDB_txn *txn)
{
	MDB_cursor *c;
	MDB_val k, v, pv;
	long n = 0;
	int rc;

	mdb_cursor_open(txn, s->reads, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		if (mdb_get(txn, s->pushed, &k, &pv) != 0)
			n++;
	mdb_cursor_close(c);
	return n;
}

/* ssh, with the words of o->ssh, the host and the command. */
static pid_t
spawn(const struct alpr_push_opt *o, int *in, int *out)
{
	char *words = alpr_strdup(o->ssh ? o->ssh : "ssh"), *w, *sp;
	char *av[64];
	int n = 0, p0[2], p1[2];
	pid_t pid;

	for (w = strtok_r(words, " \t", &sp); w && n < 60;
	    w = strtok_r(NULL, " \t", &sp))
		av[n++] = w;
	if (n == 0)
		av[n++] = "ssh";
	av[n++] = "-o";
	av[n++] = "BatchMode=yes";
	av[n++] = (char *)o->host;
	av[n++] = "add";
	av[n] = NULL;
	if (pipe(p0) < 0 || pipe(p1) < 0) {
		alpr_warn("pipe:");
		free(words);
		return -1;
	}
	if ((pid = fork()) < 0) {
		alpr_warn("fork:");
		free(words);
		return -1;
	}
	if (pid == 0) {
		dup2(p0[0], 0);
		dup2(p1[1], 1);
		close(p0[0]);
		close(p0[1]);
		close(p1[0]);
		close(p1[1]);
		execvp(av[0], av);
		alpr_warn("unable to run %s:", av[0]);
		_exit(127);
	}
	close(p0[0]);
	close(p1[1]);
	*in = p0[1];
	*out = p1[0];
	free(words);
	return pid;
}

static void
progress(const struct alpr_push_opt *o, const struct alpr_push_stats *st,
    long total, int done)
{
	static time_t shown;

	if (!o->progress || (!done && time(NULL) == shown))
		return;
	shown = time(NULL);
	fprintf(stderr, "\r%s: %ld of %ld reads sent, %ld stored by the "
	    "server%s", alpr_progname, st->sent, total, st->confirmed,
	    done ? "\n" : "");
}

int
alpr_push(struct alpr_store *s, const struct alpr_push_opt *o,
    struct alpr_push_stats *st)
{
	struct answers a = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, NULL, 0, 0,
	    0 };
	struct line *l = NULL;
	size_t nl = 0, lcap = 0, fn;
	unsigned long done = 0;
	unsigned char *plain = NULL, *fr;
	size_t pcap = 0, n;
	char last[ALPR_SHA256_HEX] = "", img[ALPR_SHA256_HEX], label[8], *path;
	const struct st_day *dk;
	struct st_fields f;
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v, pv;
	pthread_t th;
	json_t *e, *j;
	FILE *w;
	pid_t pid;
	int in, out, rc, status, lost = 0, r = 0;
	long total;

	memset(st, 0, sizeof *st);
	/* from now on, a purge keeps what the server has not stored */
	if (st_wbegin(s, &txn) != 0)
		return -1;
	if ((rc = st_meta_put(s, txn, "push_to", o->host,
	    strlen(o->host))) != 0)
		st_mdb_warn(rc, "unable to note the server");
	if (st_wend(s, txn, rc == 0) != 0 || rc != 0)
		return -1;
	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return -1;
	total = unsent(s, txn);
	mdb_txn_abort(txn);
	e = json_pack("{s:s,s:s,s:I,s:s}", "action", "push", "target",
	    o->host, "count", (json_int_t)total, "outcome", "ok");
	rc = alpr_store_logentry(s, e);
	json_decref(e);
	if (rc < 0) {
		alpr_warn("unable to write the push to the access log, so "
		    "nothing is sent:");
		return -1;
	}
	if (total == 0)
		return 0;
	if ((pid = spawn(o, &in, &out)) < 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	w = fdopen(in, "w");
	a.f = fdopen(out, "r");
	setvbuf(w, NULL, _IOFBF, 1 << 16);
	pthread_create(&th, NULL, listen_server, &a);
	if (st_txn(s, MDB_RDONLY, &txn) != 0) {
		r = -1;
		goto close;
	}
	mdb_cursor_open(txn, s->reads, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && !lost;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (mdb_get(txn, s->pushed, &k, &pv) == 0)
			continue;
		if (!(dk = st_day(s, txn, st_get16(k.mv_data), 0)) ||
		    v.mv_size < ST_SEALED(0))
			continue;
		n = v.mv_size - ST_SEALED(0);
		if (n + 1 > pcap)
			plain = alpr_realloc(plain, pcap = n + 1);
		if (st_open(plain, v.mv_data, v.mv_size, k.mv_data, ST_RKEY,
		    dk->seal) < 0 || st_fields_read((char *)plain, n, &f,
		    &j)) {
			alpr_warn("a read does not open: not sent");
			continue;
		}
		if (nl + 2 > lcap)
			l = alpr_realloc(l, (lcap = lcap ? lcap * 2 : 4096) *
			    sizeof *l);
		if (f.image && f.nimage == 64 && memcmp(f.image, last, 64)) {
			snprintf(img, sizeof img, "%.64s", f.image);
			memcpy(last, img, sizeof last);
			st_day_label(label, st_get16(k.mv_data));
			path = st_frame_path(s, st_get16(k.mv_data), dk, img);
			if (st_frame_get(path, label, dk->frame, &fr, &fn) ==
			    0) {
				fprintf(w, "{\"type\":\"frame-bytes\",\"v\":1,"
				    "\"image\":\"%s\",\"size\":%zu}\n", img,
				    fn);
				fwrite(fr, 1, fn, w);
				sodium_memzero(fr, fn);
				free(fr);
				memset(&l[nl++], 0, sizeof *l);
				st->frames++;
			}
			free(path);
		}
		json_decref(j);
		memcpy(l[nl].key, k.mv_data, ST_RKEY);
		l[nl++].read = 1;
		fwrite(plain, 1, n, w);
		if (putc('\n', w) == EOF || ferror(w)) {
			lost = 1;
			break;
		}
		st->sent++;
		if (st->sent % 4096 == 0 && note(s, &a, l, nl, &done, st) < 0)
			r = -1;
		progress(o, st, total, 0);
	}
	if (plain)
		sodium_memzero(plain, pcap);
	free(plain);
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
close:
	if (fclose(w) == EOF)
		lost = 1;
	pthread_join(th, NULL);
	fclose(a.f);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (note(s, &a, l, nl, &done, st) < 0)
		r = -1;
	progress(o, st, total, 1);
	st->left = total - st->confirmed - st->refused;
	if (lost || st->sent > st->confirmed + st->refused) {
		alpr_warn("%s: the link ended before the server had "
		    "answered for everything (ssh %s %d): %ld reads "
		    "go again next time", o->host,
		    WIFEXITED(status) ? "exit status" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) :
		    WTERMSIG(status), st->left);
		r = -1;
	}
	free(l);
	free(a.refused);
	return r < 0 ? -1 : st->refused > 0 ? 1 : 0;
}
