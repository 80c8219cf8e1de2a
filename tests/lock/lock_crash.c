/*
 * lock_crash [--seconds N] [--base FOLDER] [--keep]: the crash stress of
 * issue 9 (--keep leaves the folder and the logs behind, to look at).
 *
 * Four workers take and give back two lock names for N seconds (default
 * 3), each round through the C API or through `otto lock run NAME --
 * lock_crash --hold ...` (the real otto, its command this program again),
 * while the conductor SIGKILLs a random process at random moments: an API
 * worker, an otto, or the command otto runs, whatever it is doing
 * (acquiring, holding, releasing). Every hold is logged with
 * CLOCK_MONOTONIC by the holder itself when it starts, every 100-200 us
 * while it lasts (a heartbeat) and when it ends; a hold cut short by
 * SIGKILL lasted at least until its last heartbeat. Then:
 *
 *   - no two holds of one name overlap;
 *   - once every process is dead, no lock is stuck: each name is free,
 *     stale or expired, and can be taken;
 *   - no temporary file is left in the lock folder (none at all with
 *     O_TMPFILE; with OTTO_LOCK_NO_TMPFILE=1, none once the next writer
 *     has passed).
 *
 * Prints the counts and exits 0 only when all three hold. CTest runs it for
 * a few seconds; the 60-second run is `build/bin/lock_crash --seconds 60`
 * (docs/locks.md has the figures). The conductor is a child subreaper, so
 * the commands of killed ottos are reaped here too and nothing outlives it.
 */
#include <otto/lock.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 4
#define NAMES 2
#define MAX_HOLDS 2000000

enum stage { IDLE, ACQUIRING, HOLDING, RELEASING, STAGES };
static const char *const STAGE_NAMES[STAGES] = {"idle", "acquiring", "holding", "releasing"};
static const char *const LOCK_NAMES[NAMES] = {"board-a", "board-b"};

/* One worker's state, in a file every process maps (the command after
 * exec included). */
typedef struct slot {
	volatile pid_t worker;  /* the API worker, or otto */
	volatile pid_t command; /* otto's command, while it runs */
	volatile int stage;
	volatile int cli;
} slot;

static long long mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void pause_us(long us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
	nanosleep(&ts, NULL);
}

