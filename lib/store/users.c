/*
 * users.c: the store's accounts (alpr-store(1) ACCOUNTS). An account is a
 * JSON object sealed under the key file's account key:
 *
 *	name, role, status (pending, active, disabled), locked,
 *	created, created_by, approved, approved_by, asks [{what, by,
 *	client}: the changes that made it pending since its last approval,
 *	and who asked for them], disabled_reason,
 *	disabled_from (the status an enable gives back),
 *	training {completed, expires, by}, pwhash (Argon2id), credgen
 *	(random, drawn anew with every new password or second factor, so
 *	that the sessions made before end), sessions (the ids of its open
 *	sessions),
 *	must_change, totp (base32 secret), totp_step (the last code's step),
 *	failures [times of failed logins], last_login (a person's),
 *	last_used (a device's: its last batch that stored reads, or its
 *	approval or enabling)
 *
 * Every change is written to the access log before it is committed. Who
 * may change what is the role table (access.c) plus separation of duties:
 * nobody approves, trains, unlocks, enables or changes the role of their
 * own account, and nobody approves what they asked for (an account
 * made, a role, a password set, a second factor reset), under that
 * account or another from the same OS user (save the first supervisor,
 * approved by an admin while there is none).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

json_t *
st_user_get(struct alpr_store *s, MDB_txn *txn, const char *name)
{
	return st_record_get(txn, s->users, "user", name, s->userk);
}

int
st_user_put(struct alpr_store *s, MDB_txn *txn, const char *name, json_t *u)
{
	return st_record_put(txn, s->users, "user", name, u, s->userk);
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

static void
new_credgen(json_t *u)
{
	unsigned char r[16];
	char hex[33];

	randombytes_buf(r, sizeof r);
	sodium_bin2hex(hex, sizeof hex, r, sizeof r);
	json_object_set_new(u, "credgen", json_string(hex));
	json_object_set_new(u, "sessions", json_array());
}

static const char *
str(json_t *u, const char *k)
{
	return json_string_value(json_object_get(u, k));
}

/* Note who asks for a change that makes the account pending (its
 * creation, a role, a password an admin sets, a second factor reset):
 * none of them approves it (asked_by); an approval clears the asks. */
static void
ask(const struct alpr_store *s, json_t *u, const char *what)
{
	json_t *asks = json_object_get(u, "asks");

	if (!json_is_array(asks))
		json_object_set_new(u, "asks", asks = json_array());
	json_array_append_new(asks, json_pack("{s:s,s:s,s:s}", "what", what,
	    "by", s->actor.user[0] ? s->actor.user : "-", "client",
	    s->actor.client));
}

/* Disable an account: its sessions end, and enabling it gives it back
 * the status it had (pending stays pending: an enable approves nothing). */
static void
disable(json_t *u, const char *why)
{
	if (strcmp(str(u, "status") ? str(u, "status") : "", "disabled"))
		json_object_set_new(u, "disabled_from", json_string(
		    str(u, "status") ? str(u, "status") : "pending"));
	json_object_set_new(u, "status", json_string("disabled"));
	json_object_set_new(u, "disabled_reason", st_logtext(why,
	    ALPR_REASON_MAX));
	new_credgen(u);
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

	if (!alpr_user_name_ok(name))
		return alpr_store_deny(s, "user-change", name, "not an account "
		    "name (1 to 32 of a-z 0-9 . _ -, starting with a letter)");
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
	} else
		ask(s, u, "create");
	new_credgen(u);
	if (a->role != ALPR_ROLE_DEVICE) {
		h = alpr_password_hash(a->pw);
		json_object_set_new(u, "pwhash", json_string(h));
		free(h);
		json_object_set_new(u, "must_change", json_boolean(
		    !a->bootstrap));
		json_object_set_new(u, "pw_set_client", json_string(
		    s->actor.client));
		json_object_set_new(u, "totp_step", json_integer(0));
		/* the first admin enrols now, at init; everyone else at their
		 * own first login, so that no admin ever sees their secret */
		if (a->bootstrap) {
			a->secret = alpr_totp_new();
			json_object_set_new(u, "totp", json_string(a->secret));
		}
	}
	json_object_set_new(u, "failures", json_array());
	json_object_set_new(e, "change", json_pack("{s:s,s:s}", "op", "add",
	    "role", alpr_role_name(a->role)));
	return 0;
}

