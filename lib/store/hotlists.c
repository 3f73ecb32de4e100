/*
 * hotlists.c: the agency's signature on a hotlist (alpr-store hotlist
 * ask, hotlist sign). One supervisor asks for a list to be signed, and
 * another, who may still, signs it on that ask; a patrol car whose policy
 * names the agency's key (alpr-match(1), hotlist_key) loads only lists so
 * signed, so an officer, or a supervisor alone, who puts a partner's
 * plate on the car's list, or loads a list of their own, gets no alert
 * from it; and every plate of a list is in the access log at each step,
 * with who asked or signed and why, before the ask or the signature
 * exists (lib/hotlist/hlsig.c has their formats).
 */
#include <stdint.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

/* The plates a log entry holds: a list longer goes in more entries. */
#define PART 2000

static void
add_plate(const char *plate, int maxdiff, void *arg)
{
	(void)maxdiff;
	json_array_append_new(arg, json_string(plate));
}

/* The first entry that is a pattern too wide to search by (fewer than
 * three characters, or none two side by side or at an end), as why; or
 * NULL. */
static const char *
wide_pattern(json_t *plates, char *why, size_t n)
{
	const char *t;
	json_t *v;
	size_t i;

	json_array_foreach(plates, i, v) {
		if (!(t = json_string_value(v)) || !alpr_is_pattern(t))
			continue;
		if (!alpr_glob_narrow(t)) {
			snprintf(why, n, "the entry %.20s is too wide: a pattern "
			    "signed for the cars gives at least three "
			    "characters, two of them side by side or one at "
			    "either end, as a search's does, so that no list "
			    "alerts on a share of every car", t);
			return why;
		}
	}
	return NULL;
}

/*
 * The ask in file askfile (the caller's, "-": standard input): its list's
 * name in name, its bytes in a file in memory whose path is in *path
 * (malloc'd), who asked in by, if it is the agency's ask and was made by
 * someone other than the one signing. NULL, or why not.
 */
static const char *
asked(struct alpr_store *s, const char *askfile, const char *vkey,
    char *name, size_t nn, char **path, char *by, size_t bn, char *why,
    size_t wn)
{
	unsigned char *text;
	char client[128], inner[400], buf[64], *p;
	const char *e;
	MDB_txn *txn;
	json_t *u;
	size_t n, off;
	int fd;

	*path = NULL;
	if (!(p = alpr_caller_file(askfile, 0)))
		return "the ask cannot be read as yours (said above)";
	if (alpr_read_file(p, &text, &n) < 0) {
		free(p);
		snprintf(why, wn, "the ask %s cannot be read", askfile);
		return why;
	}
	free(p);
	if ((e = alpr_hlask_check((char *)text, n, vkey, name, nn, &off, by,
	    bn, client, sizeof client, inner, sizeof inner))) {
		free(text);
		snprintf(why, wn, "the ask %s: %s", askfile, e);
		return why;
	}
	/* two people: the one who asks is not the one who signs, under
	 * another account of theirs either */
	if (st_same_person(s, by, client)) {
		free(text);
		snprintf(why, wn, "the list was asked for by %s, from OS user "
		    "%s: nobody signs a list they asked for; another "
		    "supervisor signs it", by, client);
		return why;
	}
	/* the one who asked may still ask: an ask outlives neither its
	 * asker's account nor their standing as a supervisor */
	if (st_txn(s, MDB_RDONLY, &txn) != 0) {
		free(text);
		return alpr_store_broken;
	}
	u = st_user_get(s, txn, by);
	mdb_txn_abort(txn);
	if (!u || !json_is_string(json_object_get(u, "status")) ||
	    strcmp(json_string_value(json_object_get(u, "status")),
	    "active") || !alpr_role_may(alpr_user_role(u),
	    ALPR_MAY_HOTLISTS) || !alpr_user_trained(u, time(NULL))) {
		json_decref(u);
		free(text);
		snprintf(why, wn, "the list was asked for by %s, who may no "
		    "longer ask for one (the account is gone, disabled, no "
		    "supervisor, or its training has lapsed): a supervisor "
		    "who may asks for it again", by);
		return why;
	}
	json_decref(u);
	/* the list as it was asked for, read as any list is */
	if ((fd = memfd_create("alpr-asked", MFD_CLOEXEC)) < 0 ||
	    alpr_write_all(fd, text + off, n - off) < 0) {
		alpr_warn("unable to take in the list the ask holds:");
		if (fd >= 0)
			close(fd);
		free(text);
		return alpr_store_broken;
	}
	free(text);
	snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd);
	*path = alpr_strdup(buf);	/* the fd stays open until exit */
	return NULL;
}

