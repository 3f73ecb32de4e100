/*
 * match-brute: every wildcard pattern of up to 5 characters over A, B, 8,
 * ? and * against every plate of up to 7 characters over A, B and 8,
 * matched through the hotlist code and by fnmatch(3); or (-l) every plate
 * of 3 and 4 characters over A, B, 8 and C against every read of up to 6,
 * matched leniently through the hotlist code and by an edit distance of
 * its own. Prints one line a disagreement and a summary; exits 1 when
 * there was any.
 *
 *	match-brute DIR		writes its lists in DIR
 *	match-brute -l
 *
 * The patterns are matched twice (lib/hotlist/hlmatch.c): exactly, where a hit is
 * whatever fnmatch matches; and leniently (-d 1), where an entry with a
 * wildcard hits exactly as before, or leniently when only the confusion
 * classes (8 is B) make fnmatch match. Patterns with fewer than 2 letters
 * and digits, or 3 with a *, are left out, as the list reader refuses
 * them (alpr-match(1)): a list file of the patterns checks that it takes
 * as many.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "alpr.h"

#define MAXPAT 5
#define MAXPLATE 7

static char (*pats)[MAXPAT + 1];
static int npats;
static char (*plates)[MAXPLATE + 1];
static int nplates;
static int bad;

static void
gen(const char *alpha, int maxlen, char *buf, int len,
    void (*fn)(const char *))
{
	const char *a;

	if (len > 0)
		fn(buf);
	if (len == maxlen)
		return;
	for (a = alpha; *a; a++) {
		if (*a == '*' && len > 0 && buf[len - 1] == '*')
			continue;	/* the reader folds ** into * */
		buf[len] = *a;
		buf[len + 1] = '\0';
		gen(alpha, maxlen, buf, len + 1, fn);
	}
	buf[len] = '\0';
}

static void
addpat(const char *p)
{
	pats = alpr_realloc(pats, (npats + 1) * sizeof *pats);
	strcpy(pats[npats++], p);
}

static void
addplate(const char *p)
{
	plates = alpr_realloc(plates, (nplates + 1) * sizeof *plates);
	strcpy(plates[nplates++], p);
}

/* The reader's rule: enough letters and digits to mean something. */
static int
accepted(const char *p)
{
	int lit, i;

	for (i = lit = 0; p[i]; i++)
		lit += p[i] != '?' && p[i] != '*';
	return lit >= (strchr(p, '*') ? 3 : 2);
}

static void
fold(const char *s, char *out)
{
	for (; *s; s++)
		*out++ = *s == '8' ? 'B' : *s;
	*out = '\0';
}

/* The list file of the patterns (all, or those with a wildcard): the
 * reader must take as many as the rule says. */
