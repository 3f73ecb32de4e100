/*
 * users.c: the store's accounts (alpr-store(1) ACCOUNTS). An account is a
 * JSON object sealed under the key file's account key:
 *
 *	name, role, status (pending, active, disabled), locked,
 *	created, created_by, approved, approved_by, disabled_reason,
 *	training {completed, expires, by}, pwhash (Argon2id), pwgen,
 *	must_change, totp (base32 secret), totp_step (the last code's step),
 *	failures [times of failed logins], last_login
 *
 * Every change is written to the access log before it is committed. Who
 * may change what is the role table (access.c) plus separation of duties:
 * nobody approves, trains, unlocks, enables or changes the role of their
 * own account, and the creator of an account does not approve it (save
 * the first supervisor, approved by an admin while there is none).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

static void
user_ad(unsigned char *ad, size_t *n, const char *name)
{
	*n = 5 + strlen(name);
	memcpy(ad, "user", 5);
	memcpy(ad + 5, name, strlen(name));
}

json_t *
st_user_get(struct alpr_store *s, MDB_txn *txn, const char *name)
{
	unsigned char ad[64], *plain;
	MDB_val k = { strlen(name), (void *)name }, v;
	size_t adn, n;
	json_t *u;

	if (strlen(name) > 32 || mdb_get(txn, s->users, &k, &v) != 0)
		return NULL;
	if (v.mv_size < ST_SEALED(0))
		return NULL;
	n = v.mv_size - ST_SEALED(0);
	plain = alpr_malloc(n + 1);
	user_ad(ad, &adn, name);
	if (st_open(plain, v.mv_data, v.mv_size, ad, adn, s->userk) < 0) {
		alpr_warn("the account %s does not open with the key file's key",
		    name);
		free(plain);
		return NULL;
	}
	u = json_loadb((char *)plain, n, 0, NULL);
	sodium_memzero(plain, n);
	free(plain);
	return u;
}

int
st_user_put(struct alpr_store *s, MDB_txn *txn, const char *name, json_t *u)
{
	unsigned char ad[64], *sealed;
	char *text = json_dumps(u, JSON_COMPACT);
	MDB_val k = { strlen(name), (void *)name }, v;
	size_t adn, n;
	int rc;

	if (!text)
		return -1;
	n = strlen(text);
	sealed = alpr_malloc(ST_SEALED(n));
	user_ad(ad, &adn, name);
	st_seal(sealed, text, n, ad, adn, s->userk);
	sodium_memzero(text, n);
	free(text);
	v.mv_size = ST_SEALED(n);
	v.mv_data = sealed;
	rc = mdb_put(txn, s->users, &k, &v, 0);
	free(sealed);
	if (rc != 0)
		st_mdb_warn(rc, "unable to store an account");
	return rc ? -1 : 0;
}

int
alpr_user_name_ok(const char *n)
{
	size_t i, len = strlen(n);

	if (len < 1 || len > 32 || !islower((unsigned char)n[0]))
		return 0;
	for (i = 0; i < len; i++)
		if (!islower((unsigned char)n[i]) && !isdigit((unsigned char)
		    n[i]) && !strchr("._-", n[i]))
			return 0;
	return 1;
}

static const char *
str(json_t *u, const char *k)
{
	return json_string_value(json_object_get(u, k));
}

static void
now_str(char tm[ALPR_TIME_LEN])
{
	alpr_time_now(tm);
}

static time_t
when(json_t *u, const char *k)
{
	struct timespec t;
	const char *s = str(u, k);

	if (!s || alpr_time_parse(s, &t) < 0)
		return 0;
	return t.tv_sec;
}

int
alpr_user_role(json_t *u)
{
	const char *r = str(u, "role");

	return r ? alpr_role_parse(r) : -1;
}

/* Is the account's training current at now? */
int
alpr_user_trained(json_t *u, time_t now)
{
	json_t *t = json_object_get(u, "training");
	const char *e = json_string_value(json_object_get(t, "expires"));
	char buf[40];
	struct timespec ts;

	if (!e)
		return 0;
	snprintf(buf, sizeof buf, "%sT23:59:59.99Z", e);
	return alpr_time_parse(buf, &ts) == 0 && now <= ts.tv_sec;
}

