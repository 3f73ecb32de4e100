/*
 * record.c: a read record as the store takes it (alpr-records(5) READ
 * RECORDS, STORED READS): its fields, read with the strict scanner where
 * it can be sure and with jansson where a string holds an escape; the
 * checks a read must pass; its id; and the index terms it gives (terms.c
 * has what the terms are).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

/* Does the id begin with the read's time, as alpr-capture makes ids? */
static int
id_has_time(const char *id, size_t n, const char *tsraw, size_t nts,
    const struct timespec *ts)
{
	char tm[ALPR_TIME_LEN], want[24];
	const char *t = tsraw;
	size_t i, k = 0;

	if (nts != 23 || t[22] != 'Z') {	/* not as alpr_time_fmt has it */
		alpr_time_fmt(ts, tm);
		t = tm;
		nts = strlen(tm);
	}
	for (i = 0; i < nts && k + 1 < sizeof want; i++)
		if (t[i] != '-' && t[i] != ':')
			want[k++] = t[i];
	return n >= k && !memcmp(id, want, k) && (n == k || id[k] == '-');
}


static int
raw_str(const struct alpr_jscan_member *m, const char **p, size_t *n)
{
	if (!m->val)
		return 0;
	if (*m->val != '"' || memchr(m->val, '\\', m->len))
		return -1;
	*p = m->val + 1;
	*n = m->len - 2;
	return 1;
}

static int
raw_num(const struct alpr_jscan_member *m, double *v)
{
	char buf[64], *end;

	if (!m->val)
		return 0;
	if (m->len >= sizeof buf || *m->val == '"' || *m->val == '[' ||
	    *m->val == '{' || *m->val == 't' || *m->val == 'f' ||
	    *m->val == 'n')
		return -1;
	memcpy(buf, m->val, m->len);
	buf[m->len] = '\0';
	*v = strtod(buf, &end);
	return *end ? -1 : 1;
}

static int
raw_box(const struct alpr_jscan_member *m, long box[4])
{
	const char *p = m->val, *end = m->val + m->len;
	char *e;
	int i;

	if (!p)
		return 0;
	if (*p++ != '[')
		return -1;
	for (i = 0; i < 4; i++) {
		while (p < end && *p == ' ')
			p++;
		if (p >= end || !isdigit((unsigned char)*p))
			return -1;
		box[i] = strtol(p, &e, 10);
		if (box[i] > 1000000)
			return -1;
		p = e;
		while (p < end && *p == ' ')
			p++;
		if (p >= end || *p != (i < 3 ? ',' : ']'))
			return -1;
		p++;
	}
	return 1;
}

int
st_fields_scan(const char *line, size_t n, struct st_fields *f)
{
	struct alpr_jscan_rec r;
	struct alpr_jscan_member m[] = { { "id", 0, 0 }, { "ts", 0, 0 },
	    { "camera", 0, 0 }, { "image", 0, 0 }, { "box", 0, 0 },
	    { "lat", 0, 0 }, { "lon", 0, 0 }, { "hits", 0, 0 },
	    { "stored", 0, 0 } };
	const char *h;
	int i, a, b;

	if (!alpr_jscan_record_ex(line, n, &r, m, 9))
		return 0;
	f->stored = m[8].val != NULL;
	f->type = r.type;
	f->ntype = r.ntype;
	f->plate = NULL;
	for (i = 0; i < r.nplates; i++) {
		if (i == 0 && r.own) {
			f->plate = r.plate[0];
			f->nplate = r.nplate[0];
			continue;
		}
		f->cand[f->ncands] = r.plate[i];
		f->ncand[f->ncands++] = r.nplate[i];
	}
	if (raw_str(&m[0], &f->id, &f->nid) < 0 ||
	    raw_str(&m[1], &f->ts, &f->nts) < 0 ||
	    raw_str(&m[2], &f->camera, &f->ncamera) < 0 ||
	    raw_str(&m[3], &f->image, &f->nimage) < 0)
		return 0;
	if ((f->havebox = raw_box(&m[4], f->box)) < 0)
		f->havebox = -1;
	a = raw_num(&m[5], &f->lat);
	b = raw_num(&m[6], &f->lon);
	f->pos = a < 0 || b < 0 || a != b ? -1 : a;
	if ((h = m[7].val)) {
		if (*h != '[')
			f->hit = -1;
		else {
			for (h++; *h == ' '; h++)
				;
			f->hit = *h != ']';
		}
	}
	return 1;
}

