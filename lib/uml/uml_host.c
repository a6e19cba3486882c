/*
 * uml_host.c - booting a UML kernel for one command (host side).
 */
#define _GNU_SOURCE
#include "uml.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernels.h"
#include "spawn.h"
#include "util.h"

extern char **environ;

const char *uml_default_kernel(void)
{
	const char *env = getenv("MUSE_KERNEL");

	return env && *env ? env : KERNEL_DEFAULT;
}

/* short enough that dir + "/" + a file name fits PATH_MAX */
#define JOB_DIR_MAX (PATH_MAX - 64)

struct uml_session {
	char dir[JOB_DIR_MAX];
	char self[PATH_MAX];
	char kernel[PATH_MAX];
	bool interactive;
	int log_fd;
	int out_fd;		/* job's stdout file, read side */
	int err_fd;
	pid_t pid;
};

static int move_fd_above(int fd, int min)
{
	int moved = fcntl(fd, F_DUPFD_CLOEXEC, min);

	if (moved < 0)
		return fd;
	close(fd);
	return moved;
}

static int make_job_dir(struct uml_session *s, struct muse_error *e)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp || tmp[0] != '/')
		tmp = "/tmp";
	if (snprintf(s->dir, sizeof(s->dir), "%s/muse-uml.XXXXXX", tmp) >=
	    (int)sizeof(s->dir))
		return muse_fail(e, -ENAMETOOLONG, "TMPDIR is too long");
	if (!mkdtemp(s->dir))
		return muse_fail(e, -errno, "cannot create a directory in %s: %s",
				 tmp, strerror(errno));
	/* the path travels on the kernel command line */
	if (strpbrk(s->dir, " \t\n\""))
		return muse_fail(e, -EINVAL,
				 "TMPDIR %s contains blanks or quotes, which the kernel command line cannot carry",
				 tmp);
	return 0;
}

static void job_file(const struct uml_session *s, const char *name,
		     char path[PATH_MAX])
{
	snprintf(path, PATH_MAX, "%s/%.32s", s->dir, name);
}

static int create_file(const struct uml_session *s, const char *name,
		       int *fd_out)
{
	char path[PATH_MAX];
	int fd;

	job_file(s, name, path);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (fd_out)
		*fd_out = fd;
	else
		close(fd);
	return 0;
}

/* "NAME=VALUE" into @var, appended to @env when @value is not empty */
static void add_var(char **env, size_t *n, char *var, size_t size,
		    const char *name, const char *value)
{
	if (*value && snprintf(var, size, "%s=%s", name, value) < (int)size)
		env[(*n)++] = var;
}

/*
 * The caller's environment, plus what the guest's programs know of their
 * kernel: its directory (modules/, config) and its name
 */
static char **guest_env(const struct uml_session *s, char vars[][PATH_MAX + 32])
{
	struct kernel_info k = { 0 };
	char dir[PATH_MAX], config[PATH_MAX + 8];
	size_t n = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 4, sizeof(*env));
	if (!env)
		return NULL;
	n = 0;
	/* in the guest, the kernel to use is the one it runs on */
	for (char **v = environ; *v; v++)
		if (strncmp(*v, "MUSE_KERNEL=", 12))
			env[n++] = *v;
	snprintf(dir, sizeof(dir), "%s", s->kernel);
	dirname(dir);
	snprintf(config, sizeof(config), "%s/config", dir);
	add_var(env, &n, vars[0], sizeof(vars[0]), "MUSE_KERNEL_DIR", dir);
	if (!access(config, R_OK))
		add_var(env, &n, vars[1], sizeof(vars[1]), "MUSE_KERNEL_CONFIG", config);
	if (!kernel_lookup(s->kernel, "uml", &k, &(struct muse_error){ 0 }))
		add_var(env, &n, vars[2], sizeof(vars[2]), "MUSE_KERNEL_NAME", k.name);
	return env;
}

static int write_job(struct uml_session *s, char **argv, struct muse_error *e)
{
	char path[PATH_MAX], cwd[PATH_MAX], vars[3][PATH_MAX + 32];
	struct uml_job job = {
		.cwd = cwd, .argv = argv, .interactive = s->interactive,
	};
	int ret;

	if (!getcwd(cwd, sizeof(cwd)))
		return muse_fail(e, -errno, "getcwd: %s", strerror(errno));
	job.env = guest_env(s, vars);
	if (!job.env)
		return muse_fail(e, -ENOMEM, "out of memory");
	job_file(s, "job", path);
	ret = uml_job_write(path, &job, e);
	free(job.env);
	if (ret)
		return ret;
	if (create_file(s, "stdout", &s->out_fd) ||
	    create_file(s, "stderr", &s->err_fd))
		return muse_fail(e, -errno, "%s: %s", s->dir, strerror(errno));
	return 0;
}

