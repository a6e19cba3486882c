/*
 * fsmount.c - attaching and mounting flash filesystems (see fsmount.h).
 */
#define _GNU_SOURCE
#include "fsmount.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "spawn.h"

int fs_ubi_attach(struct fs_mount *m, struct muse_error *e)
{
	char *argv[] = { "ubiattach", "-p", (char *)m->mtd, NULL };
	char out[4096], *p;
	int rc = spawn_run(argv, out, sizeof(out));

	if (rc)
		return muse_fail(e, -EIO, "ubiattach -p %s failed (status %d)",
				 m->mtd, rc);
	p = strstr(out, "UBI device number ");
	if (!p)
		return muse_fail(e, -EIO, "ubiattach -p %s: no device number in \"%s\"",
				 m->mtd, out);
	m->ubi = atoi(p + 18);
	return 0;
}

int fs_mount(struct fs_mount *m, struct muse_error *e)
{
	unsigned long flags = m->read_only ? MS_RDONLY : 0;
	char dev[64];

	if (!strcmp(m->fs, "ubifs"))
		snprintf(dev, sizeof(dev), "ubi%d_0", m->ubi);
	else if (!strcmp(m->fs, "jffs2"))
		snprintf(dev, sizeof(dev), "mtd%s", m->mtd + strlen("/dev/mtd"));
	else
		return muse_fail(e, -EINVAL, "no filesystem to mount (%s)", m->fs);
	if (mount(dev, m->dir, m->fs, flags, m->options))
		return muse_fail(e, -errno, "mounting %s (%s) on %s: %s", dev,
				 m->fs, m->dir, strerror(errno));
	m->mounted = true;
	return 0;
}

int fs_unmount(struct fs_mount *m, struct muse_error *e)
{
	char num[16];
	char *argv[] = { "ubidetach", "-d", num, NULL };
	int ret = 0, rc;

	if (m->mounted && umount(m->dir))
		ret = muse_fail(e, -errno, "umount %s: %s", m->dir, strerror(errno));
	else
		m->mounted = false;
	if (m->ubi >= 0 && !m->mounted) {
		snprintf(num, sizeof(num), "%d", m->ubi);
		rc = spawn_run(argv, NULL, 0);
		if (rc && !ret)
			ret = muse_fail(e, -EIO, "ubidetach -d %d failed (status %d)",
					m->ubi, rc);
		if (!rc)
			m->ubi = -1;
	}
	return ret;
}
