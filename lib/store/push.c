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
 * it answers for and those it refused, each answer following on from the
 * one before; the car notes each read so answered in its database pushed
 * ('S' stored, 'R' refused; 'X' a read that does not open here and can
 * never go) and sends only the others next time. A link that drops
 * half-way loses nothing (what was not answered goes again) and
 * duplicates nothing (the server keeps a read once, by its id); an answer
 * that does not follow on is not believed, nor any after it.
 *
 * A store that has pushed keeps the reads its server has not stored
 * through its purges (purge.c). HOME/push.lock keeps pushes apart from
 * each other and from purges, which rekey days and move the database.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store.h"

#define ANSWER_MAX (16 << 20)	/* a batch of a million reads, all refused */
#define NOTE_EVERY 4096		/* reads sent between two notings */

struct line {			/* a line sent: a read's key, or a frame's */
	unsigned char key[ST_RKEY];
	unsigned char read;	/* 1 a read, 2 one the server refused */
};

struct answers {		/* what the server said, from its thread */
	pthread_mutex_t mu;
	FILE *f;
	unsigned long through;	/* lines 1 to through answered */
	unsigned long *refused;
	size_t nref, cap;
	int bad;		/* one did not follow on: no more believed */
};

struct push {
	struct alpr_store *s;
	const struct alpr_push_opt *o;
	struct alpr_push_stats *st;
	struct answers a;
	struct line *l;		/* the lines sent */
	size_t nl, lcap;
	unsigned long done;	/* lines noted */
	unsigned char (*bad)[ST_RKEY];	/* reads that cannot go */
	size_t nbad, badcap;
	struct alpr_progress pr;
};