/*
 * KASAN reports only its first finding per boot unless told otherwise;
 * a guest that meets several (fuzz batches, the findings tests) must see
 * each.  Only a KASAN kernel knows the word: elsewhere it would reach init.
 */
static bool has_kasan(const char *kernel)
{
	const char *slash = strrchr(kernel, '/');
	int dir = slash ? (int)(slash - kernel) : 1;
	char path[PATH_MAX], *config;
	bool yes;

	if (snprintf(path, sizeof(path), "%.*s/config", dir, slash ? kernel : ".") >=
	    (int)sizeof(path))
		return false;
	config = read_text_file(path, NULL);
	yes = config && strstr(config, "\nCONFIG_KASAN=y\n");
	free(config);
	return yes;
}

static void boot_kernel(const struct uml_session *s, const char *mem)
{
	char a_mem[64], a_init[PATH_MAX + 8], a_job[PATH_MAX + 16];
	char a_umid[64], a_dir[PATH_MAX + 16];
	char *argv[] = {
		(char *)s->kernel, a_mem, "rootfstype=hostfs", "rootflags=/",
		"rw", a_init, a_job, "con=null", "ssl=null",
		s->interactive ? "con0=fd:0,fd:3" : "con0=null",
		"con1=null,fd:1", "console=tty1", a_umid, a_dir,
		has_kasan(s->kernel) ? "kasan_multi_shot" : NULL, NULL,
	};
	int null = open("/dev/null", O_RDWR);

	snprintf(a_mem, sizeof(a_mem), "mem=%s", mem);
	snprintf(a_init, sizeof(a_init), "init=%s", s->self);
	snprintf(a_job, sizeof(a_job), "MUSE_JOB=%s", s->dir);
	snprintf(a_umid, sizeof(a_umid), "umid=muse-%d", (int)getpid());
	snprintf(a_dir, sizeof(a_dir), "uml_dir=%s", s->dir);
	if (s->interactive) {
		dup2(1, 3);
	} else {
		setpgid(0, 0);
		dup2(null, 0);
	}
	dup2(s->log_fd, 1);
	dup2(s->log_fd, 2);
	execv(s->kernel, argv);
	fprintf(stderr, "muse uml: cannot run %s: %s\n", s->kernel,
		strerror(errno));
	_exit(UML_EXIT_NO_STATUS);
}

/* Copies what the guest command wrote since last time to our stdio. */
static void forward(int from, int to)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(from, buf, sizeof(buf))) > 0) {
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(to, buf + done, (size_t)(n - done));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return;
			done += w;
		}
	}
}

static void forward_output(const struct uml_session *s)
{
	if (s->interactive)
		return;
	forward(s->out_fd, STDOUT_FILENO);
	forward(s->err_fd, STDERR_FILENO);
}

static void kill_guest(const struct uml_session *s)
{
	kill(s->interactive ? s->pid : -s->pid, SIGKILL);
}

/* Waits for the kernel to exit, copying output; returns its wait status. */
static int supervise(struct uml_session *s, unsigned timeout, bool *timed_out,
		     int *stop_signal)
{
	struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	time_t deadline = timeout ? time(NULL) + timeout : 0;
	sigset_t set;
	int status;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	for (;;) {
		int sig = sigtimedwait(&set, NULL, &tick);

		forward_output(s);
		if (waitpid(s->pid, &status, WNOHANG) == s->pid)
			return status;
		if ((sig == SIGINT || sig == SIGTERM) && !*stop_signal) {
			*stop_signal = sig;
			kill_guest(s);
		}
		if (deadline && time(NULL) > deadline && !*timed_out) {
			*timed_out = true;
			kill_guest(s);
		}
	}
}

