/*
 * cases.c: the cases the store may be searched under (alpr-store case).
 *
 * A supervisor opens a case, for case_days days at most, and names the
 * accounts that search under it; a search, a show, a hold or an export
 * states its case, and is refused unless that case is open, has not run
 * out, and names the one acting, named there by someone else: nobody
 * names themselves on a case, under their account or another of the same
 * OS user. So no one person can reach the reads for a reason of their own
 * (the officer who would track a partner needs a supervisor to open a
 * case for it, and the log names both); alpr-audit report still looks for
 * a plate searched under more than one case.
 *
 * A case names what its members search, too: plates and patterns (a
 * stolen car, a witness's partial plate), places (a circle around a
 * scene), or, given on purpose, every read. A search, or a read asked for
 * by id, outside that is refused: a member of a case opened for a stolen
 * car does not look up a partner's plate under it; a supervisor widens
 * the case, and a widening names every member anew, as a renewal does,
 * so that a member who widens their own case searches nothing under it
 * alone. Who acts and what the case names are judged on one reading of
 * its record (alpr_case_covers checks the members again): a search that
 * read the members before its member's widening and the scope after it
 * would find the partner's car all the same.
 *
 * A case is a record in the cases database, sealed under the key file's
 * hold key with its name (st_record_put): {state ("open" or "closed"),
 * opened, opened_by, expires, reason, members: [{user, by, client, at}],
 * scope: {plates: [...], areas: [{lat, lon, radius_m}], any: true},
 * changed, changed_by}. Every change is logged before it is stored, as an
 * account's is (action "case").
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"

#define CASE_KIND "case"

/* Case kase in *c, or NULL when there is none: 0; -1 when its record is
 * there and does not open (said): damaged, or put there by hand. */
static int
case_get(struct alpr_store *s, MDB_txn *txn, const char *kase, json_t **c)
{
	MDB_val k = { strlen(kase), (void *)kase }, v;

	*c = NULL;
	if (s->nocases || !*kase || k.mv_size > ST_NAME_MAX)
		return 0;	/* none; nor could there be */
	if ((*c = st_record_get(txn, s->cases, CASE_KIND, kase, s->holdk)))
		return 0;
	return mdb_get(txn, s->cases, &k, &v) == MDB_NOTFOUND ? 0 : -1;
}

int
st_case_put(struct alpr_store *s, MDB_txn *txn, const char *kase, json_t *c)
{
	return st_record_put(txn, s->cases, CASE_KIND, kase, c, s->holdk);
}

static const char *
str(json_t *c, const char *k)
{
	const char *v = json_string_value(json_object_get(c, k));

	return v ? v : "";
}

static time_t
when(json_t *c, const char *k)
{
	struct timespec t;

	return str(c, k) && alpr_time_parse(str(c, k), &t) == 0 ? t.tv_sec : 0;
}

/* Has an open case c run out? */
static int
ran_out(json_t *c)
{
	return when(c, "expires") <= time(NULL);
}

/* The member entry naming user, or NULL. */
static json_t *
member(json_t *c, const char *user)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(c, "members"), i, m)
		if (!strcmp(str(m, "user"), user))
			return m;
	return NULL;
}

/* May the one acting (s; NULL: anyone) search under case c (kase), as it
 * stands? NULL, or why not (in why). */
static const char *
case_may(struct alpr_store *s, json_t *c, const char *kase, char *why,
    size_t n)
{
	json_t *m;
	char tm[ALPR_TIME_LEN];
	struct timespec t = { 0, 0 };

	if (!c) {
		snprintf(why, n, "case %s is not open on this store: a "
		    "supervisor opens it and names who searches under it "
		    "(alpr-store case open)", kase);
		return why;
	}
	t.tv_sec = when(c, "expires");
	alpr_time_fmt(&t, tm);
	if (strcmp(str(c, "state"), "open"))
		snprintf(why, n, "case %s was closed (%s, by %s): a supervisor "
		    "opens it again (alpr-store case renew)", kase,
		    str(c, "changed"), str(c, "changed_by"));
	else if (ran_out(c))
		snprintf(why, n, "case %s ran out at %s: a supervisor renews it "
		    "(alpr-store case renew)", kase, tm);
	else if (!s)
		return NULL;	/* open: who acts is not asked */
	else if (!(m = member(c, s->actor.user)))
		snprintf(why, n, "case %s does not name %s: a supervisor adds "
		    "you (alpr-store case add)", kase, s->actor.user);
	else if (st_same_person(s, str(m, "by"), str(m, "client")))
		snprintf(why, n, "%s was named on case %s by %s, from OS user "
		    "%s: nobody names themselves on a case; another "
		    "supervisor must", s->actor.user, kase, str(m, "by"),
		    str(m, "client"));
	else
		return NULL;
	return why;
}