int
alpr_user_add(struct alpr_store *s, const char *name, int role,
    const char *pw)
{
	struct addarg a = { role, pw, s->actor.user, NULL, 0 };
	char why[200];
	const char *e;

	if (!may(s, ALPR_MAY_ACCOUNTS, "user-change", name))
		return 1;
	if (role < 0)
		return alpr_store_deny(s, "user-change", name, "no such role");
	if (role != ALPR_ROLE_DEVICE && (e = alpr_password_rules(&s->conf,
	    name, pw, why, sizeof why)))
		return alpr_store_deny(s, "user-change", name, e);
	return change(s, name, 0, add_fn, &a);
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

/* Did the one now acting ask for what an approval would grant: create
 * the account, ask for its role, set its password or reset its second
 * factor, since it was last approved? The same account, or another
 * reached from the same OS user (one person, two accounts). An account
 * made before the asks were kept has its creator to go by. */
static int
asked_by(const struct alpr_store *s, json_t *u)
{
	json_t *asks = json_object_get(u, "asks"), *v;
	size_t i;

	if (!asks)
		return st_same_person(s, str(u, "created_by"), NULL);
	json_array_foreach(asks, i, v)
		if (st_same_person(s, str(v, "by"), str(v, "client")))
			return 1;
	return 0;
}

static int
approve_fn(struct alpr_store *s, MDB_txn *txn, json_t *u, json_t *e,
    void *arg)
{
	char tm[ALPR_TIME_LEN];
	const char *name = str(u, "name");
	MDB_val flag;
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
		/* An admin approves the first supervisor the store ever has,
		 * and no other. */
		if (s->actor.role != ALPR_ROLE_ADMIN ||
		    alpr_user_role(u) != ALPR_ROLE_SUPERVISOR ||
		    st_meta_get(s, txn, "supervisor_approved", &flag) == 0 ||
		    has_supervisor(s, txn, name))
			return alpr_store_deny(s, "user-change", name, "only a supervisor "
			    "approves accounts (an admin only the first "
			    "supervisor)");
		boot = 1;
	} else if (asked_by(s, u))
		return alpr_store_deny(s, "user-change", name, "who asked for "
		    "what is to be approved (the account, its role, a password "
		    "set, a second factor reset) does not approve it, under "
		    "that account or another from the same OS user: another "
		    "supervisor must");
	now_str(tm);
	if (str(u, "pending_role")) {
		/* said, so that one who approves a password sees the role */
		alpr_warn("%s: approved as %s (was %s)", name,
		    str(u, "pending_role"), str(u, "role"));
		json_object_set_new(e, "from_role", json_string(str(u,
		    "role")));
		json_object_set(u, "role", json_object_get(u, "pending_role"));
		json_object_del(u, "pending_role");
	}
	json_object_set_new(u, "status", json_string("active"));
	json_object_set_new(u, "approved", json_string(tm));
	if (alpr_user_role(u) == ALPR_ROLE_DEVICE)	/* disuse from now */
		json_object_set_new(u, "last_used", json_string(tm));
	json_object_set_new(u, "approved_by", json_string(s->actor.user));
	json_object_del(u, "asks");
	if (alpr_user_role(u) == ALPR_ROLE_SUPERVISOR &&
	    st_meta_put(s, txn, "supervisor_approved", "1", 1) != 0)
		return -1;
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
		if (!date_ok(a->expires, &x) || x.tv_sec <= c.tv_sec ||
		    x.tv_sec > c.tv_sec + 1095 * 86400)
			return alpr_store_deny(s, "user-change", str(u, "name"),
			    "expires: want a date YYYY-MM-DD after completion, "
			    "at most three years after it");
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
		disable(u, a->reason ? a->reason : "disabled by an admin");
		break;
	case OP_ENABLE:
		if (strcmp(str(u, "status"), "disabled"))
			return alpr_store_deny(s, "user-change", name, "not disabled");
		/* Counted as used now, so that 90 days of disuse start
		 * again. */
		now_str(tm);
		json_object_set_new(u, "status", json_string(
		    str(u, "disabled_from") ? str(u, "disabled_from") :
		    str(u, "approved") ? "active" : "pending"));
		json_object_del(u, "disabled_from");
		json_object_set_new(u, alpr_user_role(u) == ALPR_ROLE_DEVICE ?
		    "last_used" : "last_login", json_string(tm));
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
		json_object_set_new(e, "reason", st_logtext(a->reason,
		    ALPR_REASON_MAX));
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
	ask(s, u, "role");
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
	new_credgen(u);
	json_object_set_new(u, "must_change", json_boolean(!a->self));
	if (!a->self) {
		/* a password an admin set waits for a supervisor, and is not
		 * used from the admin's own OS account */
		json_object_set_new(u, "status", json_string("pending"));
		json_object_set_new(u, "pw_set_client", json_string(
		    s->actor.client));
		ask(s, u, "password");
	}
	/* one's own change of password keeps one's own session */
	if (a->self && s->sid[0])
		json_array_append_new(json_object_get(u, "sessions"),
		    json_string(s->sid));
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
	if (a.self && !old)	/* alpr-store user passwd on oneself */
		return alpr_store_deny(s, "user-change", name, "one's own "
		    "password is changed with alpr-store passwd, which asks "
		    "for the current one");
	if (!a.self && !may(s, ALPR_MAY_ACCOUNTS, "user-change", name))
		return 1;
	return change(s, name, 1, pw_fn, &a);
}