static int
may(struct alpr_store *s, int perm, const char *action, const char *target)
{
	char why[160];

	if (s->actor.role < 0) {
		alpr_store_deny(s, action, target, "not logged in (alpr-store login)");
		return 0;
	}
	if (!alpr_role_may(s->actor.role, perm)) {
		snprintf(why, sizeof why, "the role %s may not do this "
		    "(alpr-store roles)", alpr_role_name(s->actor.role));
		alpr_store_deny(s, action, target, why);
		return 0;
	}
	return 1;
}

/*
 * Apply fn to account name in a write transaction: log the change entry
 * fn fills, then commit. Returns 0, 1 refused (fn said why), -1 error.
 */
typedef int (*change_fn)(struct alpr_store *s, MDB_txn *txn, json_t *u,
    json_t *entry, void *arg);

static int
change(struct alpr_store *s, const char *name, int must_exist, change_fn fn,
    void *arg)
{
	MDB_txn *txn;
	json_t *u, *e;
	int r;

	if (!alpr_user_name_ok(name)) {
		alpr_warn("%s: not an account name (1 to 32 of a-z 0-9 . _ -, "
		    "starting with a letter)", name);
		return 1;
	}
	if (st_wbegin(s, &txn) != 0)
		return -1;
	u = st_user_get(s, txn, name);
	if (must_exist && !u) {
		st_wend(s, txn, 0);
		return alpr_store_deny(s, "user-change", name,
		    "no such account");
	}
	if (!must_exist && u) {
		st_wend(s, txn, 0);
		json_decref(u);
		return alpr_store_deny(s, "user-change", name,
		    "the account exists");
	}
	if (!u)
		u = json_object();
	e = json_pack("{s:s,s:s,s:s}", "action", "user-change", "target",
	    name, "outcome", "ok");
	r = fn(s, txn, u, e, arg);
	if (r == 0 && alpr_store_logentry(s, e) < 0) {
		alpr_warn("unable to write the change to the access log, so it "
		    "is not made:");
		r = -1;
	}
	if (r == 0 && st_user_put(s, txn, name, u) < 0)
		r = -1;
	if (st_wend(s, txn, r == 0) != 0)
		r = -1;
	json_decref(u);
	json_decref(e);
	return r;
}

struct addarg {
	int role;
	const char *pw, *creator;
	char *secret;
	int bootstrap;
};

static int
add_fn(struct alpr_store *s, MDB_txn *txn, json_t *u, json_t *e, void *arg)
{
	struct addarg *a = arg;
	char tm[ALPR_TIME_LEN], *h;

	now_str(tm);
	json_object_set_new(u, "name", json_string(json_string_value(
	    json_object_get(e, "target"))));
	json_object_set_new(u, "role", json_string(alpr_role_name(a->role)));
	json_object_set_new(u, "status", json_string(a->bootstrap ? "active" :
	    "pending"));
	json_object_set_new(u, "locked", json_false());
	json_object_set_new(u, "created", json_string(tm));
	json_object_set_new(u, "created_by", json_string(a->creator));
	if (a->bootstrap) {
		json_object_set_new(u, "approved", json_string(tm));
		json_object_set_new(u, "approved_by", json_string(a->creator));
	}
	json_object_set_new(u, "pwgen", json_integer(1));
	if (a->role != ALPR_ROLE_DEVICE) {
		h = alpr_password_hash(a->pw);
		json_object_set_new(u, "pwhash", json_string(h));
		free(h);
		json_object_set_new(u, "must_change", json_boolean(
		    !a->bootstrap));
		a->secret = alpr_totp_new();
		json_object_set_new(u, "totp", json_string(a->secret));
		json_object_set_new(u, "totp_step", json_integer(0));
	}
	json_object_set_new(u, "failures", json_array());
	json_object_set_new(e, "change", json_pack("{s:s,s:s}", "op", "add",
	    "role", alpr_role_name(a->role)));
	return 0;
}

