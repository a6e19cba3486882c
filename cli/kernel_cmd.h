/*
 * kernel_cmd.h - "muse kernel": list, build and locate the kernels muse
 * boots.
 */
#ifndef MUSE_KERNEL_CMD_H
#define MUSE_KERNEL_CMD_H

int cmd_kernel(int argc, char **argv);

#endif
