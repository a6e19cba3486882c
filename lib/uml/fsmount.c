/*
 * fsmount.c - attaching and mounting flash filesystems (see fsmount.h).
 */
#define _GNU_SOURCE
#include "fsmount.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <mtd/ubi-user.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

/*
 * UBI's control device, not ubiattach/ubidetach: in a guest, starting a
 * program costs more than what it does (a sweep attaches at every point).
 */
static int ubi_ctrl(unsigned long request, void *arg)
{
	int fd = open("/dev/ubi_ctrl", O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = ioctl(fd, request, arg) ? -errno : 0;
	close(fd);
	return ret;
}

int fs_ubi_attach(struct fs_mount *m, struct muse_error *e)
{
	struct ubi_attach_req req = { .ubi_num = UBI_DEV_NUM_AUTO };
	char *end;
	int ret;

	req.mtd_num = (int32_t)strtol(m->mtd + strlen("/dev/mtd"), &end, 10);
	if (strncmp(m->mtd, "/dev/mtd", 8) || *end)
		return muse_fail(e, -EINVAL, "%s: not an MTD device", m->mtd);
	ret = ubi_ctrl(UBI_IOCATT, &req);
	if (ret)
		return muse_fail(e, -EIO, "UBI cannot attach %s: %s", m->mtd,
				 strerror(-ret));
	m->ubi = req.ubi_num;
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
	int ret = 0, rc;

	if (m->mounted && umount(m->dir))
		ret = muse_fail(e, -errno, "umount %s: %s", m->dir, strerror(errno));
	else
		m->mounted = false;
	if (m->ubi >= 0 && !m->mounted) {
		int32_t num = m->ubi;

		rc = ubi_ctrl(UBI_IOCDET, &num);
		if (rc && !ret)
			ret = muse_fail(e, -EIO, "UBI cannot detach ubi%d: %s",
					m->ubi, strerror(-rc));
		if (!rc)
			m->ubi = -1;
	}
	return ret;
}
