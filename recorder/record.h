/*
 * record.h - the "muse record" command.
 */
#ifndef MUSE_RECORD_H
#define MUSE_RECORD_H

int cmd_record(int argc, char **argv);

#endif