static int
json_str(json_t *j, const char *k, const char **p, size_t *n)
{
	json_t *v = json_object_get(j, k);

	if (!v)
		return 0;
	if (!json_is_string(v))
		return -1;
	*p = json_string_value(v);
	*n = json_string_length(v);
	return 1;
}

const char *
st_fields_json(json_t *j, struct st_fields *f)
{
	json_t *c, *v, *box;
	size_t i;
	const char *e;

	if ((e = alpr_record_check(j)))
		return e;
	if (json_str(j, "type", &f->type, &f->ntype) < 0 ||
	    json_str(j, "plate", &f->plate, &f->nplate) < 0 ||
	    json_str(j, "id", &f->id, &f->nid) < 0 ||
	    json_str(j, "ts", &f->ts, &f->nts) < 0 ||
	    json_str(j, "camera", &f->camera, &f->ncamera) < 0 ||
	    json_str(j, "image", &f->image, &f->nimage) < 0)
		return "a member that should be a string is not";
	c = json_object_get(j, "candidates");
	json_array_foreach(c, i, v) {
		if (f->ncands < ALPR_JSCAN_PLATES && json_is_string(
		    json_object_get(v, "plate"))) {
			f->cand[f->ncands] = json_string_value(
			    json_object_get(v, "plate"));
			f->ncand[f->ncands] = strlen(f->cand[f->ncands]);
			f->ncands++;
		}
	}
	if ((box = json_object_get(j, "box"))) {
		f->havebox = 1;
		if (!json_is_array(box) || json_array_size(box) != 4)
			f->havebox = -1;
		for (i = 0; f->havebox > 0 && i < 4; i++) {
			v = json_array_get(box, i);
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > 1000000)
				f->havebox = -1;
			else
				f->box[i] = json_integer_value(v);
		}
	}
	v = json_object_get(j, "lat");
	c = json_object_get(j, "lon");
	f->pos = !v && !c ? 0 : json_is_number(v) && json_is_number(c) ? 1 :
	    -1;
	if (f->pos > 0) {
		f->lat = json_number_value(v);
		f->lon = json_number_value(c);
	}
	if ((v = json_object_get(j, "hits")))
		f->hit = json_is_array(v) ? json_array_size(v) > 0 : -1;
	f->stored = json_object_get(j, "stored") != NULL;
	return NULL;
}

int
st_plate_ok(const char *p, size_t n)
{
	size_t i;

	if (n < 1 || n > ALPR_PLATE_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!(p[i] >= 'A' && p[i] <= 'Z') && !(p[i] >= '0' &&
		    p[i] <= '9'))
			return 0;
	return 1;
}

static int
name_ok(const char *p, size_t n, size_t max, const char *extra)
{
	size_t i;

	if (n < 1 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && !strchr(extra, p[i]))
			return 0;
	return 1;
}

const char *
st_fields_check(const struct st_fields *f, struct timespec *ts, char *why, size_t wn)
{
	char buf[48];
	size_t i;

	if (f->ntype != 4 || memcmp(f->type, "read", 4)) {
		snprintf(why, wn, "a %.*s record, not a read: the store keeps "
		    "reads (from alpr-ocr or alpr-match)", (int)(f->ntype < 20 ?
		    f->ntype : 20), f->type);
		return why;
	}
	if (!f->id || !name_ok(f->id, f->nid, 128, "._:-"))
		return "no \"id\" of 1 to 128 letters, digits and . _ : -";
	if (!f->ts || f->nts >= sizeof buf)
		return "no \"ts\"";
	memcpy(buf, f->ts, f->nts);
	buf[f->nts] = '\0';
	if (alpr_time_parse(buf, ts) < 0)
		return "\"ts\" is not an RFC 3339 time";
	if (!id_has_time(f->id, f->nid, f->ts, f->nts, ts))
		return "\"id\" does not begin with the read's time as "
		    "alpr-records(5) has it (YYYYMMDDTHHMMSS.CCZ)";
	if (!f->plate || !st_plate_ok(f->plate, f->nplate))
		return "no \"plate\" of 1 to 15 capital letters and digits";
	if (f->havebox <= 0)
		return "no \"box\" [x, y, w, h] of whole numbers";
	if (f->pos < 0 || (f->pos && (f->lat < -90 || f->lat > 90 ||
	    f->lon < -180 || f->lon > 180)))
		return "\"lat\" and \"lon\": want both numbers, in range, or "
		    "neither";
	if (f->camera && !name_ok(f->camera, f->ncamera, 64, "._-"))
		return "\"camera\": want 1 to 64 of letters, digits and . _ -";
	if (f->image) {
		if (f->nimage != 64)
			return "\"image\" is not a SHA-256 in hex";
		for (i = 0; i < 64; i++)
			if (!strchr("0123456789abcdef", f->image[i]))
				return "\"image\" is not a SHA-256 in hex";
	}
	if (f->hit < 0)
		return "\"hits\" is not an array";
	return NULL;
}

