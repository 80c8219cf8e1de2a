/*
 * pg_lock_chaos: the postgres lock store under chaos (issue 12; the
 * results are in docs/team-store.md, "Locks under chaos"). Run as root:
 *
 *   pg_lock_chaos [--seconds N] [--clients N] [--keep DIR]
 *
 * It starts its own server (tests/support/pgserver.sh), runs `otto db init`,
 * makes two OS users with LOGIN roles of their names (peer authentication),
 * and starts N (default 8) clients, half on host "chaos-a" and half on
 * "chaos-b": each in its own UTS namespace with that host name, as one of
 * the two users. Each client loops through libotto's lock manager
 * ([locks] store "postgres", through otto-worker): acquire a random one of
 * four names (no expiry), hold it 0-30 ms, release; it logs every grant and
 * release with CLOCK_MONOTONIC times and the fencing token to its own log.
 * Meanwhile the parent SIGKILLs random clients (and starts them again),
 * terminates random client connections with pg_terminate_backend, and once,
 * halfway, restarts the server with `pg_ctl restart -m fast` while it holds
 * four locks of its own. A trigger (installed by the superuser, outside the
 * product's schema) records every grant the server made, so grants a client
 * made but could not log before it was killed are still checked.
 *
 * The checker then proves, per lock name in the server's grant order (the
 * audit rows):
 *   - no two holds overlap: the next grant completed after the previous
 *     release began, or, when the previous holder was killed holding it,
 *     after the kill and on the killed holder's own host (a dead holder's
 *     lock is stale only where its pid can be checked; elsewhere it is held);
 *   - fences are strictly increasing in grant order, and the server's
 *     grant order never contradicts the clients' monotonic clocks;
 *   - nothing was lost across the restart: the parent's four locks are in
 *     the table with their fences after it, and release cleanly;
 *   - no client lost a lock it held (a release never found it taken over).
 * Exit 0 and a summary line when all hold; 1 and every violation otherwise.
 * Times: the run lasts --seconds (default 20); nothing here has a time
 * limit (a loaded machine only makes it slower).
 */
#include <otto/otto.h>
#include <otto/lock.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NAMES 4
#define MAX_CLIENTS 32
#define USER_A "otto_chaos_a"
#define USER_B "otto_chaos_b"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "pg_lock_chaos: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* One line, one write(2): a SIGKILL never leaves half a line. */
static void log_line(int fd, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof buf - 1)
		die("log line too long");
	buf[n++] = '\n';
	if (write(fd, buf, (size_t)n) != n)
		die("log write: %s", strerror(errno));
}

/* ---- client ---------------------------------------------------------- */

static volatile sig_atomic_t stopping;
static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static int client_main(const char *url, const char *log_path, unsigned seed)
{
	int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		die("%s: %s", log_path, strerror(errno));
	struct sigaction sa = {0};
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	/* spawn() blocked SIGTERM across fork and exec: one sent while this
	 * client was still starting waited for the handler, and arrives now. */
	sigset_t term;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_UNBLOCK, &term, NULL);
	char host[256] = "";
	gethostname(host, sizeof host);
	log_line(fd, "start %d %s", (int)getpid(), host);
	otto_error err = {0, ""};
	otto_registry *reg = NULL;
	otto_lock_manager *mgr = NULL;
	if (otto_registry_new(&reg, &err) || otto_registry_add_dir(reg, OTTO_PLUGIN_BUILD_DIR, &err) ||
	    otto_registry_scan(reg, &err))
		die("client: %s", err.message);
	otto_lock_options o;
	otto_lock_options_init(&o);
	o.store = "postgres";
	o.url = url;
	o.registry = reg;
	if (otto_lock_manager_new(&mgr, &o, &err))
		die("client: %s", err.message);
	unsigned r = seed;
	while (!stopping) {
		char name[16];
		snprintf(name, sizeof name, "n%d", (int)(rand_r(&r) % NAMES));
		bool acquired = false;
		double t0 = now_s();
		/* Errors (a cut connection, the restart) are retried: the store
		 * reconnects on the next call; a refusal ends the attempt. */
		for (;;) {
			otto_error e = {0, ""};
			int rc = otto_lock_manager_acquire(mgr, name, 0, 0, &acquired, NULL, &e);
			if (rc == OTTO_OK)
				break;
			log_line(fd, "error acquire %s %.6f %s", name, now_s(), e.message);
			usleep(10000);
		}
		if (!acquired) {
			usleep((useconds_t)(rand_r(&r) % 3000));
			continue;
		}
		double t1 = now_s();
		uint64_t fence = otto_lock_manager_fence(mgr, name);
		log_line(fd, "grant %s %" PRIu64 " %.6f %.6f", name, fence, t0, t1);
		usleep((useconds_t)(rand_r(&r) % 30000));
		double r0 = now_s();
		const char *how = NULL;
		for (;;) {
			otto_error e = {0, ""};
			int rc = otto_lock_manager_release(mgr, name, 0, NULL, &e);
			if (rc == OTTO_OK)
				how = "ok";
			else if (rc == OTTO_ENOTFOUND)
				how = "gone"; /* an earlier try deleted it, its answer was cut */
			else if (strstr(e.message, "not by this process"))
				how = "lost";
			if (how)
				break;
			log_line(fd, "error release %s %.6f %s", name, now_s(), e.message);
			usleep(10000);
		}
		log_line(fd, "release %s %" PRIu64 " %.6f %.6f %s", name, fence, r0, now_s(), how);
	}
	otto_lock_manager_free(mgr);
	otto_registry_free(reg);
	log_line(fd, "stop %d", (int)getpid());
	close(fd);
	return 0;
}

