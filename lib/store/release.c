/*
 * release.c: releases of data to other agencies (alpr-export(1)
 * RELEASES), on a written request that is reviewed, approved and kept on
 * file (policy 471.7), to California public agencies only (Civil Code
 * 1798.90.55): an agency is one only if alpr.conf's release_agencies
 * lists it, with state CA. A request names the agency, its state, the
 * requester, the purpose, and what it asks for: the held reads of a case,
 * or the reads a search found when it was filed. A supervisor other than
 * the one who filed it approves or denies it; an approved request is
 * released once. Requests are kept in the requests database, sealed under
 * the key file's hold key, never deleted; every step is logged first.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

static size_t
req_ad(unsigned char *ad, const char *id)
{
	memcpy(ad, "request", 8);
	memcpy(ad + 8, id, strlen(id));
	return 8 + strlen(id);
}

json_t *
st_request_get(struct alpr_store *s, MDB_txn *txn, const char *id)
{
	unsigned char ad[64], *plain;
	MDB_val k = { strlen(id), (void *)id }, v;
	json_t *j;
	size_t n;

	if (strlen(id) > 32 || mdb_get(txn, s->requests, &k, &v) != 0 ||
	    v.mv_size < ST_SEALED(0))
		return NULL;
	n = v.mv_size - ST_SEALED(0);
	plain = alpr_malloc(n + 1);
	if (st_open(plain, v.mv_data, v.mv_size, ad, req_ad(ad, id),
	    s->holdk) < 0) {
		alpr_warn("the request %s does not open with the key file's "
		    "key", id);
		free(plain);
		return NULL;
	}
	j = json_loadb((char *)plain, n, 0, NULL);
	free(plain);
	return j;
}

int
st_request_put(struct alpr_store *s, MDB_txn *txn, const char *id, json_t *j)
{
	unsigned char ad[64], *sealed;
	char *text = json_dumps(j, JSON_COMPACT);
	MDB_val k = { strlen(id), (void *)id }, v;
	size_t n = strlen(text);
	int rc;

	sealed = alpr_malloc(ST_SEALED(n));
	st_seal(sealed, text, n, ad, req_ad(ad, id), s->holdk);
	free(text);
	v.mv_size = ST_SEALED(n);
	v.mv_data = sealed;
	if ((rc = mdb_put(txn, s->requests, &k, &v, 0)) != 0)
		st_mdb_warn(rc, "unable to store a request");
	free(sealed);
	return rc ? -1 : 0;
}

/* Is the agency one data may go to? NULL, or why not. */
const char *
alpr_release_allowed(const struct alpr_store *s, const char *agency,
    const char *state, char *why, size_t wn)
{
	unsigned char *buf;
	char *line, *next, *p, *e;
	size_t n;
	int found = 0;

	if (!state || strcasecmp(state, "CA")) {
		snprintf(why, wn, "%s is out of state (%s): Civil Code "
		    "1798.90.55 allows releases to California public agencies "
		    "only", agency, state ? state : "none");
		return why;
	}
	if (!s->conf.release_agencies || !*s->conf.release_agencies) {
		snprintf(why, wn, "no agency may receive data: "
		    "release_agencies is not set in alpr.conf");
		return why;
	}
	if (alpr_read_file(s->conf.release_agencies, &buf, &n) < 0) {
		snprintf(why, wn, "unable to read the list of agencies %s",
		    s->conf.release_agencies);
		return why;
	}
	for (line = (char *)buf; line && !found; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		while (isspace((unsigned char)*line))
			line++;
		if (*line == '#' || strlen(line) < 4)
			continue;
		for (e = line + strlen(line); e > line && isspace((unsigned
		    char)e[-1]);)
			*--e = '\0';
		for (p = line + 2; isspace((unsigned char)*p); p++)
			;
		found = !strncasecmp(line, state, 2) && isspace((unsigned
		    char)line[2]) && !strcasecmp(p, agency);
	}
	free(buf);
	if (!found) {
		snprintf(why, wn, "%s (%s) is not on the list of agencies data "
		    "may go to (%s): federal, private and unknown agencies are "
		    "refused", agency, state, s->conf.release_agencies);
		return why;
	}
	return NULL;
}