/*
 * Ask for a list to be signed (action "hotlist-ask": file is the list,
 * shown its name or NULL), or sign it on an ask ("hotlist-sign": file is
 * the ask), for reason: every plate in the access log under action, then
 * the ask's or the signature's text in *out.
 */
static int
take(struct alpr_store *s, const char *action, const char *file,
    const char *shown, const char *reason, char **out)
{
	struct alpr_hlpolicy pol;
	struct alpr_hlstats st;
	struct alpr_hotlist *hl = NULL;
	unsigned char sk[64], *bytes = NULL;
	char why[800], name[256], tm[ALPR_TIME_LEN], by[64], hash[ALPR_SHA256_HEX];
	char asfile[270], *p = NULL, *vkey = NULL;
	const char *e, *pf;
	json_t *plates = NULL, *part, *entry;
	size_t i, j, n, parts, nbytes = 0;
	int r = 1, sign = !strcmp(action, "hotlist-sign");

	*out = NULL;
	alpr_hotlist_name(shown ? shown : file, name, sizeof name);
	if ((e = alpr_store_reason_check(s, reason, why, sizeof why)))
		return alpr_store_deny(s, action, name, e);
	if (!(vkey = alpr_export_vkey(s)))
		return -1;
	if (sign) {
		/* the list, and its name, are the ask's */
		if ((e = asked(s, file, vkey, name, sizeof name, &p, by,
		    sizeof by, why, sizeof why))) {
			free(vkey);
			return alpr_store_deny(s, action, name, e);
		}
		/* named as a file whose name, less its suffix, is the
		 * ask's name (a dot in it kept) */
		snprintf(asfile, sizeof asfile, "%s.csv", name);
		shown = asfile;
	} else if (!(p = alpr_caller_file(file, 0))) {
		/* read as the caller */
		free(vkey);
		return alpr_store_deny(s, action, name, "the list "
		    "cannot be read as yours (said above)");
	} else if (!shown)
		shown = file;
	/* the name is a line of the signature: a line break in it would
	 * give lines of its own (another list's sha256, another signer) */
	for (pf = name; *pf; pf++)
		if ((unsigned char)*pf < 0x20 || *pf == 0x7f) {
			free(p);
			free(vkey);
			return alpr_store_deny(s, action, name, "the "
			    "list's name (its file's, less the suffix) holds a "
			    "control character: rename the file");
		}
	/* a car names a list by its file's name, never an empty one: a
	 * list signed under none loads on no car */
	if (!*name) {
		free(p);
		free(vkey);
		return alpr_store_deny(s, action, shown ? shown : file, "the "
		    "list has no name (its file's, less the suffix): give it "
		    "one with -n, as the cars' file will be named");
	}
	alpr_hlpolicy_init(&pol);
	pf = s->conf.hotlist_policy;
	if (pf && *pf && alpr_hlpolicy_read(&pol, pf) < 0) {
		r = alpr_store_deny(s, action, name, "the store's "
		    "hotlist policy cannot be read (alpr.conf hotlist_policy)");
		goto out;
	}
	/* checked as alpr-match checks it, as of the earliest time, so
	 * that no entry is left out as expired: a car whose clock is
	 * behind loads it as in force */
	hl = alpr_hotlist_new(&pol);
	if (alpr_hotlist_read(hl, p, shown, -1, (time_t)INT64_MIN, 1,
	    &st) < 0) {
		r = alpr_store_deny(s, action, name, "the list was "
		    "refused (said above)");
		goto out;
	}
	if (st.rejected) {
		r = alpr_store_deny(s, action, name, "the list has "
		    "lines alpr-match rejects (said above): mend them first, "
		    "so that what is signed is what a car loads");
		goto out;
	}
	/* an ask carries the list: the bytes read, the ones hashed */
	if (!sign) {
		if (alpr_read_file(p, &bytes, &nbytes) < 0) {
			r = alpr_store_deny(s, action, name, "the list "
			    "cannot be read again");
			goto out;
		}
		alpr_sha256_hex(bytes, nbytes, hash);
		if (strcmp(hash, st.sha256)) {
			r = alpr_store_deny(s, action, name, "the list "
			    "changed while it was read: ask again");
			goto out;
		}
	}
	alpr_hotlist_commit(hl);
	alpr_hotlist_index(hl);
	plates = json_array();
	alpr_hotlist_foreach(hl, 0, add_plate, plates);	/* later ones too */
	/* a pattern too wide to search by alerts on a good share of every
	 * car that passes: a list to track, not to find */
	if ((e = wide_pattern(plates, why, sizeof why))) {
		r = alpr_store_deny(s, action, name, e);
		goto out;
	}
	/* every plate in the log before the ask or signature is made */
	n = json_array_size(plates);
	parts = n ? (n + PART - 1) / PART : 1;
	for (i = 0; i < parts; i++) {
		part = json_array();
		for (j = i * PART; j < n && j < (i + 1) * PART; j++)
			json_array_append(part, json_array_get(plates, j));
		entry = json_pack("{s:s,s:{s:s,s:s,s:I,s:o},s:s,s:s}", "action",
		    action, "data", "list", name, "sha256", st.sha256,
		    "entries", (json_int_t)n, "plates", part, "reason", reason,
		    "outcome", "ok");
		if (!entry) {
			r = alpr_store_deny(s, action, name, "the list's "
			    "name or plates are not text the log can hold");
			goto out;
		}
		if (parts > 1)
			json_object_set_new(json_object_get(entry, "data"),
			    "part", json_pack("[I,I]", (json_int_t)i + 1,
			    (json_int_t)parts));
		if (sign)
			json_object_set_new(json_object_get(entry, "data"),
			    "asked_by", json_string(by));
		r = alpr_store_log_access(s, entry);
		if (r < 0)
			goto out;
	}
	if (st_agency_key(s, sk) < 0) {
		r = -1;
		goto out;
	}
	alpr_time_now(tm);
	*out = sign ? alpr_hlsig_make(s->conf.agency, vkey, name, st.sha256,
	    n, s->actor.user, by, tm, sk) : alpr_hlask_make(s->conf.agency,
	    vkey, name, st.sha256, n, s->actor.user, s->actor.client, tm, sk,
	    bytes, nbytes);
	sodium_memzero(sk, sizeof sk);
	r = 0;
out:
	free(p);
	free(vkey);
	free(bytes);
	json_decref(plates);
	alpr_hotlist_free(hl);
	alpr_hlpolicy_free(&pol);
	return r;
}

int
alpr_hotlist_ask(struct alpr_store *s, const char *file, const char *shown,
    const char *reason, char **ask)
{
	return take(s, "hotlist-ask", file, shown, reason, ask);
}

int
alpr_hotlist_sign(struct alpr_store *s, const char *askfile,
    const char *reason, char **sig)
{
	return take(s, "hotlist-sign", askfile, NULL, reason, sig);
}