/* ---- parent: the server, the users, the chaos ------------------------ */

static char run_dir[256], state_path[300], pg_dir[256], admin_url[512], self_path[512];
static int parent_log = -1;

static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		die("failed: %s", cmd);
}

/* psql as the superuser; the output (unaligned, tuples only) in a malloc'd string. */
static char *sql(const char *query)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "psql -X -q -At -v ON_ERROR_STOP=1 -h '%s' -U otto_pgsuper -d otto -c \"%s\"", pg_dir,
		 query);
	FILE *p = popen(cmd, "r");
	if (!p)
		die("popen psql");
	size_t cap = 4096, len = 0;
	char *out = malloc(cap);
	size_t n;
	while (out && (n = fread(out + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 2048) {
			cap *= 2;
			out = realloc(out, cap);
		}
	}
	if (!out)
		die("out of memory");
	out[len] = '\0';
	if (pclose(p) != 0)
		die("psql failed: %s", query);
	return out;
}

typedef struct client {
	pid_t pid;
	char host[16];
	const char *user;
	uid_t uid;
	gid_t gid;
} client;

static client clients[MAX_CLIENTS];
static unsigned spawn_seed = 1;

static void spawn(int slot)
{
	client *c = &clients[slot];
	char log_path[300], url[512], seed[16];
	snprintf(log_path, sizeof log_path, "%s/client-%d.log", run_dir, slot);
	snprintf(url, sizeof url, "postgresql:///otto?host=%s&user=%s", pg_dir, c->user);
	snprintf(seed, sizeof seed, "%u", spawn_seed++ * 7919u + (unsigned)slot);
	/* SIGTERM (the end of the run) stays pending until client_main has
	 * its handler: blocked here, before fork, so that the child is never
	 * without the block, even before it first runs (a client restarted
	 * just before the end died by it: "ended with status 0xf" in CI). */
	sigset_t term, before;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &before);
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		/* Its own UTS namespace: the host name its lock rows carry. */
		if (unshare(CLONE_NEWUTS) != 0 || sethostname(c->host, strlen(c->host)) != 0 ||
		    setgroups(0, NULL) != 0 || setgid(c->gid) != 0 || setuid(c->uid) != 0) {
			perror("pg_lock_chaos: client setup");
			_exit(2);
		}
		setenv("HOME", run_dir, 1);
		execl(self_path, self_path, "--client", url, log_path, seed, (char *)NULL);
		_exit(127);
	}
	sigprocmask(SIG_SETMASK, &before, NULL);
	c->pid = pid;
}

static void user_of(const char *name, uid_t *uid, gid_t *gid)
{
	sh("id -u %s >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin %s", name, name);
	struct passwd *pw = getpwnam(name);
	if (!pw)
		die("no user %s after useradd", name);
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
}

