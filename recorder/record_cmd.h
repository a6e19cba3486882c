/*
 * record_cmd.h - the "muse record" command.
 */
#ifndef MUSE_RECORD_CMD_H
#define MUSE_RECORD_CMD_H

int cmd_record(int argc, char **argv);

#endif
