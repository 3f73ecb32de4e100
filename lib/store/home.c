/*
 * home.c: making and opening a store home (alpr-store(1) FILES): its
 * settings, its LMDB environment, its key, its access log.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

/* 1: without the day filters (filter.c), made on a format 1 store's
 * first opening by a program that knows them */
#define FORMAT "2"
/* format 3: format 2 and the meta "cipher" (keys.c, Ciphers); a program
 * before it would take an AES-256-GCM store's reads for forged */
#define FORMAT_NEW "3"
#define MAPSIZE_MIN (1UL << 30)	/* grown by doubling on MDB_MAP_FULL */

int
st_day_of(const struct timespec *t, int *day, uint32_t *cs)
{
	long d;

	if (t->tv_sec < 0)
		return -1;
	d = t->tv_sec / 86400;
	if (d >= ST_NDAYS)
		return -1;
	*day = d;
	*cs = (t->tv_sec % 86400) * 100 + t->tv_nsec / 10000000;
	return 0;
}

void
st_mdb_warn(int rc, const char *what)
{
	alpr_warn("%s: %s", what, mdb_strerror(rc));
}

const char *
alpr_store_home(const char *opt)
{
	const char *e;

	if (opt && *opt)
		return opt;
	if ((e = getenv("ALPR_HOME")) && *e)
		return e;
	return ALPR_STORE_HOME;
}

/* Begin a transaction, following a map another process has grown. */
int
st_txn(struct alpr_store *s, unsigned flags, MDB_txn **txn)
{
	int rc;

	rc = mdb_txn_begin(s->env, NULL, flags, txn);
	if (rc == MDB_MAP_RESIZED) {
		mdb_env_set_mapsize(s->env, 0);
		rc = mdb_txn_begin(s->env, NULL, flags, txn);
	}
	if (rc != 0)
		st_mdb_warn(rc, "unable to begin a transaction");
	return rc;
}

int
alpr_store_grow(struct alpr_store *s)
{
	MDB_envinfo info;
	int rc;

	mdb_env_info(s->env, &info);
	rc = mdb_env_set_mapsize(s->env, info.me_mapsize * 2);
	if (rc != 0)
		st_mdb_warn(rc, "unable to grow the store's map");
	return rc ? -1 : 0;
}

static void
paths(struct alpr_store *s, const char *home)
{
	s->home = alpr_strdup(home);
	s->dbdir = alpr_path(home, "db");
	s->spool = alpr_path(home, "spool");
	s->logdir = alpr_path(home, "log");
	s->sessdir = alpr_path(home, "sessions");
	s->confpath = alpr_path(home, "alpr.conf");
}

static struct alpr_store *
store_new(const char *home)
{
	struct alpr_store *s = alpr_calloc(1, sizeof *s);

	alpr_crypto_init();
	paths(s, home);
	alpr_storeconf_init(&s->conf);
	s->kek = sodium_malloc(ST_KEY);
	s->wrap = sodium_malloc(ST_KEY);
	s->userk = sodium_malloc(ST_KEY);
	s->sessk = sodium_malloc(ST_KEY);
	s->holdk = sodium_malloc(ST_KEY);
	s->signk = sodium_malloc(ST_KEY);
	if (!s->kek || !s->wrap || !s->userk || !s->sessk || !s->holdk ||
	    !s->signk)
		alpr_die(ALPR_EXIT_SYS, "fatal: out of memory:");
	s->day = alpr_calloc(ST_NDAYS, sizeof *s->day);
	s->dayst = alpr_calloc(ST_NDAYS, 1);
	s->lockfd = -1;
	s->relfd = -1;
	return s;
}

/* The map a new environment starts with; ALPR_STORE_MAPSIZE (bytes) sets
 * a smaller one, so that the tests can see it grow. */
static size_t
mapsize(void)
{
	const char *e = getenv("ALPR_STORE_MAPSIZE");
	long v = e ? atol(e) : 0;

	return v >= (1 << 20) ? (size_t)v : MAPSIZE_MIN;
}

/* The identity of the data file the link now names. */
static int
data_id(struct alpr_store *s, dev_t *dev, ino_t *ino)
{
	char *p = alpr_path(s->dbdir, "data.mdb");
	struct stat sb;
	int r = stat(p, &sb);

	if (r < 0)
		alpr_warn("unable to find %s:", p);
	free(p);
	*dev = sb.st_dev;
	*ino = sb.st_ino;
	return r;
}