static const char audit_sql[] =
	"CREATE TABLE public.chaos_audit (id bigserial PRIMARY KEY, op text, name text, fence bigint, host text, "
	"pid bigint, at timestamptz DEFAULT clock_timestamp(), xid xid8 DEFAULT pg_current_xact_id());\n"
	"CREATE FUNCTION public.chaos_audit_row() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
	"SET search_path = pg_catalog AS $f$\n"
	"BEGIN\n"
	"  IF TG_OP = 'DELETE' THEN\n"
	"    INSERT INTO public.chaos_audit (op, name, fence, host, pid) VALUES ('D', OLD.name, OLD.fence, OLD.host, "
	"OLD.pid);\n"
	"    RETURN OLD;\n"
	"  END IF;\n"
	"  IF TG_OP = 'INSERT' OR NEW.fence <> OLD.fence THEN\n"
	"    INSERT INTO public.chaos_audit (op, name, fence, host, pid) VALUES ('G', NEW.name, NEW.fence, NEW.host, "
	"NEW.pid);\n"
	"  END IF;\n"
	"  RETURN NEW;\n"
	"END $f$;\n"
	"CREATE TRIGGER chaos_audit AFTER INSERT OR UPDATE OR DELETE ON otto.locks FOR EACH ROW EXECUTE FUNCTION "
	"public.chaos_audit_row();\n";

static void setup(void)
{
	char tmpl[] = "/tmp/otto-pg-chaos-XXXXXX";
	if (!run_dir[0]) {
		if (!mkdtemp(tmpl))
			die("mkdtemp: %s", strerror(errno));
		snprintf(run_dir, sizeof run_dir, "%s", tmpl);
	}
	if (chmod(run_dir, 01777) != 0)
		die("chmod %s: %s", run_dir, strerror(errno));
	snprintf(state_path, sizeof state_path, "%s/pg.env", run_dir);
	sh("bash '%s/tests/support/pgserver.sh' start '%s' >/dev/null", OTTO_SOURCE_DIR, state_path);
	FILE *f = fopen(state_path, "r");
	char line[512];
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "OTTO_PG_DIR=", 12) == 0)
			snprintf(pg_dir, sizeof pg_dir, "%.*s", (int)strcspn(line + 12, "\n"), line + 12);
	if (f)
		fclose(f);
	if (!pg_dir[0])
		die("%s: no OTTO_PG_DIR", state_path);
	snprintf(admin_url, sizeof admin_url, "postgresql:///otto?host=%s&user=otto_dba", pg_dir);
	sh("mkdir -p '%s/.otto' && printf '[lab]\\nbackend = \"example\"\\n[locks]\\nstore = \"postgres\"\\nurl = \"%s\"\\n' "
	   "> '%s/.otto/settings.toml' && '%s' --settings '%s/.otto/settings.toml' db init >/dev/null",
	   run_dir, admin_url, run_dir, OTTO_BIN, run_dir);
	char path[300];
	snprintf(path, sizeof path, "%s/audit.sql", run_dir);
	f = fopen(path, "w");
	if (!f || fputs(audit_sql, f) < 0 || fclose(f) != 0)
		die("%s: cannot write", path);
	sh("psql -X -q -v ON_ERROR_STOP=1 -h '%s' -U otto_pgsuper -d otto -f '%s' >/dev/null", pg_dir, path);
	free(sql("CREATE ROLE " USER_A " LOGIN; CREATE ROLE " USER_B " LOGIN"));
}

/* The restart: four locks of the parent's own (as otto_dba) are in the
 * table with the same fences after `pg_ctl restart -m fast`, and release
 * cleanly. Returns the number of problems. */
