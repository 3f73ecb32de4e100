/*
 * session.c: login sessions (alpr-store login, logout). A session is a
 * file sessions/CLIENT of the store home, 0600, for the OS user behind the
 * run (access.c): a JSON line and its HMAC under the key file's session
 * key, so that a session cannot be made or edited without the key. It ends
 * after session_idle_minutes without use, session_max_hours after the
 * login, at logout, and when the account is disabled, locked or given a
 * new password or second factor.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

static char *
session_path(struct alpr_store *s, const char *client)
{
	char name[140];
	size_t i, n = 0;

	for (i = 0; client[i] && n + 4 < sizeof name; i++)
		if (isalnum((unsigned char)client[i]) || strchr("._-",
		    client[i]))
			name[n++] = client[i];
		else
			n += snprintf(name + n, sizeof name - n, "%%%02x",
			    (unsigned char)client[i]);
	name[n] = '\0';
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		name[0] = '_';
	return alpr_path(s->sessdir, name);
}

static int
session_write(struct alpr_store *s, json_t *j)
{
	unsigned char mac[crypto_auth_BYTES];
	char b64[64], *line, *buf, *p;
	size_t n;
	int r;

	line = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	crypto_auth(mac, (unsigned char *)line, strlen(line), s->sessk);
	alpr_b64(b64, sizeof b64, mac, sizeof mac);
	n = strlen(line) + strlen(b64) + 3;
	buf = alpr_malloc(n);
	snprintf(buf, n, "%s\n%s\n", line, b64);
	p = session_path(s, s->actor.client);
	r = alpr_write_atomic_mode(p, buf, strlen(buf), 0600);
	if (r < 0)
		alpr_warn("unable to write the session %s:", p);
	free(p);
	free(buf);
	free(line);
	return r;
}

int
alpr_session_start(struct alpr_store *s)
{
	MDB_txn *txn;
	json_t *u, *j;
	time_t now = time(NULL);
	int r;

	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return -1;
	u = st_user_get(s, txn, s->actor.user);
	mdb_txn_abort(txn);
	if (!u)
		return -1;
	/* a session written anew (a password changed in it) ends when it
	 * would have: only a login starts the hours again */
	j = json_pack("{s:s,s:s,s:s,s:I,s:I,s:O,s:s}", "user", s->actor.user,
	    "client", s->actor.client, "store", s->id, "created",
	    (json_int_t)(s->sess_created ? s->sess_created : now), "last",
	    (json_int_t)now, "credgen",
	    json_object_get(u, "credgen"), "sid", s->sid);
	r = session_write(s, j);
	json_decref(j);
	json_decref(u);
	return r;
}

/* A session file refused as forged, damaged or another's: logged as a
 * failed login, the user it names (if any) and the OS user it was
 * offered by. */
static void
session_refused(struct alpr_store *s, json_t *j, const char *why)
{
	const char *user = j ? json_string_value(json_object_get(j, "user")) :
	    NULL;
	json_t *e = json_pack("{s:s,s:o,s:s,s:s,s:s}", "action",
	    "login-failed", "user", st_logtext(user ? user : "-", 64),
	    "target", s->actor.client, "outcome", "denied", "refusal", why);

	if (alpr_store_logentry(s, e) < 0)
		alpr_warn("unable to write the refused session to the log:");
	json_decref(e);
}

static json_t *
session_read(struct alpr_store *s)
{
	unsigned char mac[crypto_auth_BYTES], *buf;
	char *p = session_path(s, s->actor.client), *nl;
	json_t *j = NULL;
	size_t n, got;

	if (alpr_read_file(p, &buf, &n) < 0) {
		if (errno != ENOENT)
			alpr_warn("unable to read %s:", p);
		free(p);
		return NULL;
	}
	free(p);
	if (!(nl = memchr(buf, '\n', n)) || alpr_unb64(mac, sizeof mac, nl + 1,
	    strcspn(nl + 1, "\n"), &got) < 0 || got != sizeof mac ||
	    crypto_auth_verify(mac, buf, (char *)nl - (char *)buf,
	    s->sessk) != 0) {
		alpr_warn("the session file for %s is not one the store wrote: "
		    "log in again", s->actor.client);
		free(buf);
		session_refused(s, NULL, "a session file the store did not "
		    "write (forged, damaged, or made under an older key)");
		return NULL;
	}
	j = json_loadb((char *)buf, (char *)nl - (char *)buf, 0, NULL);
	free(buf);
	return j;
}

static void
session_remove(struct alpr_store *s)
{
	char *p = session_path(s, s->actor.client);

	unlink(p);
	free(p);
}

static int
has_sid(json_t *u, const char *sid)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(u, "sessions"), i, v)
		if (sid && json_is_string(v) && !strcmp(json_string_value(v),
		    sid))
			return 1;
	return 0;
}

/* End the session, writing why to the log; 0, or -1 if the log failed. */
static int
end(struct alpr_store *s, const char *user, const char *sid,
    const char *why)
{
	json_t *e = json_pack("{s:s,s:s,s:s,s:s}", "action", "logout", "user",
	    user, "outcome", "ok", "cause", why);
	int r = alpr_store_logentry(s, e);

	json_decref(e);
	session_remove(s);
	if (sid)
		st_user_end_session(s, user, sid);
	return r;
}