static void *
listen_server(void *arg)
{
	struct answers *a = arg;
	char *line = alpr_malloc(ANSWER_MAX);
	const char *type;
	size_t i, n;
	json_t *j, *r, *v;
	json_int_t from, through;

	while (fgets(line, ANSWER_MAX, a->f)) {
		n = strlen(line);
		j = json_loadb(line, n, JSON_REJECT_DUPLICATES, NULL);
		type = alpr_rec_str(j, "type");
		from = json_integer_value(json_object_get(j, "from"));
		through = json_integer_value(json_object_get(j, "through"));
		r = json_object_get(j, "refused");
		if (!a->bad && (line[n - 1] != '\n' || !type ||
		    strcmp(type, "stored") || from < 1 ||
		    (unsigned long)from != a->through + 1 || through < from ||
		    !json_is_array(r))) {
			alpr_warn("the server's answer does not follow on from "
			    "the one before: no more are believed (%.*s)",
			    (int)(n > 200 ? 200 : n - 1), line);
			a->bad = 1;
		}
		if (a->bad) {
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
		a->through = through;
		pthread_mutex_unlock(&a->mu);
		json_decref(j);
	}
	free(line);
	return NULL;
}

/* What the server answered so far, and the reads that cannot go, into
 * the database pushed: 0, or -1. */
static int
note(struct push *x)
{
	struct answers *a = &x->a;
	unsigned long through, *ref = NULL, i;
	size_t nref, k;
	MDB_txn *txn;
	MDB_val key, val;
	int rc = 0;

	pthread_mutex_lock(&a->mu);
	through = a->through < x->nl ? a->through : x->nl;
	if ((nref = a->nref)) {
		ref = alpr_malloc(nref * sizeof *ref);
		memcpy(ref, a->refused, nref * sizeof *ref);
	}
	a->nref = 0;
	pthread_mutex_unlock(&a->mu);
	for (k = 0; k < nref; k++)
		if (ref[k] > x->done && ref[k] <= through &&
		    x->l[ref[k] - 1].read)
			x->l[ref[k] - 1].read = 2;
	free(ref);
	if (through <= x->done && x->nbad == 0)
		return 0;
	if (st_wbegin(x->s, &txn) != 0)
		return -1;
	key.mv_size = ST_RKEY;
	val.mv_size = 1;
	for (i = x->done; i < through && rc == 0; i++) {
		if (!x->l[i].read)
			continue;
		key.mv_data = x->l[i].key;
		val.mv_data = x->l[i].read == 2 ? "R" : "S";
		rc = mdb_put(txn, x->s->pushed, &key, &val, 0);
	}
	for (k = 0; k < x->nbad && rc == 0; k++) {
		key.mv_data = x->bad[k];
		val.mv_data = "X";
		rc = mdb_put(txn, x->s->pushed, &key, &val, 0);
	}
	if (rc != 0)
		st_mdb_warn(rc, "unable to note what the server stored");
	if (st_wend(x->s, txn, rc == 0) != 0 || rc != 0)
		return -1;
	for (i = x->done; i < through; i++)
		if (x->l[i].read == 2)
			x->st->refused++;
		else if (x->l[i].read)
			x->st->confirmed++;
	x->done = through;
	x->nbad = 0;
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

/* ssh, with the words of o->ssh, our options, the host and the command. */
static pid_t
spawn(const struct alpr_push_opt *o, int *in, int *out)
{
	char *words = alpr_strdup(o->ssh ? o->ssh : "ssh"), *w, *sp;
	char *av[72];
	int n = 0, p0[2], p1[2];
	pid_t pid;

	for (w = strtok_r(words, " \t", &sp); w && n < 60;
	    w = strtok_r(NULL, " \t", &sp))
		av[n++] = w;
	if (n == 0)
		av[n++] = "ssh";
	/* never ask, never trust a host it does not know, and give up on a
	 * link that has gone silent rather than hang the next cron run */
	av[n++] = "-o";
	av[n++] = "BatchMode=yes";
	av[n++] = "-o";
	av[n++] = "StrictHostKeyChecking=yes";
	av[n++] = "-o";
	av[n++] = "ServerAliveInterval=30";
	av[n++] = "-o";
	av[n++] = "ServerAliveCountMax=3";
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
progress(struct push *x, long total, int done)
{
	alpr_progress(&x->pr, done, "%ld of %ld reads sent, %ld stored by the "
	    "server", x->st->sent, total, x->st->confirmed);
}

/* A read that can never go: noted 'X', so that it waits for nothing. */
static void
cannot_go(struct push *x, const unsigned char *key, const char *why)
{
	alpr_warn("a read of day %u does not open: %s", st_get16(key), why);
	if (x->nbad == x->badcap)
		x->bad = alpr_realloc(x->bad, (x->badcap = x->badcap ?
		    x->badcap * 2 : 16) * sizeof *x->bad);
	memcpy(x->bad[x->nbad++], key, ST_RKEY);
	x->st->unsendable++;
}

/* One read, and its frame if the server has not just had it: 0, 1 when
 * it cannot go, -1 when the link is gone. */
static int
send_read(struct push *x, FILE *w, MDB_txn *txn, const MDB_val *k,
    const MDB_val *v, char last[ALPR_SHA256_HEX])
{
	struct alpr_store *s = x->s;
	const struct st_day *dk;
	struct st_fields f;
	unsigned char *plain, *fr;
	char img[ALPR_SHA256_HEX], label[8], *path;
	size_t n, fn;
	json_t *j;
	int d = st_get16(k->mv_data), r;

	if (!(dk = st_day(s, txn, d, 0)) || v->mv_size < ST_SEALED(0)) {
		cannot_go(x, k->mv_data, "its day has no key");
		return 1;
	}
	n = v->mv_size - ST_SEALED(0);
	plain = alpr_malloc(n + 1);
	if (st_open(plain, v->mv_data, v->mv_size, k->mv_data, ST_RKEY,
	    dk->seal) < 0 || st_fields_read((char *)plain, n, &f, &j)) {
		cannot_go(x, k->mv_data, "damaged or tampered with: it is not "
		    "sent, nor kept for the server");
		free(plain);
		return 1;
	}
	if (x->nl + 2 > x->lcap)
		x->l = alpr_realloc(x->l, (x->lcap = x->lcap ? x->lcap * 2 :
		    4096) * sizeof *x->l);
	if (f.image && f.nimage == 64 && memcmp(f.image, last, 64)) {
		snprintf(img, sizeof img, "%.64s", f.image);
		memcpy(last, img, ALPR_SHA256_HEX);
		st_day_label(label, d);
		path = st_frame_path(s, d, dk, img);
		if ((r = st_frame_get(path, label, dk->frame, &fr, &fn)) == 0) {
			fprintf(w, "{\"type\":\"frame-bytes\",\"v\":1,"
			    "\"image\":\"%s\",\"size\":%zu}\n", img, fn);
			fwrite(fr, 1, fn, w);
			sodium_memzero(fr, fn);
			free(fr);
			memset(&x->l[x->nl++], 0, sizeof *x->l);
			x->st->frames++;
		} else if (r < 0)
			alpr_warn("%s: the frame of a read does not open: the "
			    "read goes without it", path);
		free(path);
	}
	json_decref(j);
	memcpy(x->l[x->nl].key, k->mv_data, ST_RKEY);
	x->l[x->nl++].read = 1;
	fwrite(plain, 1, n, w);
	sodium_memzero(plain, n);
	free(plain);
	if (putc('\n', w) == EOF || ferror(w))
		return -1;
	x->st->sent++;
	return 0;
}

/*
 * The reads not yet answered for, in key order, from just after the last
 * key sent: the read transaction is let go between runs, so that noting
 * what the server answered never waits behind it.
 */
static int
send_all(struct push *x, FILE *w, long total)
{
	unsigned char from[ST_RKEY];
	char last[ALPR_SHA256_HEX] = "";
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v, pv;
	int rc, r = 0, started = 0, run;

	for (;;) {
		if (st_txn(x->s, MDB_RDONLY, &txn) != 0)
			return -2;
		mdb_cursor_open(txn, x->s->reads, &c);
		k.mv_size = ST_RKEY;
		k.mv_data = from;
		rc = started ? mdb_cursor_get(c, &k, &v, MDB_SET_RANGE) :
		    mdb_cursor_get(c, &k, &v, MDB_FIRST);
		if (started && rc == 0 && !memcmp(k.mv_data, from, ST_RKEY))
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
		for (run = 0; rc == 0 && run < NOTE_EVERY;
		    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			memcpy(from, k.mv_data, ST_RKEY);
			started = 1;
			if (mdb_get(txn, x->s->pushed, &k, &pv) == 0)
				continue;
			if ((r = send_read(x, w, txn, &k, &v, last)) < 0)
				break;
			run += r == 0;
			progress(x, total, 0);
		}
		mdb_cursor_close(c);
		mdb_txn_abort(txn);
		if (r < 0 || rc != 0)
			return r < 0 ? -1 : 0;
		if (note(x) < 0)
			return -2;
	}
}

int
alpr_push(struct alpr_store *s, const struct alpr_push_opt *o,
    struct alpr_push_stats *st)
{
	struct push x = { s, o, st, { PTHREAD_MUTEX_INITIALIZER, NULL, 0,
	    NULL, 0, 0, 0 }, NULL, 0, 0, 0, NULL, 0, 0, { 0, 0 } };
	MDB_txn *txn;
	pthread_t th;
	json_t *e;
	FILE *w;
	char *lp;
	pid_t pid;
	int in, out, rc, status, lock, sent, r = 0;
	long total;

	alpr_progress_start(&x.pr, o->progress);
	memset(st, 0, sizeof *st);
	lp = alpr_path(s->home, "push.lock");
	lock = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lp);
	if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0) {
		alpr_warn("another push, or a purge, of %s is running: the "
		    "reads go next time", s->home);
		if (lock >= 0)
			close(lock);
		return 1;
	}
	/* from now on, a purge keeps what the server has not stored */
	if (st_wbegin(s, &txn) != 0)
		goto fail;
	if ((rc = st_meta_put(s, txn, "push_to", o->host,
	    strlen(o->host))) != 0)
		st_mdb_warn(rc, "unable to note the server");
	if (st_wend(s, txn, rc == 0) != 0 || rc != 0)
		goto fail;
	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		goto fail;
	total = unsent(s, txn);
	mdb_txn_abort(txn);
	e = json_pack("{s:s,s:s,s:I,s:s}", "action", "push", "target",
	    o->host, "count", (json_int_t)total, "outcome", "ok");
	rc = alpr_store_logentry(s, e);
	json_decref(e);
	if (rc < 0) {
		alpr_warn("unable to write the push to the access log, so "
		    "nothing is sent:");
		goto fail;
	}
	if (total == 0)
		goto out;
	if ((pid = spawn(o, &in, &out)) < 0)
		goto fail;
	signal(SIGPIPE, SIG_IGN);
	w = fdopen(in, "w");
	x.a.f = fdopen(out, "r");
	setvbuf(w, NULL, _IOFBF, 1 << 16);
	pthread_create(&th, NULL, listen_server, &x.a);
	sent = send_all(&x, w, total);
	if (fclose(w) == EOF)
		sent = sent < 0 ? sent : -1;
	pthread_join(th, NULL);
	fclose(x.a.f);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (note(&x) < 0 || sent == -2)
		r = -1;
	progress(&x, total, 1);
	st->left = total - st->confirmed - st->refused - st->unsendable;
	if (sent == -1 || st->sent > st->confirmed + st->refused) {
		alpr_warn("%s: the link ended before the server had answered "
		    "for everything (ssh %s %d): %ld reads go next time",
		    o->host, WIFEXITED(status) ? "exit status" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		    st->left);
		r = -1;
	}
out:
	free(x.l);
	free(x.bad);
	free(x.a.refused);
	flock(lock, LOCK_UN);
	close(lock);
	return r < 0 ? -1 : st->refused + st->unsendable > 0 ? 1 : 0;
fail:
	r = -1;
	goto out;
}
