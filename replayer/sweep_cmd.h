/*
 * sweep_cmd.h - the "muse sweep" and "muse merge" commands.
 */
#ifndef MUSE_SWEEP_CMD_H
#define MUSE_SWEEP_CMD_H

int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);

#endif