static char *
putnum(char *p, long v)
{
	char d[24];
	int n = 0;

	do
		d[n++] = '0' + v % 10;
	while ((v /= 10) > 0);
	while (n > 0)
		*p++ = d[--n];
	return p;
}

size_t
st_rid(char *out, const char *id, size_t n, const long box[4])
{
	char *p = out;

	memcpy(p, id, n);
	p += n;
	*p++ = '/';
	p = putnum(p, box[0]);
	*p++ = ',';
	p = putnum(p, box[1]);
	*p = '\0';
	return p - out;
}


int
st_stored_rid(const char *text, size_t n, char *rid)
{
	struct st_fields f;
	json_t *j;
	int r = -1;

	if (!st_fields_read(text, n, &f, &j) && f.id && f.nid <= 128 &&
	    f.havebox > 0) {
		st_rid(rid, f.id, f.nid, f.box);
		r = 0;
	}
	json_decref(j);
	return r;
}

/* Two records the same but for the last entry of their "stored"? */
int
st_same_read(const char *a, size_t na, const char *b, size_t nb)
{
	json_t *x = json_loadb(a, na, 0, NULL), *y = json_loadb(b, nb, 0, NULL);
	json_t *sx = json_object_get(x, "stored"), *sy = json_object_get(y,
	    "stored");
	int r = 0;

	if (json_is_array(sx) && json_is_array(sy) && json_array_size(sx) &&
	    json_array_size(sy)) {
		json_array_remove(sx, json_array_size(sx) - 1);
		json_array_remove(sy, json_array_size(sy) - 1);
		r = json_equal(x, y);
	}
	json_decref(x);
	json_decref(y);
	return r;
}

const char *
st_fields_read(const char *line, size_t n, struct st_fields *f, json_t **j)
{
	static char buf[200];
	json_error_t err;

	memset(f, 0, sizeof *f);
	*j = NULL;
	if (st_fields_scan(line, n, f))
		return NULL;
	memset(f, 0, sizeof *f);
	if (!(*j = json_loadb(line, n, JSON_REJECT_DUPLICATES, &err))) {
		snprintf(buf, sizeof buf, "bad JSON at column %d: %s",
		    err.column, err.text);
		return buf;
	}
	return st_fields_json(*j, f);
}

int
st_fields_folds(const struct st_fields *f, char (*folds)[ALPR_PLATE_MAX + 1],
    int max)
{
	char tmp[ALPR_PLATE_MAX + 1];
	const char *c;
	size_t cn;
	int i, k, nf = 0;

	for (i = 0; i <= f->ncands && nf < max; i++) {
		c = i ? f->cand[i - 1] : f->plate;
		cn = i ? f->ncand[i - 1] : f->nplate;
		if (!c || !st_plate_ok(c, cn))
			continue;
		memcpy(tmp, c, cn);
		tmp[cn] = '\0';
		alpr_fold_plate(tmp, folds[nf], sizeof folds[nf]);
		for (k = 0; k < nf && strcmp(folds[k], folds[nf]); k++)
			;
		if (k == nf)
			nf++;
	}
	return nf;
}

void
st_read_terms(struct st_terms *t, const char *folds, int nfolds,
    const char *camera, int pos, double lat, double lon, int hit)
{
	const char *f;
	int i;

	t->n = 0;
	for (i = 0, f = folds; i < nfolds; i++, f += strlen(f) + 1)
		st_terms_add(t, T_FOLD, f, strlen(f));
	if (nfolds > 0)
		st_terms_grams(t, folds);
	if (camera)
		st_terms_add(t, T_CAM, camera, strlen(camera));
	if (pos)
		st_terms_geo(t, lat, lon);
	if (hit)
		st_terms_add(t, T_HIT, "", 0);
}
