/*
 * release.c: releases of data to other agencies (alpr-export(1)
 * RELEASES), on a written request that is reviewed, approved and kept on
 * file (policy 471.7), to California public agencies only (Civil Code
 * 1798.90.55): an agency is one only if alpr.conf's release_agencies
 * lists it, with state CA, and its name does not mark it as federal or
 * private. A request names the agency, its state, the requester, the
 * purpose, and what it asks for: the reads the holds of a case held when
 * it was filed, or reads by id. A supervisor other than the one who filed
 * it approves or denies it; an approved request is released once: taken
 * (releasing, logged) before the bundle is written, released (logged)
 * once it is whole. A run that fails or dies between leaves it
 * releasing, and its bundle may be whole or not: it is made again only
 * once another supervisor (not the filer, not the one whose release it
 * was) approves it again, or it is revoked. HOME/release.lock keeps two
 * releases apart.
 * Requests are kept in the requests database, sealed under the key file's
 * hold key, never deleted; every step is logged first.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

#include "store.h"

json_t *
st_request_get(struct alpr_store *s, MDB_txn *txn, const char *id)
{
	return st_record_get(txn, s->requests, "request", id, s->holdk);
}

int
st_request_put(struct alpr_store *s, MDB_txn *txn, const char *id, json_t *j)
{
	return st_record_put(txn, s->requests, "request", id, j, s->holdk);
}

/* Does an agency's name mark it as federal or private? What, or NULL.
 * Words are compared without case, dots dropped and single letters in a
 * row joined ("F. B. I." is "fbi"), and some pairs of words too. A
 * backstop: the list of alpr.conf is what decides. */
static const char *
not_public(const char *name)
{
	static const char *federal[] = { "federal", "fbi", "dea", "atf",
	    "ice", "cbp", "dhs", "usbp", "usms", "us", "usa", "homeland",
	    "immigration", "customs", "marshals", NULL };
	static const char *fedpairs[] = { "united states", "drug enforcement",
	    "border patrol", "secret service", "alcohol tobacco", NULL };
	static const char *private[] = { "inc", "llc", "ltd", "llp", "plc",
	    "corp", "corporation", "company", "private", "towing",
	    "repossession", NULL };
	char w[32][64], pair[130];
	int letters[32];	/* w[i] is single letters joined */
	const char *p = name;
	size_t n, nw = 0, i, k;

	while (*p && nw < 32) {
		for (n = 0; *p && (isalnum((unsigned char)*p) || *p == '.');
		    p++)
			if (*p != '.' && n + 1 < sizeof *w)
				w[nw][n++] = tolower((unsigned char)*p);
		w[nw][n] = '\0';
		for (; *p && !isalnum((unsigned char)*p); p++)
			;
		if (!n)
			continue;
		if (n == 1 && nw && letters[nw - 1] && strlen(w[nw - 1]) + 1 <
		    sizeof *w) {
			strcat(w[nw - 1], w[nw]);
			continue;
		}
		letters[nw++] = n == 1;
	}
	for (i = 0; i < nw; i++) {
		for (k = 0; federal[k]; k++)
			if (!strcmp(w[i], federal[k]))
				return "federal";
		for (k = 0; private[k]; k++)
			if (!strcmp(w[i], private[k]))
				return "private";
		if (i + 1 < nw) {
			snprintf(pair, sizeof pair, "%s %s", w[i], w[i + 1]);
			for (k = 0; fedpairs[k]; k++)
				if (!strcmp(pair, fedpairs[k]))
					return "federal";
		}
	}
	return NULL;
}