int
alpr_release_file(struct alpr_store *s, json_t *req, char *id, size_t idn)
{
	char why[400], tm[ALPR_TIME_LEN];
	const char *e;
	MDB_txn *txn;
	MDB_val v;
	json_t *entry;
	unsigned long seq = 0;
	unsigned char b[4];
	int r = -1;

	entry = json_pack("{s:s,s:O}", "action", "release", "data", req);
	json_object_set_new(entry, "change", json_pack("{s:s}", "op",
	    "request"));
	if ((e = alpr_release_allowed(s, alpr_rec_str(req, "agency"),
	    alpr_rec_str(req, "agency_state"), why, sizeof why))) {
		json_object_set_new(entry, "outcome", json_string("denied"));
		json_object_set_new(entry, "refusal", json_string(e));
		if (alpr_store_logentry(s, entry) < 0)
			alpr_warn("unable to write the refusal to the log:");
		alpr_warn("request refused: %s", e);
		json_decref(entry);
		return 1;
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
	json_object_set_new(entry, "target", json_string(id));
	json_object_set_new(entry, "outcome", json_string("ok"));
	st_put32(b, seq);
	if (st_request_put(s, txn, id, req) == 0 && st_meta_put(s, txn,
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

/* Move a request from one state to another, logged. */
static int
decide(struct alpr_store *s, const char *id, const char *from,
    const char *to, const char *reason, json_t **out)
{
	char tm[ALPR_TIME_LEN], why[160];
	MDB_txn *txn;
	json_t *req, *e;
	int r = -1;

	if (st_wbegin(s, &txn) != 0)
		return -1;
	if (!(req = st_request_get(s, txn, id))) {
		st_wend(s, txn, 0);
		return alpr_store_deny(s, "release", id, "no such request");
	}
	if (strcmp(alpr_rec_str(req, "state"), from)) {
		snprintf(why, sizeof why, "the request is %s, not %s",
		    alpr_rec_str(req, "state"), from);
		st_wend(s, txn, 0);
		json_decref(req);
		return alpr_store_deny(s, "release", id, why);
	}
	if (strcmp(to, "released") && !strcmp(alpr_rec_str(req, "filed_by"),
	    s->actor.user)) {
		st_wend(s, txn, 0);
		json_decref(req);
		return alpr_store_deny(s, "release", id, "the one who filed a "
		    "request does not decide it: another supervisor must");
	}
	alpr_time_now(tm);
	json_object_set_new(req, "state", json_string(to));
	json_object_set_new(req, to, json_pack("{s:s,s:s}", "by",
	    s->actor.user, "at", tm));
	if (reason)
		json_object_set_new(json_object_get(req, to), "reason",
		    json_string(reason));
	e = json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:s}}", "action", "release",
	    "target", id, "outcome", "ok", "agency", alpr_rec_str(req,
	    "agency"), "purpose", alpr_rec_str(req, "purpose"), "change", "op",
	    to);
	if (reason)
		json_object_set_new(e, "reason", json_string(reason));
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

int
alpr_release_approve(struct alpr_store *s, const char *id)
{
	return decide(s, id, "pending", "approved", NULL, NULL);
}

int
alpr_release_deny(struct alpr_store *s, const char *id, const char *reason)
{
	return decide(s, id, "pending", "denied", reason, NULL);
}

int
alpr_release_take(struct alpr_store *s, const char *id, json_t **req)
{
	json_t *r;
	char why[400];
	const char *e;
	MDB_txn *txn;

	/* the list may have changed since the request was filed */
	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return -1;
	r = st_request_get(s, txn, id);
	mdb_txn_abort(txn);
	if (r && (e = alpr_release_allowed(s, alpr_rec_str(r, "agency"),
	    alpr_rec_str(r, "agency_state"), why, sizeof why))) {
		json_decref(r);
		return alpr_store_deny(s, "release", id, e);
	}
	json_decref(r);
	return decide(s, id, "approved", "released", NULL, req);
}

int
alpr_release_list(struct alpr_store *s, void (*fn)(json_t *req, void *arg),
    void *arg)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	char id[40];
	json_t *j, *e;
	int rc;

	e = json_pack("{s:s,s:s,s:{s:s}}", "action", "release", "outcome", "ok",
	    "change", "op", "list");
	rc = alpr_store_logentry(s, e);
	json_decref(e);
	if (rc < 0) {
		alpr_warn("unable to write to the access log, so nothing is "
		    "shown:");
		return -1;
	}
	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return -1;
	mdb_cursor_open(txn, s->requests, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		snprintf(id, sizeof id, "%.*s", (int)k.mv_size,
		    (char *)k.mv_data);
		if ((j = st_request_get(s, txn, id))) {
			fn(j, arg);
			json_decref(j);
		}
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	return 0;
}