/* Case kase as the store has it now, in *c (NULL: none): NULL, or
 * alpr_store_broken. */
static const char *
case_read(struct alpr_store *s, const char *kase, json_t **c)
{
	MDB_txn *txn;
	int r;

	*c = NULL;
	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return alpr_store_broken;
	r = case_get(s, txn, kase, c);
	mdb_txn_abort(txn);
	return r < 0 ? alpr_store_broken : NULL;
}

/* case_may on case kase as the store has it now; who: the store whose
 * actor is asked about, or NULL (is it open, whoever acts). */
static const char *
case_now(struct alpr_store *s, struct alpr_store *who, const char *kase,
    char *why, size_t n)
{
	json_t *c;
	const char *e;

	if ((e = case_read(s, kase, &c)))
		return e;
	e = case_may(who, c, kase, why, n);
	json_decref(c);
	return e;
}

const char *
alpr_case_may(struct alpr_store *s, const char *kase, char *why, size_t n)
{
	return case_now(s, s, kase, why, n);
}

const char *
alpr_case_open(struct alpr_store *s, const char *kase, char *why, size_t n)
{
	return case_now(s, NULL, kase, why, n);
}

/* Is plate (upper case) named by scope sc: equal to a plate named, or
 * (byglob) matched by a pattern named? */
static int
names_plate(json_t *sc, const char *plate, int byglob)
{
	json_t *v;
	size_t i;
	const char *t;

	json_array_foreach(json_object_get(sc, "plates"), i, v) {
		if (!(t = json_string_value(v)))
			continue;
		if (!strcmp(t, plate) || (byglob && alpr_is_pattern(t) &&
		    alpr_glob(t, plate)))
			return 1;
	}
	return 0;
}

/* Does a place named by sc hold the circle (lat, lon, radius)? */
static int
names_place(json_t *sc, double lat, double lon, double radius)
{
	json_t *a;
	size_t i;

	json_array_foreach(json_object_get(sc, "areas"), i, a)
		if (st_geo_dist(json_real_value(json_object_get(a, "lat")),
		    json_real_value(json_object_get(a, "lon")), lat, lon) +
		    radius <= json_real_value(json_object_get(a, "radius_m")))
			return 1;
	return 0;
}

/* The case's scope, if it is open to every read: 1, else 0 and sc. */
static int
scope_of(json_t *c, json_t **sc)
{
	*sc = json_object_get(c, "scope");
	return json_is_true(json_object_get(*sc, "any"));
}

static void
upper(const char *p, char *out, size_t cap)
{
	size_t i;

	for (i = 0; p[i] && i + 1 < cap; i++)
		out[i] = toupper((unsigned char)p[i]);
	out[i] = '\0';
}

/*
 * Case kase as the one acting would reach reads under it: NULL and its
 * record in *cp (NULL when it is open to every read) and scope in *sc,
 * or why not. Who acts is judged again on the record whose scope is
 * judged: a case widened since alpr_case_may read it names its members
 * anew, and a member who widened it reaches nothing under it.
 */
static const char *
case_scope(struct alpr_store *s, const char *kase, json_t **cp, json_t **sc,
    char *why, size_t n)
{
	const char *e;
	json_t *c;

	*cp = NULL;
	if (!kase)
		return "no case stated";
	if ((e = case_read(s, kase, &c)))
		return e;
	if ((e = case_may(s, c, kase, why, n)) || scope_of(c, sc)) {
		json_decref(c);
		return e;
	}
	*cp = c;
	return NULL;
}