static slot *map_slots(const char *path, bool create)
{
	int fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0), 0644);
	if (fd < 0 || (create && ftruncate(fd, sizeof(slot) * WORKERS) != 0)) {
		perror(path);
		exit(2);
	}
	slot *s = mmap(NULL, sizeof(slot) * WORKERS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (s == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return s;
}

/* "S|E pid name ns\n", one write(2) on an O_APPEND file: lines never mix. */
static void log_line(int fd, char what, int name, long long t)
{
	char line[96];
	int n = snprintf(line, sizeof line, "%c %ld %d %lld\n", what, (long)getpid(), name, t);
	if (write(fd, line, (size_t)n) != n)
		_exit(3);
}

/* The hold itself: a moment of driving the board, with a heartbeat line
 * every 100-200 us, so that a holder killed half way is known to have held
 * the lock until its last heartbeat. */
static void hold_for_a_while(int log, int name, unsigned *seed)
{
	int beats = rand_r(seed) % 12;
	for (int i = 0; i < beats; i++) {
		pause_us(100 + rand_r(seed) % 100);
		log_line(log, 'H', name, mono_ns());
	}
}

/* --hold LOG SLOTS SLOT NAME: the command `otto lock run` runs. */
static int command_main(char **argv)
{
	int log = open(argv[2], O_WRONLY | O_APPEND | O_CLOEXEC);
	slot *s = map_slots(argv[3], false) + atoi(argv[4]);
	int name = atoi(argv[5]);
	unsigned seed = (unsigned)getpid();
	if (log < 0)
		return 3;
	s->command = getpid();
	s->stage = HOLDING;
	log_line(log, 'S', name, mono_ns());
	hold_for_a_while(log, name, &seed);
	log_line(log, 'E', name, mono_ns());
	if (s->command == getpid()) { /* still this slot's: otto was not replaced */
		s->stage = RELEASING; /* otto releases once this exits */
		s->command = 0;
	}
	return 0;
}

static void api_worker(const char *dir, const char *logpath, slot *s)
{
	unsigned seed = (unsigned)getpid() * 2654435761u;
	int log = open(logpath, O_WRONLY | O_APPEND | O_CLOEXEC);
	otto_lock_options o;
	otto_lock_manager *m = NULL;
	otto_error err = {0};
	otto_lock_options_init(&o);
	o.dir = dir;
	o.no_sync = true;
	if (log < 0 || otto_lock_manager_new(&m, &o, &err) != OTTO_OK) {
		fprintf(stderr, "lock_crash: worker: %s\n", err.message);
		_exit(3);
	}
	for (;;) {
		int name = rand_r(&seed) % NAMES;
		const char *names[] = {LOCK_NAMES[name]};
		bool got = false;
		s->stage = ACQUIRING;
		if (otto_lock_manager_acquire_all(m, names, 1, 0, 0, 2000, &got, NULL, &err) != OTTO_OK) {
			fprintf(stderr, "lock_crash: acquire: %s\n", err.message);
			_exit(4);
		}
		if (got) {
			s->stage = HOLDING;
			log_line(log, 'S', name, mono_ns());
			hold_for_a_while(log, name, &seed);
			log_line(log, 'E', name, mono_ns());
			s->stage = RELEASING;
			if (otto_lock_manager_release(m, names[0], 0, NULL, &err) != OTTO_OK) {
				fprintf(stderr, "lock_crash: release: %s\n", err.message);
				_exit(5);
			}
		}
		s->stage = IDLE;
	}
}

typedef struct run {
	char root[512], dir[600], slots_path[600], settings_dir[600];
	char logs[WORKERS][600], kills_path[600];
	slot *slots;
	const char *self;
	unsigned seed;
	long kills[2][STAGES];   /* [cli][stage] */
	long otto_kills, command_kills;
	long rounds[2];
} run;

static pid_t spawn(run *r, int w)
{
	slot *s = &r->slots[w];
	int cli = rand_r(&r->seed) % 2;
	int name = rand_r(&r->seed) % NAMES;
	s->stage = ACQUIRING;
	s->command = 0;
	s->cli = cli;
	r->rounds[cli]++;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		if (!cli)
			api_worker(r->dir, r->logs[w], s);
		char slot_no[16], name_no[16];
		snprintf(slot_no, sizeof slot_no, "%d", w);
		snprintf(name_no, sizeof name_no, "%d", name);
		if (chdir(r->settings_dir) != 0)
			_exit(6);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2); /* killed commands make otto say so: expected */
		setenv("OTTO_PLUGIN_PATH", "", 1);
		execl(OTTO_BIN, OTTO_BIN, "lock", "run", LOCK_NAMES[name], "--wait", "2s", "--", r->self, "--hold",
		      r->logs[w], r->slots_path, slot_no, name_no, (char *)NULL);
		_exit(7);
	}
	s->worker = pid;
	return pid;
}

/* Kill a process of a worker that is in `want` (a random stage), watching
 * the slots for a while for one to get there: a release lasts microseconds,
 * so waiting for a random moment alone would almost never hit one. */
static void kill_one(run *r, FILE *kills)
{
	int want = ACQUIRING + rand_r(&r->seed) % (RELEASING - ACQUIRING + 1);
	int w = -1, stage = IDLE;
	long long until = mono_ns() + 20000000LL;
	while (w < 0 && mono_ns() < until)
		for (int i = 0, start = rand_r(&r->seed) % WORKERS; i < WORKERS; i++) {
			int k = (start + i) % WORKERS;
			if (r->slots[k].stage == want) {
				w = k;
				break;
			}
		}
	if (w < 0)
		w = rand_r(&r->seed) % WORKERS; /* none got there: anyone, wherever it is */
	slot *s = &r->slots[w];
	stage = s->stage;
	int cli = s->cli;
	pid_t victim = s->worker, command = s->command;
	bool at_command = cli && command > 0 && rand_r(&r->seed) % 2;
	if (at_command)
		victim = command;
	if (victim <= 0)
		return;
	fprintf(kills, "K %ld %lld\n", (long)victim, mono_ns());
	fflush(kills);
	if (kill(victim, SIGKILL) != 0)
		return;
	r->kills[cli][stage]++;
	if (cli && at_command)
		r->command_kills++;
	else if (cli)
		r->otto_kills++;
}

typedef struct hold {
	long pid;
	int name;
	long long start, end;
} hold;

typedef struct event {
	char what;
	long pid;
	int name;
	long long t;
} event;

static int by_time(const void *a, const void *b)
{
	const event *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t;
}