int
alpr_user_add(struct alpr_store *s, const char *name, int role,
    const char *pw, char **secret)
{
	struct addarg a = { role, pw, s->actor.user, NULL, 0 };
	char why[200];
	const char *e;
	int r;

	*secret = NULL;
	if (!may(s, ALPR_MAY_ACCOUNTS, "user-change", name))
		return 1;
	if (role < 0)
		return alpr_store_deny(s, "user-change", name, "no such role");
	if (role != ALPR_ROLE_DEVICE && (e = alpr_password_rules(&s->conf,
	    name, pw, why, sizeof why)))
		return alpr_store_deny(s, "user-change", name, e);
	r = change(s, name, 0, add_fn, &a);
	*secret = a.secret;
	return r;
}

/* The first account, made by alpr-store init: an admin, active. */
int
alpr_user_bootstrap(struct alpr_store *s, const char *name, const char *pw,
    char **secret)
{
	struct addarg a = { ALPR_ROLE_ADMIN, pw, "(init)", NULL, 1 };
	char why[200];
	const char *e;
	int r;

	*secret = NULL;
	if ((e = alpr_password_rules(&s->conf, name, pw, why, sizeof why))) {
		alpr_warn("%s: %s", name, e);
		return 1;
	}
	snprintf(s->actor.user, sizeof s->actor.user, "(init)");
	r = change(s, name, 0, add_fn, &a);
	s->actor.user[0] = '\0';
	*secret = a.secret;
	return r;
}

static int
has_supervisor(struct alpr_store *s, MDB_txn *txn, const char *but)
{
	MDB_cursor *c;
	MDB_val k, v;
	char name[40];
	json_t *u;
	int found = 0, rc;

	if (mdb_cursor_open(txn, s->users, &c) != 0)
		return 0;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && !found;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		snprintf(name, sizeof name, "%.*s", (int)k.mv_size,
		    (char *)k.mv_data);
		if (!strcmp(name, but) || !(u = st_user_get(s, txn, name)))
			continue;
		found = alpr_user_role(u) == ALPR_ROLE_SUPERVISOR &&
		    !strcmp(str(u, "status"), "active");
		json_decref(u);
	}
	mdb_cursor_close(c);
	return found;
}

static int
approve_fn(struct alpr_store *s, MDB_txn *txn, json_t *u, json_t *e,
    void *arg)
{
	char tm[ALPR_TIME_LEN];
	const char *name = str(u, "name");
	int boot = 0;

	if (!strcmp(name, s->actor.user))
		return alpr_store_deny(s, "user-change", name, "nobody approves "
		    "their own account");
	if (!strcmp(str(u, "status"), "disabled"))
		return alpr_store_deny(s, "user-change", name, "disabled: "
		    "enable it first");
	if (strcmp(str(u, "status"), "pending"))
		return alpr_store_deny(s, "user-change", name, "already "
		    "approved");
	if (!alpr_role_may(s->actor.role, ALPR_MAY_APPROVE)) {
		/* An admin approves the first supervisor, while there is
		 * none to do it. */
		if (s->actor.role != ALPR_ROLE_ADMIN ||
		    alpr_user_role(u) != ALPR_ROLE_SUPERVISOR ||
		    has_supervisor(s, txn, name))
			return alpr_store_deny(s, "user-change", name, "only a supervisor "
			    "approves accounts (an admin only the first "
			    "supervisor)");
		boot = 1;
	} else if (!strcmp(str(u, "created_by"), s->actor.user))
		return alpr_store_deny(s, "user-change", name, "the creator of an account "
		    "does not approve it: another supervisor must");
	now_str(tm);
	if (str(u, "pending_role")) {
		json_object_set(u, "role", json_object_get(u, "pending_role"));
		json_object_del(u, "pending_role");
	}
	json_object_set_new(u, "status", json_string("active"));
	json_object_set_new(u, "approved", json_string(tm));
	json_object_set_new(u, "approved_by", json_string(s->actor.user));
	json_object_set_new(e, "change", json_pack("{s:s,s:s,s:b}", "op",
	    "approve", "role", str(u, "role"), "first_supervisor", boot));
	return 0;
}

