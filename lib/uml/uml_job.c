/*
 * uml_job.c - the job file that carries a command into the guest.
 *
 * Format: "MUSEJOB1\0", then NUL-terminated fields: the flags ("i" for
 * interactive, "-" otherwise), the working directory, the argument count,
 * the arguments, the environment count, the environment strings.  NUL
 * separation keeps every byte of arguments and environment intact.
 */
#include "uml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define JOB_MAGIC "MUSEJOB1"

static size_t count_strings(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static void put_field(FILE *f, const char *s)
{
	fputs(s, f);
	fputc('\0', f);
}

static void put_vector(FILE *f, char *const *v)
{
	char num[32];
	size_t n = count_strings(v);

	snprintf(num, sizeof(num), "%zu", n);
	put_field(f, num);
	for (size_t i = 0; i < n; i++)
		put_field(f, v[i]);
}

int uml_job_write(const char *path, const struct uml_job *job,
		  struct muse_error *e)
{
	FILE *f = fopen(path, "wb");
	int ret = 0;

	if (!f)
		return muse_fail(e, -errno, "%s: %s", path, strerror(errno));
	put_field(f, JOB_MAGIC);
	put_field(f, job->interactive ? "i" : "-");
	put_field(f, job->cwd);
	put_vector(f, job->argv);
	put_vector(f, job->env);
	if (ferror(f))
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	if (ret)
		return muse_fail(e, ret, "%s: %s", path, strerror(-ret));
	return 0;
}

struct cursor {
	char *p;
	char *end;
};

static char *next_field(struct cursor *c)
{
	char *s = c->p;
	char *nul;

	if (c->p >= c->end)
		return NULL;
	nul = memchr(c->p, '\0', (size_t)(c->end - c->p));
	if (!nul)
		return NULL;
	c->p = nul + 1;
	return s;
}

static int take_vector(struct cursor *c, char ***out)
{
	char *num = next_field(c), *end;
	unsigned long n;
	char **v;

	if (!num)
		return -EINVAL;
	n = strtoul(num, &end, 10);
	if (*end || n > 1u << 20)
		return -EINVAL;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (unsigned long i = 0; i < n; i++) {
		char *s = next_field(c);

		if (!s || !(v[i] = strdup(s))) {
			for (unsigned long j = 0; j < i; j++)
				free(v[j]);
			free(v);
			return s ? -ENOMEM : -EINVAL;
		}
	}
	*out = v;
	return 0;
}

int uml_job_read(const char *path, struct uml_job *job, struct muse_error *e)
{
	struct cursor c;
	char *buf, *magic, *flags, *cwd;
	size_t len;
	int ret = -EINVAL;

	memset(job, 0, sizeof(*job));
	buf = read_text_file(path, &len);
	if (!buf)
		return muse_fail(e, -errno ? -errno : -ENOMEM, "%s: %s", path,
				 strerror(errno ? errno : ENOMEM));
	c = (struct cursor){ buf, buf + len };
	magic = next_field(&c);
	flags = next_field(&c);
	cwd = next_field(&c);
	if (magic && !strcmp(magic, JOB_MAGIC) && flags && cwd) {
		job->interactive = !strcmp(flags, "i");
		job->cwd = strdup(cwd);
		ret = job->cwd ? take_vector(&c, &job->argv) : -ENOMEM;
		if (!ret)
			ret = take_vector(&c, &job->env);
	}
	free(buf);
	if (!ret && (!job->argv[0] || c.p != c.end))
		ret = -EINVAL;
	if (ret) {
		uml_job_free(job);
		return muse_fail(e, ret, "%s: not a valid job file", path);
	}
	return 0;
}

static void free_vector(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void uml_job_free(struct uml_job *job)
{
	free(job->cwd);
	free_vector(job->argv);
	free_vector(job->env);
	memset(job, 0, sizeof(*job));
}