const char *
alpr_case_covers(struct alpr_store *s, const char *kase,
    const struct alpr_query *q, int hl, char *why, size_t n)
{
	char up[ALPR_PLATE_MAX + 2] = "";	/* a plate too long is not copied */
	const char *e;
	json_t *c, *sc;
	int ok = 0;

	if ((e = case_scope(s, kase, &c, &sc, why, n)) || !c)
		return e;
	if (q->plate && strlen(q->plate) <= ALPR_PLATE_MAX) {
		upper(q->plate, up, sizeof up);
		if (alpr_is_pattern(up))	/* as named */
			ok = names_plate(sc, up, 0);
		else if (q->fuzzy < 0)
			ok = names_plate(sc, up, 1);
		else if (q->fuzzy <= 1)	/* a plate named, not a pattern's */
			ok = names_plate(sc, up, 0);
	}
	if (!ok && q->near)
		ok = names_place(sc, q->lat, q->lon, q->radius);
	if (ok)
		;
	else if (hl)
		e = "a search by hotlist is made only under a case opened to "
		    "every read (alpr-store case widen -A), or narrowed to a "
		    "plate or place the case names";
	else if (q->plate && q->fuzzy > 1 && names_plate(sc, up, 0))
		e = "under a case that names its plates, a fuzzy search allows "
		    "one difference";
	else if (q->plate) {
		snprintf(why, n, "case %s does not name %s%s: a supervisor "
		    "names what the case searches (alpr-store case widen -p)",
		    kase, q->fuzzy >= 0 ? "the plate searched fuzzily " :
		    alpr_is_pattern(q->plate) ? "the pattern " : "the plate ",
		    q->plate);
		e = why;
	} else {
		snprintf(why, n, "case %s names %s: a supervisor names what "
		    "the case searches (alpr-store case widen -a)", kase,
		    q->near ? "no place that holds the circle searched" :
		    "its plates and places, and the search neither");
		e = why;
	}
	json_decref(c);
	return e;
}

const char *
alpr_case_covers_read(struct alpr_store *s, const char *kase, json_t *rec,
    char *why, size_t n)
{
	const char *p, *e;
	json_t *c, *sc, *v;
	size_t i;
	int ok = 0;

	if ((e = case_scope(s, kase, &c, &sc, why, n)) || !c)
		return e;
	if ((p = alpr_rec_str(rec, "plate")))
		ok = names_plate(sc, p, 1);
	json_array_foreach(json_object_get(rec, "candidates"), i, v)
		if (!ok && (p = alpr_rec_str(v, "plate")))
			ok = names_plate(sc, p, 1);
	if (!ok && json_is_number(json_object_get(rec, "lat")) &&
	    json_is_number(json_object_get(rec, "lon")))
		ok = names_place(sc, alpr_rec_num(rec, "lat", 0),
		    alpr_rec_num(rec, "lon", 0), 0);
	json_decref(c);
	if (ok)
		return NULL;
	snprintf(why, n, "case %s names neither the read's plate nor its "
	    "place: a supervisor names what the case searches (alpr-store "
	    "case widen)", kase);
	return why;
}

/*
 * Change case kase in a write transaction: fn fills the log entry and the
 * record (a new empty one when there is none and open is set), the entry
 * is logged, then the record stored. 0, 1 refused (said and logged), -1.
 */
typedef const char *(*case_fn)(struct alpr_store *s, MDB_txn *txn,
    json_t *c, json_t *change, void *arg);

/* Refuse a change: said, and logged with what was asked (the operation
 * and the reason given), so that the audit report shows the attempt. */
static int
refuse(struct alpr_store *s, const char *kase, const char *op,
    const char *reason, const char *why)
{
	/* the case number as given may be no UTF-8, and the refusal quote
	 * it: both as log text */
	json_t *e = json_pack("{s:s,s:o,s:s,s:o,s:{s:s}}", "action", "case",
	    "target", st_logtext(kase ? kase : "-", 200), "outcome", "denied",
	    "refusal", st_logtext(why, 1000), "change", "op", op);

	if (reason)
		json_object_set_new(e, "reason", st_logtext(reason,
		    ALPR_REASON_MAX));
	alpr_warn("%s: %s", kase ? kase : "case", why);
	if (alpr_store_logentry(s, e) < 0)
		alpr_warn("unable to write the refusal to the access log:");
	json_decref(e);
	return why == alpr_store_broken ? -1 : 1;
}