static int
totp_fn(struct alpr_store *s, MDB_txn *txn, json_t *u, json_t *e, void *arg)
{

	if (alpr_user_role(u) == ALPR_ROLE_DEVICE)
		return alpr_store_deny(s, "user-change", str(u, "name"), "a device account "
		    "has no second factor");
	/* its owner enrols a new one at the next login, once a supervisor
	 * has approved */
	json_object_del(u, "totp");
	json_object_del(u, "totp_pending");
	json_object_set_new(u, "totp_step", json_integer(0));
	json_object_set_new(u, "status", json_string("pending"));
	ask(s, u, "totp");
	new_credgen(u);
	json_object_set_new(e, "change", json_pack("{s:s}", "op", "totp"));
	return 0;
}

int
alpr_user_totp_reset(struct alpr_store *s, const char *name)
{
	if (!may(s, ALPR_MAY_ACCOUNTS, "user-change", name))
		return 1;
	if (!strcmp(name, s->actor.user))
		return alpr_store_deny(s, "user-change", name, "an admin resets "
		    "another's second factor, not their own");
	return change(s, name, 1, totp_fn, NULL);
}

/*
 * What may be shown of an account: the members alpr-records(5) lists,
 * never its hash, its second factor's secret, nor the store's own
 * bookkeeping (the credential generation, the ids of its sessions: their
 * number instead), a member added to accounts later shown only once it is
 * listed here.
 */