static int restart_keeps_locks(double *t_restart)
{
	otto_error err = {0, ""};
	otto_registry *reg = NULL;
	otto_lock_manager *mgr = NULL;
	int problems = 0;
	if (otto_registry_new(&reg, &err) || otto_registry_add_dir(reg, OTTO_PLUGIN_BUILD_DIR, &err) ||
	    otto_registry_scan(reg, &err))
		die("%s", err.message);
	otto_lock_options o;
	otto_lock_options_init(&o);
	o.store = "postgres";
	o.url = admin_url;
	o.registry = reg;
	if (otto_lock_manager_new(&mgr, &o, &err))
		die("%s", err.message);
	char want[256] = "";
	for (int i = 0; i < 4; i++) {
		char name[32];
		bool acquired = false;
		snprintf(name, sizeof name, "survivor-%d", i);
		if (otto_lock_manager_acquire(mgr, name, 0, 0, &acquired, NULL, &err) || !acquired)
			die("survivor %s: %s", name, acquired ? err.message : "refused");
		size_t len = strlen(want);
		snprintf(want + len, sizeof want - len, "%s|%" PRIu64 "\n", name, otto_lock_manager_fence(mgr, name));
	}
	static const char q[] = "SELECT name, fence FROM otto.locks WHERE name LIKE 'survivor-%' ORDER BY name";
	char *before = sql(q);
	*t_restart = now_s();
	sh("bash '%s/tests/support/pgserver.sh' restart '%s' >/dev/null", OTTO_SOURCE_DIR, state_path);
	log_line(parent_log, "restart %.6f %.6f", *t_restart, now_s());
	char *after = sql(q);
	if (strcmp(before, want) != 0 || strcmp(after, want) != 0) {
		printf("VIOLATION restart: the parent's locks were\n%s before and\n%s after; granted\n%s", before, after,
		       want);
		problems++;
	}
	for (int i = 0; i < 4; i++) {
		char name[32];
		snprintf(name, sizeof name, "survivor-%d", i);
		int rc;
		/* The first call after the restart finds its connection gone
		 * (fail closed) and the next reconnects. */
		for (int tries = 0; (rc = otto_lock_manager_release(mgr, name, 0, NULL, &err)) != OTTO_OK && tries < 3;
		     tries++)
			;
		if (rc != OTTO_OK) {
			printf("VIOLATION restart: releasing %s after the restart: %s\n", name, err.message);
			problems++;
		}
	}
	free(before);
	free(after);
	otto_lock_manager_free(mgr);
	otto_registry_free(reg);
	return problems;
}

typedef struct chaos_counts {
	int kills, terminations, restarts;
} chaos_counts;

static int run_chaos(int n_clients, double seconds, chaos_counts *cc)
{
	unsigned r = 12345;
	uid_t ua, ub;
	gid_t ga, gb;
	user_of(USER_A, &ua, &ga);
	user_of(USER_B, &ub, &gb);
	for (int i = 0; i < n_clients; i++) {
		client *c = &clients[i];
		snprintf(c->host, sizeof c->host, "%s", i % 2 ? "chaos-b" : "chaos-a");
		c->user = (i / 2) % 2 ? USER_B : USER_A;
		c->uid = (i / 2) % 2 ? ub : ua;
		c->gid = (i / 2) % 2 ? gb : ga;
		spawn(i);
	}
	int problems = 0;
	double start = now_s(), end = start + seconds;
	bool restarted = false;
	while (now_s() < end) {
		/* The pace of the chaos, not a wait for anything. */
		usleep(50000 + (useconds_t)(rand_r(&r) % 200000));
		if (!restarted && now_s() > start + seconds / 2) {
			double t;
			problems += restart_keeps_locks(&t);
			restarted = true;
			cc->restarts++;
			continue;
		}
		if (rand_r(&r) % 2) {
			int slot = (int)(rand_r(&r) % (unsigned)n_clients);
			double t = now_s();
			if (kill(clients[slot].pid, SIGKILL) != 0)
				die("kill: %s", strerror(errno));
			int st;
			waitpid(clients[slot].pid, &st, 0);
			log_line(parent_log, "kill %d %d %s %.6f", slot, (int)clients[slot].pid, clients[slot].host, t);
			cc->kills++;
			spawn(slot);
		} else {
			char *n = sql("SELECT count(pg_terminate_backend(pid)) FROM (SELECT pid FROM pg_stat_activity "
				      "WHERE usename IN ('" USER_A "', '" USER_B "') ORDER BY random() LIMIT 2) s");
			cc->terminations += atoi(n);
			log_line(parent_log, "terminate %d %.6f", atoi(n), now_s());
			free(n);
		}
	}
	for (int i = 0; i < n_clients; i++)
		kill(clients[i].pid, SIGTERM);
	for (int i = 0; i < n_clients; i++) {
		int st = 0;
		waitpid(clients[i].pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			printf("VIOLATION client %d (pid %d) ended with status %#x\n", i, (int)clients[i].pid, st);
			problems++;
		}
	}
	return problems;
}