static int
change(struct alpr_store *s, const char *kase, const char *op, int open,
    const char *reason, case_fn fn, void *arg)
{
	char why[400];
	const char *e;
	MDB_txn *txn;
	json_t *c, *entry;
	int r, rc, made = 0;

	if (s->actor.role < 0)
		return refuse(s, kase, op, reason, "not logged in "
		    "(alpr-store login)");
	if (!alpr_role_may(s->actor.role, ALPR_MAY_CASES))
		return refuse(s, kase, op, reason, "only a supervisor "
		    "opens, changes and closes cases (alpr-store roles)");
	if ((e = st_case_number(s, kase, why, sizeof why)) ||
	    (e = alpr_store_reason_check(s, reason, why, sizeof why)))
		return refuse(s, kase, op, reason, e);
	if (st_wbegin(s, &txn) != 0)
		return -1;
	if (s->nocases) {	/* a store from before cases: make the table */
		if ((r = mdb_dbi_open(txn, "cases", MDB_CREATE, &s->cases)) !=
		    0) {
			st_wend(s, txn, 0);
			st_mdb_warn(r, "unable to make the table of cases");
			return -1;
		}
		s->nocases = 0;
		made = 1;
	}
	rc = case_get(s, txn, kase, &c);
	entry = json_pack("{s:s,s:s,s:s,s:s,s:{s:s}}", "action", "case",
	    "target", kase, "outcome", "ok", "reason", reason, "change", "op",
	    op);
	/* a record that does not open is not taken for no case: opened
	 * anew over it, it would be gone with what it said */
	if (rc < 0)
		e = alpr_store_broken;
	else if (!c && !open)
		e = "no such case (alpr-store case list)";
	else if (c && open)
		e = "the case is open already or was before (alpr-store case "
		    "show; case renew opens it again)";
	else {
		if (!c)
			c = json_object();
		e = fn(s, txn, c, json_object_get(entry, "change"), arg);
	}
	if (e) {
		st_wend(s, txn, 0);
		if (made)
			s->nocases = 1;
		json_decref(c);
		json_decref(entry);
		return refuse(s, kase, op, reason, e);
	}
	alpr_time_now(why);
	json_object_set_new(c, "changed", json_string(why));
	json_object_set_new(c, "changed_by", json_string(s->actor.user));
	r = 0;
	if (alpr_store_logentry(s, entry) < 0) {
		alpr_warn("unable to write the change to the access log, so it "
		    "is not made:");
		r = -1;
	}
	if (r == 0 && st_case_put(s, txn, kase, c) != 0)
		r = -1;
	if (st_wend(s, txn, r == 0) != 0)
		r = -1;
	if (r != 0 && made)
		s->nocases = 1;
	json_decref(c);
	json_decref(entry);
	return r;
}

struct casearg {
	char **users;
	int n;
	long days;
	const struct alpr_case_scope *sc;
};

/* The member k of object o, made with make() if there is none. */
static json_t *
member_of(json_t *o, const char *k, json_t *(*make)(void))
{
	json_t *v = json_object_get(o, k);

	if (!v)
		json_object_set_new(o, k, v = make());
	return v;
}

/* Add a->sc to the case's scope and to the log entry's change: the reason
 * it cannot be, or NULL. */