static void
load(const char *path, int wildonly, int nwant)
{
	struct alpr_hlpolicy pol;
	struct alpr_hotlist *hl;
	struct alpr_hlstats st;
	FILE *f;
	int i;

	if (!(f = fopen(path, "w")))
		alpr_die(ALPR_EXIT_SYS, "fatal: %s:", path);
	fprintf(f, "plate\n");
	for (i = 0; i < npats; i++)
		if (!wildonly || strpbrk(pats[i], "?*"))
			fprintf(f, "%s\n", pats[i]);
	if (fclose(f) != 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: %s:", path);
	alpr_hlpolicy_init(&pol);
	hl = alpr_hotlist_new(&pol);
	if (alpr_hotlist_read(hl, path, NULL, -1, 0, 0, &st) < 0)
		alpr_die(ALPR_EXIT_SYS, "fatal: %s not loaded", path);
	if (st.entries != (unsigned long)nwant) {
		printf("%s: %lu entries loaded, the rule gives %d\n", path,
		    st.entries, nwant);
		bad++;
	}
	alpr_hotlist_free(hl);
	alpr_hlpolicy_free(&pol);
	alpr_status = 0;
}

static const char *what[] = { "none", "exact", "lenient" };

/* The matcher against fnmatch: maxdiff -1 all patterns exactly, else
 * those with a wildcard leniently. */
static void
run(const char *dir, int maxdiff)
{
	struct alpr_hlmatch *m = alpr_hlmatch_new();
	const struct alpr_hlhit *h;
	char fp[MAXPAT + 1], fs[MAXPLATE + 1], *path;
	const char *plate;
	int i, j, *id, *want, *got, n = 0, nhits = 0, wildonly = maxdiff >= 0;
	size_t k, nh;

	id = alpr_calloc(npats, sizeof *id);
	for (i = 0; i < npats; i++) {
		id[i] = -1;
		if (accepted(pats[i]) && (!wildonly || strpbrk(pats[i], "?*")))
			id[i] = alpr_hlmatch_add(m, pats[i], maxdiff,
			    INT64_MIN, INT64_MAX), n++;
	}
	alpr_hlmatch_index(m);
	path = alpr_path(dir, wildonly ? "wild.csv" : "all.csv");
	load(path, wildonly, n);
	free(path);
	want = alpr_calloc(npats, sizeof *want);
	got = alpr_calloc(npats + 1, sizeof *got);
	for (j = 0; j < nplates; j++) {
		plate = plates[j];
		fold(plate, fs);
		memset(got, 0, npats * sizeof *got);
		nh = alpr_hlmatch_find(m, &plate, 1, 0, &h);
		for (k = 0; k < nh; k++)
			got[h[k].id] = h[k].lenient ? 2 : 1;
		nhits += nh;
		for (i = 0; i < npats; i++) {
			if (id[i] < 0)
				continue;
			fold(pats[i], fp);
			want[i] = fnmatch(pats[i], plate, 0) == 0 ? 1 :
			    wildonly && fnmatch(fp, fs, 0) == 0 ? 2 : 0;
			if (want[i] != got[id[i]] && bad++ < 50)
				printf("-d %d: %s on %s: want %s, got %s\n",
				    maxdiff, pats[i], plate, what[want[i]],
				    what[got[id[i]]]);
		}
	}
	printf("-d %d: %d patterns, %d plates, %d hits\n", maxdiff, n,
	    nplates, nhits);
	free(id);
	free(want);
	free(got);
	alpr_hlmatch_free(m);
}

/* Levenshtein distance, the whole table: nothing of lib/ in it. */
static int
levenshtein(const char *a, const char *b)
{
	int d[MAXPLATE + 1][MAXPLATE + 1], i, j, na = strlen(a),
	    nb = strlen(b), v;

	for (i = 0; i <= na; i++)
		d[i][0] = i;
	for (j = 0; j <= nb; j++)
		d[0][j] = j;
	for (i = 1; i <= na; i++)
		for (j = 1; j <= nb; j++) {
			v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			d[i][j] = v;
		}
	return d[na][nb];
}

/* -l: the entries (pats, here plates of 3 and 4 characters) leniently with
 * maxdiff differences against every read: a read hits exactly when it is
 * the entry, else leniently when the distance of the two, 8 read as B, is
 * at most maxdiff, with that many differences. */
static void
lenient(int maxdiff)
{
	struct alpr_hlmatch *m = alpr_hlmatch_new();
	const struct alpr_hlhit *h;
	char fp[MAXPLATE + 1], fs[MAXPLATE + 1];
	const char *plate;
	int i, j, d, want, *got, nhits = 0;
	size_t k, nh;

	for (i = 0; i < npats; i++)
		alpr_hlmatch_add(m, pats[i], maxdiff, INT64_MIN, INT64_MAX);
	alpr_hlmatch_index(m);
	got = alpr_calloc(npats, sizeof *got);
	for (j = 0; j < nplates; j++) {
		plate = plates[j];
		fold(plate, fs);
		for (i = 0; i < npats; i++)
			got[i] = -1;
		nh = alpr_hlmatch_find(m, &plate, 1, 0, &h);
		for (k = 0; k < nh; k++)
			got[h[k].id] = h[k].lenient ? h[k].diff : -2;
		nhits += nh;
		for (i = 0; i < npats; i++) {
			fold(pats[i], fp);
			d = levenshtein(fp, fs);
			want = !strcmp(pats[i], plate) ? -2 : d <= maxdiff ? d :
			    -1;
			if (want != got[i] && bad++ < 50)
				printf("-l -d %d: %s on %s: want %s%.0d, got "
				    "%s%.0d\n", maxdiff, pats[i], plate,
				    want == -2 ? "exact" : want == -1 ? "none" :
				    "lenient ", want < 0 ? 0 : want,
				    got[i] == -2 ? "exact" : got[i] == -1 ?
				    "none" : "lenient ", got[i] < 0 ? 0 : got[i]);
		}
	}
	printf("-l -d %d: %d entries, %d reads, %d hits\n", maxdiff, npats,
	    nplates, nhits);
	free(got);
	alpr_hlmatch_free(m);
}

static void
addentry(const char *p)
{
	if (strlen(p) >= 3)
		addpat(p);
}

int
main(int argc, char **argv)
{
	char buf[16];

	alpr_setprogname(argv[0]);
	if (argc == 2 && !strcmp(argv[1], "-l")) {
		gen("AB8C", 4, buf, 0, addentry);
		gen("AB8C", 6, buf, 0, addplate);
		lenient(0);
		lenient(1);
		lenient(2);
		if (bad)
			printf("%d disagreements\n", bad);
		return bad ? 1 : 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: match-brute dir | -l\n");
		return ALPR_EXIT_USAGE;
	}
	gen("AB8?*", MAXPAT, buf, 0, addpat);
	gen("AB8", MAXPLATE, buf, 0, addplate);
	run(argv[1], -1);
	run(argv[1], 1);
	if (bad)
		printf("%d disagreements\n", bad);
	return bad ? 1 : 0;
}