/* ---- the checker ----------------------------------------------------- */

typedef struct hold {
	int name;
	uint64_t fence;
	long seq;           /* the server's grant order (its audit row); 0: none */
	char host[32];
	long pid;
	bool logged;        /* the client logged the grant (t0, t1) */
	double t0, t1;      /* the acquire began, the grant returned */
	bool released;      /* logged release: began at r0 */
	double r0;
	bool deleted;       /* the server saw its row deleted (a release) */
	bool killed;        /* its holder was SIGKILLed holding it (at kill_t) */
	double kill_t;
} hold;

typedef struct kill_rec {
	long pid;
	double t;
} kill_rec;

static hold *holds;
static size_t n_holds, cap_holds;
static kill_rec kills[4096];
static size_t n_kills;

static hold *new_hold(void)
{
	if (n_holds == cap_holds) {
		cap_holds = cap_holds ? cap_holds * 2 : 1024;
		holds = realloc(holds, cap_holds * sizeof *holds);
		if (!holds)
			die("out of memory");
	}
	hold *h = &holds[n_holds++];
	memset(h, 0, sizeof *h);
	return h;
}

static hold *find_hold(int name, uint64_t fence)
{
	for (size_t i = 0; i < n_holds; i++)
		if (holds[i].name == name && holds[i].fence == fence)
			return &holds[i];
	return NULL;
}

static const double *kill_time(long pid)
{
	for (size_t i = 0; i < n_kills; i++)
		if (kills[i].pid == pid)
			return &kills[i].t;
	return NULL;
}

static int name_index(const char *s)
{
	return s[0] == 'n' && s[1] >= '0' && s[1] < '0' + NAMES && !s[2] ? s[1] - '0' : -1;
}

typedef struct tally {
	long grants, releases, gone, lost, errors, unlogged, reclaimed, killed_holding;
} tally;

static int read_client_log(int slot, tally *t)
{
	char path[300], line[1024], host[32] = "", name[16], how[16];
	snprintf(path, sizeof path, "%s/client-%d.log", run_dir, slot);
	FILE *f = fopen(path, "r");
	if (!f)
		die("%s: %s", path, strerror(errno));
	long pid = 0;
	int problems = 0;
	uint64_t fence;
	double a, b;
	while (fgets(line, sizeof line, f)) {
		int p;
		if (sscanf(line, "start %d %31s", &p, host) == 2)
			pid = p;
		else if (sscanf(line, "grant %15s %" SCNu64 " %lf %lf", name, &fence, &a, &b) == 4) {
			hold *h = new_hold();
			h->name = name_index(name);
			h->fence = fence;
			snprintf(h->host, sizeof h->host, "%s", host);
			h->pid = pid;
			h->logged = true;
			h->t0 = a;
			h->t1 = b;
			t->grants++;
		} else if (sscanf(line, "release %15s %" SCNu64 " %lf %lf %15s", name, &fence, &a, &b, how) == 5) {
			hold *h = find_hold(name_index(name), fence);
			if (!h || h->pid != pid) {
				printf("VIOLATION %s: a release of %s fence %" PRIu64 " that was never granted\n", path, name,
				       fence);
				problems++;
				continue;
			}
			h->released = true;
			h->r0 = a;
			t->releases++;
			if (strcmp(how, "gone") == 0)
				t->gone++;
			if (strcmp(how, "lost") == 0) {
				printf("VIOLATION %s: %s fence %" PRIu64 " was taken over while its holder lived\n", path,
				       name, fence);
				t->lost++;
				problems++;
			}
		} else if (strncmp(line, "error ", 6) == 0)
			t->errors++;
	}
	fclose(f);
	return problems;
}