int
st_agencies(const struct alpr_store *s,
    int (*fn)(const char *state, const char *name, void *arg), void *arg)
{
	const char *f = s->conf.release_agencies;
	unsigned char *buf;
	char *path, *line, *next, *e;
	const char *kind;
	size_t n;
	int lineno = 0, r = 0;

	if (!f || !*f)
		return 0;
	path = *f == '/' ? alpr_strdup(f) : alpr_path(s->home, f);
	if (alpr_read_file(path, &buf, &n) < 0) {
		alpr_warn("unable to read the agencies data may go to, %s:",
		    path);
		free(path);
		return -1;
	}
	for (line = (char *)buf; line && r == 0; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		while (isspace((unsigned char)*line))
			line++;
		for (e = line + strlen(line); e > line && isspace((unsigned
		    char)e[-1]);)
			*--e = '\0';
		if (!*line || *line == '#')
			continue;
		if (!isalpha((unsigned char)line[0]) || !isalpha((unsigned
		    char)line[1]) || (line[2] != ' ' && line[2] != '\t') ||
		    !line[3]) {
			alpr_warn("%s:%d: want the state, two letters, then the "
			    "agency's name", path, lineno);
			continue;
		}
		line[2] = '\0';
		for (e = line + 3; isspace((unsigned char)*e); e++)
			;
		if (strcasecmp(line, "CA")) {
			alpr_warn("%s:%d: %s is out of state: Civil Code "
			    "1798.90.55 allows California public agencies "
			    "only, so this line is ignored", path, lineno, e);
			continue;
		}
		if ((kind = not_public(e))) {
			alpr_warn("%s:%d: %s is by its name a %s agency: Civil "
			    "Code 1798.90.55 allows California public agencies "
			    "only, so this line is ignored", path, lineno, e,
			    kind);
			continue;
		}
		r = fn("CA", e, arg);
	}
	free(buf);
	free(path);
	return r;
}

struct listed {
	const char *want;
	char name[256];		/* as the list writes it */
};

static int
same_agency(const char *state, const char *name, void *arg)
{
	struct listed *l = arg;

	if (strcasecmp(name, l->want))
		return 0;
	snprintf(l->name, sizeof l->name, "%s", name);
	return 1;
}

/* As alpr_release_allowed, with the agency as the list writes it in
 * l->name when it is allowed: the list read once. */
static const char *
allowed(const struct alpr_store *s, const char *agency, const char *state,
    char *why, size_t wn, struct listed *l)
{
	const char *kind;
	int r;

	if (!agency || !*agency)
		return "no agency: give --agency";
	if (!state || strcasecmp(state, "CA")) {
		snprintf(why, wn, "%s is out of state (%s): Civil Code "
		    "1798.90.55 allows releases to California public agencies "
		    "only", agency, state ? state : "none");
		return why;
	}
	if ((kind = not_public(agency))) {
		snprintf(why, wn, "%s is by its name a %s agency: Civil Code "
		    "1798.90.55 allows releases to California public agencies "
		    "only", agency, kind);
		return why;
	}
	if (!s->conf.release_agencies || !*s->conf.release_agencies)
		return "no agency may receive data: release_agencies is not "
		    "set in alpr.conf";
	l->want = agency;
	l->name[0] = '\0';
	if ((r = st_agencies(s, same_agency, l)) < 0)
		return "the list of agencies data may go to cannot be read";
	if (r == 0) {
		snprintf(why, wn, "%s (%s) is not on the list of agencies data "
		    "may go to (alpr.conf release_agencies): federal, private "
		    "and unknown agencies are refused", agency, state);
		return why;
	}
	return NULL;
}

const char *
alpr_release_allowed(const struct alpr_store *s, const char *agency,
    const char *state, char *why, size_t wn)
{
	struct listed l;

	return allowed(s, agency, state, why, wn, &l);
}