static int by_start(const void *a, const void *b)
{
	const hold *x = a, *y = b;
	if (x->name != y->name)
		return x->name - y->name;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Read every log. A hold is an S, the H heartbeats of its pid after it,
 * and its E: it lasted from its S to its E, or, cut short by SIGKILL, at
 * least until its last heartbeat. Only the holders' own lines count: the
 * conductor's clock readings around a kill say nothing about when the kill
 * landed (it can be preempted between logging and killing). Returns the
 * overlaps; *count the holds, *cut the holds that never reached their E. */
static long check_overlaps(run *r, long *count, long *cut)
{
	size_t n = 0, cap = 1 << 16;
	event *ev = malloc(cap * sizeof *ev);
	for (int w = 0; w < WORKERS; w++) {
		FILE *f = fopen(r->logs[w], "r");
		event e = {0};
		char what;
		if (!f)
			continue;
		while (fscanf(f, " %c %ld %d %lld", &what, &e.pid, &e.name, &e.t) == 4) {
			e.what = what;
			if (n == cap)
				ev = realloc(ev, (cap *= 2) * sizeof *ev);
			ev[n++] = e;
		}
		fclose(f);
	}
	qsort(ev, n, sizeof *ev, by_time);
	hold *holds = malloc(sizeof *holds * (n + 1));
	size_t n_holds = 0;
	long overlaps = 0;
	*cut = 0;
	for (size_t i = 0; i < n; i++) {
		if (ev[i].what != 'S')
			continue;
		hold h = {ev[i].pid, ev[i].name, ev[i].t, ev[i].t};
		bool ended = false;
		for (size_t j = i + 1; j < n && !ended; j++) {
			if (ev[j].pid != h.pid)
				continue;
			if (ev[j].what == 'S')
				break; /* the same PID again: this hold was cut short */
			h.end = ev[j].t;
			ended = ev[j].what == 'E';
		}
		*cut += !ended;
		holds[n_holds++] = h;
	}
	qsort(holds, n_holds, sizeof *holds, by_start);
	for (size_t i = 1; i < n_holds; i++) {
		if (holds[i].name == holds[i - 1].name && holds[i].start < holds[i - 1].end) {
			fprintf(stderr, "lock_crash: %s held by pid %ld from %lld while pid %ld held it until %lld\n",
				LOCK_NAMES[holds[i].name], holds[i].pid, holds[i].start, holds[i - 1].pid, holds[i - 1].end);
			overlaps++;
		}
	}
	*count = (long)n_holds;
	free(holds);
	free(ev);
	return overlaps;
}

/* Every process is dead: each name must be takeable now. */
static long check_stuck(run *r)
{
	otto_lock_options o;
	otto_lock_manager *m = NULL;
	otto_error err = {0};
	long stuck = 0;
	otto_lock_options_init(&o);
	o.dir = r->dir;
	if (otto_lock_manager_new(&m, &o, &err) != OTTO_OK) {
		fprintf(stderr, "lock_crash: %s\n", err.message);
		return NAMES;
	}
	for (int i = 0; i < NAMES; i++) {
		otto_lock_info info;
		bool got = false;
		if (otto_lock_manager_acquire(m, LOCK_NAMES[i], 0, 0, &got, &info, &err) != OTTO_OK || !got) {
			fprintf(stderr, "lock_crash: %s is stuck: %s %s\n", LOCK_NAMES[i],
				got ? err.message : otto_lock_state_name(info.state), info.problem ? info.problem : "");
			stuck++;
		}
		otto_lock_info_clear(&info);
	}
	otto_lock_manager_free(m);
	return stuck;
}

static long count_temps(const char *dir)
{
	DIR *d = opendir(dir);
	long n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += strncmp(e->d_name, ".tmp.", 5) == 0;
	if (d)
		closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	double seconds = 3;
	bool keep = false;
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	run r = {0};

	if (argc == 6 && strcmp(argv[1], "--hold") == 0)
		return command_main(argv);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--base") == 0 && i + 1 < argc)
			base = argv[++i];
		else if (strcmp(argv[i], "--keep") == 0)
			keep = true;
		else {
			fprintf(stderr, "usage: lock_crash [--seconds N] [--base FOLDER] [--keep]\n");
			return 2;
		}
	}
	r.self = "/proc/self/exe";
	char self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (len > 0) {
		self[len] = '\0';
		r.self = self;
	}
	r.seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	snprintf(r.root, sizeof r.root, "%s/otto-lock-crash-XXXXXX", base);
	if (!mkdtemp(r.root) || chmod(r.root, 0755) != 0) {
		perror(r.root);
		return 2;
	}
	snprintf(r.dir, sizeof r.dir, "%s/locks", r.root);
	snprintf(r.settings_dir, sizeof r.settings_dir, "%s/project", r.root);
	char path[700], settings[800];
	snprintf(path, sizeof path, "%s/.otto", r.settings_dir);
	if (mkdir(r.settings_dir, 0755) != 0 || mkdir(path, 0755) != 0) {
		perror(path);
		return 2;
	}
	snprintf(path, sizeof path, "%s/.otto/settings.toml", r.settings_dir);
	snprintf(settings, sizeof settings, "[locks]\ndir = \"%s\"\n", r.dir);
	FILE *f = fopen(path, "w");
	fputs(settings, f);
	fclose(f);
	snprintf(r.slots_path, sizeof r.slots_path, "%s/slots", r.root);
	r.slots = map_slots(r.slots_path, true);
	for (int w = 0; w < WORKERS; w++) {
		snprintf(r.logs[w], sizeof r.logs[w], "%s/holds.%d", r.root, w);
		close(open(r.logs[w], O_WRONLY | O_CREAT | O_TRUNC, 0644));
	}
	snprintf(r.kills_path, sizeof r.kills_path, "%s/kills", r.root);
	FILE *kills = fopen(r.kills_path, "w");
	/* Orphaned commands come back here: all are reaped, none outlive us. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	long long end = mono_ns() + (long long)(seconds * 1e9);
	for (int w = 0; w < WORKERS; w++)
		spawn(&r, w);
	while (mono_ns() < end) {
		pause_us(rand_r(&r.seed) % 40000);
		kill_one(&r, kills);
		pid_t pid;
		while ((pid = waitpid(-1, NULL, WNOHANG)) > 0) {
			fprintf(kills, "D %ld %lld\n", (long)pid, mono_ns());
			fflush(kills);
			for (int w = 0; w < WORKERS; w++)
				if (r.slots[w].worker == pid) {
					r.slots[w].stage = IDLE;
					spawn(&r, w);
				}
		}
	}
	/* The end: every hold still open ends now (logged like any kill). */
	for (int w = 0; w < WORKERS; w++) {
		pid_t victims[2] = {r.slots[w].worker, r.slots[w].command};
		for (int v = 0; v < 2; v++) {
			if (victims[v] <= 0)
				continue;
			fprintf(kills, "K %ld %lld\n", (long)victims[v], mono_ns());
			fflush(kills);
			kill(victims[v], SIGKILL);
		}
	}
	/* Everything we started, and every command otto left behind, is ours
	 * to reap: wait until none is left. */
	for (pid_t pid; (pid = wait(NULL)) > 0 || errno == EINTR;)
		if (pid > 0)
			fprintf(kills, "D %ld %lld\n", (long)pid, mono_ns());
	fclose(kills);

	long holds = 0, cut = 0;
	long overlaps = check_overlaps(&r, &holds, &cut);
	long temps_before = count_temps(r.dir);
	long stuck = check_stuck(&r);
	long temps = count_temps(r.dir);
	long total_kills = 0;
	printf("lock_crash: %.0f s, %d workers, %d names, folder %s\n", seconds, WORKERS, NAMES, r.dir);
	printf("rounds: %ld through the C API, %ld through otto lock run\n", r.rounds[0], r.rounds[1]);
	for (int cli = 0; cli < 2; cli++) {
		printf("SIGKILLs %-13s", cli ? "(otto run):" : "(C API):");
		for (int s = 0; s < STAGES; s++) {
			printf(" %s %ld%s", STAGE_NAMES[s], r.kills[cli][s], s + 1 < STAGES ? "," : "\n");
			total_kills += r.kills[cli][s];
		}
	}
	printf("SIGKILLs of otto itself: %ld, of the command it ran: %ld, total: %ld\n", r.otto_kills, r.command_kills,
	       total_kills);
	printf("holds: %ld (%ld cut short by SIGKILL), overlapping holds: %ld, stuck locks: %ld, temporary files left: "
	       "%ld (before any cleanup: %ld)\n",
	       holds, cut, overlaps, stuck, temps, temps_before);
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", r.root);
	if (keep)
		printf("kept: %s\n", r.root);
	else if (system(cmd) != 0)
		fprintf(stderr, "lock_crash: could not remove %s\n", r.root);
	/* Unnamed temporary files leave nothing even when their writer is
	 * killed; named ones (OTTO_LOCK_NO_TMPFILE=1) may, until the next
	 * writer removes them. */
	bool named = getenv("OTTO_LOCK_NO_TMPFILE") && strcmp(getenv("OTTO_LOCK_NO_TMPFILE"), "1") == 0;
	return overlaps == 0 && stuck == 0 && temps == 0 && (named || temps_before == 0) ? 0 : 1;
}