static json_t *
public_view(json_t *u, time_t now)
{
	static const char *shown[] = { "name", "role", "status", "locked",
	    "created", "created_by", "approved", "approved_by", "asks",
	    "disabled_reason", "training", "must_change", "last_login",
	    "last_used", "failures", NULL };
	json_t *p = json_object(), *v;
	const char **f;

	for (f = shown; *f; f++)
		if ((v = json_object_get(u, *f)))
			json_object_set(p, *f, v);
	json_object_set_new(p, "open_sessions", json_integer(
	    (json_int_t)json_array_size(json_object_get(u, "sessions"))));
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
	if (alpr_store_log_access(s, e) < 0)
		return -1;
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
 * A login, in three steps, so that neither a race nor a stolen password
 * gets past what one login at a time would meet:
 *	1. in a write transaction: refuse a locked account, or one with as
 *	   many recent failures as lock it; else count this attempt as a
 *	   failure now, before anything is checked;
 *	2. outside any transaction (Argon2id takes a while): the password,
 *	   then, for one who knows it, the account's state and the code;
 *	3. in a write transaction, with the account read again: the outcome,
 *	   in the account and the log together; a success takes its attempt
 *	   back, and the code's step must still be later than the last used.
 * One who does not know the password learns only that the login was
 * refused; the log says why.
 */
#define REFUSED "login refused: wrong user, password or code (or the " \
	"account may not log in)"

/* Failures of the last lockout_minutes: objects {t, id}. */
static json_t *
recent(struct alpr_store *s, json_t *u, time_t now)
{
	json_t *f = json_object_get(u, "failures"), *nf = json_array(), *v;
	time_t from = now - s->conf.lockout_minutes * 60;
	size_t i;

	json_array_foreach(f, i, v)
		if (json_integer_value(json_object_get(v, "t")) > from)
			json_array_append(nf, v);
	return nf;
}

/* A login (ok), a failed one (why), or a second factor enrolled. */
static int
log_login(struct alpr_store *s, const char *name, int role, int ok,
    int enrol, const char *why)
{
	json_t *e = json_pack("{s:s,s:o,s:o,s:s}", "action", enrol ? "enrol" :
	    ok ? "login" : "login-failed", "user", st_logtext(name, 64),
	    "target", st_logtext(name, 64), "outcome", ok || enrol ? "ok" :
	    "denied");
	int r;

	if (role >= 0)
		json_object_set_new(e, "role", json_string(alpr_role_name(role)));
	if (why)
		json_object_set_new(e, "refusal", json_string(why));
	r = alpr_store_logentry(s, e);
	json_decref(e);
	return r;
}

static int
log_lockout(struct alpr_store *s, const char *name)
{
	json_t *e = json_pack("{s:s,s:s,s:s,s:s}", "action", "lockout",
	    "target", name, "outcome", "ok", "cause",
	    "too many failed logins");
	int r = alpr_store_logentry(s, e);

	json_decref(e);
	return r;
}

/* Step 1: 0 go on (attempt counted, its id in aid), 1 refused, -1. */
static int
attempt(struct alpr_store *s, const char *name, const char *aid)
{
	MDB_txn *txn;
	json_t *u, *f;
	time_t now = time(NULL);
	int r = -1, locked, lock = 0;

	if (st_wbegin(s, &txn) != 0)
		return -1;
	if (!(u = st_user_get(s, txn, name))) {
		st_wend(s, txn, 0);
		return 1;
	}
	f = recent(s, u, now);
	locked = json_is_true(json_object_get(u, "locked"));
	if (!locked && json_array_size(f) >= (size_t)s->conf.lockout_failures) {
		json_object_set_new(u, "locked", json_true());
		new_credgen(u);		/* a lockout ends its sessions */
		locked = lock = 1;
	}
	if (!locked)
		json_array_append_new(f, json_pack("{s:I,s:s}", "t",
		    (json_int_t)now, "id", aid));
	json_object_set_new(u, "failures", f);
	if ((lock && log_lockout(s, name) < 0) || (locked && log_login(s, name,
	    alpr_user_role(u), 0, 0, "locked after failed logins") < 0))
		alpr_warn("unable to write to the access log:");
	else if (st_user_put(s, txn, name, u) == 0)
		r = locked;
	json_decref(u);
	if (st_wend(s, txn, r >= 0) != 0)
		r = -1;
	return r;
}

/* What a login stands on: the credentials' generation, the status and the
 * role (a static buffer). */
static const char *
stamp(json_t *u)
{
	static char b[160];

	snprintf(b, sizeof b, "%s|%s|%s", str(u, "credgen") ? str(u,
	    "credgen") : "", str(u, "status") ? str(u, "status") : "",
	    str(u, "role") ? str(u, "role") : "");
	return b;
}

/*
 * Step 3. outcome: 0 success, 1 a failure (the attempt stands), 2 a
 * refusal for one who knew the password (the attempt is taken back),
 * 3 inactive (disable it), 4 second factor enrolled. Returns 0 for a
 * login that stands, 1 refused, -1.
 */
static int
settle(struct alpr_store *s, const char *name, const char *aid, int outcome,
    const char *why, uint64_t step, const char *pending, const char *seen,
    int *enrolled)
{
	char tm[ALPR_TIME_LEN];
	MDB_txn *txn;
	json_t *u, *f, *ss, *v;
	size_t i;
	int r = -1, lock = 0, role;

	*enrolled = 0;
	if (st_wbegin(s, &txn) != 0)
		return -1;
	if (!(u = st_user_get(s, txn, name))) {
		st_wend(s, txn, 0);
		return 1;
	}
	role = alpr_user_role(u);
	/* the account as the password and code were checked against: a new
	 * password, second factor, status or role since, and this login is
	 * not the one it was */
	if ((outcome == 0 || outcome == 4) && strcmp(seen, stamp(u))) {
		outcome = 2;
		why = "the account changed while it logged in (a password, "
		    "second factor, role or status): log in again";
	}
	f = json_object_get(u, "failures");
	if (outcome != 1)
		json_array_foreach(f, i, v)
			if (!strcmp(json_string_value(json_object_get(v, "id")) ?
			    json_string_value(json_object_get(v, "id")) : "",
			    aid)) {
				json_array_remove(f, i);
				break;
			}
	/* what another login did meanwhile; a code used already (a
	 * replay, or two logins at once with one code) */
	if (outcome == 0 && json_is_true(json_object_get(u, "locked"))) {
		outcome = 2;
		why = "locked after failed logins";
	} else if (outcome == 0 && step <= (uint64_t)json_integer_value(
	    json_object_get(u, "totp_step"))) {
		outcome = 1;
		why = "wrong password or code (that code was used already)";
	}
	if (outcome == 1 && !json_is_true(json_object_get(u, "locked"))) {
		json_t *nf = recent(s, u, time(NULL));
		if (json_array_size(nf) >= (size_t)s->conf.lockout_failures) {
			json_object_set_new(u, "locked", json_true());
			lock = 1;
		}
		json_decref(nf);
	}
	if (outcome == 3)
		disable(u, "unused for longer than inactive_days");
	if (lock)
		new_credgen(u);		/* a lockout ends its sessions */
	if (outcome == 4)
		json_object_set_new(u, "totp_pending", json_string(pending));
	if (outcome == 0) {
		alpr_time_now(tm);
		if (json_object_get(u, "totp_pending")) {
			/* the second factor's first code: it is the one now */
			json_object_set(u, "totp", json_object_get(u,
			    "totp_pending"));
			json_object_del(u, "totp_pending");
		}
		json_object_set_new(u, "last_login", json_string(tm));
		json_object_set_new(u, "totp_step", json_integer(step));
		if (!json_is_array(ss = json_object_get(u, "sessions")))
			json_object_set_new(u, "sessions", ss = json_array());
		while (json_array_size(ss) >= 16)
			json_array_remove(ss, 0);	/* the oldest ends */
		json_array_append_new(ss, json_string(s->sid));
	}
	if (log_login(s, name, role, outcome == 0, outcome == 4, outcome == 4 ?
	    NULL : why) < 0 ||
	    (lock && log_lockout(s, name) < 0))
		alpr_warn("unable to write the login to the access log:");
	else if (st_user_put(s, txn, name, u) == 0)
		r = outcome == 0 ? 0 : 1;
	if (st_wend(s, txn, r >= 0) != 0)
		r = -1;
	if (r == 0) {
		snprintf(s->actor.user, sizeof s->actor.user, "%s", name);
		s->actor.role = role;
	} else if (r > 0 && outcome != 4)
		/* an enrolment is said by the caller, after the secret */
		alpr_warn("%s: %s", name, outcome == 1 ? REFUSED : why);
	*enrolled = r > 0 && outcome == 4;
	json_decref(u);
	return r;
}

/* Is the account a device's, approved and active? */
static int
active_device(json_t *u)
{
	return alpr_user_role(u) == ALPR_ROLE_DEVICE &&
	    !strcmp(str(u, "status"), "active");
}

/* Since when devices' use is kept (meta "device_use_from": the first
 * add through a key after the store began to keep it), for an account
 * with no use of its own: a dormant key from before is disabled
 * inactive_days after that, and the cars in use are not all disabled on
 * the day of the upgrade. */
static time_t
kept_since(struct alpr_store *s, MDB_txn *txn, int *r)
{
	char tm[ALPR_TIME_LEN];
	struct timespec t;
	MDB_val v;

	if (st_meta_get(s, txn, "device_use_from", &v) == 0 &&
	    v.mv_size < sizeof tm) {
		memcpy(tm, v.mv_data, v.mv_size);
		tm[v.mv_size] = '\0';
		if (alpr_time_parse(tm, &t) == 0)
			return t.tv_sec;
	}
	now_str(tm);
	if (st_meta_put(s, txn, "device_use_from", tm, strlen(tm)) != 0)
		*r = -1;
	return time(NULL);
}

/*
 * A device's use: an add under its account, which never logs in, through
 * its SSH key (the service account's own pipeline is no credential). One
 * unused for inactive_days (since the last batch it stored, its approval
 * or its enabling) is disabled, the change logged, and the add refused,
 * as a person's account is at its next login. Its use is kept by each
 * batch that stores reads (st_device_batch), not by an add that stores
 * nothing, so that a dormant key is not kept alive by empty adds or
 * reads stored already. An account with no use kept (made before it
 * was) counts from kept_since or its approval; one kept in the future
 * (a clock run ahead) starts from now. 0 the device may add, 1 refused
 * (said why), -1 error.
 */
int
alpr_device_use(struct alpr_store *s, const char *name)
{
	char tm[ALPR_TIME_LEN], why[120];
	time_t now = time(NULL), since;
	MDB_txn *txn;
	json_t *u, *e = NULL;
	int r = 0;

	if (st_wbegin(s, &txn) != 0)
		return -1;
	if (!(u = st_user_get(s, txn, name)) || !active_device(u)) {
		st_wend(s, txn, 0);	/* the caller checked: changed since */
		json_decref(u);
		return alpr_store_deny(s, "add", name, "the device account is "
		    "not an approved and active device");
	}
	if (!(since = when(u, "last_used")) && (since = kept_since(s, txn,
	    &r)) < when(u, "approved"))
		since = when(u, "approved");
	if (r < 0) {
		st_wend(s, txn, 0);
		json_decref(u);
		return -1;
	}
	if (since && since <= now &&
	    now - since > s->conf.inactive_days * 86400) {
		alpr_time_fmt(&(struct timespec){ since, 0 }, tm);
		snprintf(why, sizeof why, "unused for longer than "
		    "inactive_days (%ld): last used %s", s->conf.inactive_days,
		    tm);
		disable(u, why);
		e = json_pack("{s:s,s:s,s:s,s:s,s:{s:s},s:s}", "action",
		    "user-change", "user", "-", "target", name, "outcome", "ok",
		    "change", "op", "disable", "reason", why);
		if (alpr_store_logentry(s, e) < 0) {
			alpr_warn("unable to write the change to the access "
			    "log, so it is not made:");
			r = -1;
		} else
			r = 1;
	} else if (since && since <= now) {
		json_decref(u);
		return st_wend(s, txn, 1) != 0 ? -1 : 0;	/* kept_since's */
	} else {
		now_str(tm);
		json_object_set_new(u, "last_used", json_string(tm));
	}
	if (r >= 0 && st_user_put(s, txn, name, u) < 0)
		r = -1;
	if (st_wend(s, txn, r >= 0) != 0)
		r = -1;
	json_decref(u);
	json_decref(e);
	if (r == 1)
		alpr_store_deny(s, "add", name, "disabled: unused for longer "
		    "than inactive_days; an admin enables it again");
	return r;
}

int
st_device_batch(struct alpr_store *s, MDB_txn *txn, const char *name,
    int used)
{
	char tm[ALPR_TIME_LEN];
	time_t now = time(NULL), since;
	json_t *u;
	int r = 0;

	if (!(u = st_user_get(s, txn, name))) {
		alpr_warn("%s: the device account does not open", name);
		return -1;
	}
	if (!active_device(u))
		r = 1;
	else if (used && (!(since = when(u, "last_used")) || since > now ||
	    now - since >= 3600)) {
		now_str(tm);
		json_object_set_new(u, "last_used", json_string(tm));
		r = st_user_put(s, txn, name, u);	/* MDB_MAP_FULL kept */
	}
	json_decref(u);
	return r;
}

int
alpr_login(struct alpr_store *s, const char *name, const char *pw,
    const char *code, int *must_change, char **enrol)
{
	unsigned char rnd[16];
	char aid[33], *secret = NULL, seen[160];
	const char *why = NULL, *totp;
	MDB_txn *txn;
	json_t *u;
	time_t now = time(NULL), since;
	uint64_t step = 0;
	int r, outcome = 0, role, enrolled;

	*must_change = 0;
	*enrol = NULL;
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(s->sid, sizeof s->sid, rnd, sizeof rnd);
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(aid, sizeof aid, rnd, sizeof rnd);
	if (!alpr_user_name_ok(name) || (r = attempt(s, name, aid)) == 1) {
		/* unknown, or locked: the same answer, after the same wait */
		alpr_password_check(NULL, pw);
		if (!alpr_user_name_ok(name) || alpr_user_lookup(s, name, &u) ||
		    !u)
			log_login(s, name, -1, 0, 0, "no such account");
		else
			json_decref(u);
		alpr_warn("%s: %s", name, REFUSED);
		return 1;
	}
	if (r < 0)
		return -1;
	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return -1;
	u = st_user_get(s, txn, name);
	mdb_txn_abort(txn);
	if (!u)
		return -1;
	role = alpr_user_role(u);
	since = when(u, "last_login");
	if (!since)
		since = when(u, "approved");
	if (!alpr_password_check(str(u, "pwhash"), pw)) {
		outcome = 1;
		why = "wrong password or code";
	} else if (role == ALPR_ROLE_DEVICE) {
		outcome = 2;
		why = "a device account does not log in";
	} else if (!strcmp(str(u, "status"), "pending")) {
		outcome = 2;
		why = "waiting for a supervisor's approval";
	} else if (!strcmp(str(u, "status"), "disabled")) {
		outcome = 2;
		why = "disabled";
	} else if (since && now - since > s->conf.inactive_days * 86400) {
		outcome = 3;
		why = "disabled: unused for longer than inactive_days";
	} else if (json_is_true(json_object_get(u, "must_change")) &&
	    str(u, "pw_set_client") && !strcmp(str(u, "pw_set_client"),
	    s->actor.client)) {
		outcome = 2;
		why = "the first login with a password an admin set comes from "
		    "another OS account than the admin's";
	} else if (!(totp = str(u, "totp")) && !(totp = str(u,
	    "totp_pending"))) {
		/* the second factor, enrolled by its owner alone */
		outcome = 4;
		secret = alpr_totp_new();
	} else if (!alpr_totp_verify(totp, code, now, &step)) {
		outcome = 1;
		why = "wrong password or code";
	}
	*must_change = outcome == 0 && json_is_true(json_object_get(u,
	    "must_change"));
	snprintf(seen, sizeof seen, "%s", stamp(u));
	json_decref(u);
	r = settle(s, name, aid, outcome, why, step, secret, seen, &enrolled);
	if (enrolled)
		*enrol = secret;
	else if (secret) {
		sodium_memzero(secret, strlen(secret));
		free(secret);
	}
	return enrolled ? 2 : r;
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

void
alpr_user_count(struct alpr_store *s, void (*fn)(json_t *account, void *arg),
    void *arg)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	char name[40];
	json_t *u;
	int rc;

	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return;
	mdb_cursor_open(txn, s->users, &c);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		snprintf(name, sizeof name, "%.*s", (int)k.mv_size,
		    (char *)k.mv_data);
		if ((u = st_user_get(s, txn, name))) {
			fn(u, arg);
			json_decref(u);
		}
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
}

/* Take a session id off an account's list (logout, a session's end). */
void
st_user_end_session(struct alpr_store *s, const char *name, const char *sid)
{
	MDB_txn *txn;
	json_t *u, *ss, *v;
	size_t i;

	if (!alpr_user_name_ok(name) || st_wbegin(s, &txn) != 0)
		return;
	if ((u = st_user_get(s, txn, name))) {
		ss = json_object_get(u, "sessions");
		json_array_foreach(ss, i, v)
			if (json_is_string(v) && !strcmp(json_string_value(v),
			    sid)) {
				json_array_remove(ss, i);
				break;
			}
		st_user_put(s, txn, name, u);
		json_decref(u);
	}
	st_wend(s, txn, 1);
}
