/*
 * fuzz_cmd.h - "muse fuzz": fault injection campaigns (fuzz_faults.h).
 */
#ifndef MUSE_FUZZ_CMD_H
#define MUSE_FUZZ_CMD_H

int cmd_fuzz(int argc, char **argv);

#endif