int
alpr_user_approve(struct alpr_store *s, const char *name)
{
	if (s->actor.role < 0)
		return alpr_store_deny(s, "user-change", name, "not logged in");
	if (s->actor.role != ALPR_ROLE_ADMIN &&
	    !may(s, ALPR_MAY_APPROVE, "user-change", name))
		return 1;
	return change(s, name, 1, approve_fn, NULL);
}

struct trainarg {
	const char *completed, *expires;
	long days;
};

static int
date_ok(const char *d, struct timespec *t)
{
	char buf[40];

	if (!d || strlen(d) != 10)
		return 0;
	snprintf(buf, sizeof buf, "%sT00:00:00Z", d);
	return alpr_time_parse(buf, t) == 0;
}

static int
train_fn(struct alpr_store *s, MDB_txn *txn, json_t *u, json_t *e, void *arg)
{
	struct trainarg *a = arg;
	struct timespec c, x, now;
	char exp[16];
	struct tm tm;

	if (!strcmp(str(u, "name"), s->actor.user))
		return alpr_store_deny(s, "user-change", str(u, "name"), "nobody records "
		    "their own training");
	if (!date_ok(a->completed, &c))
		return alpr_store_deny(s, "user-change", str(u, "name"), "completed: want "
		    "a date YYYY-MM-DD");
	clock_gettime(CLOCK_REALTIME, &now);
	if (c.tv_sec > now.tv_sec)
		return alpr_store_deny(s, "user-change", str(u, "name"), "completed: a "
		    "date in the future");
	if (a->expires) {
		if (!date_ok(a->expires, &x) || x.tv_sec <= c.tv_sec)
			return alpr_store_deny(s, "user-change", str(u, "name"), "expires: "
			    "want a date YYYY-MM-DD after completion");
		snprintf(exp, sizeof exp, "%s", a->expires);
	} else {
		x.tv_sec = c.tv_sec + a->days * 86400;
		gmtime_r(&x.tv_sec, &tm);
		strftime(exp, sizeof exp, "%Y-%m-%d", &tm);
	}
	json_object_set_new(u, "training", json_pack("{s:s,s:s,s:s}",
	    "completed", a->completed, "expires", exp, "by", s->actor.user));
	json_object_set_new(e, "change", json_pack("{s:s,s:s,s:s}", "op",
	    "train", "completed", a->completed, "expires", exp));
	return 0;
}

int
alpr_user_train(struct alpr_store *s, const char *name, const char *completed,
    const char *expires)
{
	struct trainarg a = { completed, expires, s->conf.training_days };

	if (!may(s, ALPR_MAY_TRAIN, "user-change", name))
		return 1;
	return change(s, name, 1, train_fn, &a);
}

enum { OP_DISABLE, OP_ENABLE, OP_UNLOCK };
static const char *opname[] = { "disable", "enable", "unlock" };

struct statearg {
	int op;
	const char *reason;
};

static int
state_fn(struct alpr_store *s, MDB_txn *txn, json_t *u, json_t *e, void *arg)
{
	struct statearg *a = arg;
	const char *name = str(u, "name");
	char tm[ALPR_TIME_LEN];

	if (a->op != OP_DISABLE && !strcmp(name, s->actor.user))
		return alpr_store_deny(s, "user-change", name, "nobody enables or unlocks "
		    "their own account");
	switch (a->op) {
	case OP_DISABLE:
		json_object_set_new(u, "status", json_string("disabled"));
		json_object_set_new(u, "disabled_reason", json_string(
		    a->reason ? a->reason : "disabled by an admin"));
		break;
	case OP_ENABLE:
		if (strcmp(str(u, "status"), "disabled"))
			return alpr_store_deny(s, "user-change", name, "not disabled");
		/* Counted as used now, so that 90 days of disuse start
		 * again. */
		now_str(tm);
		json_object_set_new(u, "status", json_string(
		    str(u, "approved") ? "active" : "pending"));
		json_object_set_new(u, "last_login", json_string(tm));
		json_object_del(u, "disabled_reason");
		break;
	case OP_UNLOCK:
		if (!json_is_true(json_object_get(u, "locked")))
			return alpr_store_deny(s, "user-change", name, "not locked");
		json_object_set_new(u, "locked", json_false());
		json_object_set_new(u, "failures", json_array());
		break;
	}
	json_object_set_new(e, "change", json_pack("{s:s}", "op",
	    opname[a->op]));
	if (a->reason)
		json_object_set_new(e, "reason", json_string(a->reason));
	return 0;
}