static int
open_lock(struct alpr_store *s)
{
	char *p = alpr_path(s->home, "lock");
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		alpr_warn("unable to open %s:", p);
	free(p);
	return fd;
}

/* LMDB maps no more than what is used when asked for less: leave room to
 * write, twice what is used, so that a login need not grow the map. */
static int
headroom(struct alpr_store *s)
{
	MDB_envinfo info;
	MDB_stat st;
	size_t used;
	int rc;

	mdb_env_info(s->env, &info);
	mdb_env_stat(s->env, &st);
	used = (info.me_last_pgno + 1) * (size_t)st.ms_psize;
	if (info.me_mapsize >= 2 * used)
		return 0;
	if ((rc = mdb_env_set_mapsize(s->env, 2 * used)) != 0) {
		st_mdb_warn(rc, "unable to map the store");
		return -1;
	}
	return 0;
}

static int
env_open(struct alpr_store *s, int create)
{
	MDB_txn *txn;
	unsigned fl = create ? MDB_CREATE : 0;
	int rc;

	if ((rc = mdb_env_create(&s->env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(s->env, 16)) != 0 ||
	    (rc = mdb_env_set_mapsize(s->env, mapsize())) != 0 ||
	    (rc = mdb_env_set_maxreaders(s->env, 254)) != 0 ||
	    (rc = mdb_env_open(s->env, s->dbdir, MDB_NOTLS, 0600)) != 0) {
		alpr_warn("unable to open the store's database in %s: %s",
		    s->dbdir, mdb_strerror(rc));
		return -1;
	}
	/* opening takes no write transaction: it would wait for a batch */
	if (st_txn(s, create ? 0 : MDB_RDONLY, &txn) != 0)
		return -1;
	if ((rc = mdb_dbi_open(txn, "meta", fl, &s->meta)) != 0 ||
	    (rc = mdb_dbi_open(txn, "keys", fl, &s->keys)) != 0 ||
	    (rc = mdb_dbi_open(txn, "reads", fl, &s->reads)) != 0 ||
	    (rc = mdb_dbi_open(txn, "idx", fl | MDB_DUPSORT | MDB_DUPFIXED,
	    &s->idx)) != 0 ||
	    (rc = mdb_dbi_open(txn, "users", fl, &s->users)) != 0 ||
	    (rc = mdb_dbi_open(txn, "holds", fl, &s->holds)) != 0 ||
	    (rc = mdb_dbi_open(txn, "held", fl, &s->held)) != 0 ||
	    (rc = mdb_dbi_open(txn, "requests", fl, &s->requests)) != 0 ||
	    (rc = mdb_dbi_open(txn, "pushed", fl, &s->pushed)) != 0 ||
	    /* none in format 1: upgrade() makes it */
	    ((rc = mdb_dbi_open(txn, "filt", fl, &s->filt)) != 0 &&
	    (create || rc != MDB_NOTFOUND))) {
		mdb_txn_abort(txn);
		alpr_warn("%s: %s: not an alpr store (made by alpr-store "
		    "init?)", s->dbdir, mdb_strerror(rc));
		return -1;
	}
	s->nofilt = rc == MDB_NOTFOUND;
	/* none in a store from before cases: the first case opened makes it */
	if ((rc = mdb_dbi_open(txn, "cases", fl, &s->cases)) != 0 &&
	    (create || rc != MDB_NOTFOUND)) {
		mdb_txn_abort(txn);
		st_mdb_warn(rc, "unable to open the store's cases");
		return -1;
	}
	s->nocases = rc == MDB_NOTFOUND;
	if ((rc = mdb_txn_commit(txn)) != 0) {
		st_mdb_warn(rc, "unable to open the store's databases");
		return -1;
	}
	return headroom(s) < 0 ? -1 : data_id(s, &s->dbdev, &s->dbino);
}

static void
env_close(struct alpr_store *s)
{
	if (s->env)
		mdb_env_close(s->env);
	s->env = NULL;
}

/* The key file's check, as the database now has it: 1 ours, 0 not. */
int
st_kek_current(struct alpr_store *s, MDB_txn *txn)
{
	unsigned char chk[16];
	MDB_val k = { 9, "kek_check" }, v;

	if (mdb_get(txn, s->meta, &k, &v) != 0 || v.mv_size != 20)
		return 0;
	st_kek_checkval(s, chk);
	return sodium_memcmp(chk, v.mv_data, 16) == 0;
}

int
st_wbegin(struct alpr_store *s, MDB_txn **txn)
{
	dev_t dev;
	ino_t ino;
	int tries;

	if (s->lockfd < 0 && (s->lockfd = open_lock(s)) < 0)
		return -1;
	while (flock(s->lockfd, LOCK_SH) < 0)
		if (errno != EINTR) {
			alpr_warn("unable to lock %s/lock:", s->home);
			return -1;
		}
	for (tries = 0; tries < 3; tries++) {
		/* a compaction moved the database: open the new one */
		if (data_id(s, &dev, &ino) < 0)
			break;
		if (dev != s->dbdev || ino != s->dbino) {
			/* the day keys it holds stay as they were */
			env_close(s);
			if (env_open(s, 0) < 0)
				break;
		}
		if (st_txn(s, 0, txn) != 0)
			break;
		if (st_kek_current(s, *txn))
			return 0;
		/* a purge gave the key file a new key (the day keys are the
		 * same, wrapped anew): read it again, or the new one beside
		 * it while the purge puts it in place */
		mdb_txn_abort(*txn);
		if (st_kek_reread(s, tries == 1) < 0)
			break;
	}
	if (tries == 3)
		alpr_warn("the key file %s is not the store's key", s->keypath);
	flock(s->lockfd, LOCK_UN);
	return -1;
}

int
st_wend(struct alpr_store *s, MDB_txn *txn, int ok)
{
	int rc = 0;

	if (ok && (rc = mdb_txn_commit(txn)) != 0)
		st_mdb_warn(rc, "unable to commit to the store");
	else if (!ok)
		mdb_txn_abort(txn);
	flock(s->lockfd, LOCK_UN);
	return rc;
}

int
st_meta_put(struct alpr_store *s, MDB_txn *txn, const char *name,
    const void *p, size_t n)
{
	MDB_val k = { strlen(name), (void *)name }, v = { n, (void *)p };

	return mdb_put(txn, s->meta, &k, &v, 0);
}

int
st_meta_get(struct alpr_store *s, MDB_txn *txn, const char *name, MDB_val *v)
{
	MDB_val k = { strlen(name), (void *)name };

	return mdb_get(txn, s->meta, &k, v);
}

static void
conf_hash(const char *path, char hex[ALPR_SHA256_HEX])
{
	unsigned char *buf;
	size_t n;

	if (alpr_read_file(path, &buf, &n) < 0) {
		strcpy(hex, "-");
		return;
	}
	alpr_sha256_hex(buf, n, hex);
	free(buf);
}

static int
empty_dir(const char *path)
{
	struct dirent *e;
	DIR *d = opendir(path);
	int n = 0;

	if (!d)
		return errno == ENOENT ? 1 : -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n == 0;
}

/*
 * The store is bound to its own access log and has an identity of its
 * own: meta holds the log's verifier key, checked at every open, so that
 * no other log can stand in for it, and a random store id, which every
 * session names.
 */
static int
bind_log(struct alpr_store *s, const char *vkey)
{
	unsigned char id[16];
	char hex[33];
	MDB_txn *txn;
	int rc;

	randombytes_buf(id, sizeof id);
	sodium_bin2hex(hex, sizeof hex, id, sizeof id);
	if (st_txn(s, 0, &txn) != 0)
		return -1;
	if ((rc = st_meta_put(s, txn, "log_pubkey", vkey, strlen(vkey))) != 0 ||
	    (rc = st_meta_put(s, txn, "store_id", hex, 32)) != 0 ||
	    (rc = mdb_txn_commit(txn)) != 0) {
		st_mdb_warn(rc, "unable to bind the store to its log");
		return -1;
	}
	return 0;
}

static int
check_log(struct alpr_store *s, MDB_txn *txn)
{
	unsigned char *buf;
	char *p = alpr_path(s->logdir, ALPR_LOG_PUBKEY);
	MDB_val v;
	size_t n;
	int r = -1;

	if (st_meta_get(s, txn, "store_id", &v) == 0 && v.mv_size == 32)
		memcpy(s->id, v.mv_data, 32);
	if (st_meta_get(s, txn, "log_pubkey", &v) == 0 &&
	    alpr_read_file(p, &buf, &n) == 0) {
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			n--;
		r = n == v.mv_size && !memcmp(buf, v.mv_data, n) && s->id[0] ?
		    0 : -1;
		free(buf);
	}
	if (r < 0) {
		alpr_warn("%s: not the access log this store was made with: "
		    "refused", s->logdir);
		alpr_log_alert(s->logdir, "opening it", "not the log this "
		    "store was made with, or its public key is gone");
	}
	free(p);
	return r;
}

/*
 * What a store home is made of, as init made it: the home and its
 * folders real folders, owned by the account that runs the store and
 * closed to others; alpr.conf a file of its; db a link of its to db.N.
 * Anything else (a link put in place of a part, another owner) is
 * refused: a home put together elsewhere must not borrow a store's
 * database, sessions or log.
 */
static int
own(const char *path, int type)
{
	struct stat sb;
	char t[64];
	ssize_t n;
	int ok;

	if (lstat(path, &sb) < 0) {
		alpr_warn("%s:", path);
		return -1;
	}
	ok = sb.st_uid == geteuid() && (type == 'd' ? S_ISDIR(sb.st_mode) &&
	    !(sb.st_mode & 077) : type == 'f' ? S_ISREG(sb.st_mode) &&
	    !(sb.st_mode & 022) : S_ISLNK(sb.st_mode));
	if (ok && type == 'l') {
		n = readlink(path, t, sizeof t - 1);
		t[n > 0 ? n : 0] = '\0';
		ok = n > 3 && !strncmp(t, "db.", 3) && !strchr(t, '/');
	}
	if (!ok)
		alpr_warn("%s: not a %s of the account running the store (uid "
		    "%ld), closed to others: refused", path, type == 'd' ?
		    "folder" : type == 'f' ? "file" : "link to db.N",
		    (long)geteuid());
	return ok ? 0 : -1;
}

static int
check_home(struct alpr_store *s)
{
	char *target = realpath(s->dbdir, NULL);
	int r;

	r = own(s->home, 'd') < 0 || own(s->confpath, 'f') < 0 ||
	    own(s->dbdir, 'l') < 0 || !target || own(target, 'd') < 0 ||
	    own(s->spool, 'd') < 0 || own(s->sessdir, 'd') < 0 ? -1 : 0;
	/* the log gone is told too: of a home that is the store's (anyone
	 * may name another's, or a folder that is no store) */
	if (r == 0 && own(s->logdir, 'd') < 0) {
		alpr_log_alert(s->logdir, "opening it", "the store's log "
		    "folder is gone, or not the store's own folder");
		r = -1;
	}
	free(target);
	return r;
}

/* Remove what a failed init made. */
static void
unmake(struct alpr_store *s, const char *keyfile)
{
	char *db0 = alpr_path(s->home, "db.0"), *lock = alpr_path(s->home,
	    "lock");
	const char *dirs[] = { db0, s->spool, s->sessdir, s->logdir };
	size_t i;

	for (i = 0; i < sizeof dirs / sizeof *dirs; i++)
		st_rmtree(dirs[i]);
	unlink(s->dbdir);
	unlink(s->confpath);
	unlink(lock);
	free(db0);
	free(lock);
	if (keyfile)
		unlink(keyfile);
}

/* The key file's path, absolute, so that alpr.conf can name it. */
static char *
abs_path(const char *p)
{
	char cwd[4096];

	if (*p == '/' || !getcwd(cwd, sizeof cwd))
		return alpr_strdup(p);
	return alpr_path(cwd, p);
}

char *
alpr_store_create(const char *home, const struct alpr_store_initopt *o)
{
	struct alpr_log_config lc = { NULL, NULL, NULL, 1000, 3600 };
	struct alpr_store *s;
	char hex[ALPR_SHA256_HEX], tm[ALPR_TIME_LEN], *text, *vkey = NULL;
	char *kf = NULL, *p;
	const char *given;
	struct stat sb;
	const char *cipher;
	MDB_txn *txn;
	int rc, newkey = 0, made = 0;

	s = store_new(home);
	if (!(cipher = st_cipher_pick(o->cipher)))
		goto out;
	if ((rc = empty_dir(home)) < 0 && errno != ENOTDIR) {
		/* not a home made already: a folder that cannot be read is
		 * a system error (3) */
		alpr_warn("unable to read %s:", home);
		goto out;
	}
	if (rc != 1) {
		alpr_fail("%s exists and is not empty: a store home is made "
		    "only once, in a new or empty folder", home);
		goto out;
	}
	if (!(given = o->keyfile ? o->keyfile : alpr_store_keyfile(NULL,
	    NULL))) {
		alpr_warn("no key file: give --key-file or set ALPR_KEY_FILE");
		goto out;
	}
	kf = abs_path(given);
	if (alpr_mkdirs(home, 0700) < 0 || chmod(home, 0700) < 0) {
		alpr_warn("unable to make the store home %s:", home);
		goto out;
	}
	if (st_kek_outside(s, kf) < 0)
		goto out;
	newkey = stat(kf, &sb) < 0;
	made = 1;
	p = alpr_path(home, "db.0");
	rc = alpr_mkdirs(p, 0700);
	free(p);
	if (rc < 0 || symlink("db.0", s->dbdir) < 0 ||
	    alpr_mkdirs(s->spool, 0700) < 0 ||
	    alpr_mkdirs(s->sessdir, 0700) < 0) {
		alpr_warn("unable to make the store home %s:", home);
		goto out;
	}
	text = alpr_storeconf_text(o->agency, kf);
	rc = alpr_write_atomic_mode(s->confpath, text, strlen(text), 0600);
	free(text);
	if (rc < 0) {
		alpr_warn("unable to write %s:", s->confpath);
		goto out;
	}
	if (alpr_storeconf_read(&s->conf, s->confpath) < 0 ||
	    st_kek_load(s, kf, 1) < 0 || env_open(s, 1) < 0)
		goto out;
	if (st_txn(s, 0, &txn) != 0)
		goto out;
	conf_hash(s->confpath, hex);
	alpr_time_now(tm);
	st_kek_record(s, txn);
	if ((rc = st_meta_put(s, txn, "format", FORMAT_NEW, 1)) != 0 ||
	    (rc = st_meta_put(s, txn, "cipher", cipher,
	    strlen(cipher))) != 0 ||
	    (rc = st_meta_put(s, txn, "serials", "1", 1)) != 0 ||
	    (rc = st_meta_put(s, txn, "created", tm, strlen(tm))) != 0 ||
	    (rc = st_meta_put(s, txn, "conf_sha256", hex, 64)) != 0 ||
	    (rc = mdb_txn_commit(txn)) != 0) {
		st_mdb_warn(rc, "unable to write the store's first records");
		goto out;
	}
	lc.origin = o->origin;
	lc.org = s->conf.agency;
	if (o->window > 0)
		lc.window = o->window;
	if (o->every > 0)
		lc.every = o->every;
	if ((vkey = alpr_log_init(s->logdir, &lc)) && bind_log(s, vkey) < 0) {
		free(vkey);
		vkey = NULL;
	}
out:
	if (s->env) {
		mdb_env_close(s->env);
		s->env = NULL;
	}
	if (!vkey && made)
		unmake(s, newkey ? kf : NULL);
	free(kf);
	alpr_store_close(s);
	return vkey;
}

/* A changed alpr.conf is written to the log when it is first used. */
static int
conf_changed(struct alpr_store *s)
{
	char hex[ALPR_SHA256_HEX], old[ALPR_SHA256_HEX];
	MDB_txn *txn;
	MDB_val v;
	json_t *e;
	int rc;

	conf_hash(s->confpath, hex);
	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		return -1;
	rc = st_meta_get(s, txn, "conf_sha256", &v);
	snprintf(old, sizeof old, "%.*s", rc == 0 ? (int)v.mv_size : 1,
	    rc == 0 ? (char *)v.mv_data : "-");
	mdb_txn_abort(txn);
	if (!strcmp(old, hex))
		return 0;
	if (st_wbegin(s, &txn) != 0)
		return -1;
	e = json_pack("{s:s,s:s,s:s,s:s,s:s}", "action", "config-change",
	    "user", "-", "target", "alpr.conf", "old_sha256", old,
	    "new_sha256", hex);
	rc = alpr_store_logentry(s, e) < 0 || st_meta_put(s, txn,
	    "conf_sha256", hex, 64) != 0;
	json_decref(e);
	return st_wend(s, txn, !rc) || rc ? -1 : 0;
}

/* Format 1 to 2: the filters' database, empty (every day is searched in
 * its index until an ingest or a purge gives it a filter). */
static int
upgrade(struct alpr_store *s)
{
	MDB_txn *txn;
	int rc;

	if (st_wbegin(s, &txn) != 0)
		return -1;
	if ((rc = mdb_dbi_open(txn, "filt", MDB_CREATE, &s->filt)) != 0 ||
	    (rc = st_meta_put(s, txn, "format", FORMAT, 1)) != 0) {
		st_mdb_warn(rc, "unable to bring the store to format " FORMAT);
		st_wend(s, txn, 0);
		return -1;
	}
	if (st_wend(s, txn, 1) != 0)
		return -1;
	s->nofilt = 0;
	return 0;
}

const char *
alpr_store_cipher(const char *name)
{
	return st_cipher_pick(name);
}

struct alpr_store *
alpr_store_open(const char *home, const char *keyfile)
{
	struct alpr_store *s = store_new(home);
	MDB_txn *txn;
	MDB_val v;
	struct stat st;
	int r, fmt;

	if (stat(home, &st) < 0) {
		alpr_warn("%s: %s: no store home there (make one with "
		    "alpr-store init)", home, strerror(errno));
		goto fail;
	}
	if (check_home(s) < 0 || alpr_storeconf_read(&s->conf,
	    s->confpath) < 0 ||
	    st_kek_load(s, alpr_store_keyfile(keyfile, &s->conf), 0) < 0 ||
	    env_open(s, 0) < 0)
		goto fail;
	if (st_txn(s, MDB_RDONLY, &txn) != 0)
		goto fail;
	r = st_meta_get(s, txn, "format", &v);
	if (r != 0 || v.mv_size != 1 || (memcmp(v.mv_data, FORMAT_NEW, 1) &&
	    memcmp(v.mv_data, FORMAT, 1) && memcmp(v.mv_data, "1", 1))) {
		alpr_warn("%s: not a store of format 1 to " FORMAT_NEW,
		    s->dbdir);
		mdb_txn_abort(txn);
		goto fail;
	}
	/* before format 3, no cipher named: XChaCha20-Poly1305 */
	fmt = *(char *)v.mv_data;
	if ((r = st_meta_get(s, txn, "cipher", &v)) != 0 && fmt == '3') {
		alpr_warn("%s: the store names no cipher: it is damaged",
		    s->dbdir);
		mdb_txn_abort(txn);
		goto fail;
	}
	if (r != 0)
		v = (MDB_val){ 17, "xchacha20poly1305" };
	if (st_cipher_use(v.mv_data, v.mv_size) < 0) {
		mdb_txn_abort(txn);
		goto fail;
	}
	r = check_log(s, txn) < 0 ? -2 : st_kek_check(s, txn);
	mdb_txn_abort(txn);
	/* no filters' database: format 1, or one another program brought to
	 * format 2 since env_open looked */
	if (r == -2 || (r < 0 && st_kek_recover(s) < 0) ||
	    (s->nofilt && upgrade(s) < 0))
		goto fail;
	if (!(s->log = alpr_log_open(s->logdir))) {
		char *p = alpr_path(s->logdir, ALPR_LOG_CONFIG);

		if (access(p, F_OK) != 0)	/* else the log said so */
			alpr_log_alert(s->logdir, "opening it", "its "
			    ALPR_LOG_CONFIG " is gone");
		free(p);
		goto fail;
	}
	alpr_store_actor_init(&s->actor);
	if (conf_changed(s) < 0) {
		alpr_warn("unable to log the change of %s:", s->confpath);
		goto fail;
	}
	return s;
fail:
	alpr_store_close(s);
	return NULL;
}

struct alpr_store *
alpr_store_need(const char *opt, const char *keyfile)
{
	struct alpr_store *s = alpr_store_open(alpr_store_home(opt), keyfile);

	if (!s)
		exit(ALPR_EXIT_SYS);
	return s;
}

void
alpr_store_close(struct alpr_store *s)
{
	if (!s)
		return;
	if (s->log)
		alpr_log_close(s->log);
	env_close(s);
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->relfd >= 0)
		close(s->relfd);
	st_days_forget(s);
	st_cipher_forget();
	free(s->day);
	free(s->dayst);
	sodium_free(s->kek);
	sodium_free(s->wrap);
	sodium_free(s->userk);
	sodium_free(s->sessk);
	sodium_free(s->holdk);
	sodium_free(s->signk);
	alpr_storeconf_free(&s->conf);
	free(s->home);
	free(s->dbdir);
	free(s->spool);
	free(s->logdir);
	free(s->sessdir);
	free(s->confpath);
	free(s->keypath);
	free(s);
}

const struct alpr_storeconf *
alpr_store_conf(const struct alpr_store *s)
{
	return &s->conf;
}

const char *
alpr_store_logdir(const struct alpr_store *s)
{
	return s->logdir;
}