static const char *
add_scope(struct alpr_store *s, json_t *c, json_t *ch, struct casearg *a)
{
	static char why[200];
	const struct alpr_case_scope *sc = a->sc;
	char up[ALPR_PLATE_MAX + 2];
	json_t *scope, *area;
	const char *p;
	int i;

	if (!sc || (!sc->nplates && !sc->nareas && !sc->any))
		return "a case names what its members search: plates or "
		    "patterns (-p), places (-a), or every read (-A)";
	scope = member_of(c, "scope", json_object);
	member_of(scope, "plates", json_array);	/* both, named or not */
	member_of(scope, "areas", json_array);
	for (i = 0; i < sc->nplates; i++) {
		for (p = sc->plates[i]; isalnum((unsigned char)*p) ||
		    *p == '?' || *p == '*'; p++)
			;
		if (*p || !*sc->plates[i] || strlen(sc->plates[i]) >
		    ALPR_PLATE_MAX) {
			snprintf(why, sizeof why, "%.40s: a plate or a pattern "
			    "(letters, digits, ? and *) of at most %d "
			    "characters", sc->plates[i], ALPR_PLATE_MAX);
			return why;
		}
		if (alpr_is_pattern(sc->plates[i]) &&
		    !alpr_glob_narrow(sc->plates[i])) {
			snprintf(why, sizeof why, "%.40s: a pattern a case "
			    "names gives at least three characters, two of "
			    "them side by side or one at either end, as a "
			    "search's does (-A opens a case to every read)",
			    sc->plates[i]);
			return why;
		}
		upper(sc->plates[i], up, sizeof up);
		json_array_append_new(member_of(ch, "plates", json_array),
		    json_string(up));
		if (!names_plate(scope, up, 0))
			json_array_append_new(member_of(scope, "plates",
			    json_array), json_string(up));
	}
	for (i = 0; i < sc->nareas; i++) {
		double *ar = sc->areas[i];
		if (!(ar[0] >= -90 && ar[0] <= 90 && ar[1] >= -180 &&
		    ar[1] <= 180 && ar[2] >= 1 && ar[2] <= s->conf.max_radius)) {
			snprintf(why, sizeof why, "a place is LAT,LON,METRES, "
			    "with 1 to %ld metres (alpr.conf max_radius_m)",
			    s->conf.max_radius);
			return why;
		}
		area = json_pack("{s:f,s:f,s:f}", "lat", ar[0], "lon", ar[1],
		    "radius_m", ar[2]);
		json_array_append(member_of(ch, "areas", json_array), area);
		json_array_append_new(member_of(scope, "areas", json_array),
		    area);
	}
	if (sc->any) {
		json_object_set_new(scope, "any", json_true());
		json_object_set_new(ch, "any", json_true());
	}
	return NULL;
}

/* Member entry m named by the one acting, at tm. */
static void
named_by(struct alpr_store *s, json_t *m, const char *tm)
{
	json_object_set_new(m, "by", json_string(s->actor.user));
	json_object_set_new(m, "client", json_string(s->actor.client));
	json_object_set_new(m, "at", json_string(tm));
}

/* Name every member of c anew, as the one acting, into the change's
 * list of members. */
static void
rename_members(struct alpr_store *s, json_t *c, json_t *ch)
{
	char tm[ALPR_TIME_LEN];
	json_t *m, *names = json_array();
	size_t i;

	alpr_time_now(tm);
	json_object_set_new(ch, "members", names);
	json_array_foreach(json_object_get(c, "members"), i, m) {
		json_array_append_new(names, json_string(str(m, "user")));
		named_by(s, m, tm);
	}
}

/* Name users on c; the reason none may be, or NULL. */
static const char *
add_members(struct alpr_store *s, MDB_txn *txn, json_t *c, json_t *ch,
    struct casearg *a)
{
	static char why[200];
	char tm[ALPR_TIME_LEN];
	json_t *u, *list = json_object_get(c, "members"), *names;
	int i, role;

	if (!list)
		json_object_set_new(c, "members", list = json_array());
	names = json_array();
	json_object_set_new(ch, "members", names);
	alpr_time_now(tm);
	for (i = 0; i < a->n; i++) {
		if (!strcmp(a->users[i], s->actor.user))
			return "nobody names themselves on a case: another "
			    "supervisor must";
		if (!alpr_user_name_ok(a->users[i]) ||
		    !(u = st_user_get(s, txn, a->users[i]))) {
			snprintf(why, sizeof why, "%.40s: no such account",
			    a->users[i]);
			return why;
		}
		role = alpr_user_role(u);
		json_decref(u);
		if (!alpr_role_may(role, ALPR_MAY_FIND)) {
			snprintf(why, sizeof why, "%.40s: the role %s does not "
			    "search (alpr-store roles)", a->users[i],
			    alpr_role_name(role));
			return why;
		}
		json_array_append_new(names, json_string(a->users[i]));
		/* one named already is named again, by the one adding: so
		 * a member who widened their own case searches again once
		 * another supervisor names them */
		if (!(u = member(c, a->users[i])))
			json_array_append_new(list, u = json_pack("{s:s}",
			    "user", a->users[i]));
		named_by(s, u, tm);
	}
	return NULL;
}