static int
set_state(struct alpr_store *s, const char *name, int op, const char *reason)
{
	struct statearg a = { op, reason };

	if (!may(s, ALPR_MAY_ACCOUNTS, "user-change", name))
		return 1;
	return change(s, name, 1, state_fn, &a);
}

int
alpr_user_disable(struct alpr_store *s, const char *name, const char *reason)
{
	return set_state(s, name, OP_DISABLE, reason);
}

int
alpr_user_enable(struct alpr_store *s, const char *name)
{
	return set_state(s, name, OP_ENABLE, NULL);
}

int
alpr_user_unlock(struct alpr_store *s, const char *name)
{
	return set_state(s, name, OP_UNLOCK, NULL);
}

static int
role_fn(struct alpr_store *s, MDB_txn *txn, json_t *u, json_t *e, void *arg)
{
	int role = *(int *)arg, old = alpr_user_role(u);
	const char *name = str(u, "name");

	if (!strcmp(name, s->actor.user))
		return alpr_store_deny(s, "user-change", name, "nobody changes their own "
		    "role");
	if (role == old)
		return alpr_store_deny(s, "user-change", name, "has that role already");
	if ((role == ALPR_ROLE_DEVICE) != (old == ALPR_ROLE_DEVICE))
		return alpr_store_deny(s, "user-change", name, "a device account stays a "
		    "device, a person stays a person: add a new account");
	/* The new role waits for a supervisor's approval; meanwhile the
	 * account keeps nothing but what both roles may do: it is pending. */
	json_object_set_new(u, "pending_role", json_string(alpr_role_name(
	    role)));
	json_object_set_new(u, "status", json_string("pending"));
	json_object_set_new(e, "change", json_pack("{s:s,s:s,s:s}", "op",
	    "role", "from", alpr_role_name(old), "to", alpr_role_name(role)));
	return 0;
}

int
alpr_user_setrole(struct alpr_store *s, const char *name, int role)
{
	if (!may(s, ALPR_MAY_ACCOUNTS, "user-change", name))
		return 1;
	if (role < 0)
		return alpr_store_deny(s, "user-change", name, "no such role");
	return change(s, name, 1, role_fn, &role);
}

struct pwarg {
	const char *old, *pw;
	int self;
};

static int
pw_fn(struct alpr_store *s, MDB_txn *txn, json_t *u, json_t *e, void *arg)
{
	struct pwarg *a = arg;
	const char *name = str(u, "name"), *why;
	char buf[200], *h;

	if (alpr_user_role(u) == ALPR_ROLE_DEVICE)
		return alpr_store_deny(s, "user-change", name, "a device account has no "
		    "password");
	if (a->self && !alpr_password_check(str(u, "pwhash"), a->old))
		return alpr_store_deny(s, "user-change", name, "the current password is "
		    "wrong");
	if ((why = alpr_password_rules(&s->conf, name, a->pw, buf,
	    sizeof buf)))
		return alpr_store_deny(s, "user-change", name, why);
	if (alpr_password_check(str(u, "pwhash"), a->pw))
		return alpr_store_deny(s, "user-change", name, "the new password is the "
		    "old one");
	h = alpr_password_hash(a->pw);
	json_object_set_new(u, "pwhash", json_string(h));
	free(h);
	json_object_set_new(u, "pwgen", json_integer(json_integer_value(
	    json_object_get(u, "pwgen")) + 1));
	json_object_set_new(u, "must_change", json_boolean(!a->self));
	json_object_set_new(e, "change", json_pack("{s:s,s:b}", "op",
	    "password", "by_self", a->self));
	return 0;
}

int
alpr_user_passwd(struct alpr_store *s, const char *name, const char *old,
    const char *pw)
{
	struct pwarg a = { old, pw, 0 };

	if (s->actor.role < 0)
		return alpr_store_deny(s, "user-change", name, "not logged in");
	a.self = !strcmp(name, s->actor.user);
	if (!a.self && !may(s, ALPR_MAY_ACCOUNTS, "user-change", name))
		return 1;
	return change(s, name, 1, pw_fn, &a);
}

