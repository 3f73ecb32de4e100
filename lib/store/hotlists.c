/*
 * hotlists.c: the agency's signature on a hotlist (alpr-store hotlist
 * sign). A patrol car whose policy names the agency's key
 * (alpr-match(1), hotlist_key) loads only lists a supervisor signed, so
 * an officer who puts a partner's plate on the car's list, or loads a
 * list of their own, gets no alert from it; and every plate of a list
 * signed is in the access log, with who signed it and why, before the
 * signature exists (lib/hotlist/hlsig.c has its format).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

int
alpr_hotlist_sign(struct alpr_store *s, const char *file, const char *shown,
    const char *reason, char **sig)
{
	struct alpr_hlpolicy pol;
	struct alpr_hlstats st;
	struct alpr_hotlist *hl = NULL;
	unsigned char sk[64];
	char why[400], name[256], tm[ALPR_TIME_LEN], *p, *vkey = NULL;
	const char *e, *pf;
	json_t *plates = NULL, *part, *entry;
	size_t i, j, n, parts;
	int r = 1;

	*sig = NULL;
	if (!shown)
		shown = file;
	alpr_hotlist_name(shown, name, sizeof name);
	if ((e = alpr_store_reason_check(s, reason, why, sizeof why)))
		return alpr_store_deny(s, "hotlist-sign", name, e);
	/* the name is a line of the signature: a line break in it would
	 * give lines of its own (another list's sha256, another signer) */
	for (pf = name; *pf; pf++)
		if ((unsigned char)*pf < 0x20 || *pf == 0x7f)
			return alpr_store_deny(s, "hotlist-sign", name, "the "
			    "list's name (its file's, less the suffix) holds a "
			    "control character: rename the file");
	alpr_hlpolicy_init(&pol);
	pf = s->conf.hotlist_policy;
	if (pf && *pf && alpr_hlpolicy_read(&pol, pf) < 0) {
		alpr_hlpolicy_free(&pol);
		return alpr_store_deny(s, "hotlist-sign", name, "the store's "
		    "hotlist policy cannot be read (alpr.conf hotlist_policy)");
	}
	/* read as the caller, checked as alpr-match checks it */
	if (!(p = alpr_caller_file(file, 0))) {
		alpr_hlpolicy_free(&pol);
		return alpr_store_deny(s, "hotlist-sign", name, "the list "
		    "cannot be read as yours (said above)");
	}
	/* read as of the earliest time, so that no entry is left out as
	 * expired: a car whose clock is behind loads it as in force */
	hl = alpr_hotlist_new(&pol);
	r = alpr_hotlist_read(hl, p, shown, -1, (time_t)INT64_MIN, 1,
	    &st);
	free(p);
	if (r < 0) {
		r = alpr_store_deny(s, "hotlist-sign", name, "the list was "
		    "refused (said above)");
		goto out;
	}
	if (st.rejected) {
		r = alpr_store_deny(s, "hotlist-sign", name, "the list has "
		    "lines alpr-match rejects (said above): mend them first, "
		    "so that what is signed is what a car loads");
		goto out;
	}
	alpr_hotlist_commit(hl);
	alpr_hotlist_index(hl);
	plates = json_array();
	alpr_hotlist_foreach(hl, 0, add_plate, plates);	/* later ones too */
	/* a pattern that gives under three characters alerts on a good
	 * share of every car that passes: a list to track, not to find */
	if ((e = wide_pattern(plates, why, sizeof why))) {
		r = alpr_store_deny(s, "hotlist-sign", name, e);
		goto out;
	}
	if (!(vkey = alpr_export_vkey(s))) {
		r = -1;
		goto out;
	}
	/* every plate in the log before the signature is made */
	n = json_array_size(plates);
	parts = n ? (n + PART - 1) / PART : 1;
	for (i = 0; i < parts; i++) {
		part = json_array();
		for (j = i * PART; j < n && j < (i + 1) * PART; j++)
			json_array_append(part, json_array_get(plates, j));
		entry = json_pack("{s:s,s:{s:s,s:s,s:I,s:o},s:s,s:s}", "action",
		    "hotlist-sign", "data", "list", name, "sha256", st.sha256,
		    "entries", (json_int_t)n, "plates", part, "reason", reason,
		    "outcome", "ok");
		if (!entry) {
			r = alpr_store_deny(s, "hotlist-sign", name, "the list's "
			    "name or plates are not text the log can hold");
			goto out;
		}
		if (parts > 1)
			json_object_set_new(json_object_get(entry, "data"),
			    "part", json_pack("[I,I]", (json_int_t)i + 1,
			    (json_int_t)parts));
		r = alpr_store_log_access(s, entry);
		if (r < 0)
			goto out;
	}
	if (st_agency_key(s, sk) < 0) {
		r = -1;
		goto out;
	}
	alpr_time_now(tm);
	*sig = alpr_hlsig_make(s->conf.agency, vkey, name, st.sha256, n,
	    s->actor.user, tm, sk);
	sodium_memzero(sk, sizeof sk);
	r = 0;
out:
	free(vkey);
	json_decref(plates);
	alpr_hotlist_free(hl);
	alpr_hlpolicy_free(&pol);
	return r;
}