static int read_status(const struct uml_session *s, int *code)
{
	char path[PATH_MAX];
	FILE *f;
	int ok;

	job_file(s, "status", path);
	f = fopen(path, "r");
	if (!f)
		return -ENOENT;
	ok = fscanf(f, "%d", code) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

/* The last @lines lines of the log, from its last 8 KiB */
static void print_log_tail(const char *log, int lines)
{
	char buf[8192];
	FILE *f = fopen(log, "r");
	size_t n;
	char *p;

	fprintf(stderr, "muse uml: last kernel messages (%s):\n", log);
	if (!f)
		return;
	if (fseek(f, -(long)sizeof(buf) + 1, SEEK_END))
		rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = buf + n;
	while (p > buf && lines >= 0)
		if (*--p == '\n')
			lines--;
	fputs(p == buf ? p : p + 1, stderr);
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void cleanup(struct uml_session *s)
{
	close_fd(&s->out_fd);
	close_fd(&s->err_fd);
	close_fd(&s->log_fd);
	if (s->dir[0])
		nftw(s->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int prepare(struct uml_session *s, const struct uml_options *o,
		   struct muse_error *e)
{
	struct kernel_info k;
	ssize_t n;
	int ret;

	ret = kernel_get(o->kernel ? o->kernel : uml_default_kernel(), "uml", &k, e);
	if (ret)
		return ret;
	/* absolute: the guest's programs find modules/ from it, anywhere */
	if (!realpath(k.path, s->kernel))
		return muse_fail(e, -errno, "%s: %s", k.path, strerror(errno));
	n = readlink("/proc/self/exe", s->self, sizeof(s->self) - 1);
	if (n < 0)
		return muse_fail(e, -errno, "/proc/self/exe: %s", strerror(errno));
	s->self[n] = '\0';
	s->interactive = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	s->log_fd = open(o->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (s->log_fd < 0)
		return muse_fail(e, -errno, "log %s: %s", o->log, strerror(errno));
	/* above 3, which boot_kernel() hands the terminal to the guest on */
	s->log_fd = move_fd_above(s->log_fd, 10);
	ret = make_job_dir(s, e);
	if (!ret)
		ret = write_job(s, o->argv, e);
	return ret;
}

static int finish(struct uml_session *s, const struct uml_options *o,
		  int wstatus, bool timed_out, int stop_signal)
{
	int code;

	forward_output(s);
	if (stop_signal)
		return 128 + stop_signal;
	if (timed_out) {
		fprintf(stderr, "muse uml: timed out after %u s; killed the guest\n",
			o->timeout);
		print_log_tail(o->log, 20);
		return UML_EXIT_TIMEOUT;
	}
	if (!read_status(s, &code))
		return code;
	fprintf(stderr, "muse uml: the kernel stopped (%s %d) before the command reported its exit status\n",
		WIFSIGNALED(wstatus) ? "signal" : "exit status",
		WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : WEXITSTATUS(wstatus));
	print_log_tail(o->log, 20);
	return UML_EXIT_NO_STATUS;
}

int uml_choose(const char **kernel, struct muse_error *e)
{
	static char path[PATH_MAX];
	bool host = !access("/dev/muse", R_OK | W_OK);
	const char *name = *kernel ? *kernel : getenv("MUSE_KERNEL");
	struct kernel_info k;
	int ret;

	if (name && !*name)
		name = NULL;
	if (name && !strcmp(name, "host"))
		return host ? 0 : muse_fail(e, -ENODEV, "--kernel host: this host has no /dev/muse");
	if (!name && host)
		return 0;
	if (!name || !strcmp(name, "uml"))
		name = KERNEL_DEFAULT;
	ret = kernel_get(name, "uml", &k, e);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s", k.path);
	*kernel = path;
	return 1;
}

int uml_run(const struct uml_options *o, struct muse_error *e)
{
	struct uml_session s = { .log_fd = -1, .out_fd = -1, .err_fd = -1 };
	bool timed_out = false;
	int stop_signal = 0, wstatus, ret;
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	ret = prepare(&s, o, e);
	if (!ret) {
		s.pid = fork();
		if (s.pid == 0) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			/* a guest must not outlive the process that runs it */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			boot_kernel(&s, o->mem);
		}
		if (s.pid < 0)
			ret = muse_fail(e, -errno, "fork: %s", strerror(errno));
	}
	if (!ret) {
		wstatus = supervise(&s, o->timeout, &timed_out, &stop_signal);
		ret = finish(&s, o, wstatus, timed_out, stop_signal);
	}
	cleanup(&s);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}

int uml_run_self(const struct uml_options *o, const char *cmd, int argc,
		 char **argv, struct muse_error *e)
{
	char **inner = calloc((size_t)argc + 4, sizeof(*inner));
	struct uml_options self = *o;
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char log[PATH_MAX];
	int n = 0, ret;

	if (!inner)
		return muse_fail(e, -ENOMEM, "out of memory");
	if (!self.log && snprintf(log, sizeof(log), "%s/muse-%s.kernel.log", tmp, cmd) <
	    (int)sizeof(log))
		self.log = log;
	inner[n++] = (char *)spawn_self();
	inner[n++] = (char *)cmd;
	inner[n++] = "--inside";
	/* the same arguments: the guest has this working directory too */
	for (int i = 1; i < argc; i++)
		inner[n++] = argv[i];
	inner[n] = NULL;
	self.argv = inner;
	ret = uml_run(&self, e);
	free(inner);
	return ret;
}

void uml_self_argv(const struct uml_options *o, char *const *args, char **argv)
{
	int n = 0;

	argv[n++] = (char *)spawn_self();
	argv[n++] = "uml";
	if (o->kernel) {
		argv[n++] = "--kernel";
		argv[n++] = (char *)o->kernel;
	}
	argv[n++] = "--mem";
	argv[n++] = (char *)o->mem;
	argv[n++] = "--log";
	argv[n++] = (char *)o->log;
	argv[n++] = "--";
	argv[n++] = (char *)spawn_self();
	while (*args)
		argv[n++] = *args++;
	argv[n] = NULL;
}