static int
totp_fn(struct alpr_store *s, MDB_txn *txn, json_t *u, json_t *e, void *arg)
{
	char **secret = arg;

	if (alpr_user_role(u) == ALPR_ROLE_DEVICE)
		return alpr_store_deny(s, "user-change", str(u, "name"), "a device account "
		    "has no second factor");
	*secret = alpr_totp_new();
	json_object_set_new(u, "totp", json_string(*secret));
	json_object_set_new(u, "totp_step", json_integer(0));
	json_object_set_new(u, "pwgen", json_integer(json_integer_value(
	    json_object_get(u, "pwgen")) + 1));
	json_object_set_new(e, "change", json_pack("{s:s}", "op", "totp"));
	return 0;
}

int
alpr_user_totp_reset(struct alpr_store *s, const char *name, char **secret)
{
	*secret = NULL;
	if (!may(s, ALPR_MAY_ACCOUNTS, "user-change", name))
		return 1;
	if (!strcmp(name, s->actor.user))
		return alpr_store_deny(s, "user-change", name, "an admin resets another's "
		    "second factor, not their own");
	return change(s, name, 1, totp_fn, secret);
}

/* What may be shown of an account: all but the hash and the secret. */
static json_t *
public_view(json_t *u, time_t now)
{
	json_t *p = json_deep_copy(u);

	json_object_del(p, "pwhash");
	json_object_del(p, "totp");
	json_object_del(p, "totp_step");
	json_object_set_new(p, "trained", json_boolean(alpr_user_trained(u,
	    now)));
	json_object_set_new(p, "second_factor", json_boolean(
	    json_object_get(u, "totp") != NULL));
	return p;
}

int
alpr_user_list(struct alpr_store *s, const char *only,
    void (*fn)(json_t *u, void *arg), void *arg)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	char name[40];
	json_t *u, *p, *e;
	time_t now = time(NULL);
	int rc, n = 0;

	if (!may(s, ALPR_MAY_LIST, "user-read", only))
		return 1;
	e = json_pack("{s:s,s:s,s:s}", "action", "user-read", "target",
	    only ? only : "*", "outcome", "ok");
	rc = alpr_store_logentry(s, e);
	json_decref(e);
	if (rc < 0) {
		alpr_warn("unable to write to the access log, so nothing is "
		    "shown:");
		return -1;
	}
	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return -1;
	mdb_cursor_open(txn, s->users, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		snprintf(name, sizeof name, "%.*s", (int)k.mv_size,
		    (char *)k.mv_data);
		if (only && strcmp(only, name))
			continue;
		if (!(u = st_user_get(s, txn, name)))
			continue;
		p = public_view(u, now);
		fn(p, arg);
		json_decref(p);
		json_decref(u);
		n++;
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	if (only && n == 0) {
		alpr_warn("%s: no such account", only);
		return 1;
	}
	return 0;
}

/*
 * A login. The password and code are checked outside any write
 * transaction (Argon2id takes a while); the outcome is then written to the
 * log and to the account together.
 */
struct loginarg {
	int ok, count, lock, idle;
	uint64_t step;
	const char *why;
};