static const char *
set_expiry(struct alpr_store *s, json_t *c, json_t *ch, long days)
{
	static char why[160];
	struct timespec t = { 0, 0 };
	char tm[ALPR_TIME_LEN];

	if (days <= 0)
		days = s->conf.case_days;
	if (days > s->conf.case_days) {
		snprintf(why, sizeof why, "a case is opened for at most %ld "
		    "days (alpr.conf case_days); renew it when it runs out",
		    s->conf.case_days);
		return why;
	}
	t.tv_sec = time(NULL) + days * 86400;
	alpr_time_fmt(&t, tm);
	json_object_set_new(c, "expires", json_string(tm));
	json_object_set_new(ch, "expires", json_string(tm));
	return NULL;
}

static const char *
open_fn(struct alpr_store *s, MDB_txn *txn, json_t *c, json_t *ch, void *arg)
{
	struct casearg *a = arg;
	char tm[ALPR_TIME_LEN];
	const char *e;

	if (a->n == 0)
		return "a case names who searches under it: give their "
		    "accounts";
	alpr_time_now(tm);
	json_object_set_new(c, "state", json_string("open"));
	json_object_set_new(c, "opened", json_string(tm));
	json_object_set_new(c, "opened_by", json_string(s->actor.user));
	json_object_set_new(c, "client", json_string(s->actor.client));
	if ((e = set_expiry(s, c, ch, a->days)) || (e = add_scope(s, c, ch,
	    a)))
		return e;
	return add_members(s, txn, c, ch, a);
}

/* A widening names what more the case searches, and names every member
 * anew as the one widening: a member who widens their own case (or whose
 * other account does) searches nothing under it alone. */
static const char *
widen_fn(struct alpr_store *s, MDB_txn *txn, json_t *c, json_t *ch,
    void *arg)
{
	const char *e;

	(void)txn;
	if (strcmp(str(c, "state"), "open"))
		return "the case is closed (case renew opens it again)";
	if ((e = add_scope(s, c, ch, arg)))
		return e;
	rename_members(s, c, ch);
	return NULL;
}

static const char *
add_fn(struct alpr_store *s, MDB_txn *txn, json_t *c, json_t *ch, void *arg)
{
	if (strcmp(str(c, "state"), "open"))
		return "the case is closed (case renew opens it again)";
	return add_members(s, txn, c, ch, arg);
}

static const char *
drop_fn(struct alpr_store *s, MDB_txn *txn, json_t *c, json_t *ch, void *arg)
{
	struct casearg *a = arg;
	json_t *list = json_object_get(c, "members"), *m, *names = json_array();
	size_t k;
	int i, found;

	(void)s;
	(void)txn;
	json_object_set_new(ch, "members", names);
	for (i = 0; i < a->n; i++) {
		found = 0;
		json_array_foreach(list, k, m)
			if (!strcmp(str(m, "user"), a->users[i])) {
				json_array_remove(list, k);
				found = 1;
				break;
			}
		if (!found)
			return "the case does not name that account";
		json_array_append_new(names, json_string(a->users[i]));
	}
	return NULL;
}

/*
 * A renewal opens the case again for its members: the one renewing names
 * each of them anew, so that a member (or another account of the same OS
 * user) who renews a case that ran out or was closed searches nothing
 * under it alone; the other members search, named by the renewer.
 */
static const char *
renew_fn(struct alpr_store *s, MDB_txn *txn, json_t *c, json_t *ch, void *arg)
{
	struct casearg *a = arg;

	(void)txn;
	json_object_set_new(ch, "was", json_string(str(c, "state")));
	rename_members(s, c, ch);
	json_object_set_new(c, "state", json_string("open"));
	return set_expiry(s, c, ch, a->days);
}