int
alpr_session_resume(struct alpr_store *s, int perm)
{
	json_t *j = session_read(s), *u = NULL;
	MDB_txn *txn;
	time_t now = time(NULL), created, last;
	const char *user, *why = NULL;
	char buf[200];
	int r = 1, role;

	if (!j) {
		alpr_warn("not logged in: run alpr-store login first");
		return 1;
	}
	user = json_string_value(json_object_get(j, "user"));
	created = json_integer_value(json_object_get(j, "created"));
	last = json_integer_value(json_object_get(j, "last"));
	if (!user || strcmp(json_string_value(json_object_get(j, "client")) ?
	    json_string_value(json_object_get(j, "client")) : "",
	    s->actor.client) || strcmp(json_string_value(json_object_get(j,
	    "store")) ? json_string_value(json_object_get(j, "store")) : "",
	    s->id)) {
		alpr_warn("the session file is not for %s in this store: log in "
		    "again", s->actor.client);
		session_refused(s, j, "a session file of another OS user or "
		    "store");
		session_remove(s);
		goto out;
	}
	if (st_txn(s, MDB_RDONLY, &txn) != 0) {
		r = -1;
		goto out;
	}
	u = st_user_get(s, txn, user);
	mdb_txn_abort(txn);
	if (now - last > s->conf.session_idle_minutes * 60) {
		snprintf(buf, sizeof buf, "session idle for more than %ld "
		    "minutes", s->conf.session_idle_minutes);
		why = buf;
	} else if (now - created > s->conf.session_max_hours * 3600) {
		snprintf(buf, sizeof buf, "session older than %ld hours",
		    s->conf.session_max_hours);
		why = buf;
	} else if (now < last || now < created)
		why = "session dated in the future";
	else if (!u)
		why = "the account is gone";
	else if (strcmp(json_string_value(json_object_get(u, "status")),
	    "active"))
		why = "the account is not active";
	else if (json_is_true(json_object_get(u, "locked")))
		why = "the account is locked";
	else if (!json_equal(json_object_get(u, "credgen"),
	    json_object_get(j, "credgen")))
		why = "the account's password or second factor changed";
	else if (!has_sid(u, json_string_value(json_object_get(j, "sid"))))
		why = "the session was ended";
	if (why) {
		alpr_warn("%s: session ended: %s; log in again", user, why);
		if (end(s, user, json_string_value(json_object_get(j, "sid")),
		    why) < 0) {
			alpr_warn("unable to write to the access log:");
			r = -1;
		}
		goto out;
	}
	role = alpr_user_role(u);
	s->sess_created = created;
	snprintf(s->sid, sizeof s->sid, "%s", json_string_value(
	    json_object_get(j, "sid")));
	snprintf(s->actor.user, sizeof s->actor.user, "%s", user);
	s->actor.role = role;
	if (json_is_true(json_object_get(u, "must_change")) &&
	    perm != ALPR_MAY_NONE) {
		alpr_warn("%s: set a new password first (alpr-store passwd)",
		    user);
		goto out;
	}
	if (perm >= 0 && !alpr_role_may(role, perm)) {
		snprintf(buf, sizeof buf, "the role %s may not do this "
		    "(alpr-store roles)", alpr_role_name(role));
		alpr_store_deny(s, "access", NULL, buf);
		goto out;
	}
	if (perm >= 0 && alpr_perm_needs_training(perm) &&
	    !alpr_user_trained(u, now)) {
		alpr_store_deny(s, "access", NULL, "no current training on "
		    "record: no access to ALPR data until a supervisor records "
		    "it (alpr-store user train)");
		goto out;
	}
	json_object_set_new(j, "last", json_integer(now));
	r = session_write(s, j) < 0 ? -1 : 0;
out:
	json_decref(u);
	json_decref(j);
	return r;
}

int
alpr_session_logout(struct alpr_store *s)
{
	json_t *j = session_read(s);
	const char *user;
	int r;

	if (!j) {
		alpr_warn("not logged in");
		return 1;
	}
	user = json_string_value(json_object_get(j, "user"));
	r = end(s, user ? user : "-", json_string_value(json_object_get(j,
	    "sid")), "logout");
	json_decref(j);
	return r < 0 ? -1 : 0;
}

void
st_sessions_rekey(struct alpr_store *s, const unsigned char *old)
{
	unsigned char mac[crypto_auth_BYTES], *buf;
	struct alpr_actor keep = s->actor;
	struct dirent *e;
	DIR *d = opendir(s->sessdir);
	char *p, *nl;
	size_t n, got;
	json_t *j;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		p = alpr_path(s->sessdir, e->d_name);
		j = NULL;
		if (alpr_read_file(p, &buf, &n) == 0) {
			if ((nl = memchr(buf, '\n', n)) && alpr_unb64(mac,
			    sizeof mac, nl + 1, strcspn(nl + 1, "\n"), &got) ==
			    0 && got == sizeof mac && crypto_auth_verify(mac,
			    buf, (char *)nl - (char *)buf, old) == 0)
				j = json_loadb((char *)buf, (char *)nl -
				    (char *)buf, 0, NULL);
			free(buf);
		}
		/* a session the old key made stays, under the new key */
		if (j && json_is_string(json_object_get(j, "client"))) {
			snprintf(s->actor.client, sizeof s->actor.client, "%s",
			    json_string_value(json_object_get(j, "client")));
			session_write(s, j);
		} else
			unlink(p);
		json_decref(j);
		free(p);
	}
	closedir(d);
	s->actor = keep;
}
