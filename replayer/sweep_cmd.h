/*
 * sweep_cmd.h - the "muse sweep" command.
 */
#ifndef MUSE_SWEEP_CMD_H
#define MUSE_SWEEP_CMD_H

int cmd_sweep(int argc, char **argv);

#endif