static const char *
close_fn(struct alpr_store *s, MDB_txn *txn, json_t *c, json_t *ch, void *arg)
{
	(void)s;
	(void)txn;
	(void)ch;
	(void)arg;
	if (strcmp(str(c, "state"), "open"))
		return "the case is closed already";
	json_object_set_new(c, "state", json_string("closed"));
	return NULL;
}

int
alpr_case_change(struct alpr_store *s, const char *op, const char *kase,
    char **users, int n, long days, const struct alpr_case_scope *sc,
    const char *reason)
{
	struct casearg a = { users, n, days, sc };

	if (!strcmp(op, "open"))
		return change(s, kase, op, 1, reason, open_fn, &a);
	if (!strcmp(op, "add"))
		return change(s, kase, op, 0, reason, add_fn, &a);
	if (!strcmp(op, "drop"))
		return change(s, kase, op, 0, reason, drop_fn, &a);
	if (!strcmp(op, "widen"))
		return change(s, kase, op, 0, reason, widen_fn, &a);
	if (!strcmp(op, "renew"))
		return change(s, kase, op, 0, reason, renew_fn, &a);
	if (!strcmp(op, "close"))
		return change(s, kase, op, 0, reason, close_fn, &a);
	return alpr_store_deny(s, "case", kase, "no such change");
}

/* Case name, if the one acting may see it (all: every case), with its
 * number and its state as of now: 0, and in *c or NULL; -1 when its
 * record does not open (said). */
static int
visible(struct alpr_store *s, MDB_txn *txn, const char *name, int all,
    json_t **c)
{
	if (case_get(s, txn, name, c) < 0)
		return -1;
	if (*c && !all && !member(*c, s->actor.user)) {
		json_decref(*c);
		*c = NULL;
	}
	if (*c) {
		json_object_set_new(*c, "case", json_string(name));
		if (!strcmp(str(*c, "state"), "open") && ran_out(*c))
			json_object_set_new(*c, "state", json_string("ran-out"));
	}
	return 0;
}

int
alpr_case_list(struct alpr_store *s, const char *only,
    void (*fn)(json_t *c, void *arg), void *arg)
{
	char name[80];
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	json_t *e, *c = NULL;
	int rc, all, broken = 0;

	if (s->actor.role < 0)
		return alpr_store_deny(s, "case", only, "not logged in "
		    "(alpr-store login)");
	/* supervisors and auditors see every case; others, theirs */
	all = alpr_role_may(s->actor.role, ALPR_MAY_CASES) ||
	    alpr_role_may(s->actor.role, ALPR_MAY_AUDIT);
	if (only) {
		/* one case: shown, logged, only if it is there and the
		 * one asking may see it; else refused, and that logged */
		if (st_txn(s, MDB_RDONLY, &txn) != 0)
			return -1;
		rc = visible(s, txn, only, all, &c);
		mdb_txn_abort(txn);
		if (rc < 0 || !c)
			return refuse(s, only, "show", NULL, rc < 0 ?
			    alpr_store_broken : "no such case, or not one of "
			    "yours (alpr-store case list)");
	}
	e = json_pack("{s:s,s:o,s:s,s:{s:s}}", "action", "case", "target",
	    st_logtext(only ? only : "-", 200), "outcome", "ok", "change",
	    "op", only ? "show" : "list");
	if (alpr_store_log_access(s, e) < 0) {
		json_decref(c);
		return -1;
	}
	if (c) {
		fn(c, arg);
		json_decref(c);
		return 0;
	}
	if (s->nocases)
		return 0;
	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return -1;
	mdb_cursor_open(txn, s->cases, &cur);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		snprintf(name, sizeof name, "%.*s", (int)k.mv_size,
		    (char *)k.mv_data);
		/* a record that does not open is said and passed over,
		 * the others listed, and the exit status says so */
		if (visible(s, txn, name, all, &c) < 0)
			broken = 1;
		else if (c) {
			fn(c, arg);
			json_decref(c);
		}
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return broken ? -1 : 0;
}
