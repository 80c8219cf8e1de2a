/* The lock folder: created shared and sticky; clear errors when it is not usable. */
#include "lock_test.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *root, *dir;

static void setup(void)
{
	root = lt_folder(&dir);
}

static void teardown(void)
{
	tu_rm_rf(root);
	free(root);
	free(dir);
}

TestSuite(lock_folder, .init = setup, .fini = teardown, .timeout = 20);

static int open_error(const char *path, otto_error *err)
{
	otto_lock_options o = lt_options(path, true, NULL);
	otto_lock_manager *m = NULL;
	int rc = otto_lock_manager_new(&m, &o, err);
	otto_lock_manager_free(m);
	return rc;
}

Test(lock_folder, a_missing_folder_is_created_sticky_and_world_writable)
{
	umask(022);
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *m = lt_manager(&o, 0);
	struct stat st;
	cr_assert(stat(dir, &st) == 0);
	cr_assert(S_ISDIR(st.st_mode));
	cr_assert_eq(st.st_mode & 07777, 01777, "mode %o", st.st_mode & 07777);
	cr_assert_str_eq(otto_lock_manager_dir(m), dir);
	otto_lock_manager_free(m);
}

Test(lock_folder, a_folder_that_cannot_be_created_is_an_error_naming_it)
{
	char *deep = tu_fmt("%s/no/such/locks", root);
	otto_error err = {0};
	cr_assert_eq(open_error(deep, &err), OTTO_EIO);
	cr_assert(lt_contains_fmt(err.message, "cannot create lock folder %s: %s/no: No such file or directory", deep,
				  root),
		  "%s", err.message);
	free(deep);
}

Test(lock_folder, a_file_in_its_place_is_an_error)
{
	free(tu_write(root, "locks", "not a folder\n"));
	otto_error err = {0};
	cr_assert_eq(open_error(dir, &err), OTTO_EIO);
	cr_assert(lt_contains_fmt(err.message, "refusing lock folder %s: %s is not a folder", dir, dir), "%s",
		  err.message);
}

Test(lock_folder, a_world_writable_folder_without_the_sticky_bit_is_refused)
{
	mkdir(dir, 0700);
	chmod(dir, 0777);
	otto_error err = {0};
	cr_assert_eq(open_error(dir, &err), OTTO_EIO);
	cr_assert(lt_contains_fmt(err.message, "refusing lock folder %s: %s is writable by other users but not sticky", dir,
				  dir),
		  "%s", err.message);
	cr_assert(lt_contains_fmt(err.message, "(fix: chmod +t %s)", dir), "%s", err.message);
}

Test(lock_folder, an_unwritable_folder_is_an_error)
{
	mkdir(dir, 0555);
	chmod(dir, 0555);
	chmod(root, 0755);
	/* root may write anywhere: check as nobody then. */
	int pipefd[2];
	cr_assert(pipe(pipefd) == 0);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(3);
		otto_error err = {0};
		otto_lock_options o = lt_options(dir, true, NULL);
		otto_lock_manager *m = NULL;
		int rc = otto_lock_manager_new(&m, &o, &err);
		if (write(pipefd[1], err.message, strlen(err.message)) < 0)
			_exit(4);
		_exit(rc == OTTO_EIO ? 0 : 1);
	}
	close(pipefd[1]);
	char msg[1100] = "";
	ssize_t n = read(pipefd[0], msg, sizeof msg - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	int status;
	waitpid(pid, &status, 0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d: %s", status, msg);
	cr_assert(lt_contains_fmt(msg, "lock folder %s is not writable by this user: Permission denied", dir),
		  "%s", msg);
}