static int
login_fn(struct alpr_store *s, MDB_txn *txn, json_t *u, json_t *e, void *arg)
{
	struct loginarg *a = arg;
	json_t *f = json_object_get(u, "failures"), *nf, *t;
	time_t now = time(NULL), from = now - s->conf.lockout_minutes * 60;
	char tm[ALPR_TIME_LEN];
	size_t i;

	json_object_set_new(e, "action", json_string(a->ok ? "login" :
	    "login-failed"));
	json_object_set_new(e, "user", json_string(str(u, "name")));
	json_object_set_new(e, "role", json_string(str(u, "role")));
	if (a->idle) {
		json_object_set_new(u, "status", json_string("disabled"));
		json_object_set_new(u, "disabled_reason", json_string(
		    "unused for longer than inactive_days"));
		json_object_set_new(e, "outcome", json_string("denied"));
		json_object_set_new(e, "refusal", json_string(a->why));
		json_object_set_new(e, "change", json_pack("{s:s}", "op",
		    "disable"));
		return 0;
	}
	if (a->ok) {
		now_str(tm);
		json_object_set_new(u, "failures", json_array());
		json_object_set_new(u, "last_login", json_string(tm));
		json_object_set_new(u, "totp_step", json_integer(a->step));
		return 0;
	}
	json_object_set_new(e, "outcome", json_string("denied"));
	json_object_set_new(e, "refusal", json_string(a->why));
	nf = json_array();
	json_array_foreach(f, i, t)
		if (json_integer_value(t) > from)
			json_array_append(nf, t);
	if (a->count)
		json_array_append_new(nf, json_integer(now));
	json_object_set_new(u, "failures", nf);
	if (!json_is_true(json_object_get(u, "locked")) &&
	    json_array_size(nf) >= (size_t)s->conf.lockout_failures) {
		json_object_set_new(u, "locked", json_true());
		a->lock = 1;
	}
	return 0;
}

int
alpr_login(struct alpr_store *s, const char *name, const char *pw,
    const char *code, int *must_change)
{
	struct loginarg a = { 0 };
	MDB_txn *txn;
	json_t *u, *e;
	time_t now = time(NULL), since;
	int r, role;

	*must_change = 0;
	if (!alpr_user_name_ok(name)) {
		alpr_password_check(NULL, pw);
		return alpr_store_deny(s, "login-failed", name, "no such account");
	}
	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return -1;
	u = st_user_get(s, txn, name);
	mdb_txn_abort(txn);
	if (!u) {
		alpr_password_check(NULL, pw);
		return alpr_store_deny(s, "login-failed", name, "no such account");
	}
	role = alpr_user_role(u);
	since = when(u, "last_login");
	if (!since)
		since = when(u, "approved");
	if (role == ALPR_ROLE_DEVICE)
		a.why = "a device account does not log in";
	else if (!strcmp(str(u, "status"), "pending"))
		a.why = "waiting for a supervisor's approval";
	else if (!strcmp(str(u, "status"), "disabled"))
		a.why = "disabled";
	else if (json_is_true(json_object_get(u, "locked")))
		a.why = "locked after failed logins: an admin must unlock it";
	else if (since && now - since > s->conf.inactive_days * 86400) {
		a.why = "disabled: unused for longer than inactive_days";
		a.idle = 1;
	} else if (!alpr_password_check(str(u, "pwhash"), pw)) {
		a.why = "wrong password or code";
		a.count = 1;
	} else if ((r = alpr_totp_verify(str(u, "totp"), code, now,
	    json_integer_value(json_object_get(u, "totp_step")),
	    &a.step)) <= 0) {
		a.why = r < 0 ? "wrong password or code (that code was used "
		    "already)" : "wrong password or code";
		a.count = 1;
	} else
		a.ok = 1;
	*must_change = a.ok && json_is_true(json_object_get(u, "must_change"));
	json_decref(u);
	r = change(s, name, 1, login_fn, &a);
	if (r != 0)
		return r;
	if (a.lock) {
		e = json_pack("{s:s,s:s,s:s,s:s}", "action", "lockout", "target",
		    name, "outcome", "ok", "cause", "too many failed logins");
		if (alpr_store_logentry(s, e) < 0)
			alpr_warn("unable to write the lockout to the log:");
		json_decref(e);
	}
	if (!a.ok) {
		alpr_warn("%s: login refused: %s%s", name, a.why, a.lock ?
		    "; the account is now locked" : "");
		return 1;
	}
	snprintf(s->actor.user, sizeof s->actor.user, "%s", name);
	s->actor.role = role;
	return 0;
}

int
alpr_user_lookup(struct alpr_store *s, const char *name, json_t **out)
{
	MDB_txn *txn;

	*out = NULL;
	if (!alpr_user_name_ok(name))
		return 0;
	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return -1;
	*out = st_user_get(s, txn, name);
	mdb_txn_abort(txn);
	return 0;
}