/* A field of a request a person typed: present, printable, not long. */
static int
field_ok(json_t *req, const char *name)
{
	const char *v = alpr_rec_str(req, name);
	const unsigned char *p;

	if (!v || !*v || strlen(v) > 200)
		return 0;
	for (p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* What a request asks for, checked and fixed: the read ids, those the
 * case's holds hold now when it names a case alone; reads by id, each
 * one the case they were found under names (by_id, their plates listed
 * for the one who decides). NULL, or why not. */
static const char *
request_reads(struct alpr_store *s, json_t *req, char *why, size_t wn)
{
	const char *kase = alpr_rec_str(req, "case"), *e, *rid;
	json_t *ids = json_object_get(req, "read_ids"), *held, *v, *rec;
	json_t *plates;
	size_t i;
	int r;

	if (alpr_reason_thin(alpr_rec_str(req, "purpose"),
	    s->conf.reason_min)) {
		snprintf(why, wn, "purpose too thin: say in at least %ld "
		    "characters and three words of the requester's own what "
		    "the data is for", s->conf.reason_min);
		return why;
	}
	if (!kase)
		return json_array_size(ids) ? "reads by id are asked for under "
		    "the case they were found under (-C case)" : "a request "
		    "asks for something: the reads a case's holds keep (-C "
		    "case), or reads by id under the case they were found "
		    "under (-C case --id read-id)";
	/* the one filing reaches the reads as any access does: under a
	 * case that names them (cases.c) */
	if ((e = alpr_store_justify_case(s, kase, alpr_rec_str(req,
	    "purpose"), why, wn)) || (e = alpr_case_may(s, kase, why, wn)))
		return e;
	if (!json_array_size(ids)) {
		/* the reads of the case now, so that what is approved is
		 * what is released */
		if (!(held = alpr_hold_ids(s, kase)))
			return alpr_store_broken;
		if (json_object_size(held) == 0) {
			json_decref(held);
			snprintf(why, wn, "no hold keeps reads of case %s: a "
			    "supervisor holds them first (alpr-store hold add)",
			    kase);
			return why;
		}
		ids = json_array();
		json_object_foreach(held, rid, v)
			json_array_append_new(ids, json_string(rid));
		json_object_set_new(req, "read_ids", ids);
		json_decref(held);
		return NULL;
	}
	/* reads by id: each one the case names, as a show of it asks */
	plates = json_array();
	json_array_foreach(ids, i, v) {
		if (!(rid = json_string_value(v)) || (r = alpr_store_get(s, rid,
		    &rec, NULL, NULL)) > 0) {
			json_decref(plates);
			snprintf(why, wn, "no such read: %s", rid ? rid : "?");
			return why;
		}
		if (r < 0) {
			json_decref(plates);
			return alpr_store_broken;
		}
		e = alpr_case_covers_read(s, kase, rec, why, wn);
		if (!e && alpr_rec_str(rec, "plate"))
			json_array_append_new(plates, json_string(alpr_rec_str(
			    rec, "plate")));
		json_decref(rec);
		if (e) {
			json_decref(plates);
			return e;
		}
	}
	json_object_set_new(req, "by_id", json_true());
	json_object_set_new(req, "plates", plates);
	return NULL;
}

/* The log entry of a step of a request. */
static json_t *
req_entry(json_t *req, const char *id, const char *op)
{
	json_t *e = json_pack("{s:s,s:s}", "action", "release", "target", id);

	if (alpr_rec_str(req, "case"))
		json_object_set(e, "case", json_object_get(req, "case"));
	if (alpr_rec_str(req, "purpose"))
		json_object_set(e, "reason", json_object_get(req, "purpose"));
	json_object_set_new(e, "change", json_pack("{s:s}", "op", op));
	return e;
}

int
alpr_release_file(struct alpr_store *s, json_t *req, char *id, size_t idn)
{
	char why[400], tm[ALPR_TIME_LEN];
	const char *e = NULL, **f;
	static const char *fields[] = { "agency", "agency_state", "requester",
	    "purpose", NULL };
	MDB_txn *txn;
	MDB_val v;
	json_t *entry, *old;
	struct listed l;
	unsigned long seq = 0;
	unsigned char b[4];
	int r = -1;

	for (f = fields; *f && !e; f++)
		if (!field_ok(req, *f)) {
			snprintf(why, sizeof why, "a request names its %s, in "
			    "printable characters", *f);
			e = why;
		}
	if (!e)
		e = allowed(s, alpr_rec_str(req, "agency"), alpr_rec_str(req,
		    "agency_state"), why, sizeof why, &l);
	if (!e) {
		/* the agency as the list writes it, not as it was typed: the
		 * custody record and the log name one agency one way (the
		 * list read once, its warnings said once) */
		if (*l.name)
			json_object_set_new(req, "agency", json_string(l.name));
		json_object_set_new(req, "agency_state", json_string("CA"));
		e = request_reads(s, req, why, sizeof why);
	}
	entry = req_entry(req, "-", "request");
	json_object_set(entry, "data", req);
	if (e) {
		json_object_set_new(entry, "outcome", json_string("denied"));
		json_object_set_new(entry, "refusal", json_string(e));
		if (alpr_store_logentry(s, entry) < 0)
			alpr_warn("unable to write the refusal to the log:");
		alpr_warn("request refused: %s", e);
		json_decref(entry);
		/* a case or read that does not open is the store's failure,
		 * as for a search (exit 3), not a refusal */
		return e == alpr_store_broken ? -1 : 1;
	}
	if (st_wbegin(s, &txn) != 0) {
		json_decref(entry);
		return -1;
	}
	if (st_meta_get(s, txn, "request_seq", &v) == 0 && v.mv_size == 4)
		seq = st_get32(v.mv_data);
	seq++;
	snprintf(id, idn, "R%lu", seq);
	alpr_time_now(tm);
	json_object_set_new(req, "id", json_string(id));
	json_object_set_new(req, "state", json_string("pending"));
	json_object_set_new(req, "filed", json_string(tm));
	json_object_set_new(req, "filed_by", json_string(s->actor.user));
	json_object_set_new(req, "filed_by_client", json_string(
	    s->actor.client));
	json_object_set_new(entry, "target", json_string(id));
	json_object_set_new(entry, "count", json_integer(json_array_size(
	    json_object_get(req, "read_ids"))));
	json_object_set_new(entry, "outcome", json_string("ok"));
	st_put32(b, seq);
	/* a request id is never used twice: one that exists is not
	 * written over */
	if ((old = st_request_get(s, txn, id))) {
		alpr_warn("request %s exists already: the store's count of "
		    "requests is wrong", id);
		json_decref(old);
	} else if (st_request_put(s, txn, id, req) == 0 && st_meta_put(s, txn,
	    "request_seq", b, 4) == 0) {
		if (alpr_store_logentry(s, entry) < 0)
			alpr_warn("unable to write the request to the access "
			    "log, so it is not filed:");
		else
			r = 0;
	}
	if (st_wend(s, txn, r == 0) != 0)
		r = -1;
	json_decref(entry);
	return r;
}

int
alpr_release_get(struct alpr_store *s, const char *id, json_t **req)
{
	MDB_txn *txn;

	*req = NULL;
	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return -1;
	*req = st_request_get(s, txn, id);
	mdb_txn_abort(txn);
	return *req ? 0 : 1;
}

/* Did the one now acting file the request? */
static int
own_request(const struct alpr_store *s, json_t *req)
{
	return st_same_person(s, alpr_rec_str(req, "filed_by"),
	    alpr_rec_str(req, "filed_by_client"));
}

/* Is a step of a request ({by, client}) the one now acting's? */
static int
same_actor(const struct alpr_store *s, json_t *step)
{
	return st_same_person(s, alpr_rec_str(step, "by"),
	    alpr_rec_str(step, "client"));
}

/* Is a request's state one of from's words? */
static int
state_in(const char *state, const char *from)
{
	size_t n = state ? strlen(state) : 0;
	const char *p;

	for (p = from; n && (p = strstr(p, state)); p += n)
		if ((p == from || p[-1] == ' ') && (!p[n] || p[n] == ' '))
			return 1;
	return 0;
}

/* Move a request from one of the states of from (words) to another,
 * logged. */
static int
decide(struct alpr_store *s, const char *id, const char *from,
    const char *to, const char *reason, json_t **out)
{
	char tm[ALPR_TIME_LEN], why[160];
	const char *state;
	MDB_txn *txn;
	json_t *req, *e;
	int r = -1;

	if ((!strcmp(to, "denied") || !strcmp(to, "revoked")) && (!reason ||
	    !*reason))
		return alpr_store_deny(s, "release", id, !strcmp(to, "denied") ?
		    "a denial states its reason: give -R" : "a revocation "
		    "states its reason: give -R");
	if (st_wbegin(s, &txn) != 0)
		return -1;
	if (!(req = st_request_get(s, txn, id))) {
		st_wend(s, txn, 0);
		return alpr_store_deny(s, "release", id, "no such request");
	}
	state = alpr_rec_str(req, "state");
	if (!state_in(state, from)) {
		snprintf(why, sizeof why, "the request is %s, not %.*s",
		    state ? state : "of no state", (int)strcspn(from, " "),
		    from);
		st_wend(s, txn, 0);
		json_decref(req);
		return alpr_store_deny(s, "release", id, why);
	}
	if ((!strcmp(to, "approved") || !strcmp(to, "denied")) &&
	    own_request(s, req)) {
		st_wend(s, txn, 0);
		json_decref(req);
		return alpr_store_deny(s, "release", id, "the one who filed a "
		    "request does not decide it, under this account or another "
		    "from the same OS user: another supervisor must");
	}
	/* a release cut short is made again only on a new approval, by
	 * another than the one whose release it was */
	if (!strcmp(to, "approved") && !strcmp(state, "releasing") &&
	    same_actor(s, json_object_get(req, "releasing"))) {
		st_wend(s, txn, 0);
		json_decref(req);
		return alpr_store_deny(s, "release", id, "the one whose release "
		    "was cut short does not approve it again: another "
		    "supervisor must");
	}
	alpr_time_now(tm);
	json_object_set_new(req, "state", json_string(to));
	json_object_set_new(req, to, json_pack("{s:s,s:s,s:s}", "by",
	    s->actor.user, "client", s->actor.client, "at", tm));
	if (reason)
		json_object_set_new(json_object_get(req, to), "reason",
		    json_string(reason));
	e = req_entry(req, id, to);
	json_object_set(e, "agency", json_object_get(req, "agency"));
	json_object_set_new(e, "outcome", json_string("ok"));
	if (reason)
		json_object_set_new(json_object_get(e, "change"), "reason",
		    json_string(reason));
	if (st_request_put(s, txn, id, req) == 0) {
		if (alpr_store_logentry(s, e) < 0)
			alpr_warn("unable to write to the access log, so "
			    "nothing changes:");
		else
			r = 0;
	}
	json_decref(e);
	if (st_wend(s, txn, r == 0) != 0)
		r = -1;
	if (r == 0 && out)
		*out = req;
	else
		json_decref(req);
	return r;
}

/* The release lock (HOME/release.lock), taken without waiting: 0, 1 a
 * release is being made (said, logged), -1 error. */
static int
release_lock(struct alpr_store *s, const char *id)
{
	char *p;

	if (s->relfd < 0) {
		p = alpr_path(s->home, "release.lock");
		s->relfd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (s->relfd < 0)
			alpr_warn("unable to open %s:", p);
		free(p);
		if (s->relfd < 0)
			return -1;
	}
	if (flock(s->relfd, LOCK_EX | LOCK_NB) < 0)
		return alpr_store_deny(s, "release", id, "a release is being "
		    "made now: try again when it is done");
	return 0;
}

int
alpr_release_of_holds(json_t *req)
{
	return alpr_rec_str(req, "case") && !json_is_true(json_object_get(req,
	    "by_id"));
}

/* Why a request may not go out under the case it was filed under (closed
 * since, run out), or, filed before requests named their case, why it is
 * filed again; NULL when it may. */
static const char *
case_still(struct alpr_store *s, json_t *r, char *why, size_t n)
{
	if (!r)
		return NULL;	/* no such request: decide() says so */
	if (!alpr_rec_str(r, "case"))
		return "the request names no case (filed before requests "
		    "did): file it again under the case its reads were found "
		    "under (alpr-export request -C case --id read-id)";
	return alpr_case_open(s, alpr_rec_str(r, "case"), why, n);
}

int
alpr_release_approve(struct alpr_store *s, const char *id)
{
	json_t *r;
	char why[400];
	const char *e;
	int locked = 0, rc;

	/* a request releasing is approved again only while no release
	 * runs: then its release was cut short, not still being made */
	if (alpr_release_get(s, id, &r) < 0)
		return -1;
	/* the case it was filed under is still open: a case closed stops
	 * what is asked under it from going out */
	if ((e = case_still(s, r, why, sizeof why))) {
		json_decref(r);
		return alpr_store_deny(s, "release", id, e);
	}
	if (r && state_in(alpr_rec_str(r, "state"), "releasing")) {
		if ((rc = release_lock(s, id)) != 0) {
			json_decref(r);
			return rc;
		}
		locked = 1;
	}
	json_decref(r);
	rc = decide(s, id, locked ? "releasing" : "pending", "approved", NULL,
	    NULL);
	if (locked)
		flock(s->relfd, LOCK_UN);
	return rc;
}

int
alpr_release_deny(struct alpr_store *s, const char *id, const char *reason)
{
	return decide(s, id, "pending", "denied", reason, NULL);
}

/* The reads a request by id asks for, each still in the store: NULL, or
 * why not. */
static const char *
reads_there(struct alpr_store *s, json_t *req, char *why, size_t wn)
{
	json_t *v, *rec;
	const char *rid;
	size_t i;
	int r;

	if (alpr_release_of_holds(req))
		return NULL;	/* the holds keep them (alpr-export checks) */
	json_array_foreach(json_object_get(req, "read_ids"), i, v) {
		if (!(rid = json_string_value(v)))
			return "the request's read ids are damaged";
		if ((r = alpr_store_get(s, rid, &rec, NULL, NULL)) < 0)
			return alpr_store_broken;
		if (r > 0) {
			snprintf(why, wn, "read %s is no longer in the store "
			    "(past its retention, and not held): file the "
			    "request again", rid);
			return why;
		}
		json_decref(rec);
	}
	return NULL;
}

int
alpr_release_take(struct alpr_store *s, const char *id, json_t **req)
{
	json_t *r;
	char why[400];
	const char *e = NULL;
	int rc;

	/* one release at a time, and no revocation during one */
	if ((rc = release_lock(s, id)) != 0)
		return rc;
	if (alpr_release_get(s, id, &r) < 0)
		return -1;
	/* the list may have changed since the request was approved, and the
	 * reads asked for by id been purged */
	if (r && !(e = alpr_release_allowed(s, alpr_rec_str(r, "agency"),
	    alpr_rec_str(r, "agency_state"), why, sizeof why)) &&
	    state_in(alpr_rec_str(r, "state"), "approved") &&
	    !(e = case_still(s, r, why, sizeof why)))
		e = reads_there(s, r, why, sizeof why);
	json_decref(r);
	if (e)
		return alpr_store_deny(s, "release", id, e);
	return decide(s, id, "approved", "releasing", NULL, req);
}

int
alpr_release_revoke(struct alpr_store *s, const char *id, const char *reason)
{
	int r;

	if ((r = release_lock(s, id)) != 0)
		return r;
	r = decide(s, id, "approved releasing", "revoked", reason, NULL);
	flock(s->relfd, LOCK_UN);
	return r;
}

int
alpr_release_done(struct alpr_store *s, const char *id)
{
	int r = decide(s, id, "releasing", "released", NULL, NULL);

	if (s->relfd >= 0)
		flock(s->relfd, LOCK_UN);
	return r;
}

struct reqid {
	char s[40];
};

/* Request ids, R and a number: shorter first, then as text. */
static int
idcmp(const void *a, const void *b)
{
	const char *x = ((const struct reqid *)a)->s;
	const char *y = ((const struct reqid *)b)->s;
	size_t nx = strlen(x), ny = strlen(y);

	return nx != ny ? (nx > ny) - (nx < ny) : strcmp(x, y);
}

int
alpr_release_list(struct alpr_store *s, void (*fn)(json_t *req, void *arg),
    void *arg)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	struct reqid *ids = NULL;
	size_t n = 0, cap = 0, i;
	json_t *j, *e;
	int rc;

	e = json_pack("{s:s,s:s,s:{s:s}}", "action", "release", "outcome", "ok",
	    "change", "op", "list");
	if (alpr_store_log_access(s, e) < 0)
		return -1;
	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return -1;
	mdb_cursor_open(txn, s->requests, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (n == cap)
			ids = alpr_realloc(ids, (cap = cap ? 2 * cap : 64) *
			    sizeof *ids);
		snprintf(ids[n++].s, sizeof ids->s, "%.*s", (int)k.mv_size,
		    (char *)k.mv_data);
	}
	mdb_cursor_close(c);
	/* in the order they were filed: R2 before R10 */
	if (n > 1)
		qsort(ids, n, sizeof *ids, idcmp);
	for (i = 0; i < n; i++)
		if ((j = st_request_get(s, txn, ids[i].s))) {
			fn(j, arg);
			json_decref(j);
		}
	mdb_txn_abort(txn);
	free(ids);
	return 0;
}