static int cmp_hold(const void *x, const void *y)
{
	const hold *a = x, *b = y;
	if (a->name != b->name)
		return a->name - b->name;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int check(int n_clients, tally *t)
{
	int problems = 0;
	char path[300], line[512];
	snprintf(path, sizeof path, "%s/parent.log", run_dir);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f)) {
		int slot, pid;
		char host[32];
		double when;
		if (sscanf(line, "kill %d %d %31s %lf", &slot, &pid, host, &when) == 4 && n_kills < 4096)
			kills[n_kills++] = (kill_rec){pid, when};
	}
	if (f)
		fclose(f);
	for (int i = 0; i < n_clients; i++)
		problems += read_client_log(i, t);
	/* The server's record of every grant and deletion. */
	/* The AFTER trigger runs once the row is in place, so for one name
	 * the audit's order is the order of the grants. */
	char *audit = sql("SELECT op || ' ' || name || ' ' || fence || ' ' || host || ' ' || pid || ' ' || id FROM "
			  "public.chaos_audit WHERE name LIKE 'n_' ORDER BY id");
	for (char *l = strtok(audit, "\n"); l; l = strtok(NULL, "\n")) {
		char op, name[16], host[32];
		uint64_t fence;
		long pid, seq;
		if (sscanf(l, "%c %15s %" SCNu64 " %31s %ld %ld", &op, name, &fence, host, &pid, &seq) != 6)
			die("audit line: %s", l);
		hold *h = find_hold(name_index(name), fence);
		if (op == 'D') {
			if (h)
				h->deleted = true;
			continue;
		}
		if (!h) { /* granted, but its holder was killed (or its answer cut) before it logged it */
			h = new_hold();
			h->name = name_index(name);
			h->fence = fence;
			snprintf(h->host, sizeof h->host, "%s", host);
			h->pid = pid;
			t->unlogged++;
		} else if (strcmp(h->host, host) != 0 || h->pid != pid) {
			printf("VIOLATION %s fence %" PRIu64 ": logged by pid %ld on %s, granted to pid %ld on %s\n", name,
			       fence, h->pid, h->host, pid, host);
			problems++;
		}
		h->seq = seq;
	}
	free(audit);
	for (size_t i = 0; i < n_holds; i++) {
		hold *h = &holds[i];
		const double *k = kill_time(h->pid);
		if (!h->seq) {
			printf("VIOLATION n%d: pid %ld on %s logged fence %" PRIu64 " the server never granted\n", h->name,
			       h->pid, h->host, h->fence);
			problems++;
		}
		if (!h->released && !h->deleted && k) {
			h->killed = true;
			h->kill_t = *k;
			t->killed_holding++;
		} else if (!h->released && !h->deleted && h->logged) {
			printf("VIOLATION n%d fence %" PRIu64 ": pid %ld never released it and was not killed\n", h->name,
			       h->fence, h->pid);
			problems++;
		}
	}
	qsort(holds, n_holds, sizeof *holds, cmp_hold);
	for (size_t i = 1; i < n_holds; i++) {
		hold *p = &holds[i - 1], *n = &holds[i];
		if (p->name != n->name)
			continue;
		if (n->fence <= p->fence) {
			printf("VIOLATION n%d: fence %" PRIu64 " (pid %ld on %s) granted after fence %" PRIu64
			       " (pid %ld on %s): fences must grow from one grant to the next\n",
			       n->name, n->fence, n->pid, n->host, p->fence, p->pid, p->host);
			problems++;
		}
		if (p->logged && n->logged && n->t1 < p->t0) {
			printf("VIOLATION n%d: fence %" PRIu64 " (pid %ld) was granted before fence %" PRIu64
			       " (pid %ld) was asked for\n",
			       n->name, n->fence, n->pid, p->fence, p->pid);
			problems++;
		}
		if (p->released) {
			if (n->logged && n->t1 < p->r0) {
				printf("VIOLATION n%d: fence %" PRIu64 " (pid %ld on %s) granted at %.6f while fence %" PRIu64
				       " (pid %ld on %s) was held until at least %.6f\n",
				       n->name, n->fence, n->pid, n->host, n->t1, p->fence, p->pid, p->host, p->r0);
				problems++;
			}
		} else if (p->deleted) {
			/* Released, then killed before it logged the release. */
		} else if (p->killed) {
			if (n->pid != p->pid)
				t->reclaimed++;
			if (strcmp(n->host, p->host) != 0) {
				printf("VIOLATION n%d: the dead holder's fence %" PRIu64 " (pid %ld on %s) was reclaimed from "
				       "another host as fence %" PRIu64 " (pid %ld on %s)\n",
				       n->name, p->fence, p->pid, p->host, n->fence, n->pid, n->host);
				problems++;
			}
			if (n->logged && n->t1 < p->kill_t) {
				printf("VIOLATION n%d: fence %" PRIu64 " (pid %ld) granted at %.6f before its holder of fence "
				       "%" PRIu64 " (pid %ld) was killed at %.6f\n",
				       n->name, n->fence, n->pid, n->t1, p->fence, p->pid, p->kill_t);
				problems++;
			}
		} else if (n->pid != p->pid || strcmp(n->host, p->host) != 0) {
			/* An unlogged grant of a live client (its answer was cut)
			 * is only ever taken again by that same client. */
			printf("VIOLATION n%d: fence %" PRIu64 " of live pid %ld on %s passed to pid %ld on %s as fence "
			       "%" PRIu64 "\n",
			       n->name, p->fence, p->pid, p->host, n->pid, n->host, n->fence);
			problems++;
		}
	}
	return problems;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "--client") == 0)
		return client_main(argv[2], argv[3], (unsigned)strtoul(argv[4], NULL, 10));
	double seconds = 20;
	int n_clients = 8;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--clients") == 0 && i + 1 < argc)
			n_clients = atoi(argv[++i]);
		else if (strcmp(argv[i], "--keep") == 0 && i + 1 < argc)
			snprintf(run_dir, sizeof run_dir, "%s", argv[++i]);
		else
			die("usage: pg_lock_chaos [--seconds N] [--clients N (2..%d)] [--keep DIR]", MAX_CLIENTS);
	}
	if (seconds < 2 || n_clients < 2 || n_clients > MAX_CLIENTS)
		die("usage: pg_lock_chaos [--seconds N >= 2] [--clients N (2..%d)] [--keep DIR]", MAX_CLIENTS);
	if (geteuid() != 0)
		die("run as root: it starts a PostgreSQL server, adds users and sets host names");
	bool keep = run_dir[0] != '\0';
	if (keep && mkdir(run_dir, 01777) != 0 && errno != EEXIST)
		die("%s: %s", run_dir, strerror(errno));
	ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
	if (n <= 0)
		die("readlink /proc/self/exe: %s", strerror(errno));
	self_path[n] = '\0';
	setup();
	char path[300];
	snprintf(path, sizeof path, "%s/parent.log", run_dir);
	parent_log = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (parent_log < 0)
		die("%s: %s", path, strerror(errno));
	chaos_counts cc = {0, 0, 0};
	int problems = run_chaos(n_clients, seconds, &cc);
	tally t = {0};
	problems += check(n_clients, &t);
	printf("pg_lock_chaos: %d clients on 2 hosts, %.0f s: %ld grants (%ld more the server made that a killed or cut "
	       "client never logged), %ld releases (%ld already gone after a cut answer), %ld retried errors; %d "
	       "SIGKILLs (%ld while holding, %ld of those reclaimed on their own host), %d connections terminated, %d "
	       "restart(s) with 4 locks kept; %ld lost, %d violations\n",
	       n_clients, seconds, t.grants, t.unlogged, t.releases, t.gone, t.errors, cc.kills, t.killed_holding,
	       t.reclaimed, cc.terminations, cc.restarts, t.lost, problems);
	if (problems) /* the server's side, for whoever reads the violations */
		sh("psql -X -q -h '%s' -U otto_pgsuper -d otto -c 'SELECT * FROM public.chaos_audit ORDER BY id' > "
		   "'%s/audit.txt'",
		   pg_dir, run_dir);
	sh("bash '%s/tests/support/pgserver.sh' stop '%s' >/dev/null", OTTO_SOURCE_DIR, state_path);
	if (!keep && problems == 0)
		sh("rm -rf '%s'", run_dir);
	else
		printf("pg_lock_chaos: logs in %s\n", run_dir);
	free(holds);
	return problems ? 1 : 0;
}
